"""Papers' learned-ranking features in bulk: word 1-2-grams with counts, hashed, for a chunk at a time (issue 13).

The terms are those of ``interest.terms`` (every word of two characters or
more, as the full-text index splits them, and every pair of adjacent ones),
but a chunk of papers is counted with numpy instead of one ``Counter`` and
one string per term: a word is hashed once per process (``zlib.crc32``) and
a 2-gram's hash is mixed from its two words' hashes, so Python touches each
word once and never builds the 2-gram strings. For the 100k library this
takes the first ranking from 86 s to a few seconds of featurising.

The vocabulary (``Vocabulary``) gives each term hash a dense id in order of
arrival; it lives in numpy arrays (sorted hashes and their ids), not a dict,
so a million terms cost a dozen megabytes instead of hundreds.

Pure: no database (``core/interest.py`` reads the texts and stores the result).

>>> vocab = Vocabulary()
>>> chunk = hash_chunk([("MLP mixers", "An MLP."), ("Mixers", "")], {})
>>> indptr, ids, counts = vocab.assign(chunk)
>>> indptr.tolist(), sorted(counts.tolist())
([0, 6, 7], [1, 1, 1, 1, 1, 1, 2])
>>> set(ids[:6].tolist()) & set(ids[6:].tolist()) == {int(vocab.lookup(np.array([zlib.crc32(b"mixers")]))[0])}
True
"""

from __future__ import annotations

import operator
import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .words import _fold, fts_words

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Chunk", "Vocabulary", "hash_chunk", "term_hashes", "pack_repeats", "repeats_of", "unpack_counts",
           "score_stored", "MAX_COUNT", "WORD_CACHE"]

MAX_COUNT = 255  # counts are kept in a byte, as ``interest.MAX_COUNT``
WORD_CACHE = 400_000  # words whose hash a process remembers (a few tens of MB at most)
_U64 = np.uint64


# ``words.fts_words`` of two characters or more: a maximal run of one character never matches.
_TERM_WORD = re.compile(r"[^\W_]{2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _words(title: str, abstract: str) -> list[str]:
    """The paper's words of two characters or more, as ``fts_words`` splits them.

    >>> _words("Naïve GPT-2 & a C++ MLP", "") == [w for w in fts_words("Naïve GPT-2 & a C++ MLP") if len(w) >= 2]
    True
    """
    text = f"{title} {abstract or ''}".lower()
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: _fold(m.group()), text)
    return _TERM_WORD.findall(text)


def _mix(first: "NDArray[np.uint32]", second: "NDArray[np.uint32]") -> "NDArray[np.uint32]":
    """The hash of the 2-gram of two words from their hashes (murmur3's 64-bit finaliser)."""
    x = (first.astype(_U64) << _U64(32)) | second.astype(_U64)
    x ^= x >> _U64(33)
    x *= _U64(0xFF51AFD7ED558CCD)
    x ^= x >> _U64(33)
    x *= _U64(0xC4CEB9FE1A85EC53)
    x ^= x >> _U64(33)
    return (x & _U64(0xFFFFFFFF)).astype(np.uint32)


def term_hashes(title: str, abstract: str) -> dict[str, int]:
    """Each term of one paper (``interest.terms``) and its hash, as ``hash_chunk`` computes it.

    >>> h = term_hashes("MLP mixers", "")
    >>> sorted(h) == ["mixers", "mlp", "mlp mixers"] and h["mlp"] == zlib.crc32(b"mlp")
    True
    """
    words = _words(title, abstract)
    hashes = np.array([zlib.crc32(w.encode()) for w in words], dtype=np.uint32)
    out = {w: int(h) for w, h in zip(words, hashes.tolist())}
    if len(words) > 1:
        pairs = _mix(hashes[:-1], hashes[1:]).tolist()
        out.update((f"{a} {b}", h) for a, b, h in zip(words, words[1:], pairs))
    return out


@dataclass
class Chunk:
    """Some papers' terms, counted: row (the paper's place in the chunk), term hash and count, by row."""

    papers: int
    rows: "NDArray[np.int64]"
    hashes: "NDArray[np.uint32]"
    counts: "NDArray[np.uint8]"


def hash_chunk(texts: Sequence[tuple[str, str]], cache: dict[str, int]) -> Chunk:
    """Count the 1-2-grams of each (title, abstract); ``cache`` remembers word hashes between chunks."""
    flat: list[str] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for i, (title, abstract) in enumerate(texts):
        words = _words(title, abstract)
        lengths[i] = len(words)
        flat += words
    if len(cache) > WORD_CACHE:
        cache.clear()
    for word in set(flat).difference(cache):
        cache[word] = zlib.crc32(word.encode())
    hashes = np.array(operator.itemgetter(*flat)(cache) if len(flat) > 1 else [cache[w] for w in flat],
                      dtype=np.uint32)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    pair = np.nonzero(rows[:-1] == rows[1:])[0]
    rows = np.concatenate([rows, rows[pair]])
    hashes = np.concatenate([hashes, _mix(hashes[pair], hashes[pair + 1])])
    keys, counts = np.unique((rows.astype(_U64) << _U64(32)) | hashes.astype(_U64), return_counts=True)
    return Chunk(len(texts), (keys >> _U64(32)).astype(np.int64), (keys & _U64(0xFFFFFFFF)).astype(np.uint32),
                 np.minimum(counts, MAX_COUNT).astype(np.uint8))


