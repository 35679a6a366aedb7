"""Reading the library: sort orders, one paper in full, stats."""

from __future__ import annotations

from ..errors import UserError
from ..model import Paper
from ..store import Library

# Sort keys -> ORDER BY; NULLs last, ties broken by insertion order so output is stable.
SORTS = {
    "added": "p.pk",
    "seen": "p.seen DESC, p.upvotes IS NULL, p.upvotes DESC, p.pk",
    "date": "p.published IS NULL, p.published DESC, p.pk",
    "upvotes": "p.upvotes IS NULL, p.upvotes DESC, p.seen DESC, p.pk",
    "title": "p.title COLLATE NOCASE, p.pk",
}


def order_by(sort: str) -> str:
    try:
        return SORTS[sort]
    except KeyError:
        raise UserError(f"unknown sort {sort!r}; choose from {', '.join(SORTS)}") from None


def get_paper(library: Library, paper_id: str) -> Paper:
    (pk,) = library.resolve_ids([paper_id])
    return next(library.select("p.pk = ?", (pk,), with_sightings=True))


def stats(library: Library) -> dict[str, int]:
    return library.stats()


def paper_url(library: Library, paper_id: str) -> str:
    """The page of a paper (id or unique prefix): arXiv when its id is known,
    else an arXiv search for its title. For `open` and the triage screen's `o` key."""
    from ..links import paper_url as url_of

    (pk,) = library.resolve_ids([paper_id])
    return url_of(next(library.select("p.pk = ?", (pk,))))
