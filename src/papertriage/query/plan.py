"""From an AST to the clauses ``Library.select`` runs.

A query's top-level terms are split three ways:

- ``must``: words, phrases, prefixes and OR-groups of them, all handed to one
  FTS5 ``MATCH`` (fast, and it is what bm25 ranks);
- ``must_not``: ``-word`` and the like, folded into the same MATCH as
  ``… NOT (…)`` when there is something to subtract from;
- ``where``: every other condition, compiled by its node to SQL over ``p``
  (filters, ``C++``'s literal check, ``word OR tag:x`` mixtures).

The MATCH expressions serve either full-text index: ``match`` for title and
abstract, ``title_match`` for titles alone. How a ranked statement is built
from them is the store's business (``store/selection.py``).

Nothing here executes; ``core`` hands the Plan to the store in a Selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import itertools

from .nodes import And, Clause, Node, Not, Or, Text, fts_string


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


def match_any(words: list[str]) -> str:
    """An FTS5 expression for papers holding any of ``words``."""
    return " OR ".join(fts_string(w) for w in words)


def match_pairs(words: list[str]) -> str:
    """An FTS5 expression for papers holding two of ``words`` at least."""
    return " OR ".join(f"({fts_string(a)} AND {fts_string(b)})" for a, b in itertools.combinations(words, 2))


def match_but_not(match: str, exclude: str) -> str:
    """Papers matching ``match`` and not ``exclude`` (both FTS5 expressions)."""
    return f"({match}) NOT ({exclude})"


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
