"""The daily ingest (issue 16): a day's few hundred sightings into a big library,
measured as a whole `papertriage ingest` process.

    python bench/daily.py LIBRARY CORPUS [--sightings 300] [--runs 3]

A day is three dumps (one per layout) of ``--sightings`` in all: half of them
papers the library already holds (from the corpus it was built from; 30 %
unchanged, the rest with the corpus's real-world variations), half new papers.
Each run copies the library (not timed; the copy is then in the page cache
and flushed to disk, as a library used every day is), runs
`papertriage --library COPY ingest --quiet --page-date D DAY/` and reads
from the launcher its wall time, CPU time (user + system), bytes written and
peak memory, then checks that every repeat was merged and every new paper
kept apart. The floor is `python -c "import sqlite3"`: the interpreter's
start-up, which every whole process pays.

Prints one JSON object as its last line (``run.py`` reads it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (tests/corpus.py)
from measure import copy_flushed, run_process  # noqa: E402

LAYOUTS = (corpus.TRENDING, corpus.DAILY_META, corpus.DAILY_PLAIN)
_SUMMARY = re.compile(r"(\d+) new papers, (\d+) merged")


def make_day(corpus_dir: Path, out_dir: Path, *, sightings: int = 300, repeat_share: float = 0.5,
             seed: int = 0) -> dict:
    """Write one day's dumps into ``out_dir``; returns what they hold and the page date."""
    info = json.loads((corpus_dir / "corpus.done.json").read_text())
    n_papers, n_real, corpus_seed = info["papers"], info["real_papers"], info.get("seed", 0)
    # The corpus's own papers, drawn as generate_corpus draws them.
    real_source = corpus.load_real_papers()
    real = list(real_source)
    random.Random(corpus_seed).shuffle(real)
    vocab = corpus.Vocabulary(real_source)
    rng = random.Random(seed * 7919 + 16)
    repeats = round(sightings * repeat_share)
    known = [rng.randrange(n_papers) for _ in range(repeats)]
    papers = []
    for i in known:
        p = real[i] if i < n_real else corpus.synthetic_paper(i - n_real, corpus_seed, vocab)
        papers.append(dict(p, variant=["exact"]) if rng.random() < 0.3 else corpus.make_variant(p, rng))
    # New papers: synthetic numbers far past the corpus's.
    first_new = n_papers + 1_000_000 + seed * 10_000
    papers += [corpus.synthetic_paper(first_new + k, corpus_seed, vocab) for k in range(sightings - repeats)]
    rng.shuffle(papers)
    last = max(p["page_date"] for p in corpus.read_pages(corpus_dir) if p.get("page_date"))
    page_date = dt.date.fromisoformat(last) + dt.timedelta(days=1)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    per = -(-len(papers) // len(LAYOUTS))
    for n, layout in enumerate(LAYOUTS):
        page = papers[n * per:(n + 1) * per]
        (out_dir / f"day_{n}.txt").write_text(corpus.render(layout, page, page_date), encoding="utf-8")
    return {"sightings": len(papers), "repeats": repeats, "new": len(papers) - repeats,
            "page_date": page_date.isoformat()}


def papertriage_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "papertriage"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "papertriage"]


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def measure(library: Path, corpus_dir: Path, work: Path, *, sightings: int = 300, runs: int = 3) -> dict:
    day_dir = work / "daily-dumps"
    day = make_day(corpus_dir, day_dir, sightings=sightings)
    copy = work / "daily-copy.db"
    out: dict = {"day": day, "runs": []}
    for _ in range(runs):
        _remove(copy)
        copy_flushed(library, copy)
        r = run_process([*papertriage_cmd(), "--library", str(copy), "ingest", "--page-date", day["page_date"],
                         str(day_dir)])
        found = _SUMMARY.search(r.stdout)
        out["runs"].append({"seconds": r.seconds, "cpu_seconds": r.cpu_seconds, "written_bytes": r.written_bytes,
                            "dirtied_bytes": r.dirtied_bytes,
                            "peak_mb": r.peak_mb, "returncode": r.returncode,
                            "new": int(found.group(1)) if found else None,
                            "merged": int(found.group(2)) if found else None,
                            "stderr": r.stderr[-500:] if r.returncode else ""})
    _remove(copy)
    floor = [run_process([sys.executable, "-c", "import sqlite3"], keep_stdout=False) for _ in range(max(3, runs))]
    out["floor_seconds"] = statistics.median(r.seconds for r in floor)
    out["floor_cpu_seconds"] = statistics.median(r.cpu_seconds for r in floor)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library")
    ap.add_argument("corpus")
    ap.add_argument("--sightings", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=str(HERE / "work"))
    args = ap.parse_args(argv)
    from startup import compile_bytecode

    compile_bytecode()  # immune to PYTHONDONTWRITEBYTECODE: every run would recompile the package
    result = measure(Path(args.library), Path(args.corpus), Path(args.work), sightings=args.sightings,
                     runs=args.runs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def rows(result: dict, metric) -> dict:
    """The table rows ``run.py`` prints for a ``measure`` result (``metric`` is run.py's row maker)."""
    runs = result["runs"]
    wall = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    written = statistics.median(r["written_bytes"] for r in runs) / 1e6
    day = result["day"]
    outcome = sorted({(r["new"], r["merged"]) for r in runs}, key=str)
    codes = sorted({r["returncode"] for r in runs})
    return {
        "daily_seconds": metric(wall, result["floor_seconds"], "s", target="<0.5 s", ok=wall < 0.5,
                                note=f"{day['sightings']} sightings ({day['repeats']} repeats) in 3 dumps, "
                                     f"{len(runs)} run(s), exit {codes}; (new, merged) {outcome}; "
                                     "limit: python start-up"),
        "daily_cpu_seconds": metric(cpu, result["floor_cpu_seconds"], "s", note="user + system"),
        "daily_written_mb": metric(written, None, "MB", note="bytes the process handed to write(2): WAL, checkpoint"),
    }
