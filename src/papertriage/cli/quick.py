"""The quick path of a plain daily ingest (issue 16: start-up under 80 ms).

`papertriage [--library PATH] [--debug] ingest [--quiet] [--page-date [FILE=]DAY]... PATH...`
runs ``ingest_run.run_ingest`` without importing Typer, whose import and
command building cost more than the rest of the process's start-up. Anything
else (``--explain``, ``--help``, an unknown or repeated option, no PATH)
returns None, and the Typer command, which does the same thing, takes it.

>>> quick_ingest_args(["-L", "x.db", "ingest", "-q", "--page-date=2024-06-23", "a.txt", "-"])
('x.db', False, ['a.txt', '-'], ['2024-06-23'], True)
>>> quick_ingest_args(["ingest", "--explain", "a.txt"]) is None
True
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import ExitCode

if TYPE_CHECKING:
    from typing import Callable


def quick_ingest_args(args: list[str]) -> tuple[str | None, bool, list[str], list[str] | None, bool] | None:
    """(library, debug, paths, page dates, quiet) of a plain ingest command line, or None."""
    library: str | None = None
    debug = False
    i = 0
    while i < len(args) and args[i] != "ingest":
        arg = args[i]
        if arg == "--debug" and not debug:
            debug, i = True, i + 1
        elif arg in ("--library", "-L") and library is None and i + 1 < len(args):
            library, i = args[i + 1], i + 2
        elif arg.startswith("--library=") and library is None:
            library, i = arg[len("--library="):], i + 1
        elif arg.startswith("-L") and len(arg) > 2 and library is None:
            library, i = arg[2:], i + 1
        else:
            return None
    if i == len(args) or library == "":
        return None
    paths: list[str] = []
    page_dates: list[str] = []
    quiet = False
    rest = args[i + 1:]
    j = 0
    while j < len(rest):
        arg = rest[j]
        if arg in ("--quiet", "-q") and not quiet:
            quiet, j = True, j + 1
        elif arg == "--page-date" and j + 1 < len(rest) and not rest[j + 1].startswith("-"):
            page_dates.append(rest[j + 1])
            j += 2
        elif arg.startswith("--page-date="):
            page_dates.append(arg[len("--page-date="):])
            j += 1
        elif arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            j += 1
        else:
            return None  # --explain, --help, --, anything else: the Typer command
    if not paths:
        return None
    return library, debug, paths, page_dates or None, quiet


def run_quick_ingest(args: list[str], guarded: "Callable[[Callable[[], int | None], bool, str], int]") -> int | None:
    """Run a plain ingest without Typer; None when ``args`` is not one.

    ``guarded``: ``cli._guarded``, which turns every failure into one line on
    stderr and the exit code, as for every other command."""
    parsed = quick_ingest_args(args)
    if parsed is None:
        return None
    from . import commands

    library_path, debug, paths, page_date, quiet = parsed
    path = library_path or os.environ.get(commands.LIBRARY_ENV) or commands.default_library_path()

    def run() -> int:
        from ..store import Library
        from .ingest_run import run_ingest

        lib = Library(path)
        try:
            lib.command = _command_line(args)
            run_ingest(lib, paths, page_date, quiet, explain=False)
        finally:
            lib.close()
        return ExitCode.OK

    return guarded(run, debug, str(path))


def _command_line(args: list[str]) -> str:
    """As ``common.command_line``: the command without the global options, for history."""
    import shlex

    i = args.index("ingest")
    return shlex.join(args[i:])[:300]
