"""Derived indexes (full text, titles, vocabulary) kept in step row by row,
or rebuilt once after a bulk load (issue 16).

Row by row, an FTS5 index costs a `'delete'` of the old text and an insert
of the new for every paper whose text a merge replaced, and the vocabulary a
tokenising pass per paper; a bulk ingest (the first import, a year of dumps)
skips all of that while it writes (``deferred``) and rebuilds each derived
index once at the end (``rebuild_pending``), as a bare program would.

Kills lose nothing: the batches of a bulk ingest commit as usual, and the
first of them records in ``index_pending`` (migration m009) which indexes
are behind, in the same transaction as the rows they lack. The rebuild
clears the record in the transaction that rebuilds. A library left with a
record (the process was killed) is repaired by the next ingest
(``repair_if_orphaned``); until then searches miss the papers the killed
ingest added.

Other derived indexes join by adding a ``(name, rebuild)`` pair to
``REBUILDERS``.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from . import Library
    from .connection import Connection


def _rebuild_fts(table: str) -> Callable[[sqlite3.Connection], object]:
    def rebuild(db: sqlite3.Connection) -> None:
        db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    return rebuild


def _rebuild_vocab(db: sqlite3.Connection) -> int:
    from . import vocab

    return vocab.rebuild(db)


def _rebuild_titles_stem(db: sqlite3.Connection) -> None:
    from . import search_index

    search_index.rebuild(db)


# In order: the vocabulary is read from papers_fts.
REBUILDERS: list[tuple[str, Callable[[sqlite3.Connection], object]]] = [
    ("papers_fts", _rebuild_fts("papers_fts")),
    ("titles_fts", _rebuild_fts("titles_fts")),
    ("vocab", _rebuild_vocab),
    ("titles_stem", _rebuild_titles_stem),
]

# Migration m009: the record, and the titles trigger made to stand aside while
# titles_fts is to be rebuilt (an FTS5 'delete' of a row the index never got
# is corruption to FTS5).
M009 = """
CREATE TABLE index_pending (
    name  TEXT PRIMARY KEY,   -- a derived index that lags behind the papers (REBUILDERS)
    owner INTEGER NOT NULL,   -- process id of the bulk ingest that will rebuild it
    since TEXT NOT NULL
) WITHOUT ROWID;
DROP TRIGGER titles_fts_update;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON papers
WHEN old.title IS NOT new.title AND NOT EXISTS (SELECT 1 FROM index_pending WHERE name = 'titles_fts') BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.pk, new.title);
END;
"""


def is_deferred(library: "Connection") -> bool:
    """True inside ``deferred``: writers leave the derived indexes alone."""
    return bool(getattr(library, "_indexes_deferred", False))


@contextmanager
def deferred(library: "Library") -> Iterator[None]:
    """Write papers without keeping the derived indexes in step. Call
    ``mark_pending`` first thing in every write transaction inside, and
    ``rebuild_pending`` after."""
    library._indexes_deferred = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        library._indexes_deferred = False  # type: ignore[attr-defined]


def mark_pending(library: "Library") -> None:
    """Record, in the current transaction, that every derived index lags behind."""
    from . import now

    library.db.executemany(
        "INSERT INTO index_pending (name, owner, since) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner",
        [(name, os.getpid(), now()) for name, _ in REBUILDERS])


def pending(library: "Library") -> dict[str, int]:
    """name -> owner pid of each derived index that lags behind."""
    return dict(library.execute("SELECT name, owner FROM index_pending").fetchall())


def clear_pending(library: "Library") -> None:
    """Forget the record without rebuilding (nothing was written after all)."""
    with library.transaction() as db:
        db.execute("DELETE FROM index_pending WHERE owner = ?", (os.getpid(),))


def rebuild_pending(library: "Library") -> list[str]:
    """Rebuild every lagging index in one transaction; returns their names."""
    with library.transaction() as db:
        names = {name for name, in db.execute("SELECT name FROM index_pending")}
        done = []
        for name, rebuild in REBUILDERS:
            if name in names:
                rebuild(db)
                done.append(name)
        db.execute("DELETE FROM index_pending")
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not in a bulk ingest when it asks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def repair_if_orphaned(library: "Library") -> list[str]:
    """Rebuild the indexes a killed bulk ingest left behind (none while that
    ingest still runs: it rebuilds them itself when it ends)."""
    owners = pending(library)
    if owners and not any(_alive(pid) for pid in owners.values()):
        return rebuild_pending(library)
    return []
