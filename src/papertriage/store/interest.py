"""The learned ranking's SQL (issue 13): who was decided how, each paper's features, the
vocabulary, the cached models and their scores.

- ``interest_chunks``: the papers' features (term ids and counts), a few
  thousand papers a row, written once per paper the first time a ranking
  needs them and kept for later rankings, so a new decision retrains and
  rescores without re-reading any text. A paper whose title or abstract
  changes (a merge found a better one) is listed in ``interest_stale`` by a
  trigger and featurised again into a new chunk (the newest row of a paper
  wins); a paper that is gone is simply skipped.
- ``interest_vocab``: the term hashes in id order, and, as of the last
  scoring, the papers per term (the idf) and each paper's vector length.
- ``interest_models``: per ranking, the fingerprint of the decisions and of
  the features it learned from, the model, and every paper's score as one
  blob (float32 by pk); ``use_scores`` exposes them to SQL as
  ``interest_score(model, pk)`` for ORDER BY.

Arrays travel as bytes; ``papertriage.interest`` turns them into numpy arrays.
"""

from __future__ import annotations

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


def feature_chunks(library: "Library") -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(pks int64, row starts int64, term ids int32, counts uint8) of every chunk, oldest first."""
    return library.execute("SELECT pks, indptr, terms, counts FROM interest_chunks ORDER BY id").fetchall()


def chunk_index(library: "Library") -> list[tuple[int, bytes, bytes]]:
    """(chunk id, pks int64, row starts int64) of every chunk, oldest first: which paper is where."""
    return library.execute("SELECT id, pks, indptr FROM interest_chunks ORDER BY id").fetchall()


def chunk_terms(library: "Library", chunk: int) -> tuple[bytes, bytes]:
    """(term ids int32, counts uint8) of one chunk."""
    return library.execute("SELECT terms, counts FROM interest_chunks WHERE id = ?", (chunk,)).fetchone()


def chunk_slice(library: "Library", chunk: int, start: int, end: int) -> tuple[bytes, bytes]:
    """(term ids, counts) of the stored terms ``start``..``end`` of one chunk (one paper's row), read
    without loading the whole chunk where SQLite allows it."""
    opener = getattr(library.db, "blobopen", None)  # Python 3.11+
    if opener is None:
        return library.execute("SELECT substr(terms, ?, ?), substr(counts, ?, ?) FROM interest_chunks WHERE id = ?",
                               (4 * start + 1, 4 * (end - start), start + 1, end - start, chunk)).fetchone()
    out = []
    for column, width in (("terms", 4), ("counts", 1)):
        with opener("interest_chunks", column, chunk, readonly=True) as blob:
            blob.seek(width * start)
            out.append(blob.read(width * (end - start)))
    return out[0], out[1]


def feature_chunks_pks(library: "Library") -> list[tuple[bytes]]:
    """(pks int64,) of every chunk: which papers have features."""
    return library.execute("SELECT pks FROM interest_chunks ORDER BY id").fetchall()


def stale_pks(library: "Library") -> list[int]:
    return [r[0] for r in library.execute("SELECT paper FROM interest_stale ORDER BY paper")]


def add_chunk(library: "Library", pks: bytes, indptr: bytes, terms: bytes, counts: bytes, papers: int) -> None:
    """Store the features of some papers (inside the caller's transaction); they are no longer stale."""
    library.execute("INSERT INTO interest_chunks (papers, pks, indptr, terms, counts) VALUES (?, ?, ?, ?, ?)",
                    (papers, pks, indptr, terms, counts))


def clear_stale(library: "Library", pks: Iterable[int]) -> None:
    library.db.executemany("DELETE FROM interest_stale WHERE paper = ?", ((pk,) for pk in pks))


def drop_features(library: "Library") -> None:
    """Forget every cached feature (they are rebuilt on the next ranking)."""
    library.execute("DELETE FROM interest_chunks")
    library.execute("DELETE FROM interest_stale")
    library.execute("DELETE FROM interest_vocab")


def vocabulary(library: "Library") -> bytes:
    """The term hashes (uint32) in id order."""
    row = library.execute("SELECT hashes FROM interest_vocab WHERE id = 1").fetchone()
    return row[0] if row else b""


def vocabulary_size(library: "Library") -> int:
    row = library.execute("SELECT length(hashes) / 4 FROM interest_vocab WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def save_vocabulary(library: "Library", hashes: bytes) -> None:
    library.execute("INSERT INTO interest_vocab (id, hashes) VALUES (1, ?)"
                    " ON CONFLICT (id) DO UPDATE SET hashes = excluded.hashes, df = NULL, norms = NULL,"
                    " state = NULL", (hashes,))


def weights_state(library: "Library") -> tuple[bytes | None, bytes | None, str | None]:
    """(papers per term int64, each paper's vector length float32 by pk, the feature state they were counted at)."""
    row = library.execute("SELECT df, norms, state FROM interest_vocab WHERE id = 1").fetchone()
    return (row[0], row[1], row[2]) if row else (None, None, None)


def save_weights_state(library: "Library", df: bytes, norms: bytes, state: str) -> None:
    library.execute("UPDATE interest_vocab SET df = ?, norms = ?, state = ? WHERE id = 1", (df, norms, state))


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
        library.execute("DELETE FROM interest_scores WHERE model = ?", (row[0],))  # the old per-row cache
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


def score_expression(model_id: int) -> str:
    """An ORDER BY term: the cached score of paper ``p`` (``use_scores`` must have run)."""
    return f"interest_score({int(model_id)}, p.pk)"


def count_new_above(library: "Library", model_id: int, score: float) -> int:
    """How many papers still ``new`` score above ``score`` in this model."""
    return int(library.execute("SELECT count(*) FROM papers p WHERE p.status = 'new' AND interest_score(?, p.pk) > ?",
                               (model_id, score)).fetchone()[0])
