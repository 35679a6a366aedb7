"""The `papertriage` command: a Typer app, and main(), the one place that
turns exceptions into exit codes.

Each command module stays thin: read options, call one core function, hand
the result to a renderer.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..errors import ExitCode, PapertriageError
from .common import LIBRARY_ENV, State

app = typer.Typer(
    name="papertriage",
    help="Turn a pile of Hugging Face paper-page dumps into a library you can search, tag and triage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: fast to start, and brackets print as written
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    library: Annotated[Optional[str], typer.Option(
        "--library", "-L", envvar=LIBRARY_ENV, metavar="PATH",
        help=f"Library file [env: {LIBRARY_ENV}; default: the user data folder].", show_envvar=False)] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    ctx.obj = State(library, debug)
    ctx.call_on_close(ctx.obj.close)


# Importing the command modules registers their commands on `app`.
from . import ingest as _ingest  # noqa: E402,F401
from . import papers as _papers  # noqa: E402,F401
from . import search as _search  # noqa: E402,F401
from . import tag as _tag  # noqa: E402,F401
from . import triage as _triage  # noqa: E402,F401
from . import export as _export  # noqa: E402,F401
from . import library as _library  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map every failure to one line on stderr and an exit code."""
    from typer.exceptions import TyperException

    from .common import err

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="papertriage", standalone_mode=False)
    except PapertriageError as exc:
        if debug:
            raise
        err(f"papertriage: {exc}")
        code = exc.exit_code
    except typer.Exit as exc:
        code = exc.exit_code
    except TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        show() if show else err(f"papertriage: {exc.format_message()}")
        code = ExitCode.USER_ERROR if exc.exit_code == 2 else exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err("papertriage: interrupted")
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `papertriage list | head`: the reader left; not an error.
        _silence_stdout()
        code = ExitCode.OK
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(int(code or 0))


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
