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
clears the record in the transaction that rebuilds. While a record stands,
every writer leaves that index alone (``keeps_in_step``; the delete and
title triggers check it too), since the rebuild will cover its rows. A
library left with a record (the process was killed) is repaired when it is
next opened (``repair_if_orphaned``).

Other derived indexes join by adding a ``(name, rebuild)`` pair to
``REBUILDERS``.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)

if TYPE_CHECKING:
    from typing import Callable, Iterator

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


# Migration m009_pending_deletes: the delete triggers stand aside too, so that
# removing a paper the index never got (forget, split) while a rebuild is
# pending is no FTS5 error.
M009_DELETES = """
DROP TRIGGER papers_fts_delete;
CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers
WHEN NOT EXISTS (SELECT 1 FROM index_pending WHERE name = 'papers_fts') BEGIN
    INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
    VALUES ('delete', old.pk, old.title, old.abstract);
END;
DROP TRIGGER titles_fts_delete;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON papers
WHEN NOT EXISTS (SELECT 1 FROM index_pending WHERE name = 'titles_fts') BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.pk, old.title);
END;
"""


def is_deferred(library: "Connection") -> bool:
    """True inside ``deferred``: writers leave the derived indexes alone."""
    return bool(getattr(library, "_indexes_deferred", False))


@contextmanager
def deferred(library: "Connection") -> Iterator[None]:
    """Write papers without keeping the derived indexes in step. Call
    ``mark_pending`` first thing in every write transaction inside, and
    ``rebuild_pending`` after."""
    library._indexes_deferred = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        library._indexes_deferred = False  # type: ignore[attr-defined]


def mark_pending(library: "Connection") -> None:
    """Record, in the current transaction, that every derived index lags behind."""
    from . import now

    library.db.executemany(
        "INSERT INTO index_pending (name, owner, since) VALUES (?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner",
        [(name, os.getpid(), now()) for name, _ in REBUILDERS])


def pending(library: "Connection") -> dict[str, int]:
    """name -> owner pid of each derived index that lags behind."""
    return dict(library.execute("SELECT name, owner FROM index_pending").fetchall())


def keeps_in_step(library: "Connection", name: str = "papers_fts") -> bool:
    """Whether writers should keep ``name`` in step now: not inside a bulk
    ingest, and no rebuild pending (another process's bulk ingest, or a
    killed one: its papers have no index rows to delete)."""
    if is_deferred(library):
        return False
    return library.execute("SELECT 1 FROM index_pending WHERE name = ?", (name,)).fetchone() is None


def clear_pending(library: "Connection") -> None:
    """Forget the record without rebuilding (nothing was written after all)."""
    with library.transaction() as db:
        db.execute("DELETE FROM index_pending WHERE owner = ?", (os.getpid(),))


if TYPE_CHECKING:
    # What ``rebuild_pending`` may hand to another process: titles in, a function that
    # waits for their ``search_index.forms_of`` out.
    Aside = Callable[[list[str]], Callable[[], list[str]]]


def rebuild_pending(library: "Connection", aside: Aside | None = None) -> list[str]:
    """Rebuild every lagging index in one transaction; returns their names.

    ``aside``: the stemmed titles' compound forms (Python, ~3 s at 100k) are
    computed by it, from titles read inside this transaction, while SQLite
    rebuilds the full-text indexes here (issue 16: both cores at the end too).
    """
    with library.transaction() as db:
        names = {name for name, in db.execute("SELECT name FROM index_pending")}
        rebuilders = dict(REBUILDERS)
        if aside is not None and "titles_stem" in names:
            from . import search_index

            head = search_index.first_titles(db)
            if head:
                waiting = aside([title for _, title in head])
                rebuilders["titles_stem"] = lambda db: search_index.rebuild(db, head, waiting())
        done = []
        for name, _ in REBUILDERS:
            if name in names:
                rebuilders[name](db)
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


def repair_if_orphaned(library: "Connection") -> list[str]:
    """Rebuild the indexes a killed bulk ingest left behind (none while that
    ingest still runs: it rebuilds them itself when it ends). A read-only
    library is left as it is."""
    from ..errors import StoreError

    owners = pending(library)
    if owners and not any(_alive(pid) for pid in owners.values()):
        try:
            return rebuild_pending(library)
        except StoreError:
            return []
    return []
