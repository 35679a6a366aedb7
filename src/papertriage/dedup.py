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

import gc
import html
import re
import unicodedata
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from rapidfuzz import fuzz

from . import choose
from rapidfuzz.distance import Indel
from rapidfuzz.process import extractOne

# Formatting commands whose argument is the text: \texttt{D}ual -> Dual.
_WRAPPERS = ("texttt", "textbf", "textit", "textrm", "textsf", "textsc", "textup", "textnormal", "emph", "mathbf",
             "mathrm", "mathit", "mathcal", "mathsf", "mathtt", "mathbb", "boldsymbol", "operatorname")
_SHORT_WRAPPERS = ("text", "bf", "it", "rm", "tt")  # also plain words: read only with their backslash
_LATEX_WRAPPERS = re.compile(r"\\(?:" + "|".join(_WRAPPERS + _SHORT_WRAPPERS) + r")\s*\{([^{}]*)\}")
# The same commands with the backslash lost in a copy-paste (`texttt{D}ual` in the
# real data): read as the text, so `texttt{O}vi` is `Ovi`, not `O` and a numeral `vi`.
_BARE_WRAPPERS = re.compile(r"\b(?:" + "|".join(_WRAPPERS) + r")\{([^{}]*)\}")
# What each of its matches contains: looked for first, since the regex, with no literal to
# skip ahead to, tries its alternatives at every character (30 us a LaTeX-bearing abstract).
_BARE_OPENINGS = tuple(w + "{" for w in _WRAPPERS)
_LATEX_SYMBOLS = {r"\cdot": " ", r"\times": " x ", r"\&": " and ", r"\%": "%", r"\_": "_", r"\ldots": " "}
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_WORD = re.compile(r"[^\W_]+")
_ASCII_TO_SPACE = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
# The same reduction of ASCII text (lower case, every other character a space) as one
# table over bytes: C speed, about 3x faster than ``str.translate`` (issue 16).
_ASCII_LOWER_BYTES = bytes((ord(chr(b).lower()) if chr(b).isalnum() else 32) if b < 128 else b for b in range(256))
_NUMBER = re.compile(r"\d+")
# Roman numerals that number sequels ("Part II"); not "i", "v", "x" (words and variables).
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"})
# Invisible characters a copy-paste leaves inside words (soft hyphen, zero-width space/joiners, BOM).
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # deleted: a regex, not a per-character table
# Characters outside ASCII that end a word and are their own case fold (quotes, dashes,
# bullets, arrows, math signs...): a space in their place changes no word, and what is
# left is often ASCII, reduced through the bytes table instead of the word regex (issue 16).
def _char_class(codes: list[int]) -> str:
    """A regex class of these code points (ascending), runs written as ranges: written as
    2,897 single characters, the class took ~4 ms to build in every ingest process (issue 16)."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in runs) + "]"


_UNICODE_BREAKS = re.compile(_char_class([
    code for code in [*range(0x80, 0x100), *range(0x2000, 0x2c00), *range(0x3000, 0x3040)]
    if not chr(code).isalnum() and chr(code) != "_" and chr(code).casefold() == chr(code)]) + "+")

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
# ASCII text reduced to classes, to find the same cuts with bytes.find: "." a sentence end,
# " " a space (as ``\s`` reads it), "a" anything else; offsets are the text's.
_ASCII_MARKS = bytes(46 if chr(b) in ".!?" else 32 if b < 128 and re.match(r"\s", chr(b)) else 97 for b in range(256))


def _strip_latex(text: str, latex: bool | None = None) -> str:
    # ``latex``: whether the whole text is LaTeX-bearing; None decides on this span alone.
    if latex is None:
        latex = "\\" in text or "$" in text
    if "{" in text and any(opening in text for opening in _BARE_OPENINGS):
        text = _BARE_WRAPPERS.sub(r"\1", text)
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
    return _words(text, latex, False)  # type: ignore[return-value]


def _words(text: str, latex: bool | None, as_bytes: bool) -> list[str] | list[bytes]:
    """``words``, or the same words UTF-8 encoded (``as_bytes``: no Python string a word)."""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        # Six searches for one character cost less than the regex's scan of every one (issue 16).
        if "\u00ad" in text or "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text \
                or "\ufeff" in text:
            text = _INVISIBLE.sub("", text)
        text = unicodedata.normalize("NFKC", text)
    text = _strip_latex(text, latex)
    if not text.isascii():
        text = _UNICODE_BREAKS.sub(" ", text)
    if text.isascii():  # the common case, about twice as fast as the regex
        lowered = _lowered(text)
        return lowered.split() if as_bytes else lowered.decode().split()
    found = _WORD.findall(text.casefold())
    # One encode of the joined words: a word has no space, so the split gives each back.
    return " ".join(found).encode().split(b" ") if as_bytes and found else found


def normalise(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces.

    >>> normalise("HyperZ$\\\\cdot$Z$\\\\cdot$W &amp; the “Best” — Model")
    'hyperz z w the best model'
    """
    return " ".join(words(text))


_KIND_CRC: dict[str, int] = {}


def _stable_key(kind: str, text: str | bytes) -> int:
    # A signed 32-bit int: fits SQLite's INTEGER and stays stable across runs
    # (Python's own hash() is salted per process). The CRC of "kind\x1ftext"
    # (``text`` as UTF-8), continued from the cached CRC of the prefix (same
    # value, no string built).
    start = _KIND_CRC.get(kind)
    if start is None:
        start = _KIND_CRC[kind] = zlib.crc32(f"{kind}\x1f".encode())
    value = zlib.crc32(text.encode() if isinstance(text, str) else text, start)
    return value - (1 << 32) if value >= (1 << 31) else value


# Each kind's CRC prefix (``_stable_key``), for the plain keys' inlined computation.
_CRC_T, _CRC_T3, _CRC_S, _CRC_A0, _CRC_P = (zlib.crc32(f"{kind}\x1f".encode()) for kind in ("t", "t3", "s", "a0", "p"))


