"""The learned ranking's SQL (issue 13): who was decided how, the cached
models and scores, and the full-text index's doclists and word counts that
score a whole library without re-reading its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from . import Library

_CHUNK = 500


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def decided(library: "Library") -> list[tuple[int, str]]:
    """(pk, status) of every paper not ``new``, by pk."""
    return library.execute("SELECT pk, status FROM papers WHERE status != 'new' ORDER BY pk").fetchall()


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
            out[pk] = (title, abstract)
    return out


def texts_after(library: "Library", pk: int) -> Iterator[tuple[int, str, str]]:
    """(pk, title, abstract) of the papers added after ``pk``."""
    return iter(library.execute("SELECT pk, title, abstract FROM papers WHERE pk > ? ORDER BY pk", (pk,)))


def count_after(library: "Library", pk: int) -> int:
    return library.execute("SELECT count(*) FROM papers WHERE pk > ?", (pk,)).fetchone()[0]


def max_pk(library: "Library") -> int:
    return library.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0]


def model_row(library: "Library", name: str) -> tuple[int, str, int, str] | None:
    """(id, fingerprint, scored_to, model JSON) of a cached model."""
    return library.execute("SELECT id, fingerprint, scored_to, model FROM interest_models WHERE name = ?",
                           (name,)).fetchone()


def save_model(library: "Library", name: str, fingerprint: str, model_json: str, scored_to: int,
               at: str) -> int:
    """Store a freshly trained model (its old scores are dropped); returns its id."""
    row = library.execute("SELECT id FROM interest_models WHERE name = ?", (name,)).fetchone()
    if row:
        library.execute("DELETE FROM interest_scores WHERE model = ?", (row[0],))
        library.execute("UPDATE interest_models SET fingerprint = ?, scored_to = ?, model = ?, trained_at = ?"
                        " WHERE id = ?", (fingerprint, scored_to, model_json, at, row[0]))
        return row[0]
    new_id = library.execute(
        "INSERT INTO interest_models (name, fingerprint, scored_to, model, trained_at) VALUES (?, ?, ?, ?, ?)",
        (name, fingerprint, scored_to, model_json, at)).lastrowid
    assert new_id is not None
    return new_id


def set_scored_to(library: "Library", model_id: int, scored_to: int) -> None:
    library.execute("UPDATE interest_models SET scored_to = ? WHERE id = ?", (scored_to, model_id))


def write_scores(library: "Library", model_id: int, scores: Iterable[tuple[int, float]]) -> None:
    library.db.executemany("INSERT OR REPLACE INTO interest_scores (model, paper, score) VALUES (?, ?, ?)",
                           ((model_id, pk, s) for pk, s in scores))


def scores_of(library: "Library", model_id: int, pks: Iterable[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for chunk in _chunks(list(pks)):
        marks = ",".join("?" * len(chunk))
        out.update(library.execute(
            f"SELECT paper, score FROM interest_scores WHERE model = ? AND paper IN ({marks})",
            (model_id, *chunk)).fetchall())
    return out


def score_expression(model_id: int) -> str:
    """An ORDER BY term: the cached score of paper ``p`` (0 for a paper no learned term touches)."""
    return (f"coalesce((SELECT s.score FROM interest_scores s WHERE s.model = {int(model_id)}"
            " AND s.paper = p.pk), 0)")


def count_new_above(library: "Library", model_id: int, score: float) -> int:
    """How many papers still ``new`` score above ``score`` in this model."""
    return int(library.execute(
        "SELECT count(*) FROM papers p WHERE p.status = 'new' AND coalesce((SELECT s.score FROM interest_scores s"
        " WHERE s.model = ? AND s.paper = p.pk), 0) > ?", (model_id, score)).fetchone()[0])


def doclist(library: "Library", term: str, column: str) -> list[int]:
    """The papers whose ``column`` (title or abstract) holds ``term`` (a word or a two-word phrase)."""
    if column not in ("title", "abstract"):
        raise ValueError(column)
    phrase = column + ' : "' + term.replace('"', '""') + '"'
    return [r[0] for r in library.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (phrase,))]


def _varints(blob: bytes) -> int:
    """Sum of the varints of an FTS5 docsize blob (tokens per column)."""
    total = value = 0
    for byte in blob:
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def word_counts(library: "Library", pks: Iterable[int] | None = None) -> dict[int, int]:
    """pk -> number of words in its title and abstract, as the full-text index counted them."""
    if pks is None:
        return {pk: _varints(sz) for pk, sz in library.execute("SELECT id, sz FROM papers_fts_docsize")}
    out: dict[int, int] = {}
    for chunk in _chunks(list(pks)):
        marks = ",".join("?" * len(chunk))
        out.update((pk, _varints(sz)) for pk, sz in library.execute(
            f"SELECT id, sz FROM papers_fts_docsize WHERE id IN ({marks})", chunk))
    return out