class Vocabulary:
    """Term hash -> dense term id (in order of arrival), in sorted numpy arrays."""

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint32)  # by id
        self._sorted = np.zeros(0, dtype=np.uint32)
        self._ids = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.hashes)

    def extend(self, hashes: "NDArray[np.uint32]") -> None:
        """Append known terms (ids ``len(self)`` on), as another process numbered them."""
        hashes = np.asarray(hashes, dtype=np.uint32)
        if not len(hashes):
            return
        ids = np.arange(len(self.hashes), len(self.hashes) + len(hashes), dtype=np.int32)
        self.hashes = np.concatenate([self.hashes, hashes])
        order = np.argsort(hashes, kind="stable")
        where = np.searchsorted(self._sorted, hashes[order])
        self._sorted = np.insert(self._sorted, where, hashes[order])
        self._ids = np.insert(self._ids, where, ids[order])

    def lookup(self, hashes: "NDArray[np.uint32]") -> "NDArray[np.int32]":
        """The id of each hash, -1 for an unknown one."""
        if not len(self._sorted):
            return np.full(len(hashes), -1, dtype=np.int32)
        where = np.minimum(np.searchsorted(self._sorted, hashes), len(self._sorted) - 1)
        return np.where(self._sorted[where] == hashes, self._ids[where], -1).astype(np.int32)

    def assign(self, chunk: Chunk) -> tuple["NDArray[np.int64]", "NDArray[np.int32]", "NDArray[np.uint8]"]:
        """(row starts, term ids, counts) of a chunk, each row by term id; new terms get new ids."""
        unique, inverse = np.unique(chunk.hashes, return_inverse=True)
        ids = self.lookup(unique)
        new = ids < 0
        ids[new] = np.arange(len(self.hashes), len(self.hashes) + int(new.sum()), dtype=np.int32)
        self.extend(unique[new])
        indptr = np.zeros(chunk.papers + 1, dtype=np.int64)
        np.cumsum(np.bincount(chunk.rows, minlength=chunk.papers), out=indptr[1:])
        term_ids = ids[inverse.reshape(-1)]
        # Each row by term id: scoring gathers the model's weights in rising order (faster than hash order).
        order = np.argsort((chunk.rows.astype(_U64) << _U64(32)) | term_ids.astype(_U64))
        return indptr, term_ids[order], chunk.counts[order]


# -- counts, stored sparse ------------------------------------------------------------
#
# Nine terms in ten occur once in a paper, so a chunk stores only where the others
# are and their counts ("repeats"): smaller, and scoring reads and multiplies a tenth.


def pack_repeats(counts: "NDArray[np.uint8]") -> bytes:
    """The places (int32) of the counts above 1, then those counts (uint8).

    >>> unpack_counts(pack_repeats(np.array([1, 3, 1, 2], dtype=np.uint8)), 4).tolist()
    [1, 3, 1, 2]
    """
    at = np.nonzero(counts > 1)[0].astype(np.int32)
    return at.tobytes() + counts[at].astype(np.uint8).tobytes()


def repeats_of(blob: bytes) -> tuple["NDArray[np.int32]", "NDArray[np.uint8]"]:
    n = len(blob) // 5
    return np.frombuffer(blob[:4 * n], dtype=np.int32), np.frombuffer(blob[4 * n:], dtype=np.uint8)


def unpack_counts(blob: bytes, terms: int, start: int = 0) -> "NDArray[np.uint8]":
    """Every count of the stored terms ``start`` .. ``start + terms`` (1 where none is stored)."""
    at, counts = repeats_of(blob)
    lo, hi = np.searchsorted(at, [start, start + terms])
    out = np.ones(terms, dtype=np.uint8)
    out[at[lo:hi] - start] = counts[lo:hi]
    return out


_LOG_TF = (1.0 + np.log(np.maximum(np.arange(MAX_COUNT + 1), 1))).astype(np.float32)


def score_stored(indptr: "NDArray[np.int64]", ids: "NDArray[np.int32]", repeats: bytes,
                 weight_idf: "NDArray[np.float32]", norms: "NDArray", bias: float) -> "NDArray[np.float32]":
    """``interest.score_rows`` on a stored chunk: bias + sum of weight x idf x (1 + ln count) / length."""
    products = weight_idf[ids]
    at, counts = repeats_of(repeats)
    products[at] *= _LOG_TF[counts]
    if not len(products):
        return np.full(len(indptr) - 1, bias, dtype=np.float32)
    sums = np.add.reduceat(products, np.minimum(indptr[:-1], len(products) - 1), dtype=np.float32)
    sums[np.diff(indptr) == 0] = 0.0
    return sums / norms + np.float32(bias)
