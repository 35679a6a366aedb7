"""The learned ranking's SQL (issue 13): who was decided how, each paper's features, the
vocabulary, the cached models and their scores.

- ``interest_chunks``: the papers' features (term ids and counts), a few
  thousand papers a row, written once per paper the first time a ranking
  needs them (each chunk in its own short transaction) and kept for later
  rankings, so a new decision retrains and rescores without re-reading any
  text. A paper whose title or abstract changes (a merge found a better one)
  is listed in ``interest_stale`` by a trigger and featurised again into a
  new chunk (the newest row of a paper wins); a paper that is gone is simply
  skipped.
- ``interest_terms``: the term hashes in id order, appended a piece per
  chunk; ``interest_idf``: as of the last scoring, the papers per term (the
  idf) and each paper's vector length.
- ``interest_models``: per ranking, the fingerprint of the decisions and of
  the features it learned from, the model, and every paper's score as one
  blob (float32 by pk); ``use_scores`` exposes them to SQL as
  ``interest_score(model, pk)`` for ORDER BY.

Arrays travel as bytes; ``papertriage.interest`` turns them into numpy arrays.
"""

from __future__ import annotations

import sqlite3
from array import array
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from . import Library

_CHUNK = 500


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def decided(library: "Library") -> list[tuple[int, str]]:
    """(pk, status) of every paper not ``new``, by pk."""
    # IN (not `!= 'new'`) so that papers_status serves it: a few decided papers among 100k new ones.
    return library.execute("SELECT pk, status FROM papers WHERE status IN ('keep', 'skip', 'read')"
                           " ORDER BY pk").fetchall()


