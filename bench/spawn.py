"""Run one command and write its wall time, CPU time, bytes written and peak
memory as JSON to a file.

    python -S bench/spawn.py RESULT.json CMD [ARG...]

Why a separate launcher: on Linux a child's peak-RSS figure (``ru_maxrss``
from ``wait4``) starts from the RSS of the process that forked it, so a
child forked by a large benchmark process would report the benchmark's own
memory. This launcher is tiny (``python -S``, ~8 MB), so what it reports is
the command's own peak. stdin, stdout and stderr pass straight through.

Bytes written: what the child (and the children it reaped) handed to
write(2)/pwrite(2), ``wchar`` of ``/proc/PID/io`` read while the exited child
is still a zombie. The kernel's own ``write_bytes`` (= ``ru_oublock`` x 512)
counts page-cache folios dirtied, whole folios: an 8 KB page written into a
library file whose cache holds large folios counts up to the folio's size, so
a day into the 100k library that writes 41 MB (strace: 20.5 MB of log, 20.4 MB
of checkpoint) showed as 112 MB. That figure is kept as ``dirtied_bytes``.
"""

import json
import os
import sys
import time


def _io(pid):
    """The child's /proc/PID/io counters ({} where there is none: not Linux)."""
    try:
        with open(f"/proc/{pid}/io") as f:
            return {k: int(v) for k, v in (line.split(":") for line in f if ":" in line)}
    except (OSError, ValueError):
        return {}


def main() -> int:
    result_path, cmd = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    # Wait for the exit but leave the child a zombie, so its /proc/PID/io can still be read.
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    seconds = time.perf_counter() - start
    io = _io(pid)
    _, status, usage = os.wait4(pid, 0)
    with open(result_path, "w") as f:
        json.dump({"seconds": seconds, "peak_kb": usage.ru_maxrss,
                   "cpu_seconds": usage.ru_utime + usage.ru_stime,
                   "written_bytes": io.get("wchar", usage.ru_oublock * 512),
                   "dirtied_bytes": usage.ru_oublock * 512,  # page-cache folios dirtied (see above)
                   "returncode": os.waitstatus_to_exitcode(status)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
