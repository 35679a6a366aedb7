"""The screening benchmark through the library's own code path (issue 13).

`bench/screening.py` simulates the reviewer on the model alone. This one puts
a labelled review into a real library and screens it the way a user would:
`list status:new --sort interest --limit 10`, then `mark keep` / `mark skip`
on those ten by the truth, and again, until 95 % of the included papers are
found. The prior is the one `screening.py` uses for the same seed (one
included and one excluded paper, marked first). Everything goes through
`papertriage.core` (the functions the commands call), in-process; with
``--processes`` every screen is a real `papertriage` process instead (slow:
two processes a screen).

    python bench/screening_library.py                           # the four sets, 1 run each
    python bench/screening_library.py --sets Cohen_2006_ADHD --runs 3
    python bench/screening_library.py --csv my_review.csv       # a held-out review (title, abstract, label_included)

The review goes in as an `hf-api` dump (one JSON object a record; an
arXiv-like id carries the record number, so papers the deduplicator merged
are still traced to their records: a merged paper is included when any of its
records is). WSS@95 and RRF@10 are counted over the review's records, as
ASReview counts them: reading a paper the deduplicator merged from two records
screens both (the ADHD set has one included record twice; counted over papers,
its 19 included papers would need all 19 found for 95 %, not 19 of 20).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import screening  # noqa: E402

SCREEN = 10


def write_dump(rows: list[tuple[str, str, int]], path: Path) -> None:
    objects = [{"paper": {"id": f"9001.{i:05d}", "title": title.strip() or f"(untitled record {i})",
                          "summary": abstract.strip() or "."}} for i, (title, abstract, _) in enumerate(rows)]
    path.write_text(json.dumps(objects), encoding="utf-8")


def screen(lib_path: Path, rows: list[tuple[str, str, int]], seed: int, processes: bool) -> tuple[float, float, int, float]:
    """(WSS@95, RRF@10, papers, seconds a screen) of one simulated reviewer."""
    from papertriage.core import decisions
    from papertriage.core.ingest import ingest
    from papertriage.core.select import select_papers
    from papertriage.store import Library

    dump = lib_path.with_suffix(".json")
    write_dump(rows, dump)
    lib = Library(lib_path)
    ingest(lib, [str(dump)])
    label: dict[str, int] = {}
    paper_of: dict[int, str] = {}
    by_title: dict[str, str] = {}
    for p in select_papers(lib):
        label[p.id] = 0
        by_title[" ".join(p.title.casefold().split())] = p.id
        if p.arxiv_id and p.arxiv_id.startswith("9001."):
            paper_of[int(p.arxiv_id.split(".")[1])] = p.id
    for r, (title, _, _) in enumerate(rows):  # records merged into another one's paper: by title
        if r not in paper_of and " ".join(title.casefold().split()) in by_title:
            paper_of[r] = by_title[" ".join(title.casefold().split())]
    records: dict[str, list[int]] = {pid: [] for pid in label}  # a paper's records: what reading it screens
    for r, pid in paper_of.items():
        label[pid] = max(label[pid], rows[r][2])
        records[pid].append(r)
    total, wanted = len(rows), sum(y for _, _, y in rows)
    rng = random.Random(seed)
    inc = [i for i, (_, _, y) in enumerate(rows) if y]
    exc = [i for i, (_, _, y) in enumerate(rows) if not y]
    prior = [paper_of.get(rng.choice(inc)), paper_of.get(rng.choice(exc))]
    if None in prior:  # a prior record the library cannot trace (merged under another title): the next ones
        prior = [next(paper_of[i] for i in inc if i in paper_of), next(paper_of[i] for i in exc if i in paper_of)]
    decisions.mark(lib, prior[:1], "keep")
    decisions.mark(lib, prior[1:], "skip")
    read = list(prior)
    found = sum(rows[r][2] for pid in prior for r in records[pid])
    screened = sum(len(records[pid]) for pid in prior)
    need = math.ceil(0.95 * wanted)
    times = []
    exe = Path(sys.executable).parent / "papertriage"
    while found < need:
        t0 = time.perf_counter()
        if processes:
            out = subprocess.run([str(exe), "--library", str(lib_path), "list", "status:new", "--sort", "interest",
                                  "--limit", str(SCREEN), "--format", "ids"], capture_output=True, text=True).stdout
            top = out.split()
        else:
            top = [p.id for p in select_papers(lib, "status:new", sort="interest", limit=SCREEN)]
        if not top:
            break
        keep = [pid for pid in top if label[pid]]
        skip = [pid for pid in top if not label[pid]]
        for status, ids in (("keep", keep), ("skip", skip)):
            if not ids:
                continue
            if processes:
                subprocess.run([str(exe), "--library", str(lib_path), "mark", status, *ids, "--quiet"], check=True)
            else:
                decisions.mark(lib, ids, status)
        times.append(time.perf_counter() - t0)
        for pid in top:  # read in the order offered: the found count may cross 95 % inside a screen
            read.append(pid)
            found += sum(rows[r][2] for r in records[pid])
            screened += len(records[pid])
            if found >= need:
                break
    lib.close()
    wss = (total - screened) / total - 0.05
    untraced = [r for r in range(len(rows)) if r not in paper_of]  # never offered: read last
    in_order = [r for pid in read + [pid for pid in label if pid not in set(read)] for r in records[pid]] + untraced
    rrf = sum(rows[r][2] for r in in_order[:math.ceil(0.1 * total)]) / wanted
    return wss, rrf, len(label), statistics.mean(times) if times else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(screening.SETS))
    parser.add_argument("--csv", type=Path, action="append", default=[], help="a review of your own (repeatable)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--processes", action="store_true", help="each screen as real papertriage processes")
    args = parser.parse_args(argv)
    paths = [screening.SCREENING / f"{name}.csv" for name in args.sets.split(",") if name] + args.csv
    asreview = {}
    ref = HERE / "results" / "asreview-screening.json"
    if ref.exists():
        asreview = json.loads(ref.read_text()).get("sets", {})
    print(f"{'set':<24} {'papers':>6} {'WSS@95':>7} {'RRF@10':>7} {'s/screen':>8} {'ASReview WSS':>12}")
    means = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = [(r.get("title") or "", r.get("abstract") or "", int(r["label_included"]))
                    for r in csv.DictReader(fh)]
        results = []
        for seed in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                results.append(screen(Path(tmp) / "library.db", rows, seed, args.processes))
        wss = statistics.mean(r[0] for r in results)
        means.append(wss)
        a = asreview.get(path.stem, {}).get("wss95")
        print(f"{path.stem:<24} {results[0][2]:>6} {100 * wss:6.1f}% {100 * statistics.mean(r[1] for r in results):6.1f}% "
              f"{statistics.mean(r[3] for r in results):8.3f} {'' if a is None else f'{100 * a:11.1f}%':>12}",
              flush=True)
    if len(means) > 1:
        print(f"{'mean':<24} {'':>6} {100 * statistics.mean(means):6.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
