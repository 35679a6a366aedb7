"""In-process search speed on a big library (issue 14): the queries a user
types to find a paper again, timed through ``papertriage.core.search``.

    python bench/search_speed.py LIBRARY               # e.g. a copy of a 100k library
    python bench/search_speed.py LIBRARY --runs 3      # per query, the fastest of 3 runs

The queries are made by rule from the library's own titles, deterministic by
seed: 300 papers drawn by id, from each title 2-3 of its words of 4+ letters
(letters only) in random order, and for half of them the same words with the
first one misspelt (one letter dropped, never the first), about 570 queries
in all. Each is searched once to warm the caches, then timed with a limit of
20 (a terminal's page). The figures: median and 95th percentile, wall time
and CPU time of this process (on a loaded machine the CPU time is the
steadier); with ``--runs N``, each query's fastest of N runs.

The library is opened read and write as papertriage does (a migration may
run once), so point it at a copy you do not mind.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path


def make_queries(db: Path, seed: int = 0, papers: int = 300) -> list[str]:
    """2-3 title words of ``papers`` random papers, half of them again with a typo."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT max(pk) FROM papers").fetchone()[0] or 0
        rng = random.Random(seed)
        titles: list[str] = []
        for pk in rng.sample(range(1, top + 1), min(top, papers * 4 // 3)):
            row = con.execute("SELECT title FROM papers WHERE pk = ?", (pk,)).fetchone()
            if row is not None:
                titles.append(row[0])
            if len(titles) == papers:
                break
    finally:
        con.close()
    queries = []
    for title in titles:
        words = [w for w in title.replace(":", " ").split() if w.isalpha() and len(w) > 3]
        if len(words) < 2:
            continue
        chosen = rng.sample(words, min(3, len(words)))
        queries.append(" ".join(chosen))
        first = chosen[0]
        if len(first) >= 5:
            i = rng.randrange(1, len(first))
            queries.append(" ".join([first[:i] + first[i + 1:]] + chosen[1:]))
    return queries


def measure(db: Path, queries: list[str], runs: int = 1, limit: int = 20) -> dict:
    from papertriage.core.search import search
    from papertriage.store import Library

    lib = Library(db)
    walls = [float("inf")] * len(queries)
    cpus = [float("inf")] * len(queries)
    with contextlib.redirect_stderr(io.StringIO()):
        for q in queries:  # warm: the first touch of each page is not what a user waits for twice
            list(search(lib, q, limit=limit).papers)
        for _ in range(runs):
            for i, q in enumerate(queries):
                wall, cpu = time.perf_counter(), time.process_time()
                list(search(lib, q, limit=limit).papers)
                cpus[i] = min(cpus[i], (time.process_time() - cpu) * 1000)
                walls[i] = min(walls[i], (time.perf_counter() - wall) * 1000)
    lib.close()

    def figures(xs: list[float]) -> dict:
        xs = sorted(xs)
        return {"median_ms": statistics.median(xs), "p95_ms": xs[int(len(xs) * 0.95)]}

    return {"queries": len(queries), "runs": runs, "limit": limit, "wall": figures(walls), "cpu": figures(cpus)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library", type=Path, help="the library to search (a copy: it is opened for writing)")
    ap.add_argument("--seed", type=int, default=0, help="which papers the queries come from [0]")
    ap.add_argument("--runs", type=int, default=1, help="time each query N times, keep the fastest [1]")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    if not args.library.exists():
        ap.error(f"no library at {args.library}")
    queries = make_queries(args.library, args.seed)
    result = measure(args.library, queries, args.runs)
    print(f"search in-process over {args.library.name}: {result['queries']} queries (seed {args.seed}, limit 20"
          f"{', fastest of %d runs' % args.runs if args.runs > 1 else ''})")
    for kind in ("wall", "cpu"):
        r = result[kind]
        print(f"  {kind:<4} median {r['median_ms']:6.2f} ms   p95 {r['p95_ms']:6.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
