"""From an AST to the clauses ``Library.select`` runs.

A query's top-level terms are split three ways:

- ``must``: words, phrases, prefixes and OR-groups of them, all handed to one
  FTS5 ``MATCH`` (fast, and it is what bm25 ranks);
- ``must_not``: ``-word`` and the like, folded into the same MATCH as
  ``… NOT (…)`` when there is something to subtract from;
- ``where``: every other condition, compiled by its node to SQL over ``p``
  (filters, ``C++``'s literal check, ``word OR tag:x`` mixtures).

Ranking (``ranked``) joins ``papers`` to a subquery over an FTS5 table that
yields ``(pk, score)``. Two tables serve it: ``papers_fts`` (title and
abstract, bm25 weighting the title ten times) and ``titles_fts`` (titles
only: short doclists, so the title-first pass is cheap). With a ``bound`` the
subquery scores only the newest ``bound`` matches (FTS5 walks its index in
rowid order for free), so a common word never makes SQLite score every paper.

Nothing here executes; ``core`` passes the clauses to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .nodes import And, Clause, Node, Not, Or, Text

PAPERS_FTS = "papers_fts"
TITLES_FTS = "titles_fts"
STEM_FTS = "titles_stem"  # stemmed titles with compound forms (issue 14, store/search_index.py)
# bm25 column weights: title ten times the abstract
WEIGHTS = {PAPERS_FTS: ", 10.0, 1.0", TITLES_FTS: "", STEM_FTS: ""}


@dataclass
class Plan:
    must: list[Node] = field(default_factory=list)
    must_not: list[Node] = field(default_factory=list)
    where: list[Clause] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.must)

    def match(self, default: str | None = None) -> str | None:
        """The FTS5 expression (over ``papers_fts``) every result satisfies;
        ``default="title"`` looks for unfielded words in titles only."""
        if not self.must:
            return None
        expr = " AND ".join(n.match(default) for n in self.must)  # type: ignore[attr-defined]
        if self.must_not:
            expr = f"({expr}) NOT (" + " OR ".join(n.match() for n in self.must_not) + ")"  # type: ignore[attr-defined]
        return expr

    def title_match(self) -> str | None:
        """The positive words as a MATCH over ``titles_fts`` (exclusions not included:
        they apply to the whole text, see ``filters``); None when some term names
        another column (``abstract:x``), so there is no titles-only pass."""
        if not self.must or any(t.field not in (None, "title") for n in self.must for t in n.terms()):
            return None
        return " AND ".join(n.match() for n in self.must)  # type: ignore[attr-defined]

    def rest_match(self) -> str | None:
        """Matches of the whole text that are not title matches (the second pass)."""
        full, title = self.match(), self.match("title")
        if full is None or title is None:
            return None
        positives = " AND ".join(n.match("title") for n in self.must)  # type: ignore[attr-defined]
        return f"({full}) NOT ({positives})"

    def filters(self, *, exclusions: bool = False, one_by_one: bool = False) -> Clause:
        """Everything but the MATCH, AND-ed (``1`` when nothing). ``exclusions``
        adds the ``-word`` terms as SQL, for a MATCH that does not carry them;
        ``one_by_one`` checks them paper by paper (an FTS5 rowid lookup) rather
        than collecting every paper with the word first."""
        parts = list(self.where)
        if exclusions or not self.must:
            if one_by_one:
                parts = [("NOT EXISTS (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ?"
                          " AND papers_fts.rowid = p.pk)", [n.match()]) for n in self.must_not] + parts  # type: ignore[attr-defined]
            else:
                parts = [Not(n).sql() for n in self.must_not] + parts
        if not parts:
            return "1", []
        return " AND ".join(s for s, _ in parts), [p for _, ps in parts for p in ps]

    def clause(self) -> Clause:
        """One WHERE over ``papers p`` (no join), for list/export/tag selection."""
        sql, params = self.filters()
        match = self.match()
        if match is None:
            return sql, params
        fts = "p.pk IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
        return (fts if sql == "1" else f"{fts} AND {sql}"), [match, *params]

    def ranked(self, match: str, *, table: str = PAPERS_FTS, bound: int | None = None,
               limit: int | None = None, exclusions: bool = False) -> tuple[str, str, list, str]:
        """(joins, where, params, order_by) for the papers satisfying ``match`` on
        ``table`` and the filters, best bm25 first.

        With ``bound`` only the newest ``bound`` matches are scored; with
        ``limit`` the best are picked before ``papers`` rows are read, so a
        search reads 20 papers, not every candidate.
        """
        sql, params = self.filters(exclusions=exclusions)
        join = f" JOIN papers p ON p.pk = {table}.rowid" if sql != "1" else ""
        where = f"{table} MATCH ?" + (f" AND {sql}" if sql != "1" else "")
        newest = f" ORDER BY {table}.rowid DESC LIMIT {int(bound)}" if bound is not None else ""
        scored = (f"SELECT {table}.rowid AS pk, bm25({table}{WEIGHTS[table]}) AS score"
                  f" FROM {table}{join} WHERE {where}{newest}")
        if limit is not None:
            scored = f"SELECT pk, score FROM ({scored}) ORDER BY score, pk LIMIT {int(limit)}"
        return f"JOIN ({scored}) ranked ON ranked.pk = p.pk", "1", [match, *params], "ranked.score, p.pk"

    def ranked_lazily(self, match: str, *, table: str = PAPERS_FTS, bound: int, limit: int,
                      exclusions: bool = False) -> tuple[str, str, list, str]:
        """Like ``ranked``, but the filters are checked only as far down the
        ranking as needed: the newest ``bound`` matches are scored and ordered,
        then walked best first until ``limit`` pass. Cheap when the filters
        keep many papers (``-survey``, ``upvotes>=5``); when fewer than ``limit``
        pass and the matches were cut at ``bound`` (``cut``), run ``ranked``."""
        sql, params = self.filters(exclusions=exclusions, one_by_one=True)
        scored = (f"SELECT {table}.rowid AS pk, bm25({table}{WEIGHTS[table]}) AS score FROM {table}"
                  f" WHERE {table} MATCH ? ORDER BY {table}.rowid DESC LIMIT {int(bound)}")
        # The LIMIT keeps SQLite from dropping this ORDER BY: the walk below goes best first.
        best = f"SELECT pk, score FROM ({scored}) ORDER BY score, pk LIMIT {int(bound)}"
        passing = (f"SELECT c.pk AS pk, c.score AS score FROM ({best}) c JOIN papers p ON p.pk = c.pk"
                   f" WHERE {sql} LIMIT {int(limit)}")
        return f"JOIN ({passing}) ranked ON ranked.pk = p.pk", "1", [match, *params], "ranked.score, p.pk"

    def cut(self, match: str, *, table: str = PAPERS_FTS, bound: int) -> Clause:
        """A WHERE that counts more than ``bound`` papers when ``match`` has more matches than that."""
        return (f"p.pk IN (SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC"
                f" LIMIT {int(bound) + 1})", [match])


def plan(node: Node | None) -> Plan:
    """Split a parsed query (None: everything) into a Plan."""
    result = Plan()
    if node is None:
        return result
    items = node.items if isinstance(node, And) else (node,)
    for item in items:
        if isinstance(item, Text):
            result.must.append(item)
            refine = item.refine()
            if refine is not None:
                result.where.append(refine)
        elif isinstance(item, Or) and item.is_fts():
            result.must.append(item)
        elif isinstance(item, Not) and item.item.is_fts():
            result.must_not.append(item.item)
        else:
            result.where.append(item.sql())
    return result
