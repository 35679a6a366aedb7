"""The triage pass: walk papers most promising first and record a decision for each.

A ``TriageSession`` knows the order, where the user is, and how to save a
decision; it never draws anything (``cli/triage.py`` does). Every decision is
its own committed transaction, so quitting or a crash loses nothing, and the
next session resumes by itself: decided papers have left the ``new`` set.

Order, "most promising first": seen in the most dumps, then most upvoted, then
newest (published), then the order they were added. With a query, papers still
``new`` come first, in that order, then the ones already decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NoMatch
from ..model import Paper
from ..query import compile_query
from ..store import Library, Selection
from . import decisions, tags as tagging
from .select import select_papers

STILL_NEW = "status:new"
DECISIONS = {"k": "keep", "s": "skip", "r": "read"}


def promising_key(paper: Paper) -> tuple:
    """Sort key matching the store's ``promising`` order (Python's sort is stable, so ties keep the query's order)."""
    return (
        paper.status != "new",
        -paper.seen,
        paper.upvotes is None, -(paper.upvotes or 0),
        paper.published is None, -(paper.published.toordinal() if paper.published else 0),
    )


def triage_order(library: Library, query: str | None = None) -> list[str]:
    """Ids to walk: the ``new`` papers, or those matching ``query`` (new ones first)."""
    if query and query.strip():
        keyed = [(promising_key(p), p.id) for p in select_papers(library, query, sort="seen")]
        keyed.sort(key=lambda item: item[0])
        return [pid for _, pid in keyed]
    return [p.id for p in library.select(Selection(query=compile_query(STILL_NEW), sort="promising"))]


@dataclass
class TriageSession:
    """Where a triage pass is, and the decisions made in it."""

    library: Library
    ids: list[str]
    position: int = 0
    decided: dict[str, str] = field(default_factory=dict)  # paper id -> status set in this session

    @classmethod
    def start(cls, library: Library, query: str | None = None) -> "TriageSession":
        ids = triage_order(library, query)
        if not ids:
            what = f"no paper matches {query!r}" if query and query.strip() else "no paper is new"
            raise NoMatch(f"nothing to triage: {what}")
        return cls(library, ids)

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def done(self) -> bool:
        return self.position >= len(self.ids)

    def progress(self) -> str:
        """``12/87``: the paper on screen, of how many."""
        return f"{min(self.position + 1, self.total)}/{self.total}"

    def current(self) -> Paper:
        """The paper at the current position, as the library has it now."""
        return next(self.library.select(Selection(ids=(self.ids[self.position],))))

    def _id(self) -> list[str]:
        return [self.ids[self.position]]

    def decide(self, status: str) -> None:
        """Save the status of the current paper at once, then move on."""
        decisions.mark(self.library, self._id(), status)
        self.decided[self.ids[self.position]] = status
        self.position += 1

    def add_tags(self, text: str) -> list[str]:
        """Tag the current paper (comma-separated names); returns the tags added."""
        names = tagging.parse_tags(text)
        report = tagging.add_tags(self.library, self._id(), names)
        return [c.detail for c in report.changes if c.detail is not None]

    def set_note(self, text: str) -> bool:
        return decisions.set_note(self.library, self.ids[self.position], text)

    def next(self) -> None:
        if not self.done:
            self.position += 1

    def back(self) -> None:
        self.position = max(0, self.position - 1)

    def still_new(self) -> int:
        """Papers in the whole library still waiting for a decision."""
        return self.library.count(Selection(query=compile_query(STILL_NEW)))

    def summary(self) -> dict[str, int]:
        """How many papers got each status in this session."""
        counts: dict[str, int] = {}
        for status in self.decided.values():
            counts[status] = counts.get(status, 0) + 1
        return counts
