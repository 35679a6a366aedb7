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

When the words as typed find fewer than RELAX_BELOW papers (or ``limit``,
if fewer), search widens them (issue 14), and ranks what that adds below:
titles as typed, titles relaxed (stemmed, compound forms: ``titles_stem``,
``query/relax.py``), the whole text as typed, the whole text relaxed
(compounds joined and split), then the corrected query the same way. Each
paper is shown once. ``fix_typos=False`` (``--exact``) turns all of it off.

Typo correction follows Meilisearch's rules, on free words of letters:

- none up to 4 letters; one edit (OSA) from 5 letters, two from 9; an edit
  of the first letter counts as two (``best_correction``), the closest word
  of two or more papers preferred, then of one paper (a rare name);
- a word two or more papers use is never corrected; a word one paper uses
  is searched together with its correction (``transformer OR transfomer``,
  that paper first); a word no paper holds is replaced by its correction,
  and when there is none it is left out of a query of several words
  (``drop_unknown``);
- "quoted" words, prefixes, -exclusions and words with digits are never changed.

``similar(library, id)`` picks the paper's most distinctive words (tf-idf
over the vocabulary, title words counting three times) and ranks the papers
that share two of them first, then those that share one.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Literal

from ..errors import UserError
from ..model import SORTS, Paper
from ..query import And, Node, Or, Plan, Text, Word, compile_query, parse_query, plan as make_plan
from ..query.plan import match_any, match_but_not, match_pairs
from ..query.relax import joined_words, relaxed_match, split_candidates
from ..store import Library, Ranking, Selection
from ..words import bucket_of, bucket_range, fts_words, is_vocabulary_word
from .select import check_sort, full_ids, reverse_papers, sort_order

FEW_CHOICES = 32  # typo candidates compared in Python, below which rapidfuzz is not imported
MIN_CORRECTABLE = 5  # shorter words are too ambiguous to correct (kan, llm, vit, gpt4): as Meilisearch
TWO_TYPOS_FROM = 9  # letters from which a word may hold two typos (or one in its first letter)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_WORD_SEPARATOR = re.compile(r"([-'’])")
SIMILAR_WORDS = 12
SIMILAR_PAIRED = 8  # papers sharing two of the first this many words come first
SIMILAR_CANDIDATES = 10_000
# With a limit (a terminal shows 20), a pass scores only this many matches,
# the newest: a common word must not make SQLite score every paper.
CANDIDATES = 1000
RELAX_BELOW = 20  # inflections, compounds and corrections are tried while fewer papers were found
MIN_SPLIT_PART = 3  # olmotrace -> olmo trace: both halves 3+ letters and words of the library
MAX_SPLITS = 3
NEWEST_WINDOW = 20_000  # papers a filters-only search walks back through before using the indexes


@dataclass
class SearchResult:
    papers: Iterator[Paper]
    searched: str  # the query as searched, after corrections
    corrected: bool = False
    highlight: list[str] = field(default_factory=list)
    total: Callable[[], int] = lambda: 0  # how many papers match in all (a count query)
    ranked: bool = False  # ordered by relevance (bm25), not by a column
    explain: Callable[[], list[str]] = lambda: []  # the statements, built on demand
    dropped: list[str] = field(default_factory=list)  # words no paper holds, left out of `searched`

    @property
    def statements(self) -> list[str]:
        """SQL and parameters of every select the search may run, in order (for --show-sql)."""
        return self.explain()


# -- typo correction -------------------------------------------------------


def _max_distance(word: str) -> int:
    """Typos allowed in a word, by its length, as Meilisearch: one from 5 letters, two from 9."""
    return 1 if len(word) < TWO_TYPOS_FROM else 2


def _first_letter_buckets(word: str) -> list[int]:
    """Buckets of the words one edit away from ``word`` at its first letter:
    another first letter, the first letter dropped or doubled by a stray key,
    the first two letters swapped."""
    n = len(word)
    found = [bucket_of(c, n, word[1]) for c in _LETTERS]  # another first letter
    found += [bucket_of(c, n + 1, word[0]) for c in _LETTERS]  # first letter dropped
    found.append(bucket_of(word[1], n - 1, word[2]))  # a letter typed before it
    found.append(bucket_of(word[1], n, word[0]))  # first two swapped
    return found


