"""The `papertriage` command: main(), the one place that turns exceptions
into exit codes, and the fast paths that never import Typer.

Each command module stays thin: read options, call one core function, hand
the result to a renderer. Commands register on ``app`` (built on first use
in ``lazy.py``) and are listed in ``commands.COMMANDS``, so only the invoked
one is imported and built.
"""

from __future__ import annotations

import sys

from ..errors import ExitCode, PapertriageError

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)

if TYPE_CHECKING:
    from typing import Callable

    import typer

__all__ = ["app", "main"]


def __getattr__(name: str) -> "typer.Typer":
    # `from . import app` in a command module builds the Typer app on first use.
    if name == "app":
        from .lazy import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_GLOBAL_FLAGS = ("--debug",)
_GLOBAL_WITH_VALUE = ("-L", "--library")


def _fast_path(args: list[str]) -> int | None:
    """`--help`, `--version`, no command, and completion, without Typer.

    Returns the exit code, or None when the command needs the full CLI.
    """
    if args[:1] == ["__complete"]:
        from .complete import run

        return run(args[1:])
    i = 0
    library: str | None = None
    while i < len(args):
        arg = args[i]
        if arg in ("-h", "--help"):
            from .commands import root_help

            sys.stdout.write(root_help(_columns()))
            return ExitCode.OK
        if arg == "--version":
            from .. import __version__

            print(f"papertriage {__version__}")
            return ExitCode.OK
        if arg in _GLOBAL_FLAGS or arg.startswith("--library=") or (arg.startswith("-L") and len(arg) > 2):
            if arg not in _GLOBAL_FLAGS:
                library = arg.split("=", 1)[1] if arg.startswith("--library=") else arg[2:]
            i += 1
        elif arg in _GLOBAL_WITH_VALUE:
            library = args[i + 1] if i + 1 < len(args) else None
            i += 2
        elif arg == "--":
            return None
        elif arg == "search" and i + 1 < len(args) and library != "":
            # The short command run most, without Typer (issue 16): see searching.py.
            from . import common, searching

            common.COMMAND_ARGS = list(args)
            return searching.fast_path(library, "--debug" in args[:i], args[i + 1:], _guarded)
        else:
            return None  # a command (or an unknown option: Click says so)
    if i == len(args):  # no command: the help, as a usage error (Click's convention)
        from .commands import root_help

        sys.stderr.write(root_help(_columns()))
        return ExitCode.USER_ERROR
    return None


def _columns() -> int:
    """The terminal's width ($COLUMNS first), without importing shutil."""
    import os

    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 80


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map every failure to one line on stderr and an exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = _fast_path(args)
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.OK
    if code is None and "ingest" in args:  # a plain daily ingest starts without Typer (issue 16)
        from .quick import run_quick_ingest

        code = run_quick_ingest(args, _guarded)
    if code is None:
        from . import common  # only now: --help, --version and Tab never import Typer (issue 16)

        common.COMMAND_ARGS = list(args)  # names the step in history that `undo` reverts
        code = _run(args)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:  # the rest of the output did not fit (`> /dev/full`, issue 17)
        from .common import err

        _silence_stdout()
        err(f"papertriage: cannot write to standard output: {exc.strerror or exc}")
        code = code or ExitCode.USER_ERROR
    sys.exit(int(code or 0))


def _run(args: list[str]) -> int:
    import typer
    from typer.exceptions import TyperException

    from .common import err
    from .lazy import PipeClosed, root_group

    def invoke() -> int:
        try:
            return root_group().main(args=args, prog_name="papertriage", standalone_mode=False)
        except typer.Exit as exc:
            return exc.exit_code
        except TyperException as exc:  # usage errors: bad option, missing argument
            show = getattr(exc, "show", None)
            show() if show else err(f"papertriage: {exc.format_message()}")
            return ExitCode.USER_ERROR if exc.exit_code == 2 else exc.exit_code
        except typer.Abort:
            raise KeyboardInterrupt from None
        except PipeClosed:
            raise BrokenPipeError from None

    return _guarded(invoke, "--debug" in args)


def _guarded(run: "Callable[[], int | None]", debug: bool, library: str | None = None) -> int:
    """Run a command; every failure becomes one line on stderr and an exit code.
    ``library``: the file a command opened itself, for messages about it."""
    try:
        code = run()
    except PapertriageError as exc:
        if debug and not exc.reported:
            raise
        if not exc.reported:
            err(f"papertriage: {exc}")
        code = exc.exit_code
    except KeyboardInterrupt:
        err("papertriage: interrupted")
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `papertriage list | head`: the reader left; not an error.
        _silence_stdout()
        code = ExitCode.OK
    except Exception as exc:  # noqa: BLE001 -- the last boundary: sqlite3 and output errors (issue 17)
        failure = _translate(exc, library)
        if failure is None or debug:
            raise
        err(f"papertriage: {failure}")
        code = failure.exit_code
    return int(code or 0)


def err(message: str) -> None:
    """A message for the user on stderr (never parsed as markup), as ``common.err``:
    the quick paths end here without importing ``common`` (start-up, issue 16)."""
    from ..render.safe import terminal_safe

    sys.stderr.write(terminal_safe(message) + "\n")


def _translate(exc: Exception, library: str | None = None) -> PapertriageError | None:
    """Errors that escaped the store and the commands, as a one-line error:
    an sqlite3 error (the library's own words, exit 3) or an output that
    cannot be written (a full disk behind stdout, exit 2). None: a bug, which
    keeps its traceback."""
    from ..errors import UserError

    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):
        from ..store.failures import explain
        from .common import opened_library_path

        return explain(exc, library or opened_library_path() or "library")
    if isinstance(exc, OSError):
        if exc.filename:
            return UserError(f"{exc.strerror or exc}", file=str(exc.filename))
        _silence_stdout()
        return UserError(f"cannot write to standard output: {exc.strerror or exc}")
    return None


def _silence_stdout() -> None:
    """Drop whatever output is still buffered: its reader left, or its disk is full."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
