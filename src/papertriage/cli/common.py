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

            global _OPENED
            _OPENED = self.library_path or default_library_path()
            self._library = Library(_OPENED)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


_OPENED: str | None = None


def opened_library_path() -> str | None:
    """The library this invocation opened, for messages about errors that escaped the store."""
    return _OPENED


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
SortOpt = Annotated[SortKey, typer.Option("--sort", "-s", help="Order of the papers.")]
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