def best_correction(library: Library, word: str, min_docs: int = 2) -> str | None:
    """The vocabulary word closest to ``word``, or None.

    Looks first among words sharing its first two letters (a few small
    buckets), then among words of its first letter and a length one off; a
    typo in the first letter counts as two (as Meilisearch), so it is looked
    for only in words of 9 letters or more. Words of two or more papers are
    preferred; only when none is close, words of one paper are tried (a rare
    name, typed with a typo).
    """
    limit = _max_distance(word)
    lengths = range(max(3, len(word) - limit), len(word) + limit + 1)
    # One typo, at position i, leaves word[:i] and word[i + 2:] in place: so a
    # word that close starts with the first half or ends with the rest but one
    # letter. Checked in the index, so a bucket of many rare words is not read.
    half = len(word) // 2
    ends = (word[:half], word[half + 1:]) if limit == 1 else None
    for docs in dict.fromkeys((min_docs, 1)):
        near = library.vocabulary_candidates(buckets=[bucket_of(word[0], n, word[1]) for n in lengths],
                                             min_docs=docs, ends=ends)
        found = _closest(word, near, limit)
        if found is None:
            found = _closest(word, _other_second_letter(library, word, limit, docs), limit)
        if found is None and limit >= 2:
            found = _closest(word, library.vocabulary_candidates(buckets=_first_letter_buckets(word),
                                                                 min_docs=docs), 1)
        if found is not None:
            return found
    return None


def _other_second_letter(library: Library, word: str, limit: int, min_docs: int) -> list[tuple[str, int]]:
    """Words of ``word``'s first letter and a length one off, for a typo at its
    second letter (words sharing the first two letters were read already).

    With one typo allowed, only words of these shapes can be that close:
    another second letter (``m?ltimodal``), one missing (``m?ltimodl`` for
    ``mltimodl``), one too many (``mltimodal`` for ``mxltimodal``), the second
    and third swapped. With a-z for ``?`` they are some fifty words, looked up
    by name; the few words whose second letter is not a-z are read by bucket
    and matched by shape. So a first letter with thousands of rare words of
    that length (names, typos) does not cost reading them all. With two typos
    allowed, every word of the lengths is read.
    """
    lengths = range(max(3, len(word) - 1), len(word) + 2)
    if limit >= 2 or len(word) < 3:
        return library.vocabulary_candidates(ranges=[bucket_range(word[0], n) for n in lengths],
                                             min_docs=min_docs)
    first, second, rest = word[0], word[1], word[2:]
    shapes = [f"{first}?{rest}", f"{first}?{second}{rest}", f"{first}{rest}", f"{first}{rest[:1]}{second}{rest[1:]}"]
    named = [first + c + rest for c in _LETTERS] + [first + c + second + rest for c in _LETTERS] + shapes[2:]
    found = list(library.vocabulary_docs(named, min_docs=min_docs).items())
    others = [(bucket_of(first, n, "\x80"), bucket_range(first, n)[1]) for n in lengths]
    return found + library.vocabulary_candidates(ranges=others, min_docs=min_docs, shapes=shapes)


def _closest(word: str, choices: list[tuple[str, int]], limit: int) -> str | None:
    """The choice nearest ``word`` by OSA distance (at most ``limit``, never
    ``word`` itself); ties go to the commoner word."""
    choices = [c for c in choices if c[0] != word]
    if not choices:
        return None
    if len(choices) <= FEW_CHOICES and "rapidfuzz" not in sys.modules:
        # Importing rapidfuzz takes longer (15 ms, a fifth of a search
        # process) than comparing a few dozen words here (issue 16, start-up).
        near = [(d, -docs, w) for w, docs in choices if (d := _osa(word, w, limit)) <= limit]
        return min(near)[2] if near else None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(word, [w for w, _ in choices], scorer=OSA.distance, score_cutoff=limit, limit=None)
    if not found:
        return None
    return min(found, key=lambda m: (m[1], -choices[m[2]][1], m[0]))[0]


