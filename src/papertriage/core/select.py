"""Selecting papers: the one entry point list, export, search and tagging use.

``select_papers(library, query)`` turns a query string in the shared query
language (see ``query/``) into papers, in a stable order.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Paper
from ..store import Library
from .papers import order_by


def select_papers(library: Library, query: str | None = None, *, sort: str = "added",
                  limit: int | None = None, with_sightings: bool = False) -> Iterator[Paper]:
    """Papers matching ``query`` (None or blank: the whole library)."""
    if query and query.strip():
        raise NotImplementedError("query language lands with issue 4")
    return library.select(order_by=order_by(sort), limit=limit, with_sightings=with_sightings)
