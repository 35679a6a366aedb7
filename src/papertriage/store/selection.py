"""What to read: a typed ``Selection`` that the store turns into one SELECT.

The core never writes SQL. It describes the papers it wants: the compiled
query (``query.compile_query``: filters and full-text MATCH expressions, the
only SQL fragments, each compiled by its AST node), a sort order by name, a
full-text ranking, a limit, and a few typed restrictions. ``statement`` is
the one place where those become SQL text, as ``Database._get_results``
builds the statement from Query and Sort objects in beets' dbcore.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..model import SORTS, is_interest_sort

Clause = tuple[str, list[Any]]
FullTextIndex = Literal["papers", "titles", "stems"]  # stems: stemmed titles with compound forms (issue 14)

# Sort names -> ORDER BY terms (expression, descending), each in its natural
# direction: newest added, most seen, newest published, most upvoted first;
# titles A to Z. NULLs last; ties broken by insertion order, so output is
# stable. ``Selection.reverse`` flips every term.
SORT_ORDERS: dict[str, tuple[tuple[str, bool], ...]] = {
    "added": (("p.pk", True),),
    "seen": (("p.seen", True), ("p.upvotes IS NULL", False), ("p.upvotes", True), ("p.pk", False)),
    "date": (("p.published IS NULL", False), ("p.published", True), ("p.pk", False)),
    "upvotes": (("p.upvotes IS NULL", False), ("p.upvotes", True), ("p.seen", True), ("p.pk", False)),
    "title": (("p.title COLLATE NOCASE", False), ("p.pk", False)),
    # `--sort relevance` with nothing to rank by: newest in the library first.
    # Scanning newest first stops after the first N that pass the filters.
    "relevance": (("p.pk", True),),
    # Triage: seen in the most dumps, most upvoted, newest, then as added.
    "promising": (("p.seen", True), ("p.upvotes IS NULL", False), ("p.upvotes", True),
                  ("p.published IS NULL", False), ("p.published", True), ("p.pk", False)),
    "id": (("p.id", False),),
}
# `interest` sorts rank by a learned model first (``Selection.interest_model``), then `promising`.
assert {s for s in SORTS if not is_interest_sort(s)} <= set(SORT_ORDERS)

_FTS_TABLES = {"papers": "papers_fts", "titles": "titles_fts", "stems": "titles_stem"}
_WEIGHTS = {"papers": ", 10.0, 1.0", "titles": "", "stems": ""}  # bm25 column weights: title ten times the abstract
_HAS_DECISIONS = ("(p.status != 'new' OR p.note IS NOT NULL"
                  " OR EXISTS (SELECT 1 FROM tags t WHERE t.paper = p.pk))")


class CompiledQuery(Protocol):
    """A query compiled by ``query`` (``query.plan.Plan`` is one)."""

    def clause(self) -> Clause:
        """One WHERE over ``papers p``, full-text part included."""
        ...

    def filters(self, *, exclusions: bool = False, one_by_one: bool = False) -> Clause:
        """The WHERE without the full-text MATCH (see ``Plan.filters``)."""
        ...


@dataclass(frozen=True)
class Ranking:
    """Rank by bm25 the papers whose text matches ``match`` (an FTS5 expression
    compiled by ``query``), best first.

    ``index``: ``papers`` (title and abstract, the title weighing ten times) or
    ``titles`` (titles only: short doclists, cheap). ``bound``: score only the
    newest ``bound`` matches (FTS5 walks its index in rowid order for free), so
    a common word never makes SQLite score every paper. ``exclusions``: check
    the query's ``-words`` as filters, for a match that does not carry them.
    ``lazy`` (needs ``bound`` and the selection's limit): score and order the
    candidates first, then check the filters only as far down the ranking as
    needed; cheap when the filters keep many papers. ``scored=False``: the
    same papers without bm25 (in rowid order), for a caller that knows their
    order cannot matter (at most one of them is new to it): bm25 reads the
    whole doclist of every phrase of the match to weigh it, which for a common
    word (``language``: 58k papers at 100k) costs milliseconds.
    """

    match: str
    index: FullTextIndex = "papers"
    bound: int | None = None
    exclusions: bool = False
    lazy: bool = False
    scored: bool = True


@dataclass(frozen=True)
class Selection:
    """Which papers, in which order, how many."""

    query: CompiledQuery | None = None  # None: every paper
    ranking: Ranking | None = None  # when set, ``sort`` is ignored: best match first
    sort: str = "added"  # a key of SORT_ORDERS
    reverse: bool = False  # flip the sort (not a ranking)
    limit: int | None = None
    ids: tuple[str, ...] | None = None  # only these papers (full ids)
    exclude_ids: tuple[str, ...] = ()
    added_after: int | None = None  # only papers added after this mark (``Library.newest_mark``)
    newest: int | None = None  # only among the newest N papers, read newest first without an index
    with_decisions: bool = False  # only papers with a tag, a note or a status other than new
    interest_model: int | None = None  # rank first by this learned model's cached score (store/interest.py)
    among: tuple[int, ...] | None = None  # with interest_model and a limit: only these papers (leading_pks)
    with_sightings: bool = False  # load each paper's sightings too


def _restrictions(sel: Selection) -> list[Clause]:
    parts: list[Clause] = []
    if sel.ids is not None:
        parts.append((f"p.id IN ({','.join('?' * len(sel.ids))})" if sel.ids else "0", list(sel.ids)))
    if sel.exclude_ids:
        parts.append((f"p.id NOT IN ({','.join('?' * len(sel.exclude_ids))})", list(sel.exclude_ids)))
    if sel.added_after is not None:
        parts.append(("p.pk > ?", [sel.added_after]))
    if sel.with_decisions:
        parts.append((_HAS_DECISIONS, []))
    return parts


def _and(parts: list[Clause]) -> Clause:
    parts = [(sql, params) for sql, params in parts if sql != "1"]
    if not parts:
        return "1", []
    return " AND ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def _ranked_join(sel: Selection, ranking: Ranking) -> Clause:
    """``JOIN (…) ranked ON ranked.pk = p.pk`` yielding (pk, score) of the best matches."""
    table, weights = _FTS_TABLES[ranking.index], _WEIGHTS[ranking.index]
    bm25 = f"bm25({table}{weights})" if ranking.scored else "0"
    query_filters: Clause = ("1", [])
    if ranking.lazy:
        if ranking.bound is None or sel.limit is None:
            raise ValueError("a lazy ranking needs a bound and a limit")
        if sel.query is not None:
            query_filters = sel.query.filters(exclusions=ranking.exclusions, one_by_one=True)
        sql, params = _and([query_filters, *_restrictions(sel)])
        scored = (f"SELECT {table}.rowid AS pk, {bm25} AS score FROM {table}"
                  f" WHERE {table} MATCH ? ORDER BY {table}.rowid DESC LIMIT {int(ranking.bound)}")
        # The LIMIT keeps SQLite from dropping this ORDER BY: the walk below goes best first.
        best = f"SELECT pk, score FROM ({scored}) ORDER BY score, pk LIMIT {int(ranking.bound)}"
        passing = (f"SELECT c.pk AS pk, c.score AS score FROM ({best}) c JOIN papers p ON p.pk = c.pk"
                   f" WHERE {sql} LIMIT {int(sel.limit)}")
        return f"JOIN ({passing}) ranked ON ranked.pk = p.pk", [ranking.match, *params]
    if sel.query is not None:
        query_filters = sel.query.filters(exclusions=ranking.exclusions)
    sql, params = _and([query_filters, *_restrictions(sel)])
    join = f" JOIN papers p ON p.pk = {table}.rowid" if sql != "1" else ""
    where = f"{table} MATCH ?" + (f" AND {sql}" if sql != "1" else "")
    newest = f" ORDER BY {table}.rowid DESC LIMIT {int(ranking.bound)}" if ranking.bound is not None else ""
    scored = f"SELECT {table}.rowid AS pk, {bm25} AS score FROM {table}{join} WHERE {where}{newest}"
    if sel.limit is not None:
        scored = f"SELECT pk, score FROM ({scored}) ORDER BY score, pk LIMIT {int(sel.limit)}"
    return f"JOIN ({scored}) ranked ON ranked.pk = p.pk", [ranking.match, *params]


def where_clause(sel: Selection) -> tuple[str, str, list[Any]]:
    """(joins, where, params) of a selection (its order and limit aside)."""
    if sel.ranking is not None:
        joins, params = _ranked_join(sel, sel.ranking)
        return joins, "1", params
    parts = [sel.query.clause()] if sel.query is not None else []
    parts += _restrictions(sel)
    joins = ""
    if sel.newest is not None:
        # Walking back from the newest stops at the first `limit` that pass;
        # left to itself SQLite reads every paper of a broad date range
        # through its index and sorts them.
        parts.insert(0, (f"p.pk > (SELECT coalesce(max(pk), 0) FROM papers) - {int(sel.newest)}", []))
        joins = "NOT INDEXED"
    where, params = _and(parts)
    return joins, where, params


def statement(sel: Selection, columns: str) -> Clause:
    """The SELECT of ``columns`` over ``papers p`` for a selection, and its parameters."""
    joins, where, params = where_clause(sel)
    if sel.ranking is not None:
        order = "ranked.score, p.pk"
    elif sel.interest_model is not None:
        from .interest import score_expression

        first = f"{score_expression(sel.interest_model)}{'' if sel.reverse else ' DESC'}"
        order = f"{first}, {order_by(sel.sort, sel.reverse)}"
        if sel.limit is not None and not joins:
            # The best N by score first, from the narrowest index that answers the query (the
            # score needs only the pk), so a short listing of 100k papers reads N rows, not all
            # (issue 13); ties at the cut go by pk, inside it by the usual order. ``among``
            # narrows the candidates to the best-scored papers (no score computed per row).
            inner = where if sel.among is None else \
                f"p.pk IN ({','.join(str(int(pk)) for pk in sel.among) or 'NULL'}) AND ({where})"
            where = (f"p.pk IN (SELECT p.pk FROM papers p WHERE {inner} ORDER BY {first}, p.pk"
                     f" LIMIT {int(sel.limit)})")
    else:
        order = order_by(sel.sort, sel.reverse)
    sql = f"SELECT {columns} FROM papers p {joins} WHERE {where} ORDER BY {order}"
    if sel.limit is not None:
        sql += f" LIMIT {int(sel.limit)}"
    return sql, params


def count_statement(sel: Selection) -> Clause:
    joins, where, params = where_clause(sel)
    return f"SELECT count(*) FROM papers p {joins} WHERE {where}", params


def order_by(sort: str, reverse: bool = False) -> str:
    """The ORDER BY of a sort name; ``reverse`` flips every term (NULLs then come first)."""
    try:
        terms = SORT_ORDERS[sort]
    except KeyError:
        raise ValueError(f"unknown sort {sort!r}") from None
    return ", ".join(f"{expr}{' DESC' if desc != reverse else ''}" for expr, desc in terms)


def match_ids_statement(match: str, index: FullTextIndex, cap: int) -> Clause:
    """The ids of ``cap`` papers whose text matches ``match`` in ``index``, the
    first the index meets (no scoring, no order: FTS5 walks a doclist backwards
    only by reading it whole)."""
    table = _FTS_TABLES[index]
    return (f"SELECT p.id FROM papers p WHERE p.pk IN (SELECT rowid FROM {table} WHERE {table} MATCH ?"
            f" LIMIT {int(cap)})", [match])


def matches_statement(match: str, index: FullTextIndex, cap: int) -> Clause:
    """Count the matches of ``match`` in ``index``, up to ``cap``."""
    table = _FTS_TABLES[index]
    return (f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ?"
            f" ORDER BY rowid DESC LIMIT {int(cap)})", [match])
