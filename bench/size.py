"""Where a library's bytes are (issue 16, size): per table and index, bytes a paper,
the payload in them and the share of their pages left unused, from SQLite's
``dbstat`` table (what ``sqlite3_analyzer`` reports), beside the file's size.

    python bench/size.py LIBRARY [--top 20] [--json OUT]

Reads the library only (opened read-only; nothing is migrated). Needs an SQLite
built with SQLITE_ENABLE_DBSTAT_VTAB (Python's usually is). The "file" figure is
what ``bench/run.py`` prints as "library size per paper" (the file and its
write-ahead log, per paper, in KB of 1,024 bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path


def measure(path: Path) -> dict:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        try:
            rows = db.execute("SELECT name, count(*), sum(pgsize), sum(payload), sum(unused), sum(ncell)"
                              " FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC").fetchall()
        except sqlite3.OperationalError as exc:
            raise SystemExit(f"size.py: this SQLite has no dbstat table ({exc})") from None
    finally:
        db.close()
    file_bytes = sum(os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}"))
    per = max(papers, 1)
    return {
        "library": str(path), "papers": papers, "page_size": page_size, "free_pages": free,
        "file_bytes": file_bytes, "kb_per_paper": file_bytes / per / 1024,
        "objects": [{"name": name, "pages": pages, "bytes": size, "bytes_per_paper": size / per,
                     "payload_per_paper": payload / per, "unused": unused / size if size else 0.0, "cells": cells}
                    for name, pages, size, payload, unused, cells in rows],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--top", type=int, default=20, help="tables and indexes to list, largest first [20]")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    args = ap.parse_args(argv)
    if not args.library.is_file():
        print(f"size.py: no such library: {args.library}", file=sys.stderr)
        return 2
    result = measure(args.library)
    n = result["papers"]
    print(f"{args.library.name}: {n:,} papers, {result['file_bytes'] / 1e6:,.1f} MB, "
          f"{result['kb_per_paper']:.3f} KB a paper ({result['file_bytes'] / max(n, 1):,.0f} bytes), "
          f"pages of {result['page_size']:,} bytes, {result['free_pages']:,} free")
    print(f"{'table or index':34s} {'MB':>8s} {'B/paper':>8s} {'payload':>8s} {'unused':>7s}")
    for o in result["objects"][:args.top]:
        print(f"{o['name']:34s} {o['bytes'] / 1e6:8.1f} {o['bytes_per_paper']:8.1f} "
              f"{o['payload_per_paper']:8.1f} {o['unused']:7.1%}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
