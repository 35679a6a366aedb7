"""What every command shares: the open library, output streams, options."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import IO, Annotated, Iterable, Iterator, Optional

import typer

from ..model import Paper

LIBRARY_ENV = "PAPERTRIAGE_LIBRARY"


class State:
    """Per-invocation state, opened lazily so `--help` never touches a file."""

    def __init__(self, library_path: str | None, debug: bool):
        self.library_path = library_path
        self.debug = debug
        self._library = None

    @property
    def library(self):
        if self._library is None:
            from ..store import Library

            self._library = Library(self.library_path or default_library_path())
            self._library.command = command_line()
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


COMMAND_ARGS: list[str] | None = None  # set by cli.main()


def command_line() -> str:
    """The command as typed, without the program name or global options, for the
    history's steps (what `undo` reverts)."""
    import shlex

    args = list(sys.argv[1:] if COMMAND_ARGS is None else COMMAND_ARGS)
    while args and args[0] in ("--library", "-L", "--debug"):
        args = args[2:] if args[0] != "--debug" else args[1:]
    return shlex.join(args)[:300] or "papertriage"


def default_library_path() -> str:
    import platformdirs

    return str(Path(platformdirs.user_data_dir("papertriage", appauthor=False)) / "library.db")


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def err(message: str) -> None:
    """A message for the user on stderr (never parsed as markup)."""
    from ..render.safe import terminal_safe

    sys.stderr.write(terminal_safe(message) + "\n")


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    tsv = "tsv"
    ids = "ids"


class SortKey(str, Enum):
    added = "added"
    seen = "seen"
    date = "date"
    upvotes = "upvotes"
    title = "title"


FormatOpt = Annotated[
    Optional[ListFormat],
    typer.Option("--format", "-f", help="Output format [default: table on a terminal, tsv when piped]."),
]
def check_sort(choices: tuple[str, ...]):
    """An option callback: one of ``choices``, ``interest`` or ``interest:TAG`` (issue 13)."""

    def check(value: str) -> str:
        if value in choices or value == "interest" or (value.startswith("interest:") and len(value) > 9):
            return value
        raise typer.BadParameter(f"{value!r}: choose from {', '.join(choices)}, interest, interest:TAG")

    return check


def interest_note(library, sort: str) -> None:
    """On stderr, what an interest sort rests on when it cannot learn yet (cold start)."""
    from ..core.interest import ensure_ranking, is_interest_sort

    if is_interest_sort(sort):
        ranking = ensure_ranking(library, sort)
        if ranking.cold:
            err(f"papertriage: {ranking.message}")


SortOpt = Annotated[str, typer.Option(
    "--sort", "-s", metavar="KEY", callback=check_sort(tuple(k.value for k in SortKey)),
    help="Order: added, seen, date, upvotes, title; interest (learned from your keep/read/skip "
         "decisions) or interest:TAG (learned from the papers tagged TAG).")]
LimitOpt = Annotated[
    Optional[int],
    typer.Option("--limit", "-n", min=0, help="Show at most N papers (0: all) [default: 50 on a terminal, all when piped]."),
]


def pick_format(fmt: ListFormat | None) -> str:
    if fmt is not None:
        return fmt.value
    return "table" if stdout_is_terminal() else "tsv"


def pick_limit(limit: int | None, terminal_default: int = 50) -> int | None:
    if limit is None:
        return terminal_default if stdout_is_terminal() else None
    return limit or None


def write_papers(papers: Iterable[Paper], fmt: str, out: IO[str] | None = None, **options) -> int:
    from ..render import render

    return render(fmt, papers, out or sys.stdout, terminal=stdout_is_terminal(), **options)


def nonempty(papers: Iterator[Paper], message: str = "no papers match") -> Iterator[Paper]:
    """The papers, or NoMatch (exit 1) before anything is written when there are none."""
    import itertools

    from ..errors import NoMatch

    papers = iter(papers)
    first = next(papers, None)
    if first is None:
        raise NoMatch(message)
    return itertools.chain((first,), papers)
