"""Selecting papers: the one entry point list, export, triage and tagging use.

``select_papers(library, query)`` turns a query string in the shared query
language (see ``query/``) into papers, in a stable order. The same string
selects the same papers everywhere: ``list 'tag:to-read -tag:done'``,
``export 'tag:to-read -tag:done'`` and ``tag add X --query 'tag:to-read -tag:done'``.

Paper ids: every use case takes the ids a user typed (full ids or unique
prefixes); ``resolve_ids`` turns them into the store's keys, or says which
ones match no paper or more than one.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, Sequence

from ..errors import UnknownIdError, UserError
from ..model import SORTS, Paper, is_interest_sort
from ..query import compile_query
from ..store import Library, Ranking, Selection

_HEX = frozenset("0123456789abcdef")
# A listing by interest of at most LEADERS_FOR papers first tries the best-scored LEADERS_SLACK more
# (decided papers score high too, and the query drops them).
LEADERS_FOR = 1_000
LEADERS_SLACK = 2_000


def check_sort(sort: str, choices: Sequence[str] = SORTS) -> str:
    if sort not in choices and not is_interest_sort(sort):
        raise UserError(f"unknown sort {sort!r}; choose from {', '.join(choices)}, interest:TAG")
    return sort


def sort_order(library: Library, sort: str) -> tuple[str, int | None]:
    """The store's sort for a user's sort, and the learned model to rank by first
    (``interest``, ``interest:TAG``: trained or refreshed here when needed)."""
    if not is_interest_sort(check_sort(sort)):
        return sort, None
    from .interest import ensure_ranking

    ranking = ensure_ranking(library, sort)
    # Cold (too few decisions) or as ties: most seen, most upvoted, newest, as `triage` orders.
    return "promising", None if ranking.cold else ranking.model_id


def selection(query: str | None = None, *, sort: str = "added", limit: int | None = None,
              with_sightings: bool = False, reverse: bool = False, interest_model: int | None = None,
              ids: Sequence[str] | None = None) -> Selection:
    """The Selection for a query string (None or blank: the whole library).

    ``sort`` is one of ``model.SORTS``: ``relevance`` ranks by bm25 (title
    above abstract) when the query has words, and lists the newest first when
    it has none. A malformed query raises QuerySyntaxError here, before
    anything is read.
    """
    plan = compile_query(query)
    match = plan.match() if sort == "relevance" else None
    return Selection(query=plan, ranking=Ranking(match) if match is not None else None, sort=sort,
                     reverse=reverse, limit=limit, with_sightings=with_sightings, interest_model=interest_model,
                     ids=tuple(ids) if ids is not None else None)


def select_papers(library: Library, query: str | None = None, *, sort: str = "added",
                  limit: int | None = None, with_sightings: bool = False, reverse: bool = False,
                  ids: Sequence[str] | None = None) -> Iterator[Paper]:
    """Papers matching ``query`` (None or blank: the whole library), in ``sort``
    order; ``reverse`` flips it (a ranking: the same best matches, best last).
    ``ids``: only these papers (full ids, ``full_ids``), when not None."""
    order, model = sort_order(library, sort)
    chosen = selection(query, sort=order, limit=limit, with_sightings=with_sightings, reverse=reverse,
                       interest_model=model, ids=ids)
    if model is not None and limit is not None and limit <= LEADERS_FOR and not reverse and chosen.ranking is None:
        # A short listing by interest: try the best-scored papers first; when fewer than
        # ``limit`` of them match, every match outside scores lower, so read them all.
        from ..store.interest import leading_pks

        leaders = leading_pks(library, model, limit + LEADERS_SLACK)
        if leaders is not None:
            found = list(library.select(dataclasses.replace(chosen, among=tuple(leaders))))
            if len(found) >= limit:
                return iter(found)
    papers = library.select(chosen)
    return reverse_papers(papers) if reverse and chosen.ranking is not None else papers


def reverse_papers(papers: Iterable[Paper]) -> Iterator[Paper]:
    """``--reverse`` of a relevance ranking: the same best matches, the best one last
    (nearest the prompt). Every other order is flipped in SQL before the limit."""
    return iter(list(papers)[::-1])


def count_papers(library: Library, query: str | None = None) -> int:
    """How many papers ``query`` selects."""
    return library.count(Selection(query=compile_query(query)))


def resolve_ids(library: Library, prefixes: Iterable[str]) -> list[int]:
    """Paper ids or unique prefixes -> the store's keys, in the order given, without repeats.

    Raises UnknownIdError naming every id that matches no paper or more than one.
    """
    pks: list[int] = []
    seen: set[int] = set()
    unknown: list[str] = []
    ambiguous: list[str] = []
    for raw in prefixes:
        prefix = raw.strip().lower()
        if not prefix or not set(prefix) <= _HEX:
            unknown.append(raw)
            continue
        found = library.ids_with_prefix(prefix, limit=2)
        if not found:  # an id merged away resolves to the paper it joined (issue 11)
            from ..store.dedup import resolve_alias

            found = [(pk, "") for pk in resolve_alias(library, prefix)]
        if not found:
            unknown.append(raw)
        elif len(found) > 1:
            ambiguous.append(raw)
        elif found[0][0] not in seen:
            seen.add(found[0][0])
            pks.append(found[0][0])
    if unknown or ambiguous:
        parts = []
        if unknown:
            parts.append(f"unknown paper id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
        for raw in ambiguous:  # the candidates, so the user can pick one (as git does)
            parts.append(f"ambiguous id prefix {raw}, which could be {_candidates(library, raw.strip().lower())}")
        raise UnknownIdError("; ".join(parts), ids=unknown + ambiguous)
    return pks


def _candidates(library: Library, prefix: str, shown: int = 5) -> str:
    from ..render.safe import one_line

    found = library.ids_with_prefix(prefix, limit=1_000_000)
    labels = library.paper_labels([pk for pk, _ in found[:shown]])
    listed = [f"{labels[pk][0]} ({one_line(labels[pk][1])[:40]})" for pk, _ in found[:shown]]
    return ", ".join(listed) + (f" and {len(found) - shown} more" if len(found) > shown else "")


def full_ids(library: Library, prefixes: Iterable[str]) -> list[str]:
    """Paper ids or unique prefixes -> full paper ids (UnknownIdError as ``resolve_ids``)."""
    labels = library.paper_labels(pks := resolve_ids(library, prefixes))
    return [labels[pk][0] for pk in pks]