def _osa(a: str, b: str, limit: int) -> int:
    """The optimal string alignment distance of ``a`` and ``b`` (an edit is an
    insertion, a deletion, a substitution or a swap of neighbours), as
    rapidfuzz's ``OSA.distance``; ``limit + 1`` for anything farther."""
    n, m = len(a), len(b)
    if abs(n - m) > limit:
        return limit + 1
    before: list[int] = []
    prev = list(range(m + 1))
    for i in range(1, n + 1):
        ca = a[i - 1]
        cur = [i] * (m + 1)
        for j in range(1, m + 1):
            cb = b[j - 1]
            v = min(prev[j - 1] + (ca != cb), prev[j] + 1, cur[j - 1] + 1)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and before[j - 2] + 1 < v:
                v = before[j - 2] + 1
            cur[j] = v
        if min(cur) > limit:
            return limit + 1
        before, prev = prev, cur
    return min(prev[m], limit + 1)


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
    """``node`` with misspelt free words corrected (see the module docstring):
    a word no paper holds is replaced by its correction; a word one paper
    holds is searched together with it (``transformer OR transfomer``); a word
    of two papers or more is never touched."""
    if node is None:
        return None, False
    wanted = {t: pieces for t in node.terms() if (pieces := _correctable(t)) is not None}
    words = {w for pieces in wanted.values() for p in pieces if (w := _fixable(p)) is not None}
    if not words:
        return node, False
    docs = library.vocabulary_docs(words, min_docs=1)
    fixes = {w: fix for w in words if docs.get(w, 0) < 2 and (fix := best_correction(library, w)) is not None}
    replace: dict[Text, Node] = {}
    for term, pieces in wanted.items():
        if len(pieces) == 1:
            word = _fixable(pieces[0])
            if word not in fixes:
                continue
            fixed = Word(fixes[word], term.field)
            # A word of one paper (a rare name, or a typo in one abstract) is kept:
            # that paper is not lost to the correction, and ranks first.
            replace[term] = Or((fixed, term)) if docs.get(word, 0) else fixed
            continue
        # In kolmogorv-arnold, only the pieces no paper holds are corrected.
        out = [fixes[w] if (w := _fixable(p)) in fixes and not docs.get(w) else p for p in pieces]
        if out != pieces:
            replace[term] = Word("".join(out), term.field)
    if not replace:
        return node, False
    return _replace(node, replace), True


def drop_unknown(library: Library, node: Node | None) -> tuple[Node | None, list[str]]:
    """``node`` without the free words (of letters, 3 or more) that no paper
    holds and that were not corrected, when other words remain: a query of
    several words then still finds the paper (``models llav let`` searches
    ``models let``), as Meilisearch drops words rather than find nothing.
    Returns the node and the words left out."""
    if not isinstance(node, And):
        return node, []
    candidates = [i for i in node.items if isinstance(i, Word) and _LETTER_WORD.fullmatch(i.text)
                  and all(len(w) >= 3 for w in fts_words(i.text))]
    if not candidates:
        return node, []
    words = {w for c in candidates for w in fts_words(c.text)}
    known = library.vocabulary_docs(words, min_docs=1)
    unknown = [c for c in candidates if not any(w in known or library.title_forms_hold(w) for w in fts_words(c.text))]
    kept = [i for i in node.items if i not in unknown]
    if not unknown or not any(isinstance(i, (Text, Or)) for i in kept):
        return node, []
    return (kept[0] if len(kept) == 1 else And(tuple(kept))), [str(u) for u in unknown]


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
    fixed, corrected = correct(library, node) if fix_typos else (node, False)
    fixed, dropped = drop_unknown(library, fixed) if fix_typos else (fixed, [])
    corrected = corrected or bool(dropped)
    result = SearchResult(iter(()), str(fixed), corrected, _highlight(fixed), dropped=dropped)
    total_plan = make_plan(fixed)
    result.total = lambda: library.count(Selection(query=total_plan))
    if sort == "relevance" and make_plan(node).has_text:
        # The words as typed first; then, while fewer than RELAX_BELOW papers
        # were found, the same words relaxed; then the corrected query, as typed and relaxed.
        tiers = [node, fixed] if corrected else [node]
        groups = [_tier_groups(library, make_plan(t), limit, with_sightings, relax=fix_typos,
                               as_typed=not (n == 0 and corrected and _lacks_a_word(library, make_plan(t))))
                  for n, t in enumerate(tiers)]
        result.explain = lambda: [_statement(library, p.select) for tier in groups for build, _ in tier
                                  for p in build()]
        result.papers = _tiered(library, groups, limit)
        result.ranked = True
        return result
    plan = total_plan
    order, model = sort_order(library, sort)
    plain = Selection(query=plan, sort=order, reverse=reverse, limit=limit, with_sightings=with_sightings,
                      interest_model=model)
    statements = [_statement(library, plain)]
    result.explain = lambda: statements
    result.papers = library.select(plain)
    if sort == "relevance" and not reverse and limit is not None and plan.clause()[0] != "1":
        # Filters only, newest first: look among the newest papers before
        # anything else, which stops at the first `limit` that pass (`upvotes>=50
        # year:2024`: 0.6 s at a million papers otherwise). When the window
        # holds too few, the plain select runs, so nothing is ever lost.
        window = Selection(query=plan, sort=sort, limit=limit, newest=NEWEST_WINDOW, with_sightings=with_sightings)
        statements.insert(0, _statement(library, window))
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


