"""Deciding which sightings are the same paper: normalise -> block -> score.

Pure functions over text; no database. ``core`` feeds it candidates that it
found through the blocking keys stored in the library.

Rules (issue 3):
- titles compare after normalisation (NFKC, case, dashes, quotes,
  punctuation, whitespace, HTML entities, simple LaTeX), then fuzzily;
- the abstract is the evidence: a near-identical abstract (possibly a
  truncated card, or revised a little) is the same paper even under a new
  title; a similar title over an unrelated abstract is a different paper;
- titles whose numbers differ (Qwen2/Qwen3, MM1/MM1.5) are different papers.

Blocking keeps it linear: each sighting yields a handful of 32-bit keys (the
normalised title, its words' first letters, its subtitle, the abstract's
opening words, the opening words of its first sentences), and only papers
sharing a key are scored.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zlib
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

# Formatting commands whose argument is the text: \texttt{D}ual -> Dual.
_LATEX_WRAPPERS = re.compile(
    r"\\(?:texttt|textbf|textit|textrm|textsf|emph|mathbf|mathrm|mathit|mathcal|mathsf|mathtt|"
    r"mathbb|boldsymbol|text|bf|it|rm|tt|operatorname)\s*\{([^{}]*)\}"
)
_LATEX_SYMBOLS = {r"\cdot": " ", r"\times": " x ", r"\&": " and ", r"\%": "%", r"\_": "_", r"\ldots": " "}
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_WORD = re.compile(r"[^\W_]+")
_ASCII_TO_SPACE = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_NUMBER = re.compile(r"\d+")

ABSTRACT_WINDOW = 8  # opening words of the abstract that make one blocking key
ABSTRACT_COMPARE_CHARS = 2500  # enough to decide; bounds the cost of a comparison
ABSTRACT_HEAD_CHARS = 160  # enough for ABSTRACT_WINDOW words
ABSTRACT_SENTENCES = 3  # early sentences keyed by their opening words
ABSTRACT_SENTENCE_CHARS = 1000
SENTENCE_KEY_WORDS = 10
SENTENCE_KEY_CHARS = 160  # ten words fit; normalising the rest would be wasted
# A key shared by more papers than this is too common to be evidence
# ("in this paper we propose a novel framework for ..."): it is not followed.
MAX_PAPERS_PER_KEY = 50
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# The same cuts, found faster (no look-behind at every position): the cut is group 1.
_SENTENCE_CUT = re.compile(r"[.!?](\s+)")


def _strip_latex(text: str, latex: bool | None = None) -> str:
    # ``latex``: whether the whole text is LaTeX-bearing; None decides on this span alone.
    if latex is None:
        latex = "\\" in text or "$" in text
    if not latex:
        return text
    for _ in range(3):  # nested wrappers: \mathbf{\texttt{D}}
        new = _LATEX_WRAPPERS.sub(r"\1", text)
        if new == text:
            break
        text = new
    for sym, repl in _LATEX_SYMBOLS.items():
        text = text.replace(sym, repl)
    text = _LATEX_COMMAND.sub(r"\1", text)
    return text.replace("$", "").replace("{", "").replace("}", "")


def words(text: str, latex: bool | None = None) -> list[str]:
    """Text reduced to lower-case words (see ``normalise``); ``latex`` as for ``_strip_latex``."""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _strip_latex(text, latex)
    if text.isascii():  # the common case, about twice as fast as the regex
        return text.lower().translate(_ASCII_TO_SPACE).split()
    return _WORD.findall(text.casefold())


def normalise(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces.

    >>> normalise("HyperZ$\\\\cdot$Z$\\\\cdot$W &amp; the “Best” — Model")
    'hyperz z w the best model'
    """
    return " ".join(words(text))


_KIND_CRC: dict[str, int] = {}


def _stable_key(kind: str, text: str) -> int:
    # A signed 32-bit int: fits SQLite's INTEGER and stays stable across runs
    # (Python's own hash() is salted per process). The CRC of "kind\x1ftext",
    # continued from the cached CRC of the prefix (same value, no string built).
    start = _KIND_CRC.get(kind)
    if start is None:
        start = _KIND_CRC[kind] = zlib.crc32(f"{kind}\x1f".encode())
    value = zlib.crc32(text.encode(), start)
    return value - (1 << 32) if value >= (1 << 31) else value


def _plain(text: str) -> bool:
    """True when ``words`` reduces ``text`` character by character (ASCII, no
    entity, no LaTeX): then the words of any slice are the same slice of one
    lowered, translated copy, so one pass serves every key."""
    return text.isascii() and "&" not in text and "\\" not in text and "$" not in text


