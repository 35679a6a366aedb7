"""Start-up of short papertriage commands (issue 16): `--help`, `--version`,
a Tab completion, `list` and `search`, and the fixed cost of a daily ingest,
as whole processes.

    python bench/startup.py --library bench/work/lib-100k.db --dump FILE   # one ingested dump

Bytecode first: with PYTHONDONTWRITEBYTECODE set (this machine's
environment does), an editable install recompiles every module of the
package in every process, which is not what a user's installed copy does.
``compile_bytecode`` writes the ``.pyc`` files of the package and of its
dependencies before anything is timed, whatever the environment says.

Each figure is the median of N runs, wall time and CPU time (user + system
of exactly that child, from ``os.wait4``): on a shared machine the CPU time
is the steadier of the two.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEPENDENCIES = ("papertriage", "typer", "click", "rich", "rapidfuzz", "yaml", "platformdirs", "shellingham",
                "annotated_doc", "typing_extensions", "markdown_it", "mdurl", "pygments")


SEARCH = "kolmogorv arnold networks"  # a typo corrected, then the widening tiers: the usual path


def compile_bytecode() -> list[str]:
    """Write the .pyc files of papertriage and its dependencies; returns the folders compiled."""
    done = []
    for name in DEPENDENCIES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
            continue
        folder = os.path.dirname(spec.origin) if spec.submodule_search_locations else spec.origin
        if os.path.isdir(folder):
            compileall.compile_dir(folder, quiet=1, workers=1)
        else:
            compileall.compile_file(folder, quiet=1)
        done.append(folder)
    return done


def papertriage_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "papertriage"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "papertriage"]


def timed(cmd: list[str], runs: int, env: dict | None = None) -> dict:
    """Median wall and CPU milliseconds of ``runs`` runs of ``cmd`` (output discarded)."""
    walls, cpus, codes = [], [], set()
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        codes.add(os.waitstatus_to_exitcode(status))
    return {"wall_ms": statistics.median(walls), "cpu_ms": statistics.median(cpus), "min_wall_ms": min(walls),
            "exit_codes": sorted(codes), "runs": runs}


def measure(library: Path | None, dump: Path | None, runs: int = 7) -> dict[str, dict]:
    """The start-up figures; ``dump`` is a file already in ``library`` (the ingest skips it)."""
    import tempfile

    pt = papertriage_cmd()
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="pt-cache-")}
    out = {
        "python_ms": timed([sys.executable, "-c", "pass"], runs),
        "help_ms": timed([*pt, "--help"], runs),
        "version_ms": timed([*pt, "--version"], runs),
        "command_help_ms": timed([*pt, "search", "--help"], runs),
    }
    if library is not None:
        base = [*pt, "--library", str(library)]
        subprocess.run([*pt, "__complete", "bash", "papertriage show "], env=env, capture_output=True)  # the cache
        out["complete_ms"] = timed([*pt, "__complete", "bash", "papertriage --library " + str(library) + " show 1"],
                                   runs, env)
        out["list_ms"] = timed([*base, "list", "--limit", "20", "--format", "tsv"], runs)
        # A search as a whole process (issue 14: under 250 ms at 100k; issue 16: 150 ms).
        out["search_ms"] = timed([*base, "search", *SEARCH.split(), "--format", "ids", "--limit", "20"], runs)
        if dump is not None:
            out["ingest_startup_ms"] = timed([*base, "ingest", "--quiet", str(dump)], runs)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--library", type=Path, help="a library to run list, completion and ingest against")
    ap.add_argument("--dump", type=Path, help="a dump already ingested into --library")
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args(argv)
    compile_bytecode()
    for name, r in measure(args.library, args.dump, args.runs).items():
        print(f"{name:<18} wall {r['wall_ms']:7.1f} ms (min {r['min_wall_ms']:6.1f})   cpu {r['cpu_ms']:7.1f} ms"
              f"   exit {r['exit_codes']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