def _plain(text: str) -> bool:
    """True when ``words`` reduces ``text`` character by character (ASCII, no
    entity, no LaTeX): then the words of any slice are the same slice of one
    lowered, translated copy, so one pass serves every key."""
    return text.isascii() and "&" not in text and "\\" not in text and "$" not in text and "{" not in text


def _lowered(text: str) -> bytes:
    """A plain (``_plain``) text as ``words`` reduces it, as ASCII bytes: letters
    and digits in lower case, every other character a space."""
    return text.encode().translate(_ASCII_LOWER_BYTES)


# Words as single code points, so rapidfuzz compares strings (C arrays) instead
# of lists of Python strings: 38 -> 21 us a comparison, the same scores, since
# the mapping is one-to-one. The surrogates' block is skipped; once every code
# point is taken (over a million distinct words), new fingerprints compare
# word lists, with the same scores.
class _Codes(dict):
    """word (UTF-8 bytes) -> one code point, handed out as words appear (the surrogates' block skipped)."""

    def __missing__(self, word: bytes) -> str:
        n = len(self)
        if n >= _MAX_CODES:
            raise OverflowError("every code point is taken")
        code = self[word] = chr(n if n < 0xD800 else n + 0x800)
        return code


_CODES = _Codes()
_MAX_CODES = 0x110000 - 0x800


def _encode(words: list[bytes]) -> str | None:
    try:
        return "".join(map(_CODES.__getitem__, words))
    except OverflowError:  # over a million distinct words: compare word lists
        return None


_TitleParts = tuple[list[str], set[str], str, str]  # words, set of them, initials, no spaces


_codes_kept: "OrderedDict[str, str | None]" = OrderedDict()


def _recent_codes(abstract: str) -> str | None:
    """The code points of an abstract's words (``Fingerprint.abstract_codes``), kept for the
    RECENT_FINGERPRINTS abstracts encoded last. They are a function of the abstract alone, and
    a fifth of a 100k ingest's encodings were of an abstract already encoded under another
    title or for a paper whose best title changed (issue 16)."""
    if abstract in _codes_kept:
        _codes_kept.move_to_end(abstract)
        return _codes_kept[abstract]
    # The same words as ``abstract_words``, as bytes, without a Python string each.
    found = _words(abstract[:ABSTRACT_COMPARE_CHARS], None, True)
    if len(abstract) > ABSTRACT_COMPARE_CHARS and found:
        found.pop()
    codes = _codes_kept[abstract] = _encode(found)  # type: ignore[arg-type]
    if len(_codes_kept) > RECENT_FINGERPRINTS:
        _codes_kept.popitem(last=False)
    return codes


