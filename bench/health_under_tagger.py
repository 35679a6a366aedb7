"""`backup` and `check --repair` on a big library while another process tags (issue 17).

    python bench/health_under_tagger.py LIBRARY            # a COPY of a big library: it is written to
    python bench/health_under_tagger.py LIBRARY --steps backup,check

Starts a tagger that runs ``papertriage tag add`` on 20 random papers in a loop
(each run its own process, as a script would), then runs each step while it
tags: ``backup FILE`` (the copy is checked with ``check``), ``check``,
``check --repair``. Prints, for each step, its wall and CPU time and exit
status, and for the tagger how many runs it made, how many failed (a lock
error is a failure: ``database is locked`` must never reach a tagger) and its
slowest run, i.e. the longest it waited for the write lock.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = [sys.executable, "-m", "papertriage"]

TAGGER = r"""
import json, os, random, subprocess, sys, time
py, lib, stop, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ids = open(lib + ".ids").read().split()
rng = random.Random(seed)
runs, failures, slowest = 0, [], 0.0
while not os.path.exists(stop):
    t0 = time.perf_counter()
    p = subprocess.run([py, "-m", "papertriage", "tag", "add", f"loop-{runs % 7}", *rng.sample(ids, 20), "-q"],
                       capture_output=True, env=dict(os.environ, PAPERTRIAGE_LIBRARY=lib))
    slowest = max(slowest, time.perf_counter() - t0)
    runs += 1
    if p.returncode != 0:
        failures.append([p.returncode, p.stderr.decode("utf-8", "replace")[-200:]])
    time.sleep(0.2)
print(json.dumps({"runs": runs, "failures": failures, "slowest": slowest}))
"""


def timed(args: list[str], library: Path) -> tuple[int, float, float, str]:
    """(exit status, wall s, CPU s, last stderr line) of ``papertriage ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([*PY, *args], capture_output=True, env={**os.environ, "PAPERTRIAGE_LIBRARY": str(library)})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return proc.returncode, wall, cpu, err[-1] if err else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path, help="a copy of a big library (it gets tags and a repair)")
    parser.add_argument("--steps", default="backup,check,repair", help="of: backup, check, repair")
    args = parser.parse_args()
    library = args.library.resolve()
    work = Path(tempfile.mkdtemp(prefix="papertriage-health-"))
    ids = subprocess.run([*PY, "list", "--format", "ids", "--limit", "0"], capture_output=True, check=True,
                         env={**os.environ, "PAPERTRIAGE_LIBRARY": str(library)}).stdout.decode()
    Path(f"{library}.ids").write_text(ids)
    script, stop = work / "tagger.py", work / "stop"
    script.write_text(TAGGER)
    load = os.getloadavg()[0]
    tagger = subprocess.Popen([sys.executable, str(script), sys.executable, str(library), str(stop),
                               str(random.randrange(1 << 30))], stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    rows = []
    try:
        time.sleep(2)  # the tagger is tagging
        for step in args.steps.split(","):
            if step == "backup":
                copy = work / "backup.db"
                code, wall, cpu, err = timed(["backup", str(copy)], library)
                rows.append(("backup FILE", code, wall, cpu, err))
                code, wall, cpu, err = timed(["check"], copy)
                rows.append(("check of the backup", code, wall, cpu, err))
            elif step == "check":
                rows.append(("check", *timed(["check"], library)))
            elif step == "repair":
                rows.append(("check --repair", *timed(["check", "--repair"], library)))
                rows.append(("check after the repair", *timed(["check"], library)))
    finally:
        stop.write_text("")
        out, _ = tagger.communicate(timeout=300)
        Path(f"{library}.ids").unlink()
        shutil.rmtree(work, ignore_errors=True)  # the backup is as big as the library
    import json

    result = json.loads(out.decode().strip().splitlines()[-1])
    print(f"library {library} ({library.stat().st_size >> 20} MB), load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print("| step | exit | wall s | CPU s | last message |")
    print("|---|---|---|---|---|")
    for name, code, wall, cpu, err in rows:
        print(f"| {name} | {code} | {wall:.1f} | {cpu:.1f} | {err[:80]} |")
    print(f"tagger: {result['runs']} runs of `tag add` (20 papers each), {len(result['failures'])} failed, "
          f"slowest {result['slowest']:.1f} s")
    for code, err in result["failures"][:5]:
        print(f"  tagger failure, exit {code}: {err.strip()}")
    return 1 if result["failures"] or any(r[1] != 0 for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
