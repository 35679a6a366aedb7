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

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Literal

from ..errors import UserError
from ..model import SORTS, Paper
from ..query import And, Node, Or, Plan, Text, Word, compile_query, parse_query, plan as make_plan
from ..query.plan import match_any, match_but_not, match_pairs
from ..store import Library, Ranking, Selection
from ..words import bucket_of, bucket_range, fts_words
from .select import check_sort, full_ids, reverse_papers, sort_order
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
        only = _fixable(pieces[0]) if len(pieces) == 1 else None
        single = only is not None and library.index_docs(only, 1)
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


def _statement(library: Library, selection: Selection) -> str:
    sql, params = library.statement(selection)
    return f"{sql};\n-- params: {json.dumps(params, ensure_ascii=False)}"


def search(library: Library, query: str, *, sort: str = "relevance", limit: int | None = None,
           fix_typos: bool = True, with_sightings: bool = False, reverse: bool = False) -> SearchResult:
    """Papers matching ``query``, best first (see the module docstring); ``reverse``
    shows the same papers last first."""
    result = _search(library, query, sort=sort, limit=limit, fix_typos=fix_typos, with_sightings=with_sightings,
                     reverse=reverse)
    if reverse and result.ranked:
        result.papers = reverse_papers(result.papers)
    return result


def _search(library: Library, query: str, *, sort: str, limit: int | None, fix_typos: bool,
            with_sightings: bool, reverse: bool) -> SearchResult:
    check_sort(sort, SORTS)
    node = parse_query(query)
    if node is None:
        raise UserError("nothing to search for: give some words or filters (see `papertriage search --help`)")
    corrected = False
    if fix_typos:
        node, corrected = correct(library, node)
    plan = make_plan(node)
    result = SearchResult(iter(()), str(node), corrected, _highlight(node))
    result.total = lambda: library.count(Selection(query=plan))
    if sort == "relevance" and plan.has_text:
        passes = _passes(plan, limit, with_sightings)
        result.statements = [_statement(library, p.select) for p in passes]
        result.papers = _ranked(library, passes)
        result.ranked = True
        return result
    order, model = sort_order(library, sort)
    plain = Selection(query=plan, sort=order, reverse=reverse, limit=limit, with_sightings=with_sightings,
                      interest_model=model)
    result.statements = [_statement(library, plain)]
    result.papers = library.select(plain)
    if sort == "relevance" and not reverse and limit is not None and plan.clause()[0] != "1":
        # Filters only, newest first: look among the newest papers before
        # anything else, which stops at the first `limit` that pass (`upvotes>=50
        # year:2024`: 0.6 s at a million papers otherwise). When the window
        # holds too few, the plain select runs, so nothing is ever lost.
        window = Selection(query=plan, sort=sort, limit=limit, newest=NEWEST_WINDOW, with_sightings=with_sightings)
        result.statements.insert(0, _statement(library, window))
        result.papers = _newest_first(library, window, plain)
    return result


def _newest_first(library: Library, window: Selection, plain: Selection) -> Iterator[Paper]:
    found = list(library.select(window))
    if len(found) == window.limit:
        yield from found
    else:
        yield from library.select(plain)


@dataclass
class _Pass:
    """One ranked selection and, when its filters are checked lazily, the exact
    selection to fall back on when fewer than the limit passed and the
    candidates were cut at ``bound``."""

    select: Selection
    exact: Selection | None = None
    bound: int = 0


def _passes(plan: Plan, limit: int | None, with_sightings: bool) -> list[_Pass]:
    """The ranked selections to run in turn: titles first, then the rest of the full text.

    With a limit, each pass scores only the newest CANDIDATES matches and
    checks the filters lazily (see the module docstring and ``store.Ranking``).
    """
    title = plan.title_match()
    full = plan.match()
    assert full is not None
    steps: list[tuple[str, Literal["papers", "titles"], bool]]
    if title is None:  # abstract:… in the query: no titles-only pass
        steps = [(full, "papers", False)]
    else:
        rest = plan.rest_match()
        assert rest is not None
        steps = [(title, "titles", True), (rest, "papers", False)]

    def select(ranking: Ranking) -> Selection:
        return Selection(query=plan, ranking=ranking, limit=limit, with_sightings=with_sightings)

    if limit is None:
        return [_Pass(select(Ranking(m, index, exclusions=x))) for m, index, x in steps]
    bound = max(CANDIDATES, limit)
    passes = []
    for match, index, exclusions in steps:
        exact = select(Ranking(match, index, bound=bound, exclusions=exclusions))
        if plan.filters(exclusions=exclusions)[0] == "1":
            passes.append(_Pass(exact))
        else:
            lazy = select(Ranking(match, index, bound=bound, exclusions=exclusions, lazy=True))
            passes.append(_Pass(lazy, exact, bound))
    return passes


def _ranked(library: Library, passes: list[_Pass]) -> Iterator[Paper]:
    shown = 0
    limit = passes[0].select.limit if passes else None
    for step in passes:
        # Each pass is cut at `limit`; the second one only fills what the first left.
        left = None if limit is None else limit - shown
        found: Iterable[Paper] = library.select(replace(step.select, limit=left))
        if step.exact is not None and left is not None:
            found = list(found)
            ranking = step.exact.ranking
            assert ranking is not None
            if len(found) < left and library.count_matches(ranking.match, ranking.index, step.bound + 1) > step.bound:
                found = library.select(replace(step.exact, limit=left))
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
    (full,) = full_ids(library, [paper_id])
    paper = next(library.select(Selection(ids=(full,))))
    words = distinctive_words(library, paper)
    if not words:
        return paper, [], iter(())
    everything = compile_query(None)

    def select(match: str, bound: int | None) -> _Pass:
        return _Pass(Selection(query=everything, ranking=Ranking(match, bound=bound), limit=limit,
                               exclude_ids=(full,), with_sightings=with_sightings))

    bound = None if limit is None else max(CANDIDATES, limit)
    any_word = match_any(words)
    top = words[:SIMILAR_PAIRED]
    if len(top) < 2:
        passes = [select(any_word, bound)]
    else:
        pairs = match_pairs(top)
        paired_bound = None if limit is None else max(SIMILAR_CANDIDATES, limit)
        passes = [select(pairs, paired_bound), select(match_but_not(any_word, pairs), bound)]
    return paper, words, _ranked(library, passes)
