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

The full-text index is never scanned at query time. Ingest keeps the counts in
step once per batch (``update``): counts go up for the words of new papers,
and move by the difference when a merge replaces a paper's title or
abstract. ``rebuild`` recomputes everything from the index once (the
migration, and libraries filled by other means).

Changes go first to ``vocab_pending`` (migration m020; issue 16): the same
shape, a few thousand words. A day's 5,000 words spread over every page of a
large vocabulary and its bucket index (1,931 of the 4,998 pages a day into
the 1M library wrote, each twice: log and checkpoint); in the small pending
table they touch a few dozen. A word's count is its ``vocab`` row plus its
``vocab_pending`` row, and every reader here adds them, in one read
transaction, so search and `similar` see a day's words at once and exactly
as if they had been folded in. Once more than ``FOLD_AT`` words are pending,
the write that crosses it folds them into ``vocab`` (in word order, once) and
empties the pending table.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

from ..words import bucket, fts_words, is_vocabulary_word
from .connection import Connection

MIN_DOCS = 2
_CHUNK = 500
# Pending words folded into ``vocab`` once there are more: about five days of a day's ~5,000
# words (later days add fewer new ones). Readers pay for pending words: with 13,610 pending
# in the 100k library, search in-process took 7 % more CPU (median 5.84 against 5.45 ms).
FOLD_AT = 10_000


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
    db.execute("DELETE FROM vocab_pending")
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


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """One read transaction over the readers' queries (unless one is open), so a
    fold by another process between them cannot count a word twice or not at all."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")


def _with_pending(found: list[tuple[str, int]], pending: list[tuple[str, int, int]],
                  min_docs: int) -> list[tuple[str, int]]:
    """``found`` (words of ``vocab`` with ``min_docs`` or more) with the pending
    changes (word, change, its ``vocab`` count) of the same words, and the
    pending words: the counts as they will be once folded."""
    if not pending:
        return found
    totals = {word: change + docs for word, change, docs in pending}
    out = [(w, n) for w, d in found if (n := totals.get(w, d)) >= min_docs]
    seen = {w for w, _ in found}
    return out + [(w, n) for w, n in totals.items() if n >= min_docs and w not in seen]


# Each read is one statement over both tables, so it sees one state of the library even
# while another process folds the pending counts in. The second arm gives each pending
# word its change and its ``vocab`` count (0 for a word ``vocab`` lacks).
_PENDING_ARM = (" UNION ALL SELECT p.word, p.docs, coalesce((SELECT v.docs FROM vocab v WHERE v.word = p.word), 0)"
                " FROM vocab_pending p WHERE ")


def _read(db: sqlite3.Connection, sql: str, params: list, min_docs: int) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    pending: list[tuple[str, int, int]] = []
    for word, docs, base in db.execute(sql, params):
        if base is None:
            found.append((word, docs))
        else:
            pending.append((word, docs, base))
    return _with_pending(found, pending, min_docs)


def docs_of(db: sqlite3.Connection, words: Iterable[str], min_docs: int = MIN_DOCS) -> dict[str, int]:
    """word -> papers holding it, for the words that are in the vocabulary
    (``min_docs=1``: in any paper at all)."""
    found: dict[str, int] = {}
    words = list(dict.fromkeys(words))
    for chunk in _chunks(words):
        marks = ",".join("?" * len(chunk))
        found.update(_read(db, f"SELECT word, docs, NULL FROM vocab WHERE word IN ({marks}) AND docs >= ?"
                           f"{_PENDING_ARM}p.word IN ({marks})", [*chunk, min_docs, *chunk], min_docs))
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
        found += _read(db, f"SELECT word, docs, NULL FROM vocab WHERE bucket IN ({marks}) AND docs >= ?{ended}"
                           f"{_PENDING_ARM}p.bucket IN ({marks}){ended.replace('word', 'p.word')}",
                       [*chunk, min_docs, *end_params, *chunk, *end_params], min_docs)
    for low, high in ranges:
        found += _read(db, f"SELECT word, docs, NULL FROM vocab WHERE bucket BETWEEN ? AND ? AND docs >= ?{shaped}"
                           f"{_PENDING_ARM}p.bucket BETWEEN ? AND ?{shaped.replace('word', 'p.word')}",
                       [low, high, min_docs, *shapes, low, high, *shapes], min_docs)
    return found


def counts(db: sqlite3.Connection) -> Iterator[tuple[str, int]]:
    """Every word with its count, in word order, pending changes added (``check``, tests)."""
    with _snapshot(db):
        pending = dict(db.execute("SELECT word, docs FROM vocab_pending").fetchall())
        waiting = sorted(pending)  # merged into the vocabulary's word order
        at = 0
        for word, docs in db.execute("SELECT word, docs FROM vocab ORDER BY word"):
            while at < len(waiting) and waiting[at] < word:  # pending words the vocabulary lacks
                if pending[waiting[at]] > 0:
                    yield waiting[at], pending[waiting[at]]
                at += 1
            docs += pending.get(word, 0)
            if at < len(waiting) and waiting[at] == word:
                at += 1
            if docs > 0:
                yield word, docs
        for word in waiting[at:]:
            if pending[word] > 0:
                yield word, pending[word]


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
    add(db, delta)


def add(db: sqlite3.Connection, delta: dict[str, int]) -> None:
    """Change words' counts (word -> papers more, or fewer when negative): in
    ``vocab_pending``, folded into ``vocab`` once more than FOLD_AT words wait."""
    changes = sorted((w, n) for w, n in delta.items() if n)
    if not changes:
        return
    # In word order, the table's own order: each page is visited once, in turn (issue 16).
    db.executemany(
        "INSERT INTO vocab_pending (word, docs, bucket) VALUES (?, ?, ?)"
        " ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs",
        [(w, n, bucket(w)) for w, n in changes])
    if db.execute("SELECT count(*) FROM vocab_pending").fetchone()[0] > FOLD_AT:
        fold(db)


def fold(db: sqlite3.Connection) -> None:
    """Move the pending counts into ``vocab``, in word order, and forget the words
    no paper holds any more."""
    db.execute("INSERT INTO vocab (word, docs, bucket) SELECT word, docs, bucket FROM vocab_pending WHERE docs != 0"
               " ORDER BY word ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs")
    db.execute("DELETE FROM vocab WHERE word IN (SELECT word FROM vocab_pending WHERE docs < 0) AND docs <= 0")
    db.execute("DELETE FROM vocab_pending")


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

    def vocabulary_counts(self) -> dict[str, int]:
        """Every word of the library with the number of papers holding it (pending changes added)."""
        try:
            return dict(counts(self.db))
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
