"""Merge, split and unmerge by hand in a big library, each as a whole process
(issue 16, for issue 11's commands).

    python bench/merges.py LIBRARY [--runs 3]

Each run copies LIBRARY (not timed), opens the copy once so that any pending
migration is not timed, picks three papers of one sighting each far apart in
the library, and times, as `papertriage` processes:
`merge A B`, `unmerge A`, `merge A B C`, `split A 2`. Prints the median wall
and CPU time (user + system of that process, from ``os.wait4``) of each, and
the floor (`python -c "import sqlite3"`). On a shared machine the CPU time is
the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("merge A B", "unmerge A", "merge A B C", "split A 2")


def papertriage_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "papertriage"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "papertriage"]


def timed(cmd: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    assert proc.stderr is not None
    proc.stderr.read()
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def pick_papers(library: Path) -> list[str]:
    """Three papers of one sighting each, a third of the library apart."""
    db = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    try:
        n = db.execute("SELECT max(pk) FROM papers").fetchone()[0]
        ids = []
        for start in (n // 6, n // 2, 5 * n // 6):
            row = db.execute("SELECT id FROM papers WHERE pk >= ? AND sightings = 1 ORDER BY pk LIMIT 1",
                             (start,)).fetchone()
            ids.append(row[0])
        return ids
    finally:
        db.close()


def measure(library: Path, runs: int = 3) -> dict[str, dict]:
    from measure import copy_flushed  # bench/measure.py (on the path when run as a script)

    pt = papertriage_cmd()
    work = Path(tempfile.mkdtemp(prefix="pt-merges-"))
    copy = work / "library.db"
    found: dict[str, list[tuple[float, float, int]]] = {step: [] for step in STEPS}
    try:
        for _ in range(runs):
            for suffix in ("", "-wal", "-shm"):
                Path(str(copy) + suffix).unlink(missing_ok=True)
            copy_flushed(library, copy)
            subprocess.run([*pt, "--library", str(copy), "stats"], capture_output=True)  # migrations, untimed
            a, b, c = pick_papers(copy)
            names = {"A": a, "B": b, "C": c}
            for step in STEPS:
                words = [names.get(w, w) for w in step.split()]
                found[step].append(timed([*pt, "--library", str(copy), *words]))
        floor = [timed([sys.executable, "-c", "import sqlite3"]) for _ in range(max(3, runs))]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {step: {"wall_s": statistics.median(r[0] for r in rs), "cpu_s": statistics.median(r[1] for r in rs),
                  "exit_codes": sorted({r[2] for r in rs})} for step, rs in found.items()}
    out["floor"] = {"wall_s": statistics.median(r[0] for r in floor), "cpu_s": statistics.median(r[1] for r in floor),
                    "exit_codes": [0]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    import startup

    startup.compile_bytecode()  # PYTHONDONTWRITEBYTECODE must not make every process recompile
    for step, r in measure(args.library, args.runs).items():
        print(f"{step:<14} wall {r['wall_s'] * 1000:7.1f} ms   cpu {r['cpu_s'] * 1000:7.1f} ms   exit {r['exit_codes']}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