class Fingerprint:
    """What dedup compares: normalised title, its numbers, abstract words.

    The full abstract is normalised only when a comparison needs it: most
    sightings of a large ingest meet no candidate at all.
    """

    __slots__ = ("title", "head", "subtitle", "numbers", "_abstract", "_abstract_words", "_codes", "_parts")

    def __init__(self, title: str, subtitle: str, abstract: str, method: str = "", *, normalised: bool = False):
        self.title = title if normalised else normalise(title)
        self.head = method  # the method name before a colon, normalised ("" without a colon)
        self.subtitle = subtitle
        self.numbers = _title_numbers(self.title)
        abstract = abstract.rstrip()
        if abstract.endswith(("...", "…")):  # a truncated card
            abstract = abstract.rstrip(".…")
        self._abstract = abstract
        self._abstract_words: list[str] | None = None
        self._codes: str | None | bool = False  # False: not encoded yet
        self._parts: _TitleParts | None = None

    def title_parts(self) -> "_TitleParts":
        """The title's words, their set, initials and the title without spaces, kept:
        a paper's title meets many candidates, each comparison needs them (issue 16)."""
        if self._parts is None:
            split = self.title.split()
            self._parts = (split, set(split), "".join([w[0] for w in split]), self.title.replace(" ", ""))
        return self._parts

    def retitled(self, title: str) -> "Fingerprint":
        """The same abstract under another title (shares the normalised words)."""
        other = fingerprint(title, "")
        other._abstract = self._abstract
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

    def content_key(self) -> int:
        """See ``content_key``: the normalised title and the abstract's opening words."""
        return _stable_key("c", self.title + "\n" + " ".join(self.opening_words(40)))

    @property
    def abstract_codes(self) -> str | None:
        """``abstract_words`` one code point a word (None past a million distinct words)."""
        if self._codes is False:
            self._codes = _recent_codes(self._abstract)
        return self._codes  # type: ignore[return-value]

    def keys(self) -> set[int]:
        text = self._abstract[:ABSTRACT_SENTENCE_CHARS]
        return self._plain_keys(text) if _plain(text) else self._keys(text)

    def _keys(self, text: str) -> set[int]:
        """``keys`` of any text (``text``: the abstract's first ABSTRACT_SENTENCE_CHARS)."""
        keys = {_stable_key("t", self.title)}
        # A typo past a word's third letter keeps this one: "effficient code" / "efficient code".
        title_words = self.title.split()
        if len(title_words) >= 3:
            keys.add(_stable_key("t3", " ".join([w[:3] for w in title_words])))
        # The subtitle survives a renamed method: "MantisScore: X" / "VideoScore: X".
        if self.subtitle.count(" ") >= 2:
            keys.add(_stable_key("s", self.subtitle))
        # The opening words: a card cut inside the first sentence keeps them.
        head = words(self._abstract[:ABSTRACT_HEAD_CHARS])
        if len(self._abstract) > ABSTRACT_HEAD_CHARS and head:
            head.pop()  # the cut may have split the last word
        if len(head) >= ABSTRACT_WINDOW:
            keys.add(_stable_key("a0", " ".join(head[:ABSTRACT_WINDOW])))
        # Opening words of each early sentence, wherever it stands: survives a
        # sentence or a project URL put in front, and a revised first sentence.
        for sentence in _first_sentences(text):
            opening_words = words(sentence[:SENTENCE_KEY_CHARS])[:SENTENCE_KEY_WORDS]
            if len(opening_words) == SENTENCE_KEY_WORDS:
                keys.add(_stable_key("p", " ".join(opening_words)))
        return keys

    def _plain_keys(self, text: str) -> set[int]:
        """``_keys`` of a plain text (``_plain``): the same keys (tested), each CRC
        continued from its kind's, every span a slice of one lowered copy (bytes),
        sentence cuts found with bytes.find, no function call a key (issue 16: about
        30 us a sighting before, most of it the sentence regex scanning the text)."""
        crc32 = zlib.crc32
        title = self.title
        value = crc32(title.encode(), _CRC_T)
        keys = {value - 4294967296 if value >= 2147483648 else value}
        title_words = title.split()
        if len(title_words) >= 3:
            value = crc32(" ".join([w[:3] for w in title_words]).encode(), _CRC_T3)
            keys.add(value - 4294967296 if value >= 2147483648 else value)
        subtitle = self.subtitle
        if subtitle.count(" ") >= 2:
            value = crc32(subtitle.encode(), _CRC_S)
            keys.add(value - 4294967296 if value >= 2147483648 else value)
        raw = text.encode()
        lowered = raw.translate(_ASCII_LOWER_BYTES)
        # The window's words and what follows them; past the head's cut, one word more
        # is needed (``_keys`` drops the word the cut may have split).
        head = lowered[:ABSTRACT_HEAD_CHARS].split(None, ABSTRACT_WINDOW)
        if len(head) > ABSTRACT_WINDOW or (len(head) == ABSTRACT_WINDOW and len(self._abstract) <= ABSTRACT_HEAD_CHARS):
            value = crc32(b" ".join(head[:ABSTRACT_WINDOW]), _CRC_A0)
            keys.add(value - 4294967296 if value >= 2147483648 else value)
        # Sentence cuts (``_SENTENCE_END``: spaces after a sentence end) found with
        # bytes.find in a copy where each character is its class.
        marks = raw.translate(_ASCII_MARKS)
        start = sentences = 0
        end = marks.find(b". ")
        while end >= 0:
            opening = lowered[start:min(end + 1, start + SENTENCE_KEY_CHARS)].split(None, SENTENCE_KEY_WORDS)
            if len(opening) >= SENTENCE_KEY_WORDS:
                value = crc32(b" ".join(opening[:SENTENCE_KEY_WORDS]), _CRC_P)
                keys.add(value - 4294967296 if value >= 2147483648 else value)
            sentences += 1
            if sentences == ABSTRACT_SENTENCES:
                return keys
            start = end + 2
            while marks[start:start + 1] == b" ":
                start += 1
            end = marks.find(b". ", start)
        opening = lowered[start:start + SENTENCE_KEY_CHARS].split(None, SENTENCE_KEY_WORDS)
        if len(opening) >= SENTENCE_KEY_WORDS:
            value = crc32(b" ".join(opening[:SENTENCE_KEY_WORDS]), _CRC_P)
            keys.add(value - 4294967296 if value >= 2147483648 else value)
        return keys


def _first_sentences(text: str) -> list[str]:
    """``_SENTENCE_END.split(text, ABSTRACT_SENTENCES)[:ABSTRACT_SENTENCES]``; in ASCII text the
    cuts are found with bytes.find in a copy reduced to character classes (``_ASCII_MARKS``),
    a fifth of the regex's time (issue 16)."""
    if not text.isascii():
        return _SENTENCE_END.split(text, ABSTRACT_SENTENCES)[:ABSTRACT_SENTENCES]
    marks = text.encode().translate(_ASCII_MARKS)
    sentences = []
    start = 0
    end = marks.find(b". ")
    while end >= 0:
        sentences.append(text[start:end + 1])
        if len(sentences) == ABSTRACT_SENTENCES:
            return sentences
        start = end + 2
        while marks[start:start + 1] == b" ":
            start += 1
        end = marks.find(b". ", start)
    sentences.append(text[start:])
    return sentences


