"""The query with its words relaxed, as one MATCH (issue 14).

When the words as typed find few papers, search tries them again, first
against ``titles_stem`` (``store/search_index.py``: stemmed titles with their
compound forms), then against the whole text, with each free word widened to:

- itself, which the stemmer widens to its inflections in titles
  (``marketplace`` -> ``marketplaces``, ``grokked`` -> ``grokking``);
- its adjacent query words joined, two or three at a time (``toon composer``
  -> ``tooncomposer``, ``mini omni 2`` -> ``miniomni2``);
- its own pieces joined (``mini-omni2`` -> ``miniomni2``);
- the splits of it the library's vocabulary knows (``olmotrace`` ->
  ``"olmo trace"``), worked out by the caller (``splits``).

Each free word must still be met, by itself or by one of its widenings:
``toon composer`` is ``(toon OR tooncomposer) AND (composer OR tooncomposer)``.
Phrases and prefixes stay exact (checked on ``papers_fts`` as filters).
Pure: nothing here touches the database.

>>> from papertriage.query import parse_query, plan
>>> relaxed_match(plan(parse_query("toon composer")))[0]
'("toon" OR "tooncomposer") AND ("composer" OR "tooncomposer")'
"""

from __future__ import annotations

from .nodes import Clause, Node, Or, Phrase, Prefix, Text, Word, fts_string
from .plan import Plan
from ..words import MAX_PARTS, fts_words

MAX_JOINED = 3  # adjacent query words tried as one: mini omni 2 -> miniomni2


def _joinable(node: Node) -> bool:
    return isinstance(node, Word) and bool(fts_words(node.text))


def _alternatives(word: Word, joins: list[str], splits: dict[str, list[str]]) -> str:
    pieces = fts_words(word.text)
    alts = [fts_string(word.text)]
    if 2 <= len(pieces) <= MAX_PARTS:
        alts.append(fts_string("".join(pieces)))  # mini-omni2 -> miniomni2
    alts += [fts_string(j) for j in joins]
    if len(pieces) == 1:
        alts += [fts_string(s) for s in splits.get(pieces[0], [])]
    alts = list(dict.fromkeys(alts))
    expr = alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"
    return f"{{{word.field}}} : {expr}" if word.field else expr


def split_candidates(plan: Plan) -> list[str]:
    """The single free words a caller may look up splits for."""
    found = []
    for item in plan.must:
        for term in item.terms():
            if isinstance(term, Word):
                pieces = fts_words(term.text)
                if len(pieces) == 1 and pieces[0].isalpha():
                    found.append(pieces[0])
    return list(dict.fromkeys(found))


def _joins(must: list[Node], i: int) -> list[str]:
    """The words the ``i``-th term makes joined with its neighbours, two or three at a time."""
    joins = []
    for size in range(2, MAX_JOINED + 1):
        for start in range(max(0, i - size + 1), i + 1):
            window = must[start:start + size]
            if (len(window) == size and all(_joinable(w) for w in window)
                    and len({w.field for w in window}) == 1):  # type: ignore[attr-defined]
                joins.append("".join(p for w in window for p in fts_words(w.text)))  # type: ignore[attr-defined]
    return joins


def joined_words(plan: Plan) -> list[str]:
    """Every joined form ``relaxed_match`` may try (``toon composer`` -> ``tooncomposer``)."""
    return list(dict.fromkeys(j for i, item in enumerate(plan.must) if isinstance(item, Word)
                              for j in _joins(plan.must, i)))


def relaxed_match(plan: Plan, splits: dict[str, list[str]] | None = None,
                  absent: frozenset[str] = frozenset()) -> tuple[str, list[Clause]] | None:
    """(MATCH, filters for the phrases and prefixes), or None when the query
    holds no free word to relax. Joined forms in ``absent`` (words the caller
    knows no text holds) are left out."""
    splits = splits or {}
    must = plan.must
    parts: list[str] = []
    where: list[Clause] = []
    relaxed_any = False
    for i, item in enumerate(must):
        if isinstance(item, Word):
            joins = [j for j in _joins(must, i) if j not in absent]
            parts.append(_alternatives(item, joins, splits))
            relaxed_any = True
        elif isinstance(item, (Phrase, Prefix)):
            where.append(item.sql())
        elif isinstance(item, Or):
            alts = []
            for sub in item.items:
                if isinstance(sub, Word):
                    alts.append(_alternatives(sub, [], splits))
                    relaxed_any = True
                else:
                    alts.append(sub.match())  # type: ignore[attr-defined]
            parts.append("(" + " OR ".join(alts) + ")")
        elif isinstance(item, Text):
            parts.append(item.match())
        else:  # a group FTS5 decides (a AND b inside an OR...): as it is
            parts.append(item.match())  # type: ignore[attr-defined]
    if not relaxed_any or not parts:
        return None
    return " AND ".join(parts), where
