"""What the use cases that change decisions share: the report of what changed,
the dry-run transaction, the papers a command works on, and the history.

Each such use case is one write transaction, so a command changes everything
it was asked to or nothing at all (an unknown id anywhere means nothing
changes). ``dry_run`` runs the very same transaction and rolls it back, so
what it reports is exactly what a real run would do. Every change is recorded
in ``history`` in the same transaction.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from ..errors import NoMatch, UserError
from ..store import Library

Row = tuple[int, str, "str | None"]  # (pk, action, detail)
RowBefore = tuple[int, str, "str | None", "str | None"]  # (pk, action, detail, the value replaced)


@dataclass(slots=True)
class Change:
    """One change to one paper. ``action``: tag+, tag-, status or note."""

    paper: str
    title: str
    action: str
    detail: str | None


@dataclass(slots=True)
class Report:
    """What a use case changed (or, with ``dry_run``, would change)."""

    selected: int = 0
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    tags: list[str] = field(default_factory=list)  # the tag names as the library spells them
    unplaced: list["Unplaced"] = field(default_factory=list)  # imported records that fit no paper here
    by_content: int = 0  # imported records placed by title and abstract, not by id

    def papers_changed(self) -> int:
        return len({c.paper for c in self.changes})

    def count(self, action: str, detail: str | None = None) -> int:
        return sum(1 for c in self.changes if c.action == action and (detail is None or c.detail == detail))


@dataclass(slots=True)
class Unplaced:
    """An imported record that fits no paper of this library: neither its id nor its content."""

    token: str
    title: str | None
    source: str
    line: int


class _DryRun(Exception):
    """Raised inside a transaction to roll back a dry run."""


@contextmanager
def write(library: Library, dry_run: bool) -> Iterator[None]:
    """One write transaction, rolled back at the end when ``dry_run``."""
    try:
        with library.transaction():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


def record(library: Library, rows: Sequence[Row | RowBefore], at: str) -> list[Change]:
    """Write the history of these changes (inside the transaction that made them,
    so they join its undo step) and describe them for the report. A row may
    carry the value it replaced (a note's old text), for ``undo``."""
    library.add_history((row[0], at, row[1], row[2], row[3] if len(row) > 3 else None) for row in rows)
    return describe(library, rows)


def describe(library: Library, rows: Sequence[Row | RowBefore]) -> list[Change]:
    """Changes already recorded, for the report."""
    labels = library.paper_labels({row[0] for row in rows})
    return [Change(labels[row[0]][0], labels[row[0]][1], row[1], row[2]) for row in rows]


def read_ids(lines: Iterable[str]) -> list[str]:
    """Paper ids from piped text: the first whitespace-separated token of each
    line; blank lines and ``#`` lines (the tsv header) skipped.

    >>> read_ids(["#id\\ttitle", "3f2a1b2c\\tA title", "", "  9c1e  "])
    ['3f2a1b2c', '9c1e']
    """
    ids = []
    for line in lines:
        tokens = line.split(None, 1)
        if tokens and not tokens[0].startswith("#"):
            ids.append(tokens[0])
    return ids


def target_pks(library: Library, ids: Sequence[str] = (), query: str | None = None) -> list[int]:
    """The papers a command works on: ids (or unique prefixes), or a query.

    Unknown ids raise UnknownIdError naming all of them; a query that matches
    nothing raises NoMatch.
    """
    from .select import resolve_ids, select_papers

    if query is not None:
        if ids:
            raise UserError("give paper ids or --query, not both")
        found = [p.id for p in select_papers(library, query)]
        if not found:
            raise NoMatch(f"no paper matches {query!r}; nothing changed")
        pks = library.pks_for_ids(found)
        return [pks[i] for i in found if i in pks]
    if not ids:
        raise UserError("no papers given: pass ids, - to read them from stdin, or --query QUERY")
    return resolve_ids(library, ids)