# Words as single code points, so rapidfuzz compares strings (C arrays) instead
# of lists of Python strings: 38 -> 21 us a comparison, the same scores, since
# the mapping is one-to-one. The surrogates' block is skipped; once every code
# point is taken (over a million distinct words), new fingerprints compare
# word lists, with the same scores.
class _Codes(dict):
    """word -> one code point, handed out as words appear (the surrogates' block skipped)."""

    def __missing__(self, word: str) -> str:
        n = len(self)
        if n >= _MAX_CODES:
            raise OverflowError("every code point is taken")
        code = self[word] = chr(n if n < 0xD800 else n + 0x800)
        return code


_CODES = _Codes()
_MAX_CODES = 0x110000 - 0x800


def _encode(words: list[str]) -> str | None:
    try:
        return "".join(map(_CODES.__getitem__, words))
    except OverflowError:  # over a million distinct words: compare word lists
        return None


class Fingerprint:
    """What dedup compares: normalised title, its numbers, abstract words.

    The full abstract is normalised only when a comparison needs it: most
    sightings of a large ingest meet no candidate at all.
    """

    __slots__ = ("title", "subtitle", "numbers", "abstract_head", "_abstract", "_abstract_words", "_codes")

    def __init__(self, title: str, subtitle: str, abstract: str, *, normalised: bool = False):
        self.title = title if normalised else normalise(title)
        self.subtitle = subtitle
        self.numbers = tuple(_NUMBER.findall(self.title))
        abstract = abstract.rstrip()
        if abstract.endswith(("...", "…")):  # a truncated card
            abstract = abstract.rstrip(".…")
        self._abstract = abstract
        opening = abstract[:ABSTRACT_HEAD_CHARS]
        head = opening.lower().translate(_ASCII_TO_SPACE).split() if _plain(opening) else words(opening)
        if len(abstract) > ABSTRACT_HEAD_CHARS and head:
            head.pop()  # the cut may have split the last word
        self.abstract_head = head
        self._abstract_words: list[str] | None = None
        self._codes: str | None | bool = False  # False: not encoded yet

    def retitled(self, title: str) -> "Fingerprint":
        """The same abstract under another title (shares the normalised words)."""
        other = fingerprint(title, "")
        other._abstract, other.abstract_head = self._abstract, self.abstract_head
        other._abstract_words, other._codes = self._abstract_words, self._codes
        return other

    def opening_words(self, n: int) -> list[str]:
        """The first ``n`` words of the abstract, without normalising all of it.

        The basis of a paper's id, so always the same words for the same
        abstract, whatever was computed before (issue 12): whether braces are
        LaTeX is decided on the whole abstract, never on the span normalised.
        """
        latex = "\\" in self._abstract or "$" in self._abstract
        head = words(self._abstract[:n * 15], latex)  # no real abstract has 40 words of 15 letters
        if len(head) <= n and len(self._abstract) > n * 15:
            head = words(self._abstract, latex)
        return head[:n]

    @property
    def abstract_words(self) -> list[str]:
        if self._abstract_words is None:
            self._abstract_words = words(self._abstract[:ABSTRACT_COMPARE_CHARS])
            if len(self._abstract) > ABSTRACT_COMPARE_CHARS and self._abstract_words:
                self._abstract_words.pop()
        return self._abstract_words

    @property
    def abstract_codes(self) -> str | None:
        """``abstract_words`` one code point a word (None past a million distinct words)."""
        if self._codes is False:
            self._codes = _encode(self.abstract_words)
        return self._codes  # type: ignore[return-value]

    def keys(self) -> set[int]:
        keys = {_stable_key("t", self.title)}
        # A typo past a word's third letter keeps this one: "effficient code" / "efficient code".
        title_words = self.title.split()
        if len(title_words) >= 3:
            keys.add(_stable_key("t3", " ".join([w[:3] for w in title_words])))
        # The subtitle survives a renamed method: "MantisScore: X" / "VideoScore: X".
        if self.subtitle.count(" ") >= 2:
            keys.add(_stable_key("s", self.subtitle))
        # The opening words: a card cut inside the first sentence keeps them.
        if len(self.abstract_head) >= ABSTRACT_WINDOW:
            keys.add(_stable_key("a0", " ".join(self.abstract_head[:ABSTRACT_WINDOW])))
        # Opening words of each early sentence, wherever it stands: survives a
        # sentence or a project URL put in front, and a revised first sentence.
        for opening in self._sentence_openings():
            if len(opening) == SENTENCE_KEY_WORDS:
                keys.add(_stable_key("p", " ".join(opening)))
        return keys

    def _sentence_openings(self) -> list[list[str]]:
        text = self._abstract[:ABSTRACT_SENTENCE_CHARS]
        if not _plain(text):
            sentences = _SENTENCE_END.split(text, ABSTRACT_SENTENCES)
            return [words(sentence[:SENTENCE_KEY_CHARS])[:SENTENCE_KEY_WORDS]
                    for sentence in sentences[:ABSTRACT_SENTENCES]]
        # One lowered, translated copy; each sentence's words are a slice of it
        # (the same spans ``_SENTENCE_END.split`` would cut).
        lowered = text.lower().translate(_ASCII_TO_SPACE)
        openings = []
        start = 0
        for cut in _SENTENCE_CUT.finditer(text):
            end = min(cut.start(1), start + SENTENCE_KEY_CHARS)
            openings.append(lowered[start:end].split(None, SENTENCE_KEY_WORDS)[:SENTENCE_KEY_WORDS])
            if len(openings) == ABSTRACT_SENTENCES:
                return openings
            start = cut.end()
        openings.append(lowered[start:start + SENTENCE_KEY_CHARS].split(None, SENTENCE_KEY_WORDS)[:SENTENCE_KEY_WORDS])
        return openings


