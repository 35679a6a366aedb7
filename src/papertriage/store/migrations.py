"""Ordered, named schema migrations, recorded in ``_migrations``.

Each migration runs in the same transaction as the row that records it, so a
failed migration stays pending. Never edit one that has shipped; add the next.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from . import schema


def m001_initial(db: sqlite3.Connection) -> None:
    _run_script(db, schema.INITIAL)


def m002_search(db: sqlite3.Connection) -> None:
    """Search support (issue 4), filled from what the library already holds:

    - ``vocab``: words of two or more papers, for typo correction and `similar`
      (kept in step by ingest, see ``store/vocab.py``);
    - ``titles_fts``: titles alone, so searching titles first reads short
      doclists; new rows are written by ``PaperWriter`` (executemany: a per-row
      trigger into FTS5 costs four times as much), deletes and title changes
      by triggers.
    """
    from . import vocab

    _run_script(db, """
CREATE TABLE vocab (
    word   TEXT PRIMARY KEY,
    docs   INTEGER NOT NULL,   -- papers holding the word (title or abstract)
    bucket INTEGER NOT NULL    -- first letter, length, second letter (query/words.py::bucket)
) WITHOUT ROWID;
CREATE INDEX vocab_bucket ON vocab(bucket, word, docs);

CREATE VIRTUAL TABLE titles_fts USING fts5(
    title, content='papers', content_rowid='pk', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER titles_fts_delete AFTER DELETE ON papers BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.pk, new.title);
END;
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild');
""")
    vocab.rebuild(db)


def m004_fixed_names(db: sqlite3.Connection) -> None:
    """Citation keys and note file names fixed for life (issue 12): stored,
    never recomputed from later sightings. Papers already in the library keep
    the key and note name they have today."""
    from .. import naming

    db.execute("ALTER TABLE papers ADD COLUMN citation_key TEXT")
    db.execute("ALTER TABLE papers ADD COLUMN note_name TEXT")
    rows = [(naming.citation_key(title, int(published[:4]) if published else None, pid),
             naming.note_stem(title, pid), pk)
            for pk, pid, title, published in db.execute("SELECT pk, id, title, published FROM papers")]
    db.executemany("UPDATE papers SET citation_key = ?, note_name = ? WHERE pk = ?", rows)


def m007_search_stems(db: sqlite3.Connection) -> None:
    """Stemmed search index with compound forms (issue 14, ``store/search_index.py``),
    built from the papers the library holds."""
    from . import search_index

    _run_script(db, search_index.SCHEMA)
    search_index.rebuild(db)


def m009_ingest_paths(db: sqlite3.Connection) -> None:
    """Bulk ingest (issue 16): ``index_pending`` records the derived indexes a
    bulk ingest is still to rebuild, and the titles trigger stands aside while
    titles_fts is one of them (see ``store/indexes.py``)."""
    from . import indexes

    _run_script(db, indexes.M009)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first; run statement by statement instead
    # so the migration and its record share one transaction.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_initial, m002_search, m004_fixed_names,
                                                          m007_search_stems, m009_ingest_paths]
SCHEMA_VERSION = len(MIGRATIONS)