def fingerprint(title: str, abstract: str) -> Fingerprint:
    if _plain(title):  # one pass for the title, its method name and its subtitle
        lowered = _lowered(title).decode()
        colon = title.find(":")
        subtitle = " ".join(lowered[colon + 1:].split()) if colon >= 0 else ""
        method = " ".join(lowered[:colon].split()) if colon >= 0 else ""
        return Fingerprint(" ".join(lowered.split()), subtitle, abstract, method, normalised=True)
    before, separator, after = title.partition(":")
    return Fingerprint(title, normalise(after) if separator else "", abstract, normalise(before) if separator else "")


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
    opening_words = len(short) + max(CARD_SLACK_WORDS, len(short) // 3)
    if len(long) <= opening_words:
        # The opening is the whole abstract: one distance gives both scores, the
        # same floats as Indel.normalized_similarity computes (1 - dist / (len1 + len2)).
        dist = Indel.distance(short, long)
        full = (1.0 - dist / (len(short) + len(long))) * 100
        common = (len(short) + len(long) - dist) / 2
        return AbstractMatch(full, common / len(short) * 100, len(short))
    full = Indel.normalized_similarity(a, b) * 100
    opening = long[:opening_words]
    common = (len(short) + len(opening) - Indel.distance(short, opening)) / 2
    return AbstractMatch(full, common / len(short) * 100, len(short))


def _abstracts(a: "Fingerprint", b: "Fingerprint") -> AbstractMatch | None:
    # Abstracts compare one code point a word (the same scores, issue 16): encoding
    # from the lowered bytes costs less than building the word list would.
    codes_a, codes_b = a.abstract_codes, b.abstract_codes
    if codes_a is not None and codes_b is not None:
        return abstract_similarity(codes_a, codes_b)
    return abstract_similarity(a.abstract_words, b.abstract_words)


# -- rules and thresholds: all of them here, each with its reason -------------
#
# Measured on the ~370 real look-alike pairs in shared/data (issue 3) and on
# the labelled corpus in tests/corpus.py (issue 11 added the harder kinds).
# The title alone never decides; the abstract must agree, and the shorter a
# card is, the more the title must agree too. Every threshold can be set in
# the config file (``dedup:`` mapping, see config.py); ``THRESHOLD_REASONS``
# says why each has its default.


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers the rules compare against (similarities are 0-100)."""

    same_title: float = 96.0
    similar_title: float = 85.0
    related_abstract: float = 50.0
    close_abstract: float = 75.0
    near_identical_abstract: float = 88.0
    card_contained: float = 85.0
    card_near_identical: float = 90.0
    card_whole: float = 95.0
    long_card_words: int = 25
    medium_card_words: int = 15
    short_card_words: int = 3
    typo_word: float = 75.0
    retitled_title_overlap: float = 55.0
    near_miss: float = 120.0

    @classmethod
    def from_mapping(cls, values: dict[str, object], source: str = "config") -> "Thresholds":
        """Defaults overridden by ``values`` (names as in THRESHOLD_REASONS); ValueError names a bad one."""
        known = {f: type(getattr(DEFAULT_THRESHOLDS, f)) for f in THRESHOLD_REASONS}
        changes: dict[str, float | int] = {}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"{source}: unknown dedup threshold {name!r}; known: {', '.join(known)}")
            try:
                number = known[name](value)
            except (TypeError, ValueError):
                raise ValueError(f"{source}: dedup threshold {name} wants a number, not {value!r}") from None
            top = 200 if known[name] is float else 100_000  # similarities (and their sums) / word counts
            if isinstance(value, bool) or not 0 <= number <= top:
                raise ValueError(f"{source}: dedup threshold {name} wants a number from 0 to {top}, not {value!r}")
            changes[name] = number
        return cls(**changes)  # type: ignore[arg-type]


THRESHOLD_REASONS: dict[str, str] = {
    "same_title": "normalised titles at least this alike differ only by typos or spacing",
    "similar_title": "look-alike titles of different papers (Qwen2/Qwen3) start at about 80",
    "related_abstract": "different papers' abstracts overlap up to ~55 %; one title over a related abstract is one paper",
    "close_abstract": "a reworded title needs an abstract at least this alike (revised sentences stay above it)",
    "near_identical_abstract": "an abstract this alike is the same paper even under a new title",
    "card_contained": "share of a truncated card found in the opening of the other abstract, same title",
    "card_near_identical": "a card this contained decides with a typo-level title change",
    "card_whole": "a reworded title with a medium card needs the card almost whole",
    "long_card_words": "20 opening words were shared by different papers of one family; 25 never above 80 %",
    "medium_card_words": "below this a card decides only with the same title",
    "short_card_words": "below this a card says nothing",
    "typo_word": "a title word at least this alike to one of the other title's words is a typo, not a new word",
    "retitled_title_overlap": "one abstract under unrelated titles exists (OPV / Long-horizon): titles must share words",
    "near_miss": "pairs kept apart with title + abstract similarity above this are listed by `dupes --near` "
                 "(every missed join of the labelled corpora scored 136 or more; at 110 the list was mostly noise); "
                 "pairs with the same title are always listed",
}

CARD_SLACK_WORDS = 5  # words a card may carry before the cut that the abstract lacks (a URL, a note)


@dataclass(frozen=True, slots=True)
class Rule:
    """One way two sightings are judged: joined (``joins``) or kept apart."""

    code: str  # stored with each sighting; short and stable
    joins: bool
    name: str
    why: str  # one line: the reason the rule is safe


_RULE_LIST = (
    Rule("new", True, "first sighting", "no paper in the library was close enough: a paper of its own"),
    Rule("user", True, "your decision", "merged or split by hand; later ingests follow it"),
    Rule("same", True, "same text", "the same title and abstract"),
    Rule("title", True, "same title", "one title over a related abstract: a revised version of one paper"),
    Rule("card", True, "same title, card", "one title over a truncated card of the abstract"),
    Rule("abbrev", True, "abbreviation", "titles equal once an abbreviation is spelled out (LLMs / Large Language Models)"),
    Rule("typo", True, "title typo", "titles equal but for typos, case or spacing, over a related abstract"),
    Rule("retitled", True, "retitled", "a near-identical abstract under a new title that shares words"),
    Rule("renamed", True, "renamed method", "the method name changed, subtitle and abstract kept"),
    Rule("subtitle", True, "title part kept", "the method name (or the subtitle) kept, the other part rewritten or added, abstract kept"),
    Rule("similar", True, "similar title", "a similar title over a close abstract"),
    Rule("title-only", True, "same title, no abstract", "one side has no abstract; the titles are the same"),
    Rule("number", False, "a number differs", "titles whose numbers differ are sequels or versions (Qwen2 / Qwen3)"),
    Rule("unrelated", False, "abstracts unrelated", "a similar title over an unrelated abstract is another paper"),
    Rule("short-card", False, "card too short", "the card is too short to tell papers of one family apart"),
    Rule("reworded", False, "a title word differs", "a new word in the title (Nano / Super) needs a close abstract"),
    Rule("few-words", False, "titles share too few words", "one abstract under unrelated titles (OPV / Long-horizon)"),
    Rule("no-abstract", False, "no abstract, titles differ", "without an abstract only the same title decides"),
)
RULES: dict[str, Rule] = {r.code: r for r in _RULE_LIST}


@dataclass(slots=True)
class Decision:
    """Why two fingerprints are one paper or two: the rule and its scores.

    ``title``: title similarity; ``abstract``: whole-abstract similarity;
    ``card``: how much of the shorter abstract stands in the other's opening,
    over ``words`` words (None without an abstract on one side).
    """

    rule: str
    title: float
    abstract: float | None = None
    card: float | None = None
    words: int = 0
    detail: str = ""  # the words that differ, for a rule that needs them

    @property
    def same(self) -> bool:
        return RULES[self.rule].joins

    @property
    def score(self) -> float:
        """Evidence for ranking candidates: title + the better abstract measure."""
        return self.title + max(self.abstract or 0.0, self.card or 0.0)

    def encode(self) -> str:
        """Compact form stored with a sighting: ``title abstract card words [detail]``."""
        text = f"{self.title:.0f} {_num(self.abstract)} {_num(self.card)} {self.words}"
        return f"{text} {self.detail}" if self.detail else text

    @classmethod
    def decode(cls, rule: str, scores: str | None) -> "Decision":
        if not scores:
            return cls(rule, 0.0)
        parts = scores.split(" ", 4)
        title, abstract, card, words = (parts + ["-", "-", "-", "0"])[:4]
        return cls(rule, float(title), None if abstract == "-" else float(abstract),
                   None if card == "-" else float(card), int(words), parts[4] if len(parts) > 4 else "")

    def explain(self) -> str:
        """In plain words: "same title, abstract 97 % alike"."""
        return explain(self)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def explain(d: Decision) -> str:
    a = f"abstract {d.abstract:.0f} % alike" if d.abstract is not None else "no abstract"
    if d.abstract is not None and d.abstract >= 99.5:
        a = "abstract identical"
    card = f"a {d.words}-word card, {d.card:.0f} % found in the other abstract" if d.card is not None else a
    is_card = d.card is not None and d.abstract is not None and d.card > d.abstract + 5
    evidence = card if is_card else a
    t = f"titles {d.title:.0f} % alike"
    phrases = {
        "new": "first sighting: no known paper close enough",
        "user": "placed by your decision (merge or split)",
        "same": "same title and abstract",
        "title": f"same title, {a}",
        "card": f"same title, {card}",
        "abbrev": f"same title with an abbreviation spelled out ({d.detail}), {evidence}",
        "typo": f"title differs only by typos or case ({t}), {evidence}",
        "retitled": f"retitled ({t}): {evidence}",
        "renamed": f"renamed method ({d.detail}): {evidence}, subtitle kept",
        "subtitle": f"one part of the title kept, the other rewritten or added: {evidence}",
        "similar": f"similar title ({t}), {evidence}",
        "title-only": "same title; no abstract to compare",
        "number": f"a number differs in the title ({d.detail})" + (f"; {evidence}" if d.abstract is not None else ""),
        "unrelated": f"abstracts unrelated ({evidence}), {t}",
        "short-card": f"the card is too short to decide ({d.words} words), {t}",
        "reworded": f"a title word differs ({d.detail}), {evidence}",
        "few-words": f"titles share too few words ({t}) though {evidence}",
        "no-abstract": f"no abstract to compare and the titles differ ({t})",
    }
    return phrases.get(d.rule, f"{d.rule} ({t}, {evidence})")


DEFAULT_THRESHOLDS = Thresholds()


def _only_words(a: str, b: str, t: Thresholds, sets: tuple[set[str], set[str]] | None = None
                ) -> tuple[list[str], list[str]]:
    """Words of each title with no look-alike (typo-tolerant) in the other
    (``sets``: the titles' sets of words, when known)."""
    words_a, words_b = sets if sets is not None else (set(a.split()), set(b.split()))
    only_a, only_b = sorted(words_a - words_b), sorted(words_b - words_a)
    # extractOne with a cut-off is "any(fuzz.ratio(w, x) >= cut-off)" in one C call: 4x faster (issue 16).
    return ([w for w in only_a if extractOne(w, only_b, scorer=fuzz.ratio, score_cutoff=t.typo_word) is None],
            [w for w in only_b if extractOne(w, only_a, scorer=fuzz.ratio, score_cutoff=t.typo_word) is None])


def _reworded(a: str, b: str, t: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """True when one normalised title has a word the other lacks, beyond
    typos and spacing ("Nemotron 3 Super" / "Nemotron 3 Ultra")."""
    if a.replace(" ", "") == b.replace(" ", ""):
        return False
    only_a, only_b = _only_words(a, b, t)
    return bool(only_a or only_b)


def _spell_out(short: list[str], long: list[str], have: set[str] | None = None,
               initials: str | None = None) -> tuple[list[str], str] | None:
    """``long`` with a run of words replaced by the abbreviation of them that
    ``short`` uses ("large language models" -> "llms"), or None.

    >>> _spell_out("llms are few shot learners".split(), "large language models are few shot learners".split())
    (['llms', 'are', 'few', 'shot', 'learners'], 'llms = large language models')
    """
    if have is None:
        have = set(long)
    if initials is None:
        initials = "".join([x[0] for x in long])  # one letter a word: a run's initials are a slice
    for w in short:
        if w in have or not w.isalpha() or not 2 <= len(w) <= 8:
            continue
        stem = w[:-1] if w.endswith("s") and len(w) > 2 else w
        n = len(stem)
        i = initials.find(stem)
        while i >= 0:
            run = long[i:i + n]
            if stem == w or run[-1].endswith("s"):
                return long[:i] + [w] + long[i + n:], f"{w} = {' '.join(run)}"
            i = initials.find(stem, i + 1)
    return None


def _align_abbreviation(a: str | _TitleParts, b: str | _TitleParts) -> tuple[str, str, str] | None:
    """The two titles (or their ``Fingerprint.title_parts``) with an abbreviation aligned, and what was aligned."""
    pa = a if isinstance(a, tuple) else _parts_of(a)
    pb = b if isinstance(b, tuple) else _parts_of(b)
    for (short, _, _, _), (long, have, initials, _), swap in ((pa, pb, False), (pb, pa, True)):
        done = _spell_out(short, long, have, initials)
        if done is not None:
            long_new, what = done
            x, y = " ".join(short), " ".join(long_new)
            return (y, x, what) if swap else (x, y, what)
    return None


def _parts_of(title: str) -> _TitleParts:
    split = title.split()
    return split, set(split), "".join([w[0] for w in split]), title.replace(" ", "")


def _title_numbers(text: str) -> tuple[str, ...]:
    split = text.split()
    # Letters only (no Unicode digit is a letter): no number to look for, most titles (issue 16).
    numbers = () if "".join(split).isalpha() else tuple(_NUMBER.findall(text))
    if _ROMAN.isdisjoint(split):  # the common case, in one C call
        return numbers
    return numbers + tuple(w for w in split if w in _ROMAN)


def _numbers_only_in_subtitle(a: Fingerprint, b: Fingerprint) -> bool:
    """True when the method name is kept (the same part before the colon, or
    one title is the other's part before it) and carries the same numbers:
    the numbers that differ stand in a subtitle rewritten or added."""
    if a.head and (a.head == b.head or a.head == b.title):
        return _title_numbers(a.head) == _title_numbers(b.head or b.title)
    if b.head and b.head == a.title:
        return _title_numbers(b.head) == _title_numbers(a.title)
    return False


def decide(a: Fingerprint, b: Fingerprint, t: Thresholds = DEFAULT_THRESHOLDS, unrecorded: bool = False) -> Decision:
    """Are two fingerprints one paper? The rule that says so (or not), with its scores.

    ``unrecorded``: for a caller that keeps a decision only when it joins or is recorded as
    a near miss (``Matcher.judge``): a pair that no rule can join and that is not close is
    then called "unrelated" with its scores, without comparing the titles' words."""
    ta, tb = a.title, b.title
    if a.numbers != b.numbers and not _numbers_only_in_subtitle(a, b):
        title = fuzz.ratio(ta, tb)
        sides = sorted((" ".join(a.numbers) or "none", " ".join(b.numbers) or "none"))
        d = Decision("number", title, detail=f"{sides[0]} vs {sides[1]}")
        if title >= t.similar_title:  # worth its abstract score: a near-miss to list
            m = _abstracts(a, b)
            if m is not None:
                d.abstract, d.card, d.words = m.full, m.card, m.short_words
        return d
    abbreviation = ""
    pa, pb = a.title_parts(), b.title_parts()
    # Spelling out puts one word for a run of two or more: titles of as many words never come out equal.
    if ta != tb and pa[3] != pb[3] and len(pa[0]) != len(pb[0]):
        aligned = _align_abbreviation(pa, pb)
        if aligned is not None and aligned[0] == aligned[1]:
            ta, tb, abbreviation = aligned
    same_title = ta == tb
    title = 100.0 if same_title else fuzz.ratio(ta, tb)
    m = _abstracts(a, b)
    if m is None:
        if title >= t.same_title and not _reworded(ta, tb, t):
            return Decision("title-only", title)
        return Decision("no-abstract", title)
    d = Decision("", title, m.full, m.card, m.short_words)
    identical = m.full >= t.near_identical_abstract
    long_card = m.short_words >= t.long_card_words and m.card >= t.card_near_identical
    medium = m.short_words >= t.medium_card_words

    if same_title:
        if abbreviation:
            d.detail = abbreviation
        if m.full >= t.related_abstract:
            d.rule = "abbrev" if abbreviation else "same" if m.full >= 99.5 and a.title == b.title else "title"
        elif (medium and m.card >= t.close_abstract - 5) or (
                m.short_words >= t.short_card_words and m.card >= t.card_contained - 5):
            d.rule = "abbrev" if abbreviation else "card"
        else:
            d.rule = "unrelated" if medium or m.card < t.card_contained - 5 else "short-card"
        return d

    # Every join below needs a similar title, a near-identical abstract or a near-identical card,
    # and a pair kept apart is recorded only from near_miss or the same title on (issue 16: two
    # thirds of the word comparisons below were of such pairs, all of them dropped).
    if (unrecorded and title < t.similar_title and title < t.same_title and m.full < t.near_identical_abstract
            and m.card < t.card_near_identical and d.score < t.near_miss):
        d.rule = "unrelated"
        return d
    # Here ta, tb are the fingerprints' own titles (an aligned abbreviation made them equal, above).
    only_a, only_b = _only_words(ta, tb, t, (pa[1], pb[1]))
    reworded = bool(only_a or only_b) and pa[3] != pb[3]
    # The method name (before the colon) and the subtitle (after it).
    # A renamed method: another first word before the colon ("MantisScore" / "VideoScore");
    # a family keeps it and changes a tier or a number ("Nemotron 3 Nano" / "Nemotron 3 Super").
    renamed = bool(a.subtitle and a.subtitle == b.subtitle and a.subtitle.count(" ") >= 2
                   and a.head and b.head and a.head.split()[0] != b.head.split()[0])
    # One part of the title kept, the other rewritten or added: "OLMoTrace: X" / "OLMoTrace: Y",
    # "OLMoTrace" / "OLMoTrace: X", "Kolmogorov-Arnold Transformer" / "KAT: Kolmogorov-Arnold Transformer".
    kept_name = bool(a.head and len(a.head) >= 3 and (a.head == b.head or a.head == tb)) or bool(
        b.head and len(b.head) >= 3 and b.head == ta) or bool(
        a.subtitle.count(" ") >= 1 and a.subtitle == tb) or bool(b.subtitle.count(" ") >= 1 and b.subtitle == ta)
    if renamed:
        d.detail = f"{a.head} / {b.head}"
        if identical or long_card or (medium and m.card >= t.card_near_identical):
            d.rule = "renamed"
            return d
    if kept_name and (identical or long_card):
        d.rule = "subtitle"
        return d
    if a.numbers != b.numbers:  # numbers differ in a subtitle: only a kept name and abstract join
        d.rule, d.detail = "number", " vs ".join(sorted((" ".join(a.numbers) or "none", " ".join(b.numbers) or "none")))
        return d
    if identical and fuzz.token_set_ratio(ta, tb) >= t.retitled_title_overlap:
        d.rule = "retitled" if reworded else "typo"
        return d
    if not reworded:
        if long_card or (title >= t.same_title and (
                m.full >= t.related_abstract or (medium and m.card >= t.card_contained))):
            d.rule = "typo"
        elif title >= t.similar_title and (m.full >= t.close_abstract or (medium and m.card >= t.card_near_identical)):
            d.rule = "similar"
        else:
            d.rule = "unrelated" if medium or m.full < t.related_abstract else "short-card"
        return d
    d.detail = " ".join(only_a) + " / " + " ".join(only_b)
    if identical:
        d.rule = "few-words"
    elif title >= t.similar_title and (m.full >= t.close_abstract or (medium and m.card >= t.card_whole)):
        d.rule = "similar"
    else:
        d.rule = "reworded" if title >= t.similar_title else "unrelated"
    return d


def match_score(a: Fingerprint, b: Fingerprint, t: Thresholds = DEFAULT_THRESHOLDS) -> float | None:
    """How sure we are that two fingerprints are one paper; None means two papers."""
    d = decide(a, b, t)
    return d.score if d.same else None


def best_decision(fp: Fingerprint, variants: list[Fingerprint],
                  t: Thresholds = DEFAULT_THRESHOLDS, unrecorded: bool = False) -> Decision:
    """The best decision of ``fp`` against any fingerprint of one paper (one
    per title it was seen with): the best joining one, else the closest apart
    (``unrecorded`` as for ``decide``: the choice depends only on joining and the score)."""
    best: Decision | None = None
    for variant in variants:
        d = decide(fp, variant, t, unrecorded)
        if best is None or (d.same, d.score) > (best.same, best.score):
            best = d
    assert best is not None
    return best


def best_match(fp: Fingerprint, variants: list[Fingerprint], t: Thresholds = DEFAULT_THRESHOLDS) -> float | None:
    """The best score of ``fp`` against any fingerprint of one paper; None when none joins."""
    d = best_decision(fp, variants, t)
    return d.score if d.same else None


def content_key(title: str, abstract: str) -> int:
    """A sighting's text as a stable 32-bit key: what a user's merge or split
    decision pins, so the same sighting in a later dump follows it."""
    return fingerprint(title, abstract).content_key()


class BlockIndex:
    """Blocking key -> ids of the papers that carry it."""

    def __init__(self, by_key: dict[int, list[int]] | None = None) -> None:
        self._by_key: dict[int, list[int]] = by_key if by_key is not None else {}

    def add(self, item: int, keys: set[int]) -> list[int]:
        """File ``item`` under ``keys``; returns the keys it did not have yet."""
        return self.add_found(item, keys, list(map(self._by_key.get, keys)))

    def candidates(self, keys: set[int]) -> set[int]:
        return self.lookup(keys)[0]

    def lookup(self, keys: set[int]) -> tuple[set[int], list[list[int] | None]]:
        """``candidates(keys)``, and each key's bucket in the keys' order (None: a key not
        filed yet) for ``add_found``: a record's keys are looked up once, not twice (issue 16)."""
        found: set[int] = set()
        buckets = list(map(self._by_key.get, keys))
        for bucket in buckets:
            if bucket is not None and len(bucket) <= MAX_PAPERS_PER_KEY:
                found.update(bucket)
        return found, buckets

    def add_found(self, item: int, keys: set[int], buckets: list[list[int] | None]) -> list[int]:
        """``add(item, keys)``, given the buckets ``lookup(keys)`` returned (nothing filed since)."""
        added = []
        by_key = self._by_key
        for key, bucket in zip(keys, buckets):
            if bucket is None:  # most keys of a new paper: no empty list made and searched
                by_key[key] = [item]
                added.append(key)
            elif item not in bucket:
                bucket.append(item)
                added.append(key)
        return added

    def followed(self) -> set[int]:
        """Every id in a bucket small enough to be followed."""
        return {i for bucket in self._by_key.values() if len(bucket) <= MAX_PAPERS_PER_KEY for i in bucket}


RECENT_FINGERPRINTS = 20_000
# An OrderedDict, not a dict: evicting a plain dict's first key scans the deleted
# slots before it, ~30 us an eviction once the cache is full (issue 16).
_recent: "OrderedDict[tuple[str, str], Fingerprint]" = OrderedDict()


def recent_fingerprint(title: str, abstract: str) -> Fingerprint:
    """``fingerprint(title, abstract)``, kept for the RECENT_FINGERPRINTS texts used
    last. A fingerprint is a function of the text alone, so a kept one is never
    stale; with it go its encoded abstract and title parts. An ingest loads the
    papers its blocking keys find afresh for every file, and a paper with common
    words is a candidate in many files (issue 16: a bulk ingest spent a third of
    its matching time fingerprinting and encoding the same papers again)."""
    fp = _recent.pop((title, abstract), None)
    return _remember(title, abstract, fp if fp is not None else fingerprint(title, abstract))


def _remember(title: str, abstract: str, fp: Fingerprint) -> Fingerprint:
    if len(_recent) >= RECENT_FINGERPRINTS:
        _recent.popitem(last=False)  # the one used longest ago
    _recent[(title, abstract)] = fp
    return fp


class PaperText:
    """What matching knows of one paper: its best title and abstract, and every
    title it was seen with. The best text is ``choose``'s (issue 12), and
    ingest stores the same."""

    __slots__ = ("title", "abstract", "titles", "_fp", "_variants")

    def __init__(self, title: str, abstract: str, titles: Iterable[str] = (), fp: Fingerprint | None = None):
        self.title = title
        self.abstract = abstract
        self.titles = {title, *titles}
        self._fp = fp
        self._variants: list[Fingerprint] | None = None

    def fingerprint(self) -> Fingerprint:
        if self._fp is None:
            self._fp = recent_fingerprint(self.title, self.abstract)
        return self._fp

    def variants(self) -> list[Fingerprint]:
        """The best abstract under each title the paper was seen with (kept until the paper changes),
        in a fixed order: of two variants that score the same, the recorded decision names the
        first, so it must not depend on set order (which changes with PYTHONHASHSEED)."""
        if self._variants is None:
            fp = self.fingerprint()
            self._variants = [fp] + [fp.retitled(t) for t in sorted(self.titles) if t != self.title]
        return self._variants

    def absorb(self, title: str, abstract: str) -> None:
        """Learn from one more record of this paper."""
        if title not in self.titles:
            self.titles.add(title)
            self._variants = None
        if choose.better_title(title, self.title):
            self.title, self._fp, self._variants = title, None, None
        if choose.better_abstract(abstract, self.abstract):
            self.abstract, self._fp, self._variants = abstract, None, None


@dataclass(slots=True)
class Placement:
    """Where the matching loop put one record, and why."""

    handle: int  # the paper it went to
    new: bool  # True: it starts that paper
    new_keys: list[int]  # its blocking keys the index did not have yet
    decision: Decision | None = None  # the rule that joined it (None: a new paper)
    apart: list[tuple[int, Decision]] = field(default_factory=list)  # papers kept apart that came close


class Matcher:
    """The matching loop: each record goes to the paper a user pinned its text
    to, else to the best joining paper among the candidates its blocking keys
    find, else starts a new paper.

    Ingest (against the papers a library holds), ``cluster`` (tests, the
    benchmark) and tag import all run this loop, so what the tests measure
    is what ingest does. A record byte-identical to an earlier one goes where
    that one went. ``thresholds`` come from the config (``dedup:``).
    """

    def __init__(self, index: BlockIndex | None = None, papers: dict[int, PaperText] | None = None,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, pins: dict[int, int] | None = None) -> None:
        self.index = index if index is not None else BlockIndex()
        self.papers: dict[int, PaperText] = papers if papers is not None else {}
        self.thresholds = thresholds
        self.pins = pins or {}  # content key -> paper, from a user's merge or split (issue 11)
        self._twins: dict[tuple[str, str], int] = {}

    def judge(self, fp: Fingerprint, keys: set[int]) -> tuple[int | None, Decision | None, list[tuple[int, Decision]]]:
        """(the best joining paper, its decision, the papers kept apart above the near-miss score)."""
        return self._judge(fp, self.index.candidates(keys))

    def _judge(self, fp: Fingerprint, candidates: set[int]
               ) -> tuple[int | None, Decision | None, list[tuple[int, Decision]]]:
        t = self.thresholds
        best: int | None = None
        best_d: Decision | None = None
        apart: list[tuple[int, Decision]] = []
        for candidate in candidates:
            d = best_decision(fp, self.papers[candidate].variants(), t, unrecorded=True)
            if d.same:
                if best_d is None or d.score > best_d.score:
                    best, best_d = candidate, d
            elif d.score >= t.near_miss or d.title >= t.same_title:
                apart.append((candidate, d))
        return best, best_d, apart

    def best(self, fp: Fingerprint, keys: set[int]) -> int | None:
        """The paper that ``fp`` matches best, or None."""
        return self.judge(fp, keys)[0]

    def place(self, title: str, abstract: str, new: int, fp: Fingerprint | None = None,
              keys: set[int] | None = None, content: int | None = None) -> Placement:
        """Place one record; a new paper gets the handle ``new``. ``content``: the
        record's content key (``Fingerprint.content_key``), to follow a pin."""
        twin = self._twins.get((title, abstract))
        if twin is not None:
            return Placement(twin, False, [], Decision("same", 100.0, 100.0 if abstract else None))
        if fp is None:
            fp = fingerprint(title, abstract)
        if keys is None:
            keys = fp.keys()
        pinned = self.pins.get(content) if content is not None else None
        best: int | None
        decision: Decision | None
        apart: list[tuple[int, Decision]]
        candidates, buckets = self.index.lookup(keys)
        if pinned is not None:
            best, decision, apart = pinned, Decision("user", 100.0), []
        else:
            best, decision, apart = self._judge(fp, candidates)
        if best is None:
            best = new
            self.papers[new] = PaperText(title, abstract, fp=_remember(title, abstract, fp))
        else:
            self.papers[best].absorb(title, abstract)
        self._twins[(title, abstract)] = best
        return Placement(best, best == new, self.index.add_found(best, keys, buckets), decision, apart)


def cluster(records: list[tuple[str, str]]) -> list[int]:
    """Group (title, abstract) records into papers, in order; returns for each
    record the index of the first record of its paper.

    The very loop an ingest runs against a library (``Matcher``), without
    one: tests and the benchmark measure precision and recall with it.
    """
    matcher = Matcher()
    with collector_paused():
        return [matcher.place(title, abstract, i).handle for i, (title, abstract) in enumerate(records)]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a matching loop, back as it was after.

    The loop allocates many small objects that live on (fingerprints, their title
    parts, the index's buckets), so the collector runs often and scans them
    again and again: a quarter of ``cluster``'s CPU time at 100k (issue 16). The
    loop makes no reference cycles; reference counting frees all it drops.

    After it, what the loop kept goes straight to the oldest generation (``freeze``
    then ``unfreeze``: two list splices), where the next full collection would put
    it anyway: re-enabled as is, the first young collection walked every object the
    loop had made, 0.7 s of ``cluster``'s 16.6 s at 100k (issue 16). Not done when
    the program froze objects of its own (``unfreeze`` would release them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
