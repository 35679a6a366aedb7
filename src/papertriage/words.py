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
