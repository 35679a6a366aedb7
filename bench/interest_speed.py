"""How long `--sort interest` takes on a big library, as whole processes (issue 13).

    python bench/interest_speed.py bench/work/lib-100k.db        # a library bench/run.py built
    python bench/interest_speed.py --build 100k                    # generate and ingest one first
    python bench/interest_speed.py LIB --first                     # and the first ranking, on a copy

On the library it keeps 20 papers of one topic and skips 20 others (once),
then times `papertriage list status:new --sort interest --limit 10`:
- after a new decision (retrain, rescore the library from the stored features),
- when no decision changed (the cached scores), median of 5,
- `papertriage why ID` on the top paper.
Goals: under 1 s after a decision, under 0.3 s without one.

``--first``: before that, on a flushed copy of the library with every stored
feature, model and score dropped, the first ranking as one process (every
paper's features counted and stored): wall, CPU, peak memory and how much the
file grew per paper. The copy is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))


CPU: dict[str, list[float]] = {}  # label -> CPU seconds (user + sys) of each timed process


def cmd(lib: Path, *args: str, label: str | None = None) -> tuple[float, str]:
    """Run one papertriage process; its wall time (and, under ``label``, its CPU time) is recorded."""
    import resource

    exe = Path(sys.executable).parent / "papertriage"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(exe), "--library", str(lib), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU.setdefault(label, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr}")
    return elapsed, done.stdout


def build(size: str) -> Path:
    import run  # bench/run.py

    n = run.parse_size(size)
    folder, _ = run.ensure_corpus(n, 1, HERE / "work")
    lib = HERE / "work" / f"lib-{run.size_label(n)}-interest.db"
    if not lib.exists():
        from papertriage.core.ingest import ingest
        from papertriage.store import Library

        library = Library(lib)
        ingest(library, [str(folder)])
        library.close()
    return lib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", nargs="?", type=Path)
    parser.add_argument("--build", metavar="SIZE", help="generate and ingest a library of this size (10k, 100k)")
    parser.add_argument("--topic", default="diffusion", help="the kept papers: this word in the title")
    parser.add_argument("--first", action="store_true",
                        help="also time the first ranking (features counted) on a copy without stored features")
    args = parser.parse_args(argv)
    lib = build(args.build) if args.build else args.library
    if lib is None:
        parser.error("give a library or --build SIZE")
    from papertriage.core import decisions
    from papertriage.core.select import count_papers, select_papers
    from papertriage.store import Library

    library = Library(lib)
    papers = count_papers(library)
    if papers - count_papers(library, "status:new") < 40:
        keep = [p.id for p in select_papers(library, f"title:{args.topic} status:new", limit=20)]
        skip = [p.id for p in select_papers(library, f"-{args.topic} status:new", limit=20)]
        decisions.mark(library, keep, "keep")
        decisions.mark(library, skip, "skip")
    queue = [p.id for p in select_papers(library, "status:new", sort="date", limit=50)]
    library.close()
    first_build = first_ranking(lib, papers) if args.first else None

    listing = ("list", "status:new", "--sort", "interest", "--limit", "10", "--format", "ids")
    first, _ = cmd(lib, *listing, label="first")  # the first ranking of this library (or of changed decisions)
    after = []
    for pid in queue[:5]:
        cmd(lib, "mark", "skip", pid, "--quiet")
        t, _ = cmd(lib, *listing, label="after")
        after.append(t)
    same = [cmd(lib, *listing, label="same")[0] for _ in range(5)]
    top = cmd(lib, *listing)[1].split()[0]
    why_t, _ = cmd(lib, "why", top, label="why")
    baseline = statistics.median(cmd(lib, "list", "status:new", "--sort", "seen", "--limit", "10",
                                     "--format", "ids", label="seen")[0] for _ in range(3))
    for pid in queue[:5]:  # leave the library as it was
        cmd(lib, "mark", "new", pid, "--quiet")
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print(f"library: {lib} ({papers:,} papers); load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'list status:new --sort interest --limit 10':<48} {'wall s':>8} {'CPU s':>7}  goal")
    print(f"{'  first ranking (features, train, score all)':<48} {first:>8.2f} {cpu['first']:>7.2f}")
    print(f"{'  after a new decision (median of 5)':<48} {statistics.median(after):>8.2f} {cpu['after']:>7.2f}  < 1")
    print(f"{'  nothing changed (median of 5)':<48} {statistics.median(same):>8.2f} {cpu['same']:>7.2f}  < 0.3")
    print(f"{'why TOP':<48} {why_t:>8.2f} {cpu['why']:>7.2f}")
    print(f"{'list status:new --sort seen --limit 10 (for scale)':<48} {baseline:>8.2f} {cpu['seen']:>7.2f}")
    if first_build:
        print(first_build)
    return 0


def first_ranking(lib: Path, papers: int) -> str:
    """The first ranking of a copy of ``lib`` whose stored features are dropped, as one process."""
    import sqlite3

    from measure import copy_flushed, run_process

    copy = lib.with_name(lib.stem + "-first-ranking.db")
    copy_flushed(lib, copy)
    try:
        db = sqlite3.connect(copy)
        db.executescript("DELETE FROM interest_chunks; DELETE FROM interest_terms; DELETE FROM interest_idf;"
                         " DELETE FROM interest_models; DELETE FROM interest_stale; VACUUM;")
        db.close()
        before = copy.stat().st_size
        exe = Path(sys.executable).parent / "papertriage"
        done = run_process([str(exe), "--library", str(copy), "list", "status:new", "--sort", "interest",
                            "--limit", "3", "--format", "ids"])
        if done.returncode != 0:
            raise SystemExit(f"first ranking: exit {done.returncode}: {done.stderr}")
        db = sqlite3.connect(copy)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        grown = copy.stat().st_size - before
        return (f"first ranking (every paper's features counted and stored), one process: {done.seconds:.1f} s wall, "
                f"{done.cpu_seconds:.1f} s CPU, {done.peak_mb:.0f} MB peak; the file grew {grown / 2**20:.0f} MB "
                f"({grown / max(1, papers) / 1000:.2f} KB a paper); load average "
                f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
