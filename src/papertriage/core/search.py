"""Search and "more like this": ranking, typo correction, similar papers.

``search(library, query)``
    parses the query (``query/``), corrects typos against the library's own
    vocabulary, and ranks with FTS5 bm25. Titles are searched first (in
    ``titles_fts``, titles alone): every title match comes before any paper
    that matches only through its abstract, which are ranked next (bm25 over
    title and abstract, the title weighing ten times). With a limit (20 on a
    terminal) each pass scores at most the CANDIDATES newest matches, so a
    common word never makes SQLite score every paper; below that many
    matches the ranking is exact, and without a limit (piped) it always is.
    Other sorts (date, upvotes, seen) select with the same query and order
    by that column; a query of filters only (``tag:x upvotes>=5``) lists the
    newest papers of the library first.

Typo correction (issue 4) looks only at free words with 4+ letters that
are not in the vocabulary (words of two or more papers, ``store/vocab.py``):

- a word no paper holds is replaced by the closest vocabulary word (OSA
  distance 1 for words of 4-5 letters, 2 above; ties go to the commoner
  word), looked for among words of the same first two letters, then of the
  same first letter (``best_correction``);
- a word exactly one paper holds (a rare name, or a typo that made it into
  one abstract) is searched together with the correction: ``transfomer``
  becomes ``transformer OR transfomer``, so that paper is not lost;
- "quoted" words, prefixes, -exclusions and words with digits are never changed.

``similar(library, id)`` picks the paper's most distinctive words (tf-idf
over the vocabulary, title words counting three times) and ranks the papers
that share two of them first, then those that share one.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import UserError
from ..model import Paper
from ..query import And, Node, Or, Plan, Text, Word, parse_query, plan as make_plan
from ..query.nodes import fts_string
from ..query.plan import PAPERS_FTS, TITLES_FTS
from ..query.words import bucket_of, bucket_range, fts_words
from ..store import Library
from .papers import SORT_NAMES as SEARCH_SORTS  # one set for list and search
from .papers import is_interest_sort, order_by

MIN_CORRECTABLE = 4  # shorter words are too ambiguous to correct (kan, llm, vit)
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_WORD_SEPARATOR = re.compile(r"([-'’])")
SIMILAR_WORDS = 12
SIMILAR_PAIRED = 8  # papers sharing two of the first this many words come first
SIMILAR_CANDIDATES = 10_000
# With a limit (a terminal shows 20), a pass scores only this many matches,
# the newest: a common word must not make SQLite score every paper.
CANDIDATES = 1000
NEWEST_WINDOW = 20_000  # papers a filters-only search walks back through before using the indexes


@dataclass
class SearchResult:
    papers: Iterator[Paper]
    searched: str  # the query as searched, after corrections
    corrected: bool = False
    highlight: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)  # SQL and parameters, for --show-sql
    total: Callable[[], int] = lambda: 0  # how many papers match in all (a count query)
    ranked: bool = False  # ordered by relevance (bm25), not by a column


# -- typo correction -------------------------------------------------------


def _max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def best_correction(library: Library, word: str) -> str | None:
    """The vocabulary word closest to ``word``, or None.

    Looks first among words sharing its first two letters (a few small
    buckets), then, when none is close enough, among words of its first
    letter and a length one off; a typo in the first letter is not corrected.
    """
    limit = _max_distance(word)
    lengths = range(max(3, len(word) - limit), len(word) + limit + 1)
    near = library.vocabulary_candidates(buckets=[bucket_of(word[0], n, word[1]) for n in lengths])
    found = _closest(word, near, limit)
    if found is None:
        wider = [bucket_range(word[0], n) for n in range(max(3, len(word) - 1), len(word) + 2)]
        found = _closest(word, library.vocabulary_candidates(ranges=wider), limit)
    return found


def _closest(word: str, choices: list[tuple[str, int]], limit: int) -> str | None:
    """The choice nearest ``word`` by OSA distance (at most ``limit``); ties go to the commoner word."""
    if not choices:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, [w for w, _ in choices], scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found:
        return None
    return min(found, key=lambda m: (m[1], -choices[m[2]][1], m[0]))[0]


def _correctable(term: Text) -> list[str] | None:
    """The pieces of a free word, split at hyphens and apostrophes
    (``kolmogorv-arnold`` -> ``kolmogorv``, ``-``, ``arnold``), or None when it
    is not a word of letters (digits, ``C++``, phrases and prefixes are never
    corrected)."""
    if not isinstance(term, Word) or not _LETTER_WORD.fullmatch(term.text):
        return None
    return _WORD_SEPARATOR.split(term.text)


def _fixable(piece: str) -> str | None:
    words = fts_words(piece)
    return words[0] if len(words) == 1 and len(words[0]) >= MIN_CORRECTABLE else None


def correct(library: Library, node: Node | None) -> tuple[Node | None, bool]:
    """``node`` with misspelt free words replaced (see the module docstring)."""
    if node is None:
        return None, False
    wanted = {t: pieces for t in node.terms() if (pieces := _correctable(t)) is not None}
    words = {w for pieces in wanted.values() for p in pieces if (w := _fixable(p)) is not None}
    if not words:
        return node, False
    known = library.vocabulary_docs(words)
    fixes = {w: best_correction(library, w) for w in words if w not in known}
    replace: dict[Text, Node] = {}
    for term, pieces in wanted.items():
        changed = False
        out = []
        for piece in pieces:
            fix = fixes.get(_fixable(piece) or "")
            changed |= fix is not None and fix != _fixable(piece)
            out.append(fix if fix is not None else piece)
        if not changed:
            continue
        fixed = Word("".join(out), term.field)
        # A word in the index but in too few papers for the vocabulary (a rare
        # name) is searched too, so that paper is not lost to the correction.
        single = len(pieces) == 1 and library.index_docs(_fixable(pieces[0]), 1)
        replace[term] = Or((fixed, term)) if single else fixed
    if not replace:
        return node, False
    return _replace(node, replace), True


def _replace(node: Node, replace: dict[Text, Node]) -> Node:
    if isinstance(node, Text):
        return replace.get(node, node)
    if isinstance(node, And):
        return And(tuple(_replace(i, replace) for i in node.items))
    if isinstance(node, Or):
        items: list[Node] = []
        for item in node.items:
            new = _replace(item, replace)
            items.extend(new.items if isinstance(new, Or) else (new,))
        return Or(tuple(items))
    return node  # Not, Filter: never corrected


# -- search ------------------------------------------------------------------


def _highlight(node: Node | None) -> list[str]:
    words: list[str] = []
    for term in node.terms() if node is not None else ():
        text = term.text.strip("\"'*()[]{},.;:!?")
        if len(text) >= 2 and text.lower() not in (w.lower() for w in words):
            words.append(text)
    return words


def _statement(library: Library, where: str, params: list, *, joins: str = "", order: str,
               limit: int | None) -> str:
    sql = library.select_sql(where, joins=joins, order_by=order, limit=limit)
    return f"{sql};\n-- params: {json.dumps(params, ensure_ascii=False)}"


def search(library: Library, query: str, *, sort: str = "relevance", limit: int | None = None,
           fix_typos: bool = True, with_sightings: bool = False, reverse: bool = False) -> SearchResult:
    """Papers matching ``query``, best first (see the module docstring); ``reverse``
    shows the same papers last first."""
    result = _search(library, query, sort=sort, limit=limit, fix_typos=fix_typos, with_sightings=with_sightings,
                     reverse=reverse)
    if reverse and result.ranked:
        from .select import reverse_papers

        result.papers = reverse_papers(result.papers)
    return result


def _search(library: Library, query: str, *, sort: str, limit: int | None, fix_typos: bool,
            with_sightings: bool, reverse: bool) -> SearchResult:
    if sort not in SEARCH_SORTS and not is_interest_sort(sort):
        raise UserError(f"unknown sort {sort!r}; choose from {', '.join(SEARCH_SORTS)}")
    node = parse_query(query)
    if node is None:
        raise UserError("nothing to search for: give some words or filters (see `papertriage search --help`)")
    corrected = False
    if fix_typos:
        node, corrected = correct(library, node)
    plan = make_plan(node)
    result = SearchResult(iter(()), str(node), corrected, _highlight(node))
    result.total = lambda: library.count(*plan.clause())
    if sort == "relevance" and plan.has_text:
        passes = _passes(plan, limit)
        result.statements = [_statement(library, where, params, joins=joins, order=order, limit=limit)
                             for joins, where, params, order in (p.select for p in passes)]
        result.papers = _ranked(library, passes, limit, with_sightings)
        result.ranked = True
        return result
    where, params = plan.clause()
    order = order_by("added" if sort == "relevance" else sort, reverse, library)
    result.statements = [_statement(library, where, params, order=order, limit=limit)]
    result.papers = library.select(where, params, order_by=order, limit=limit, with_sightings=with_sightings)
    if sort == "relevance" and not reverse and limit is not None and where != "1":
        # Filters only, newest first: look among the newest papers before
        # anything else. Left to itself SQLite reads every paper of a broad
        # date range through its index and sorts them (`upvotes>=50
        # year:2024`: 0.6 s at a million papers); walking back from the newest
        # stops at the first `limit` that pass. When the window holds too
        # few, the plain select runs, so nothing is ever lost.
        window = f"p.pk > (SELECT coalesce(max(pk), 0) FROM papers) - {NEWEST_WINDOW} AND {where}"
        result.statements.insert(0, _statement(library, window, params, joins="NOT INDEXED", order=order,
                                               limit=limit))
        result.papers = _newest_first(library, window, where, params, order, limit, with_sightings)
    return result


def _newest_first(library: Library, window: str, where: str, params: list, order: str, limit: int,
                  with_sightings: bool) -> Iterator[Paper]:
    found = list(library.select(window, params, joins="NOT INDEXED", order_by=order, limit=limit,
                                with_sightings=with_sightings))
    if len(found) == limit:
        yield from found
    else:
        yield from library.select(where, params, order_by=order, limit=limit, with_sightings=with_sightings)


@dataclass
class _Pass:
    """One ranked select (joins, where, params, order_by) and, when its filters
    are checked lazily, the exact select to fall back on and the clause telling
    whether the candidates were cut."""

    select: tuple[str, str, list, str]
    exact: tuple[str, str, list, str] | None = None
    cut: tuple[str, list] | None = None
    bound: int = 0


def _passes(plan: Plan, limit: int | None) -> list[_Pass]:
    """The ranked selects to run in turn: titles first, then the rest of the full text.

    With a limit, each pass scores only the newest CANDIDATES matches and
    checks the filters lazily (see the module docstring and ``Plan.ranked_lazily``).
    """
    title = plan.title_match()
    if title is None:  # abstract:… in the query: no titles-only pass
        steps = [(plan.match(), PAPERS_FTS, False)]
    else:
        steps = [(title, TITLES_FTS, True), (plan.rest_match(), PAPERS_FTS, False)]
    if limit is None:
        return [_Pass(plan.ranked(m, table=t, exclusions=x)) for m, t, x in steps]  # type: ignore[arg-type]
    bound = max(CANDIDATES, limit)
    passes = []
    for match, table, exclusions in steps:
        exact = plan.ranked(match, table=table, bound=bound, limit=limit, exclusions=exclusions)  # type: ignore[arg-type]
        if plan.filters(exclusions=exclusions)[0] == "1":
            passes.append(_Pass(exact))
        else:
            passes.append(_Pass(
                plan.ranked_lazily(match, table=table, bound=bound, limit=limit, exclusions=exclusions),  # type: ignore[arg-type]
                exact, plan.cut(match, table=table, bound=bound), bound))  # type: ignore[arg-type]
    return passes


def _ranked(library: Library, passes: list[_Pass], limit: int | None, with_sightings: bool) -> Iterator[Paper]:
    shown = 0
    for step in passes:
        # Each pass is cut at `limit`; the second one only fills what the first left.
        left = None if limit is None else limit - shown
        joins, where, params, order = step.select
        found: Iterable[Paper] = library.select(where, params, joins=joins, order_by=order, limit=left,
                                                with_sightings=with_sightings)
        if step.exact is not None and left is not None:
            found = list(found)
            if len(found) < left and library.count(*step.cut) > step.bound:  # type: ignore[misc]
                joins, where, params, order = step.exact
                found = library.select(where, params, joins=joins, order_by=order, limit=left,
                                       with_sightings=with_sightings)
        for paper in found:
            shown += 1
            yield paper
        if limit is not None and shown >= limit:
            return


# -- more like this ----------------------------------------------------------

# Words that say nothing about a paper's topic, on top of what idf discounts.
_STOP = frozenset("""
a about above after again against all also an and any are as at be been before being between both but by
can could did do does doing down during each few for from further had has have having here how however
i if in into is it its itself just more most much must no nor not of off on once only or other our ours
out over own same should so some such than that the their them then there these they this those through
to too under until up very was we were what when where which while who whom why will with within without
would you your yet via thus hence therefore whereas although though among across along upon etc
paper papers propose proposed proposes present presents presented show shows shown demonstrate
demonstrates approach approaches method methods result results work works novel new use used using based
introduce introduces introduced achieve achieves achieved significantly significant existing recent
recently state art experiments experimental extensive outperforms performance different various several
well including code available github com https http www
""".split())


def distinctive_words(library: Library, paper: Paper, n: int = SIMILAR_WORDS) -> list[str]:
    """The paper's words that best tell it apart (tf-idf; title words count three times)."""
    tf: Counter[str] = Counter()
    for weight, text in ((3, paper.title), (1, paper.abstract)):
        for word in fts_words(text):
            if len(word) >= 3 and word.isalpha() and word not in _STOP:
                tf[word] += weight
    if not tf:
        return []
    docs = library.vocabulary_docs(tf)
    total = max(library.count(), 2)
    scored = []
    for word, count in tf.items():
        d = docs.get(word)
        if d is None or d > total / 5:  # only here, or everywhere: says nothing
            continue
        scored.append((count * math.log(total / d), word))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [w for _, w in scored[:n]]