_Step = tuple[str, Literal["papers", "titles", "stems"], bool]  # (match, index, exclusions as filters)


def _passes(plan: Plan, limit: int | None, with_sightings: bool, steps: list[_Step] | None = None) -> list[_Pass]:
    """The ranked selections to run in turn: by default titles first, then the whole text.

    With a limit, each pass scores only the newest CANDIDATES matches and
    checks the filters lazily (see the module docstring and ``store.Ranking``).
    """
    if steps is None:
        steps = _exact_steps(plan)

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


def _exact_steps(plan: Plan) -> list[_Step]:
    """The words as typed: titles first (``titles_fts``), then the whole text
    (``papers_fts``; the title matches it finds again were shown already and
    are skipped: no ``NOT`` of the title match, whose phrases bm25 would count)."""
    title, full = plan.title_match(), plan.match()
    assert full is not None
    if title is None:  # abstract:… in the query: no titles-only pass
        return [(full, "papers", False)]
    return [(title, "titles", True), (full, "papers", False)]


def _splits(library: Library, plan: Plan, docs: dict[str, int]) -> dict[str, list[str]]:
    """Words of the query no paper holds that the vocabulary can split in two
    (``olmotrace`` -> ``olmo trace``): word -> the splits, commonest first.
    ``docs``: the vocabulary's counts of the query's words."""
    words = [w for w in split_candidates(plan) if len(w) >= 2 * MIN_SPLIT_PART and w not in docs]
    if not words:
        return {}
    halves = {w[:i] for w in words for i in range(MIN_SPLIT_PART, len(w) - MIN_SPLIT_PART + 1)}
    halves |= {w[i:] for w in words for i in range(MIN_SPLIT_PART, len(w) - MIN_SPLIT_PART + 1)}
    known = library.vocabulary_docs(halves, min_docs=1) if halves else {}
    found: dict[str, list[str]] = {}
    for w in words:
        pairs = [(min(known[w[:i]], known[w[i:]]), f"{w[:i]} {w[i:]}")
                 for i in range(MIN_SPLIT_PART, len(w) - MIN_SPLIT_PART + 1)
                 if w[:i] in known and w[i:] in known]
        if pairs:
            found[w] = [s for _, s in sorted(pairs, reverse=True)[:MAX_SPLITS]]
    return found


def _relaxed_steps(library: Library, plan: Plan) -> tuple[Plan, list[_Step]]:
    """The query's words relaxed (``query/relax.py``): (the plan whose filters
    apply, [stemmed titles step, whole text step]); exclusions stay exact."""
    joins = [j for j in joined_words(plan) if is_vocabulary_word(j)]
    docs = library.vocabulary_docs(split_candidates(plan) + joins, min_docs=1)
    splits = _splits(library, plan, docs)
    relaxed = relaxed_match(plan, splits)
    if relaxed is None:
        return plan, []
    match, where = relaxed
    loose = Plan(must_not=plan.must_not, where=plan.where + where)
    steps: list[_Step] = []
    if plan.title_match() is not None:  # no abstract:… term: stemmed titles
        steps.append((match, "stems", True))
    # The whole text (no stems, no compound parts) holds a joined form only as
    # a word of its own: those no paper holds are left out, and often nothing
    # is left to try there beyond the words as typed.
    absent = frozenset(j for j in joins if j not in docs)
    text_match = relaxed_match(plan, splits, absent)[0] if absent else match  # type: ignore[index]
    if text_match != " AND ".join(n.match() for n in plan.must) or where:  # type: ignore[attr-defined]
        steps.append((text_match, "papers", True))  # joins or splits to try in the whole text
    return loose, steps


_Group = tuple[Callable[[], list[_Pass]], bool]  # (build the passes, run only while few were found)


