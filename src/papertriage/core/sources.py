"""Keeping what API responses say beyond the page (issue 12): the arXiv id,
the author names and the links, per sighting and on the paper.

Page dumps carry none of it, so this costs nothing for them; an API
sighting that merges into a paper first seen on a page gives the paper its
arXiv id and authors. The paper keeps the best of its sightings by the
order-free rules of ``choose``.
"""

from __future__ import annotations

from typing import Sequence

from .. import choose
from ..model import Sighting
from ..store import Library

__all__ = ["record_sources", "merged_sources"]


def merged_sources(current: tuple[str | None, list[str], dict[str, str]],
                   sightings: Sequence[Sighting]) -> tuple[str | None, list[str], dict[str, str]]:
    arxiv_id, authors, links = current
    for s in sightings:
        if choose.better_arxiv_id(s.arxiv_id, arxiv_id):
            arxiv_id = s.arxiv_id
        if choose.better_authors(s.authors, authors):
            authors = list(s.authors or [])
        links = choose.merge_links(links, s.links)
    return arxiv_id, authors, links


def record_sources(library: Library, sightings: Sequence[Sighting], pks: Sequence[int], dump_id: int) -> None:
    """After a file's sightings went to papers ``pks`` (one per sighting): keep
    what the API sightings among them said, on the sighting and on the paper."""
    carrying = [(s, pk) for s, pk in zip(sightings, pks) if s.arxiv_id or s.authors is not None or s.links]
    if not carrying:
        return
    library.add_sighting_sources( [(dump_id, s.line, s.arxiv_id, s.authors, s.links) for s, _ in carrying])
    by_paper: dict[int, list[Sighting]] = {}
    for s, pk in carrying:
        by_paper.setdefault(pk, []).append(s)
    current = library.paper_sources(list(by_paper))
    rows = []
    for pk, seen in by_paper.items():
        before = current.get(pk, (None, [], {}))
        after = merged_sources(before, seen)
        if after != before:
            rows.append((pk, *after))
    library.set_paper_sources(rows)
