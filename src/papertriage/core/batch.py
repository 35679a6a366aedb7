"""Batch decisions: the papers a query selects, in a given order, from an offset (issue 13).

``mark skip 'status:new' --sort interest --offset 20`` decides every new paper
below the twentieth of the learned ranking: exactly the ones ``list
status:new --sort interest`` shows from the 21st on.
"""

from __future__ import annotations

import itertools

from ..errors import NoMatch
from ..store import Library


def select_batch(library: Library, query: str | None, *, sort: str = "added", offset: int = 0,
                 limit: int | None = None) -> list[str]:
    """Ids of the papers ``query`` selects, in ``sort`` order, skipping ``offset``, at most ``limit``."""
    from .select import select_papers

    stop = None if limit is None else offset + limit
    papers = select_papers(library, query, sort=sort, limit=stop)
    ids = [p.id for p in itertools.islice(papers, offset, stop)]
    if not ids:
        where = f"{query!r}" if query else "the library"
        raise NoMatch(f"no paper to decide: {where} selects none" + (f" past the first {offset}" if offset else "")
                      + "; nothing changed")
    return ids
