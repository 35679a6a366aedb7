"""The triage pass: walk papers most promising first and record a decision for each.

A ``TriageSession`` knows the order, where the user is, and how to save a
decision; it never draws anything (``cli/triage.py`` does). Every decision is
its own committed transaction (so its own step for ``undo``), so quitting or
a crash loses nothing, and the next session resumes by itself: decided
papers have left the ``new`` set.

Order (issue 13): by learned interest (``core/interest.py``) once there are
enough decisions to learn from; before that (cold start), "most promising":
seen in the most dumps, then most upvoted, then newest (published), then the
order they were added. After each decision the ranking learns from it and
the papers still ahead are put in the new order. With a query, papers still
``new`` come first, then the ones already decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NoMatch
from ..model import Paper
from ..query import compile_query
from ..store import Library, Selection, now
from ..store import resume
from . import decisions, interest, tags as tagging
from .papers import paper_url
from .select import select_papers, sort_order

STILL_NEW = "status:new"
DECISIONS = {"k": "keep", "s": "skip", "r": "read"}
MORE_LIKE_THIS = 10


def promising_key(paper: Paper) -> tuple:
    """Sort key matching the store's ``promising`` order (Python's sort is stable, so ties keep the query's order)."""
    return (
        paper.status != "new",
        -paper.seen,
        paper.upvotes is None, -(paper.upvotes or 0),
        paper.published is None, -(paper.published.toordinal() if paper.published else 0),
    )


def triage_order(library: Library, query: str | None = None, sort: str = "interest") -> list[str]:
    """Ids to walk: the ``new`` papers, or those matching ``query`` (new ones first), by
    learned interest (the most promising first while it cannot learn yet)."""
    if query and query.strip():
        papers = list(select_papers(library, query, sort=sort))
        papers.sort(key=lambda p: p.status != "new")  # stable: the ranking holds within each group
        return [p.id for p in papers]
    order, model = sort_order(library, sort)
    return [p.id for p in library.select(Selection(query=compile_query(STILL_NEW), sort=order,
                                                   interest_model=model))]


@dataclass
class TriageSession:
    """Where a triage pass is, and the decisions made in it."""

    library: Library
    ids: list[str]
    position: int = 0
    decided: dict[str, str] = field(default_factory=dict)  # paper id -> status set in this session
    query: str | None = None
    sort: str = "interest"
    ranking: interest.Ranking | None = None
    _scores: dict[str, float] = field(default_factory=dict)
    resumed: str | None = None  # the paper this session resumed at

    @classmethod
    def start(cls, library: Library, query: str | None = None, sort: str = "interest") -> "TriageSession":
        ranking = interest.ensure_ranking(library, sort) if interest.is_interest_sort(sort) else None
        ids = triage_order(library, query, sort)
        if not ids:
            what = f"no paper matches {query!r}" if query and query.strip() else "no paper is new"
            raise NoMatch(f"nothing to triage: {what}")
        session = cls(library, ids, query=query, sort=sort, ranking=ranking)
        session._resume()
        session._load_scores()
        return session

    # -- where the user stopped --------------------------------------------------

    @property
    def walk(self) -> str:
        """The name this walk's position is kept under: its query and its sort."""
        return f"{(self.query or '').strip()}\x1f{self.sort}"

    def _resume(self) -> None:
        """Put the paper that was on screen when the user last left this walk first again."""
        pk = resume.saved_position(self.library, self.walk)
        if pk is None:
            return
        label = self.library.paper_labels([pk]).get(pk)
        if label and label[0] in self.ids:
            self.ids.remove(label[0])
            self.ids.insert(0, label[0])
            self.resumed = label[0]

    def save_position(self) -> None:
        """Remember the paper on screen (forget it once every paper was walked)."""
        pk = None if self.done else self.library.pks_for_ids([self.ids[self.position]]).get(self.ids[self.position])
        resume.save_position(self.library, self.walk, pk, now())

    def page_url(self) -> str:
        """The current paper's page (arXiv when its id is known, else an arXiv title search)."""
        return paper_url(self.library, self.ids[self.position])

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

    # -- the learned order ----------------------------------------------------

    def _load_scores(self) -> None:
        self._scores = {}
        if self.ranking is None or self.ranking.cold:
            return
        pks = self.library.pks_for_ids(self.ids)
        by_pk = interest.scores(self.library, self.ranking, list(pks.values()))
        self._scores = {pid: by_pk.get(pk, 0.0) for pid, pk in pks.items()}

    def interest(self) -> float | None:
        """The current paper's predicted interest; None while the ranking cannot learn."""
        if self.done or not self._scores:
            return None
        return self._scores.get(self.ids[self.position])

    def status_line(self) -> str:
        """What the order rests on (the cold-start notice until it can learn)."""
        return self.ranking.message if self.ranking is not None else f"ordered by {self.sort}"

    def relearn(self) -> None:
        """Learn from the decisions so far and put the papers still ahead in the new order."""
        if not interest.is_interest_sort(self.sort):
            return
        self.ranking = interest.ensure_ranking(self.library, self.sort)
        ahead = self.ids[self.position:]
        if ahead:
            rank = {pid: i for i, pid in enumerate(triage_order(self.library, self.query, self.sort))}
            # Papers still new take their learned rank; any decided meanwhile go last, in their old order.
            self.ids[self.position:] = sorted(ahead, key=lambda pid: (pid not in rank, rank.get(pid, 0)))
        self._load_scores()

    # -- decisions --------------------------------------------------------------

    def decide(self, status: str) -> None:
        """Save the status of the current paper at once, learn from it, then move on."""
        decisions.mark(self.library, self._id(), status)
        self.decided[self.ids[self.position]] = status
        self.position += 1
        self.relearn()

    def undo(self) -> str | None:
        """Revert the last change (a decision, a tag, a note) and go back to its paper.

        Returns a message, or None when there was nothing to undo.
        """
        from .undo import undo

        try:
            report = undo(self.library)
        except NoMatch:
            return None
        labels = self.library.paper_labels(report.papers)
        back = [labels[pk][0] for pk in report.papers if pk in labels]
        for pid in back:
            self.decided.pop(pid, None)
        if back:
            if back[0] in self.ids:
                where = self.ids.index(back[0])
                self.ids.pop(where)
                if where < self.position:
                    self.position -= 1
            self.ids.insert(self.position, back[0])  # in front of the user again
        if interest.is_interest_sort(self.sort):
            self.ranking = interest.ensure_ranking(self.library, self.sort)
        self._load_scores()
        return f"undone: {report.step.command}"

    def more_like_this(self, limit: int = MORE_LIKE_THIS) -> int:
        """Put the papers ahead most like the current one right after it; returns how many moved."""
        from .search import similar

        if self.done:
            return 0
        _, _, papers = similar(self.library, self.ids[self.position], limit=limit * 5)
        ahead = set(self.ids[self.position + 1:])
        like = [p.id for p in papers if p.id in ahead][:limit]
        chosen = set(like)
        self.ids[self.position + 1:] = like + [pid for pid in self.ids[self.position + 1:] if pid not in chosen]
        return len(like)

    def known_tags(self) -> list[str]:
        return [tag for tag, _ in tagging.tag_counts(self.library)]

    def add_tags(self, text: str) -> list[str]:
        """Tag the current paper (comma-separated names); returns the tags added."""
        names = tagging.parse_tags(",".join(part for part in text.split(",") if part.strip()))
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
