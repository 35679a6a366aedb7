"""Reading the library: one paper in full, stats."""

from __future__ import annotations

from ..model import Paper
from ..store import Library, Selection
from .select import full_ids


def get_paper(library: Library, paper_id: str, *, with_sightings: bool = True) -> Paper:
    """One paper by id or unique prefix, with its sightings."""
    (full,) = full_ids(library, [paper_id])
    return next(library.select(Selection(ids=(full,), with_sightings=with_sightings)))


def stats(library: Library) -> dict[str, int]:
    return library.stats()


def paper_url(library: Library, paper_id: str) -> str:
    """The page of a paper (id or unique prefix): arXiv when its id is known,
    else an arXiv search for its title. For `open` and the triage screen's `o` key."""
    from ..links import paper_url as url_of

    return url_of(get_paper(library, paper_id, with_sightings=False))
