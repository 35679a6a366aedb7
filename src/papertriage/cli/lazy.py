"""The Typer side of the CLI: the root ``app``, its callback, and the lazily
loading group that builds only the command that runs (issue 16, start-up).

Command modules register on ``app`` as usual (``@app.command()``,
``app.add_typer``); ``commands.COMMANDS`` says which module holds which
command, so ``LazyGroup.get_command`` imports that one module and converts
that one command. Nothing here runs for `papertriage --help`, `--version` or
Tab completion (see ``cli.main``).
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any, Optional

import typer
import typer.main
from typer.core import TyperGroup

from .commands import COMMANDS, DEBUG_HELP, DESCRIPTION, LIBRARY_ENV, LIBRARY_HELP, VERSION_HELP, root_help


class PipeClosed(Exception):
    """stdout's reader went away (`papertriage list | head -1`): not an error.

    Raised instead of BrokenPipeError, which Click would turn into exit 1."""


def _convert(name: str) -> Any:
    """The Click command for ``name`` from what its module registered on ``app``."""
    short = app.pretty_exceptions_short
    for info in app.registered_commands:
        callback_name = info.callback.__name__ if info.callback is not None else ""
        if (info.name or typer.main.get_command_name(callback_name)) == name:
            return typer.main.get_command_from_info(info, pretty_exceptions_short=short,
                                                    rich_markup_mode=app.rich_markup_mode)
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(group, pretty_exceptions_short=short,
                                                  rich_markup_mode=app.rich_markup_mode,
                                                  suggest_commands=app.suggest_commands)
    return None


class LazyGroup(TyperGroup):
    """The root group: lists commands from the table, builds one on demand."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS) + [n for n in self.commands if n not in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            importlib.import_module(f"{__package__}.{COMMANDS[cmd_name][0]}")
            command = _convert(cmd_name)
            if command is not None:
                self.commands[cmd_name] = command
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Suggestions for a mistyped command come from the whole table, loaded or not.
        from typer._click.exceptions import UsageError

        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                exc.message = exc.message.rstrip(".") + ". Did you mean " + ", ".join(map(repr, matches)) + "?"
            raise

    def get_help(self, ctx: Any) -> str:
        import shutil

        return root_help(shutil.get_terminal_size().columns).rstrip("\n")

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None


app = typer.Typer(
    name="papertriage",
    help=DESCRIPTION,
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,  # our own, fast completion: `papertriage completion`
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: fast to start, and brackets print as written
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"papertriage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    library: Annotated[Optional[str], typer.Option(
        "--library", "-L", envvar=LIBRARY_ENV, metavar="PATH", help=LIBRARY_HELP, show_envvar=False)] = None,
    debug: Annotated[bool, typer.Option("--debug", help=DEBUG_HELP)] = False,
    version: Annotated[bool, typer.Option("--version", help=VERSION_HELP, is_eager=True,
                                          callback=_print_version)] = False,
) -> None:
    from .common import State

    ctx.obj = State(library, debug)
    ctx.obj.may_create = ctx.invoked_subcommand == "ingest"
    ctx.call_on_close(ctx.obj.close)


_GROUP: LazyGroup | None = None


def root_group() -> LazyGroup:
    """The root Click group, built once per process (commands converted as used)."""
    global _GROUP
    if _GROUP is None:
        group = typer.main.get_command(app)
        assert isinstance(group, LazyGroup)
        _GROUP = group
    return _GROUP
