"""What every command shares: the open library, output streams, options."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterable, Iterator, Optional

from ..model import Paper

if TYPE_CHECKING:
    import typer

from .commands import LIBRARY_ENV, default_library_path  # noqa: F401  (no Typer on the completion path)


class State:
    """Per-invocation state, opened lazily so `--help` never touches a file."""

    def __init__(self, library_path: str | None, debug: bool):
        self.library_path = library_path
        self.debug = debug
        self._library = None
        # Only `ingest` makes a library where there is none (issue 12): a typo
        # in --library is an error, not a silent empty library.
        self.may_create = True

    def path(self) -> str:
        """The library file in use: --library, $PAPERTRIAGE_LIBRARY, else the user data folder."""
        return self.library_path or default_library_path()

    @property
    def library(self):
        if self._library is None:
            from ..store import Library

            if self.library_path and not self.may_create and self.library_path != ":memory:":
                folder = Path(self.library_path).expanduser().parent
                if not folder.is_dir():
                    from ..errors import UserError

                    raise UserError(f"no folder {folder} for the library {self.library_path} "
                                    "(only `papertriage ingest` creates a library and its folder)")
            global _OPENED
            _OPENED = self.path()
            self._library = Library(_OPENED)
            self._library.command = command_line()
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


_OPENED: str | None = None


def opened_library_path() -> str | None:
    """The library this invocation opened, for messages about errors that escaped the store."""
    return _OPENED


COMMAND_ARGS: list[str] | None = None  # set by cli.main()


def command_line() -> str:
    """The command as typed, without the program name or global options, for the
    history's steps (what `undo` reverts)."""
    import shlex

    args = list(sys.argv[1:] if COMMAND_ARGS is None else COMMAND_ARGS)
    while args and args[0] in ("--library", "-L", "--debug"):
        args = args[2:] if args[0] != "--debug" else args[1:]
    return shlex.join(args)[:300] or "papertriage"


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def err(message: str) -> None:
    """A message for the user on stderr (never parsed as markup)."""
    from ..render.safe import terminal_safe

    sys.stderr.write(terminal_safe(message) + "\n")


from ..model import SORTS  # noqa: E402
from ..render import LIST_FORMATS  # noqa: E402

# One --format set and one --sort set for every listing command (list, search, similar),
# built from the one list of each (render.LIST_FORMATS, model.SORTS).
ListFormat = Enum("ListFormat", {name: name for name in LIST_FORMATS}, type=str)  # type: ignore[misc]

FORMAT_HELP = ("table, tsv, ids (one id a line), json, jsonl, markdown, csv, yaml, bibtex, csl-json or ris "
               "[default: table on a terminal, tsv when piped].")
SORT_HELP = ("relevance (best match first; without words: newest first), added (newest first), "
             "seen, date, upvotes (most first), title (A to Z), interest (learned from your keep/read/skip "
             "decisions) or interest:TAG (learned from the papers tagged TAG).")


def check_sort(value: str | None) -> str | None:
    """--sort: one of model.SORTS, or interest:TAG (issue 13)."""
    if value is None or value in SORTS or (value.startswith("interest:") and len(value) > 9):
        return value
    import typer

    raise typer.BadParameter(f"{value!r}: choose from {', '.join(SORTS)}, interest:TAG")


def interest_note(library, sort: str | None) -> None:
    """On stderr, what an interest sort rests on when it cannot learn yet (cold start)."""
    from ..model import is_interest_sort

    if sort is not None and is_interest_sort(sort):
        from ..core.interest import ensure_ranking

        ranking = ensure_ranking(library, sort)
        if ranking.cold:
            err(f"papertriage: {ranking.message}")
        elif not ranking.saved:
            err("papertriage: the library is read-only: ranked in memory, nothing cached")

# The options every listing command shares, as Typer annotations. Built on
# first use (``__getattr__``): this module is also read by `papertriage
# search`'s fast path (``searching.py``), which never imports Typer (issue 16).
if TYPE_CHECKING:
    FormatOpt = Optional[ListFormat]
    SortOpt = str
    ReverseOpt = bool
    LimitOpt = Optional[int]


def _typer_options() -> dict[str, object]:
    from typing import Annotated

    import typer

    return {
        "FormatOpt": Annotated[Optional[ListFormat], typer.Option(
            "--format", "-f", metavar="FORMAT", help=FORMAT_HELP, show_default=False)],
        "SortOpt": Annotated[str, typer.Option("--sort", "-s", metavar="KEY", help=SORT_HELP, callback=check_sort)],
        "ReverseOpt": Annotated[bool, typer.Option(
            "--reverse", help="The opposite order (oldest, least seen... first; a ranking: best match last).")],
        "LimitOpt": Annotated[Optional[int], typer.Option(
            "--limit", "-n", min=0,
            help="Show at most N papers (0: all) [default: 50 on a terminal, all when piped].")],
    }


def __getattr__(name: str) -> object:
    if name in ("FormatOpt", "SortOpt", "ReverseOpt", "LimitOpt"):
        globals().update(_typer_options())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pick_format(fmt: "ListFormat | None") -> str:
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