def tagged(library: "Library", tag: str) -> list[int]:
    """Papers carrying ``tag`` or a tag below it (``method`` covers ``method/kan``), by pk."""
    return [r[0] for r in library.execute(
        "SELECT DISTINCT paper FROM tags WHERE tag = ? OR tag LIKE ? ESCAPE '\\' ORDER BY paper",
        (tag, tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"))]


def sample_pks(library: "Library", count: int, exclude: set[int]) -> list[int]:
    """About ``count`` papers spread evenly over the library (the same ones every time)."""
    total, top = library.execute("SELECT count(*), coalesce(max(pk), 0) FROM papers").fetchone()
    if not total:
        return []
    step = max(1, top // max(1, count + len(exclude)))
    rows = library.execute("SELECT pk FROM papers WHERE pk % ? = 0 ORDER BY pk LIMIT ?",
                           (step, count + len(exclude))).fetchall()
    return [pk for (pk,) in rows if pk not in exclude][:count]


def texts(library: "Library", pks: Iterable[int]) -> dict[int, tuple[str, str]]:
    """pk -> (title, abstract)."""
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(list(pks)):
        marks = ",".join("?" * len(chunk))
        for pk, title, abstract in library.execute(
                f"SELECT pk, title, abstract FROM papers WHERE pk IN ({marks})", chunk):
            out[pk] = (title, abstract or "")
    return out


def all_pks(library: "Library") -> bytes:
    """Every paper's pk, ascending, as int64 bytes."""
    return array("q", [r[0] for r in library.execute("SELECT pk FROM papers ORDER BY pk").fetchall()]).tobytes()


# -- features ---------------------------------------------------------------------


def feature_state(library: "Library") -> str:
    """Changes whenever the papers or their cached features change (a cached score is then stale)."""
    papers = library.execute("SELECT count(*), coalesce(max(pk), 0) FROM papers").fetchone()
    chunks = library.execute("SELECT count(*), coalesce(max(id), 0) FROM interest_chunks").fetchone()
    stale = library.execute("SELECT count(*) FROM interest_stale").fetchone()[0]
    return f"{papers[0]}:{papers[1]}:{chunks[0]}:{chunks[1]}:{stale}"


def chunk_index(library: "Library") -> list[tuple[int, bytes, bytes]]:
    """(chunk id, pks int64, row starts int64) of every chunk, oldest first: which paper is where."""
    return library.execute("SELECT id, pks, indptr FROM interest_chunks ORDER BY id").fetchall()


def chunk_terms(library: "Library", chunk: int) -> tuple[bytes, bytes]:
    """(term ids int32, repeats: places int32 then counts uint8 of the terms counted more than once) of a chunk."""
    return library.execute("SELECT terms, repeats FROM interest_chunks WHERE id = ?", (chunk,)).fetchone()


def chunk_repeats(library: "Library", chunk: int) -> bytes:
    return library.execute("SELECT repeats FROM interest_chunks WHERE id = ?", (chunk,)).fetchone()[0]


def chunk_slice(library: "Library", chunk: int, start: int, end: int) -> bytes:
    """The term ids ``start``..``end`` of one chunk (one paper's row), read without loading the whole
    chunk where SQLite allows it."""
    opener = getattr(library.db, "blobopen", None)  # Python 3.11+
    if opener is None:
        return library.execute("SELECT substr(terms, ?, ?) FROM interest_chunks WHERE id = ?",
                               (4 * start + 1, 4 * (end - start), chunk)).fetchone()[0]
    with opener("interest_chunks", "terms", chunk, readonly=True) as blob:
        blob.seek(4 * start)
        return blob.read(4 * (end - start))


def stale_pks(library: "Library") -> list[int]:
    return [r[0] for r in library.execute("SELECT paper FROM interest_stale ORDER BY paper")]


def add_chunk(library: "Library", pks: bytes, indptr: bytes, terms: bytes, repeats: bytes, papers: int) -> None:
    """Store the features of some papers (inside the caller's transaction)."""
    library.execute("INSERT INTO interest_chunks (papers, pks, indptr, terms, repeats) VALUES (?, ?, ?, ?, ?)",
                    (papers, pks, indptr, terms, repeats))


def clear_stale(library: "Library", pks: Iterable[int]) -> None:
    library.db.executemany("DELETE FROM interest_stale WHERE paper = ?", ((pk,) for pk in pks))


def chunks_state(library: "Library") -> tuple[int, int]:
    """(chunks, the newest chunk's id): changes when any process stores features."""
    return library.execute("SELECT count(*), coalesce(max(id), 0) FROM interest_chunks").fetchone()


def chunk_pks(library: "Library") -> list[bytes]:
    """The pks (int64) of every chunk, oldest first: which papers have features."""
    return [r[0] for r in library.execute("SELECT pks FROM interest_chunks ORDER BY id")]


def terms_from(library: "Library", first: int) -> bytes:
    """The term hashes (uint32) of ids ``first`` on, in id order."""
    rows = library.execute("SELECT first, hashes FROM interest_terms WHERE first + length(hashes) / 4 > ?"
                           " ORDER BY first", (first,)).fetchall()
    return b"".join(h[4 * max(0, first - f):] for f, h in rows)


def vocabulary_size(library: "Library") -> int:
    row = library.execute("SELECT first + length(hashes) / 4 FROM interest_terms ORDER BY first DESC LIMIT 1"
                          ).fetchone()
    return int(row[0]) if row else 0


def add_terms(library: "Library", first: int, hashes: bytes) -> None:
    """Append term hashes (uint32) as ids ``first`` on (inside the caller's transaction)."""
    library.execute("INSERT INTO interest_terms (first, hashes) VALUES (?, ?)", (first, hashes))


def weights_state(library: "Library") -> tuple[bytes | None, bytes | None, str | None]:
    """(papers per term int32, each paper's vector length float32 by pk, the feature state they were counted at)."""
    row = library.execute("SELECT df, norms, state FROM interest_idf WHERE id = 1").fetchone()
    return (row[0], row[1], row[2]) if row else (None, None, None)


def save_weights_state(library: "Library", df: bytes, norms: bytes, state: str) -> None:
    library.execute("INSERT INTO interest_idf (id, df, norms, state) VALUES (1, ?, ?, ?) ON CONFLICT (id)"
                    " DO UPDATE SET df = excluded.df, norms = excluded.norms, state = excluded.state",
                    (df, norms, state))


def can_write(library: "Library") -> bool:
    """Whether this library takes writes (False: a read-only file or connection). Waits for the write
    lock like any writer would."""
    if library.db.in_transaction:
        return True
    try:
        library.db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc).lower():
            return False
        raise library.error(exc) from None
    try:
        # BEGIN IMMEDIATE alone succeeds on a read-only file in WAL mode: a statement that writes says.
        library.db.execute("DELETE FROM interest_stale WHERE 0")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc).lower():
            raise library.error(exc) from None
        return False
    finally:
        library.db.execute("ROLLBACK")
    return True


# -- models and scores --------------------------------------------------------------


def model_row(library: "Library", name: str) -> tuple[int, str, str | None, str, bytes | None, bytes | None] | None:
    """(id, fingerprint, feature state, model JSON, weights, scores) of a cached model."""
    return library.execute(
        "SELECT id, fingerprint, features, model, weights, scores FROM interest_models WHERE name = ?",
        (name,)).fetchone()


def save_model(library: "Library", name: str, fingerprint: str, state: str, model_json: str, weights: bytes,
               scores: bytes, at: str) -> int:
    """Store a trained model and its scores (replacing the ranking's old ones); returns its id."""
    row = library.execute("SELECT id FROM interest_models WHERE name = ?", (name,)).fetchone()
    if row:
        library.execute("UPDATE interest_models SET fingerprint = ?, features = ?, model = ?, weights = ?,"
                        " scores = ?, trained_at = ?, scored_to = 0 WHERE id = ?",
                        (fingerprint, state, model_json, weights, scores, at, row[0]))
        return row[0]
    new_id = library.execute(
        "INSERT INTO interest_models (name, fingerprint, features, scored_to, model, weights, scores, trained_at)"
        " VALUES (?, ?, ?, 0, ?, ?, ?, ?)", (name, fingerprint, state, model_json, weights, scores, at)).lastrowid
    assert new_id is not None
    return new_id


def use_scores(library: "Library", model_id: int, scores: bytes) -> list[float]:
    """Make a model's scores (float32 by pk) what ``interest_score(model, pk)`` returns in SQL."""
    values = array("f", scores).tolist()
    loaded = getattr(library, "_interest_scores", None)
    if loaded is None:
        loaded = {}
        library._interest_scores = loaded  # type: ignore[attr-defined]

        def interest_score(model: int, pk: int) -> float:
            got = loaded.get(model)
            return got[pk] if got is not None and 0 <= pk < len(got) else 0.0

        library.db.create_function("interest_score", 2, interest_score, deterministic=True)
    loaded[model_id] = values
    return values


def leading_pks(library: "Library", model_id: int, count: int, most: int = 20_000) -> list[int] | None:
    """The papers whose cached score is at least the ``count``-th best (ties at the cut included):
    among them are the best ``count`` of any query. None: the scores are not loaded, or the cut
    would let in more than ``most`` papers (then reading them all is as cheap)."""
    import sys

    scores = getattr(library, "_interest_scores", {}).get(model_id)
    if scores is None or count >= min(len(scores), most):
        return None
    np = sys.modules.get("numpy")
    if np is not None:  # imported already (a retrain): a partition, not a heap
        values = np.asarray(scores, dtype=np.float32)
        cut = np.partition(values, len(values) - count)[len(values) - count]
        leaders = np.flatnonzero(values >= cut).tolist()
    else:
        import heapq

        cut = heapq.nlargest(count, scores)[-1]
        leaders = [pk for pk, score in enumerate(scores) if score >= cut]
    return leaders if len(leaders) <= most else None


def score_expression(model_id: int) -> str:
    """An ORDER BY term: the cached score of paper ``p`` (``use_scores`` must have run)."""
    return f"interest_score({int(model_id)}, p.pk)"


def count_new_above(library: "Library", model_id: int, score: float) -> int:
    """How many papers still ``new`` score above ``score`` in this model."""
    return int(library.execute("SELECT count(*) FROM papers p WHERE p.status = 'new' AND interest_score(?, p.pk) > ?",
                               (model_id, score)).fetchone()[0])
