"""The vocabulary: every word of the library with the number of papers holding
it, for typo correction and `similar`.

Table ``vocab(word, docs, bucket)`` (created by migration m002). ``bucket``
packs the first letter, the length and the second letter, so correcting a
word reads the handful of buckets a typo can come from instead of every word
(fast at a million papers; see ``words.py::bucket``). Readers see only
words of two or more papers (MIN_DOCS): words seen once are mostly names and
typos themselves, and a typo should not be "corrected" into another typo.
Words seen once are still counted, so that keeping the table in step is a
plain upsert of counts, with no look-up in the full-text index.

The full-text index is never scanned at query time. Ingest keeps the table in
step once per batch (``update``): counts go up for the words of new papers,
and move by the difference when a merge replaces a paper's title or
abstract. ``rebuild`` recomputes everything from the index once (the
migration, and libraries filled by other means).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from typing import Iterable, Sequence

from ..words import bucket, fts_words, is_vocabulary_word
from .connection import Connection

MIN_DOCS = 2
_CHUNK = 500


_ASCII_WORD = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
_WORD = re.compile(r"(?<![^\W_])[^\W\d_]{3,}(?![^\W_])")


class _Folding(dict):
    """str.translate table folding Latin diacritics as FTS5's
    ``remove_diacritics`` does ("é" -> "e"), filled as characters appear."""

    def __missing__(self, code: int) -> int:
        folded = fts_words(chr(code))
        self[code] = value = ord(folded[0]) if len(folded) == 1 and len(folded[0]) == 1 else code
        return value


_FOLD = _Folding()


def paper_words(title: str, abstract: str) -> set[str]:
    """The vocabulary words of one paper (letters only, 3 or more), as the
    full-text index splits them."""
    text = f"{title} {abstract}".lower()
    if text.isascii():  # the common case: one C-level pass
        return set(_ASCII_WORD.findall(text))
    return {w for w in set(_WORD.findall(text.translate(_FOLD))) if w.isalpha()}  # "x²y" is no word


def rebuild(db: sqlite3.Connection) -> int:
    """Recompute the vocabulary from the FTS index (one full scan; never at query time)."""
    db.execute("DELETE FROM vocab")
    db.execute("DROP TABLE IF EXISTS temp.papers_fts_terms")
    db.execute("CREATE VIRTUAL TABLE temp.papers_fts_terms USING fts5vocab(main, papers_fts, row)")
    try:
        rows = ((term, doc, bucket(term)) for term, doc in
                db.execute("SELECT term, doc FROM temp.papers_fts_terms")
                if is_vocabulary_word(term))
        db.executemany("INSERT INTO vocab (word, docs, bucket) VALUES (?, ?, ?)", list(rows))
    finally:
        db.execute("DROP TABLE temp.papers_fts_terms")
    return db.execute("SELECT count(*) FROM vocab").fetchone()[0]


def _chunks(items: Sequence, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def docs_of(db: sqlite3.Connection, words: Iterable[str], min_docs: int = MIN_DOCS) -> dict[str, int]:
    """word -> papers holding it, for the words that are in the vocabulary
    (``min_docs=1``: in any paper at all)."""
    found: dict[str, int] = {}
    words = list(dict.fromkeys(words))
    for chunk in _chunks(words):
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT word, docs FROM vocab WHERE word IN ({marks}) AND docs >= ?",
                                [*chunk, min_docs]).fetchall())
    return found


def index_docs(db: sqlite3.Connection, word: str, cap: int = MIN_DOCS) -> int:
    """How many papers hold ``word``, counted in the FTS index up to ``cap``."""
    return db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)",
        ('"' + word.replace('"', '""') + '"', cap)).fetchone()[0]


def candidates(db: sqlite3.Connection, buckets: Sequence[int] = (),
               ranges: Sequence[tuple[int, int]] = (), min_docs: int = MIN_DOCS,
               shapes: Sequence[str] = (), ends: tuple[str, str] | None = None) -> list[tuple[str, int]]:
    """(word, docs) in the given buckets and bucket ranges; in the ranges, only
    the words of one of ``shapes`` (GLOB patterns of letters and ``?``), if
    given; in the buckets, only words that start with ``ends[0]`` or end with
    ``ends[1]``, if given."""
    found = []
    shaped = ""
    if shapes:
        shaped = " AND (" + " OR ".join("word GLOB ?" for _ in shapes) + ")"
    ended = ""
    end_params: list = []
    if ends is not None:
        ended = " AND (substr(word, 1, ?) = ? OR substr(word, ?) = ?)"
        end_params = [len(ends[0]), ends[0], -len(ends[1]), ends[1]]
    buckets = list(dict.fromkeys(buckets))
    for start in range(0, len(buckets), _CHUNK):
        chunk = buckets[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        found += db.execute(f"SELECT word, docs FROM vocab WHERE bucket IN ({marks}) AND docs >= ?{ended}",
                            [*chunk, min_docs, *end_params]).fetchall()
    for low, high in ranges:
        found += db.execute(f"SELECT word, docs FROM vocab WHERE bucket BETWEEN ? AND ? AND docs >= ?{shaped}",
                            (low, high, min_docs, *shapes)).fetchall()
    return found


def update(db: sqlite3.Connection, new_pks: Sequence[int],
           replaced: Sequence[tuple[int, str | None, str | None]] = ()) -> None:
    """Keep the vocabulary in step after papers were inserted (``new_pks``) or had
    their title/abstract replaced (``replaced``: pk, old title or None, old abstract or None).

    Runs inside the ingest's transaction, after the papers were written.
    """
    new_pks = list(dict.fromkeys(new_pks))
    # A batch may replace a paper's text more than once, or replace the text of
    # a paper it inserted: what counts is the text before the batch (the first
    # old value recorded for each field) and the text now.
    originals: dict[int, list[str | None]] = {}
    fresh_papers = set(new_pks)
    for pk, old_title, old_abstract in replaced:
        if pk in fresh_papers:
            continue
        first = originals.setdefault(pk, [None, None])
        first[0] = first[0] if first[0] is not None else old_title
        first[1] = first[1] if first[1] is not None else old_abstract
    replaced = [(pk, t, a) for pk, (t, a) in originals.items()]
    pks = new_pks + [pk for pk, _, _ in replaced]
    if not pks:
        return
    current: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(pks):
        marks = ",".join("?" * len(chunk))
        for pk, title, abstract in db.execute(
                f"SELECT pk, title, abstract FROM papers WHERE pk IN ({marks})", chunk):
            current[pk] = (title, abstract)
    delta: Counter[str] = Counter()
    for pk in new_pks:
        if pk in current:
            delta.update(paper_words(*current[pk]))
    for pk, old_title, old_abstract in replaced:
        if pk not in current:
            continue
        title, abstract = current[pk]
        before = paper_words(old_title if old_title is not None else title,
                             old_abstract if old_abstract is not None else abstract)
        after = paper_words(title, abstract)
        delta.update(after - before)
        delta.subtract(before - after)
    delta = Counter({w: n for w, n in delta.items() if n})
    if not delta:
        return
    # In word order, the vocabulary's own order: each page is visited once, in turn
    # (5,000 words of a day at 1M: 30 ms instead of 41 ms; issue 16).
    db.executemany(
        "INSERT INTO vocab (word, docs, bucket) VALUES (?, ?, ?)"
        " ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs",
        [(w, n, bucket(w)) for w, n in sorted(delta.items())])
    fewer = [w for w, n in delta.items() if n < 0]
    for chunk in _chunks(fewer):
        db.execute(f"DELETE FROM vocab WHERE docs <= 0 AND word IN ({','.join('?' * len(chunk))})", chunk)


class Vocabulary(Connection):
    """The vocabulary as part of ``Library`` (reads translate sqlite3 errors)."""

    def update_vocabulary(self, new_pks: Sequence[int],
                          replaced: Sequence[tuple[int, str | None, str | None]] = ()) -> None:
        """Ingest hook: keep the vocabulary in step after papers were inserted or
        had their text replaced (pk, old title or None, old abstract or None)."""
        try:
            update(self.db, new_pks, replaced)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def rebuild_vocabulary(self) -> int:
        """Recompute the vocabulary from the full-text index (after bulk loads); returns its size."""
        with self.transaction() as db:
            return rebuild(db)

    def vocabulary_docs(self, words: Iterable[str], min_docs: int = MIN_DOCS) -> dict[str, int]:
        """word -> number of papers, for the given words that are in the vocabulary
        (words of ``min_docs`` papers or more; 1: any word of the library)."""
        try:
            return docs_of(self.db, words, min_docs)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def vocabulary_candidates(self, buckets: Sequence[int] = (), ranges: Sequence[tuple[int, int]] = (),
                              min_docs: int = MIN_DOCS, shapes: Sequence[str] = (),
                              ends: tuple[str, str] | None = None) -> list[tuple[str, int]]:
        """(word, docs) of the vocabulary in these buckets and bucket ranges (in the
        ranges, of one of ``shapes``: GLOB patterns; in the buckets, starting
        with ``ends[0]`` or ending with ``ends[1]``; if given)."""
        try:
            return candidates(self.db, buckets, ranges, min_docs, shapes, ends)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def title_forms_hold(self, word: str) -> bool:
        """Whether some title holds ``word`` stemmed or as a part of a compound
        (``toon`` of ToonComposer; issue 14, ``store/search_index.py``)."""
        from . import search_index

        try:
            return search_index.holds(self.db, word)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def index_docs(self, word: str, cap: int = 2) -> int:
        """Papers whose text holds ``word``, counted in the full-text index up to ``cap``."""
        try:
            return index_docs(self.db, word, cap)
        except sqlite3.Error as exc:
            raise self.error(exc) from None
