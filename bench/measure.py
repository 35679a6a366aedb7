"""Small measuring helpers shared by the benchmark scripts: run a whole
process and read its wall time and peak memory, summarise repeated timings.

Peak memory of a child comes from ``os.wait4`` in a tiny launcher
(spawn.py): the resource usage of exactly that child (``ru_maxrss``, KiB on
Linux), so nothing samples and nothing is missed between samples.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

MIB = 1024 * 1024
SPAWN = Path(__file__).resolve().parent / "spawn.py"


@dataclass
class ProcResult:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system time of the child
    written_bytes: int = 0  # bytes it handed to write(2) (Linux: wchar of /proc/PID/io; see spawn.py)
    dirtied_bytes: int = 0  # page-cache bytes it dirtied, whole folios (ru_oublock x 512): more than it wrote


def run_process(cmd: Sequence[str], *, stdin_path: Path | None = None, stdout_path: Path | None = None,
                env: dict | None = None, cwd: Path | None = None, keep_stdout: bool = True) -> ProcResult:
    """Run ``cmd`` to completion; wall time from fork to exit, and the child's peak RSS.

    The command is started by ``spawn.py`` (see there why). stdout goes to
    ``stdout_path`` (kept on disk) or a temporary file read back afterwards,
    so a large output never fills a pipe and the timing is that of the
    process writing a file.
    """
    import tempfile

    out_file = open(stdout_path, "wb") if stdout_path else tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    in_file = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fd, result_path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        launcher = [sys.executable, "-S", str(SPAWN), result_path]
        code = subprocess.call(launcher + [str(c) for c in cmd], stdin=in_file, stdout=out_file,
                               stderr=err_file, env=env, cwd=cwd)
        err_file.seek(0)
        stderr = err_file.read().decode("utf-8", "replace")
        if code != 0:
            raise RuntimeError(f"launcher failed ({code}): {stderr[-2000:]}")
        info = json.loads(Path(result_path).read_text())
        stdout = ""
        if keep_stdout and not stdout_path:
            out_file.seek(0)
            stdout = out_file.read().decode("utf-8", "replace")
    finally:
        out_file.close()
        err_file.close()
        os.unlink(result_path)
        if stdin_path:
            in_file.close()
    return ProcResult(info["seconds"], info["peak_kb"] / 1024, info["returncode"], stdout, stderr,
                      info.get("cpu_seconds", 0.0), info.get("written_bytes", 0), info.get("dirtied_bytes", 0))


def run_json(cmd: Sequence[str], **kwargs) -> tuple[dict, ProcResult]:
    """Run a helper that prints one JSON object as its last stdout line."""
    result = run_process(cmd, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    last = result.stdout.strip().splitlines()[-1]
    return json.loads(last), result


def copy_flushed(source: Path, target: Path) -> None:
    """Copy a library and flush the copy to disk (untimed): otherwise the first
    command's checkpoint (an fsync of the file) pays for writing out the whole
    fresh copy, which no library used every day has pending."""
    import shutil

    shutil.copyfile(source, target)
    with open(target, "rb+") as written:
        os.fsync(written.fileno())


def python() -> str:
    return sys.executable


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict:
    """Median, spread and the raw values of repeated measurements.

    ``noise`` is (max - min) / median: how far apart the runs were.
    """
    values = [float(v) for v in values]
    med = statistics.median(values)
    return {
        "median": med,
        "min": min(values),
        "max": max(values),
        "runs": len(values),
        "noise": (max(values) - min(values)) / med if med else 0.0,
        "values": values,
    }


def repeat_until(fn, *, runs: int = 3, budget_s: float = 60.0, min_runs: int = 1) -> list:
    """Call fn() up to ``runs`` times, stopping early once ``budget_s`` is used
    (but never before ``min_runs``). Returns the results."""
    results = []
    start = time.perf_counter()
    for i in range(runs):
        results.append(fn())
        if i + 1 >= min_runs and time.perf_counter() - start > budget_s:
            break
    return results
