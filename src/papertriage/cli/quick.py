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

from ..errors import ExitCode

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)

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
        if page_date is None and _all_in_already(path, paths, quiet):
            return ExitCode.OK
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


# A few dump files named on the command line are checked before anything else is imported
# (issue 16: the start-up of an ingest of dumps already in). Folders, stdin and longer lists
# take the ordinary path at once, so a folder of new dumps is never hashed twice.
FAST_SKIP_FILES = 8
_MAX_BYTES = 256 * 1024 * 1024  # core.ingest.MAX_DUMP_BYTES: a larger file takes the ordinary path (its error)


def _all_in_already(library_path: str, paths: list[str], quiet: bool) -> bool:
    """When every PATH is a dump file whose content the library holds already,
    say so exactly as ``run_ingest`` would (each file skipped) and return True;
    otherwise False, having changed nothing, and the ordinary path runs.

    It needs only the library's ``dumps`` (``store.dumps.Dumps``, which opens
    and migrates the file as ``Library`` does) and hashlib: none of the
    parsers, dedup, the papers or the model (about 40 ms of imports)."""
    if len(paths) > FAST_SKIP_FILES or any(p == "-" or not os.path.isfile(p) for p in paths):
        return False
    from ..store.dumps import Dumps

    lib = Dumps(library_path)
    try:
        from ..config import load_config

        if load_config().rules:  # checked against the library before anything, as ingest does
            return False
        import hashlib

        for p in paths:
            try:
                if os.path.getsize(p) > _MAX_BYTES:
                    return False
                with open(p, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                return False  # the ordinary path says what is wrong with it
            if lib.find_dump(sha) is None:
                return False
    finally:
        lib.close()
    from .ingest_run import print_all_skipped

    print_all_skipped(paths, quiet)
    return True


def _command_line(args: list[str]) -> str:
    """As ``common.command_line``: the command without the global options, for history."""
    import shlex

    i = args.index("ingest")
    return shlex.join(args[i:])[:300]
