"""Run one command and write its wall time, CPU time, bytes written and peak
memory as JSON to a file.

    python -S bench/spawn.py RESULT.json CMD [ARG...]

Why a separate launcher: on Linux a child's peak-RSS figure (``ru_maxrss``
from ``wait4``) starts from the RSS of the process that forked it, so a
child forked by a large benchmark process would report the benchmark's own
memory. This launcher is tiny (``python -S``, ~8 MB), so what it reports is
the command's own peak. stdin, stdout and stderr pass straight through.
"""

import json
import os
import sys
import time


def main() -> int:
    result_path, cmd = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(result_path, "w") as f:
        # ru_oublock: 512-byte blocks the child wrote (dirtied), on Linux.
        json.dump({"seconds": seconds, "peak_kb": usage.ru_maxrss,
                   "cpu_seconds": usage.ru_utime + usage.ru_stime, "written_bytes": usage.ru_oublock * 512,
                   "returncode": os.waitstatus_to_exitcode(status)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