def fingerprint(title: str, abstract: str) -> Fingerprint:
    if _plain(title):  # one pass for the title and its subtitle
        lowered = title.lower().translate(_ASCII_TO_SPACE)
        colon = title.find(":")
        subtitle = " ".join(lowered[colon + 1:].split()) if colon >= 0 else ""
        return Fingerprint(" ".join(lowered.split()), subtitle, abstract, normalised=True)
    _, colon, after = title.partition(":")
    return Fingerprint(title, normalise(after) if colon else "", abstract)


@dataclass(frozen=True, slots=True)
class AbstractMatch:
    """How two abstracts compare: whole against whole (``full``), and how much
    of the shorter one stands, in order, in the opening of the longer
    (``card``: a truncated card, maybe with a sentence or a URL put in
    before the cut)."""

    full: float
    card: float
    short_words: int


def abstract_similarity(a: list[str] | str, b: list[str] | str) -> AbstractMatch | None:
    """Word-level similarity (0-100); None when either side has no abstract.

    Takes word lists, or the same words one code point each
    (``Fingerprint.abstract_codes``): the same scores, about twice as fast.
    """
    if not a or not b:
        return None
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    full = Indel.normalized_similarity(a, b) * 100
    opening = long[:len(short) + max(CARD_SLACK_WORDS, len(short) // 3)]
    common = (len(short) + len(opening) - Indel.distance(short, opening)) / 2
    return AbstractMatch(full, common / len(short) * 100, len(short))


def _abstracts(a: "Fingerprint", b: "Fingerprint") -> AbstractMatch | None:
    codes_a, codes_b = a.abstract_codes, b.abstract_codes
    if codes_a is not None and codes_b is not None:
        return abstract_similarity(codes_a, codes_b)
    return abstract_similarity(a.abstract_words, b.abstract_words)


def _reworded(a: str, b: str) -> bool:
    """True when one normalised title has a word the other lacks, beyond
    typos and spacing ("Nemotron 3 Super" / "Nemotron 3 Ultra")."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return False
    words_a, words_b = set(a.split()), set(b.split())
    only_a, only_b = words_a - words_b, words_b - words_a
    return any(not any(fuzz.ratio(w, x) >= TYPO_WORD for x in others)
               for mine, others in ((only_a, only_b), (only_b, only_a)) for w in mine)


# Thresholds measured on the ~370 real look-alike pairs in shared/data (issue 3)
# and on the labelled corpus in tests/corpus.py. The title alone never decides;
# the abstract must agree, and the shorter a card is, the more the title must
# agree too: 20 opening words were shared by different papers of one family
# ("ReSurgSAM2" / "Surgical SAM 2": 95 % contained), 25 never above 80 %.
SAME_TITLE = 96.0
SIMILAR_TITLE = 85.0
RELATED_ABSTRACT = 50.0  # different papers' abstracts overlap up to ~55
CLOSE_ABSTRACT = 75.0
NEAR_IDENTICAL_ABSTRACT = 88.0
CARD_CONTAINED = 85.0
CARD_NEAR_IDENTICAL = 90.0
CARD_WHOLE = 95.0  # look-alikes with titles >= 85 and equal numbers: at most 80 at 15 words
CARD_SLACK_WORDS = 5
LONG_CARD_WORDS = 25
MEDIUM_CARD_WORDS = 15
SHORT_CARD_WORDS = 3
TYPO_WORD = 75.0
# Even a near-identical abstract needs titles that share words: the real data
# holds two arXiv ids with one abstract and unrelated titles (OPV / Long-horizon).
RETITLED_TITLE_OVERLAP = 55.0


def best_match(fp: Fingerprint, variants: list[Fingerprint]) -> float | None:
    """The best score of ``fp`` against any fingerprint of one paper (one per title it was seen with)."""
    best = None
    for variant in variants:
        score = match_score(fp, variant)
        if score is not None and (best is None or score > best):
            best = score
    return best


def match_score(a: Fingerprint, b: Fingerprint) -> float | None:
    """How sure we are that two fingerprints are one paper; None means two papers."""
    if a.numbers != b.numbers:
        return None
    same_title = a.title == b.title
    if not same_title and fuzz.token_set_ratio(a.title, b.title) < RETITLED_TITLE_OVERLAP:
        return None
    title = 100.0 if same_title else fuzz.ratio(a.title, b.title)
    m = _abstracts(a, b)
    if m is None:
        return title if title >= SAME_TITLE and not _reworded(a.title, b.title) else None
    evidence = title + max(m.full, m.card)
    if m.full >= NEAR_IDENTICAL_ABSTRACT or (m.short_words >= LONG_CARD_WORDS and m.card >= CARD_NEAR_IDENTICAL):
        return evidence  # retitled, or a typo fixed: the abstract says it all
    if same_title:
        same = (m.full >= RELATED_ABSTRACT or (m.short_words >= MEDIUM_CARD_WORDS and m.card >= CLOSE_ABSTRACT - 5)
                or (m.short_words >= SHORT_CARD_WORDS and m.card >= CARD_CONTAINED - 5))
    elif _reworded(a.title, b.title):
        # A different word in the title ("Nano" / "Super") needs more than a related abstract.
        same = title >= SIMILAR_TITLE and (
            m.full >= CLOSE_ABSTRACT or (m.short_words >= MEDIUM_CARD_WORDS and m.card >= CARD_WHOLE))
    elif title >= SAME_TITLE:
        same = m.full >= RELATED_ABSTRACT or (m.short_words >= MEDIUM_CARD_WORDS and m.card >= CARD_CONTAINED)
    else:
        same = title >= SIMILAR_TITLE and (
            m.full >= CLOSE_ABSTRACT or (m.short_words >= MEDIUM_CARD_WORDS and m.card >= CARD_NEAR_IDENTICAL))
    return evidence if same else None


class BlockIndex:
    """Blocking key -> ids of the papers that carry it."""

    def __init__(self, by_key: dict[int, list[int]] | None = None) -> None:
        self._by_key: dict[int, list[int]] = by_key if by_key is not None else {}

    def add(self, item: int, keys: set[int]) -> list[int]:
        """File ``item`` under ``keys``; returns the keys it did not have yet."""
        added = []
        for key in keys:
            bucket = self._by_key.setdefault(key, [])
            if item not in bucket:
                bucket.append(item)
                added.append(key)
        return added

    def candidates(self, keys: set[int]) -> set[int]:
        found: set[int] = set()
        for key in keys:
            bucket = self._by_key.get(key, ())
            if len(bucket) <= MAX_PAPERS_PER_KEY:
                found.update(bucket)
        return found

    def followed(self) -> set[int]:
        """Every id in a bucket small enough to be followed."""
        return {i for bucket in self._by_key.values() if len(bucket) <= MAX_PAPERS_PER_KEY for i in bucket}


@dataclass(slots=True)
class _Paper:
    """A paper while clustering: its fullest fingerprint and every title seen."""

    fullest: Fingerprint
    titles: dict[str, Fingerprint]
    _variants: list[Fingerprint] | None = None

    def variants(self) -> list[Fingerprint]:
        if self._variants is None:  # kept until the paper changes
            self._variants = [self.fullest] + [self.fullest.retitled(t) for t in self.titles
                                               if t != self.fullest.title]
        return self._variants


def cluster(records: list[tuple[str, str]]) -> list[int]:
    """Group (title, abstract) records into papers, in order; returns for each
    record the index of the first record of its paper.

    The same decisions as an ingest makes against a library (each paper
    compared through its fullest abstract under every title it was seen
    with), without one: tests and the benchmark measure precision and recall
    with it. A record identical to an earlier one goes where that one went.
    """
    index = BlockIndex()
    papers: dict[int, _Paper] = {}  # first record -> paper
    owner: list[int] = []
    twins: dict[tuple[str, str], int] = {}
    for i, (title, abstract) in enumerate(records):
        best = twins.get((title, abstract))
        if best is not None:
            owner.append(best)
            continue
        fp = fingerprint(title, abstract)
        keys = fp.keys()
        best_score = -1.0
        for candidate in index.candidates(keys):
            score = best_match(fp, papers[candidate].variants())
            if score is not None and score > best_score:
                best, best_score = candidate, score
        if best is None:
            best = i
            papers[i] = _Paper(fp, {fp.title: fp})
        else:
            paper = papers[best]
            if fp.title not in paper.titles:
                paper.titles[fp.title] = fp
                paper._variants = None
            if len(fp._abstract) > len(paper.fullest._abstract):
                paper.fullest = fp
                paper._variants = None
        owner.append(best)
        twins[(title, abstract)] = best
        index.add(best, keys)
    return owner