def _lacks_a_word(library: Library, plan: Plan) -> bool:
    """Whether a word the query requires is in no paper (a typo): then the
    words as typed match nothing, and only their relaxed forms may."""
    words = [w for item in plan.must if isinstance(item, Word)
             for w in [fts_words(item.text)] if len(w) == 1 and is_vocabulary_word(w[0])]
    docs = library.vocabulary_docs([w[0] for w in words], min_docs=1) if words else {}
    return any(w[0] not in docs for w in words)


def _tier_groups(library: Library, plan: Plan, limit: int | None, with_sightings: bool, *,
                 relax: bool, as_typed: bool = True) -> list[_Group]:
    """The pass groups of one query, built only when reached, in rank order:
    titles as typed, titles relaxed (stems, compounds), the whole text as
    typed, the whole text relaxed (compounds). A title that holds every word
    in some form outranks an abstract that holds them as typed (the
    "attribute before exactness" of Meilisearch's ranking rules).
    ``as_typed=False``: the words as typed are known to match nothing
    (``_lacks_a_word``), so only the relaxed groups run."""
    exact = _exact_steps(plan)
    relaxed: dict[str, tuple[Plan, list[_Step]]] = {}

    def loose(index: str) -> list[_Pass]:
        if "steps" not in relaxed:
            relaxed["steps"] = _relaxed_steps(library, plan)
        loose_plan, steps = relaxed["steps"]
        return _passes(loose_plan, limit, with_sightings, [s for s in steps if s[1] == index])

    groups: list[_Group] = []
    if as_typed:
        groups.append((lambda: _passes(plan, limit, with_sightings, exact[:1]), False))
    if relax:
        groups.append((lambda: loose("stems"), True))
    if len(exact) > 1 and as_typed:
        groups.append((lambda: _passes(plan, limit, with_sightings, exact[1:]), False))
    if relax:
        groups.append((lambda: loose("papers"), True))
    return groups


def _tiered(library: Library, tiers: list[list[_Group]], limit: int | None) -> Iterator[Paper]:
    """Run the pass groups in turn, each paper once. A gated group, and a tier
    after the first (the corrected query), runs only while fewer than
    RELAX_BELOW papers (or ``limit``, if fewer) were found."""
    want = RELAX_BELOW if limit is None else min(limit, RELAX_BELOW)
    seen: set[str] = set()
    for n, tier in enumerate(tiers):
        if n and len(seen) >= want:
            return
        for build, gated in tier:
            if gated and len(seen) >= want:
                continue
            if limit is not None and len(seen) >= limit:
                return
            for planned in build():
                # Fetching `limit` from a pass is enough: at most len(seen) of them came before.
                if limit is not None and len(seen) >= limit:
                    return
                step = _unless_settled(library, planned, seen)
                if step is None:
                    continue
                found: Iterable[Paper] = library.select(step.select)
                if step.exact is not None and limit is not None:
                    found = list(found)
                    ranking = step.exact.ranking
                    assert ranking is not None
                    if len(found) < limit and library.count_matches(ranking.match, ranking.index,
                                                                    step.bound + 1) > step.bound:
                        found = library.select(step.exact)
                for paper in found:
                    if paper.id in seen:
                        continue
                    seen.add(paper.id)
                    yield paper
                    if limit is not None and len(seen) >= limit:
                        return


def _unless_settled(library: Library, step: _Pass, seen: set[str]) -> _Pass | None:
    """The pass to run, cheaper when its outcome is settled before scoring: None
    when every paper it matches was shown already, the pass unscored when just
    one of them is new (an order of one needs no bm25, whose weighing of each
    common word reads that word's whole doclist). Known-item queries match few
    papers, so most of their widening passes end here."""
    ranking = step.select.ranking
    assert ranking is not None
    cap = len(seen) + 2
    found = library.match_ids(ranking.match, ranking.index, cap)
    if len(found) >= cap:
        return step
    new = [i for i in found if i not in seen]
    if len(new) > 1:
        return step
    if not new:
        return None
    # All of the pass's matches fit in the limit (fewer than len(seen) + 2), so
    # without scores it selects the same papers, filters checked the same way.
    return _Pass(replace(step.select, ranking=replace(ranking, scored=False)))


def _ranked(library: Library, passes: list[_Pass]) -> Iterator[Paper]:
    """Passes in turn, each paper once (``similar``)."""
    limit = passes[0].select.limit if passes else None
    return _tiered(library, [[(lambda: passes, False)]], limit)


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
