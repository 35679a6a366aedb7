"""Selecting papers: the one entry point list, export, search and tagging use.

``select_papers(library, query)`` turns a query string in the shared query
language (see ``query/``) into papers, in a stable order. The same string
selects the same papers everywhere: ``list 'tag:to-read -tag:done'``,
``export 'tag:to-read -tag:done'`` and ``tag add X --query 'tag:to-read -tag:done'``.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..model import Paper
from ..query import compile_query
from ..store import Library
from .papers import order_by

# `--sort relevance` with no words to rank by (only filters): newest in the
# library first. Scanning papers newest first stops after the first N that
# pass the filters, so `search upvotes>=50 year:2024` stays fast at any size.
RELEVANCE_FALLBACK = order_by("added")


def select_papers(library: Library, query: str | None = None, *, sort: str = "added",
                  limit: int | None = None, with_sightings: bool = False, reverse: bool = False) -> Iterator[Paper]:
    """Papers matching ``query`` (None or blank: the whole library).

    ``sort`` is a key of ``core.papers.SORTS`` or ``relevance`` (bm25, title
    above abstract); ``reverse`` flips the order (a ranking: best match last). A malformed query raises QuerySyntaxError here, before
    anything is read.
    """
    plan = compile_query(query)
    if sort == "relevance":
        if plan.has_text:
            joins, where, params, order = plan.ranked(plan.match())
            papers = library.select(where, params, joins=joins, order_by=order, limit=limit,
                                    with_sightings=with_sightings)
            return reverse_papers(papers) if reverse else papers
    key = "added" if sort == "relevance" else sort
    where, params = plan.clause()
    return library.select(where, params, order_by=order_by(key, reverse, library), limit=limit,
                          with_sightings=with_sightings)


def reverse_papers(papers: Iterable[Paper]) -> Iterator[Paper]:
    """``--reverse`` of a relevance ranking: the same best matches, the best one last
    (nearest the prompt). Every other order is flipped in SQL before the limit."""
    return iter(list(papers)[::-1])


def count_papers(library: Library, query: str | None = None) -> int:
    """How many papers ``query`` selects."""
    where, params = compile_query(query).clause()
    return library.count(where, params)
