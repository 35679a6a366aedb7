"""Words as the full-text index sees them.

The library's FTS5 table uses ``unicode61 remove_diacritics 2``: runs of
letters and digits, lower-cased, Latin diacritics folded (``naïve`` ->
``naive``); everything else separates words. ``fts_words`` reproduces that in
Python, closely enough for the vocabulary (typo correction) and for deciding
whether a query term holds any searchable word at all.

Pure functions, no I/O; the store and the query compiler both use them.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def _fold(char: str) -> str:
    # "é" -> "e", "ø" stays: only characters whose decomposition starts with
    # an ASCII letter are folded, as FTS5's remove_diacritics does for Latin.
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() and base.isalpha() else char


def fts_words(text: str) -> list[str]:
    """The words FTS5 would index for ``text``, in order.

    >>> fts_words("Kolmogorov-Arnold Networks (KAN), naïve GPT-2 & C++")
    ['kolmogorov', 'arnold', 'networks', 'kan', 'naive', 'gpt', '2', 'c']
    """
    text = text.lower()
    if not text.isascii():
        text = "".join(_fold(c) if not c.isascii() else c for c in text)
    return _WORD.findall(text)


def is_vocabulary_word(word: str) -> bool:
    """Words worth keeping for typo correction and similarity: letters only, 3+ long."""
    return len(word) >= 3 and word.isalpha()


def bucket(word: str) -> int:
    """Vocabulary bucket: first letter, length, second letter, packed so that

    - the words a typo most likely came from (same first two letters, similar
      length) are a few exact buckets, and
    - all words of one first letter and one length are one range
      (``bucket_range``), for typos in the second letter.
    """
    return bucket_of(word[0], len(word), word[1] if len(word) > 1 else "\0")


def bucket_of(first: str, length: int, second: str) -> int:
    return (ord(first) << 27) | (min(length, 63) << 21) | ord(second)


def bucket_range(first: str, length: int) -> tuple[int, int]:
    """The buckets of every word with this first letter and this length."""
    low = (ord(first) << 27) | (min(length, 63) << 21)
    return low, low | 0x1FFFFF


# -- compound names (issue 14) -------------------------------------------------
#
# A method name is written several ways: ``Mini-Omni2``, ``mini omni2``,
# ``miniomni2``, ``mini omni 2``; ``ToonComposer`` and ``toon composer``. The
# index holds, beside a title's own words, the parts of each compound word and
# every run of adjacent parts joined (``compound_forms``); the query side joins
# adjacent query words (``joined``). So any of the spellings meets any other.

# Parts of a word: capitalised runs, lower-case runs, capitals, digits.
# ``LLMs``/``VLMs`` are one part (a plural of capitals, not L+Ms).
_PART = re.compile(r"[A-Z]+s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\W\d_A-Za-z]+")
_TOKEN = re.compile(r"\S+")
MAX_PARTS = 6  # a longer run of parts (a formula, a URL) adds only its parts


def word_parts(token: str) -> list[str]:
    """A written word's parts, lower-cased: split at hyphens, dots and other
    punctuation, at camel case and between letters and digits.

    >>> word_parts("Mini-Omni2"), word_parts("ToonComposer"), word_parts("OLMoTrace")
    (['mini', 'omni', '2'], ['toon', 'composer'], ['ol', 'mo', 'trace'])
    >>> word_parts("LLMs"), word_parts("GPT-4o")
    (['llms'], ['gpt', '4', 'o'])
    """
    parts: list[str] = []
    for piece in fts_words(token) if not token.isascii() else re.findall(r"[A-Za-z0-9]+", token):
        found = _PART.findall(piece)
        parts.extend(p.lower() for p in (found if "".join(found) == piece else [piece]))
    return parts


def compound_forms(title: str) -> list[str]:
    """The extra words the search index holds for a title: for each written
    word made of several parts, the parts and every run of adjacent parts
    joined, leaving out the words the title already has.

    >>> compound_forms("Mini-Omni2: Towards GPT-4o")
    ['miniomni', 'miniomni2', 'gpt4', 'gpt4o', 'omni', '2', '4', 'o']
    >>> compound_forms("ToonComposer: Streamlining Cartoon Production")
    ['toon', 'composer']
    """
    joined: list[str] = []
    single: list[str] = []
    seen: set[str] = set(fts_words(title))
    for token in _TOKEN.findall(title):
        parts = word_parts(token)
        if len(parts) < 2:
            continue
        if len(parts) <= MAX_PARTS:
            for size in range(2, len(parts) + 1):
                for start in range(len(parts) - size + 1):
                    form = "".join(parts[start:start + size])
                    if form not in seen:
                        seen.add(form)
                        joined.append(form)
        for part in parts:
            if part not in seen:
                seen.add(part)
                single.append(part)
    return joined + single