def similar(library: Library, paper_id: str, *, limit: int | None = None,
            with_sightings: bool = False) -> tuple[Paper, list[str], Iterator[Paper]]:
    """(the paper, the words used, papers most like it, best first).

    Papers sharing two of its most distinctive words come first, ranked by
    bm25 (with a limit, among the newest SIMILAR_CANDIDATES of them: sharing
    two such words is rare, so that is nearly always all); the papers sharing
    just one follow, scored among the newest CANDIDATES like a search.
    """
    (pk,) = library.resolve_ids([paper_id])
    paper = next(library.select("p.pk = ?", (pk,)))
    words = distinctive_words(library, paper)
    if not words:
        return paper, [], iter(())
    plan = Plan(where=[("p.pk != ?", [pk])])
    bound = None if limit is None else max(CANDIDATES, limit)
    any_word = " OR ".join(fts_string(w) for w in words)
    top = words[:SIMILAR_PAIRED]
    if len(top) < 2:
        passes = [_Pass(plan.ranked(any_word, bound=bound, limit=limit))]
    else:
        pairs = " OR ".join(f"({fts_string(a)} AND {fts_string(b)})" for a, b in itertools.combinations(top, 2))
        paired_bound = None if limit is None else max(SIMILAR_CANDIDATES, limit)
        passes = [_Pass(plan.ranked(pairs, bound=paired_bound, limit=limit)),
                  _Pass(plan.ranked(f"({any_word}) NOT ({pairs})", bound=bound, limit=limit))]
    return paper, words, _ranked(library, passes, limit, with_sightings)
