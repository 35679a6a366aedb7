"""The connection to one library file: open, migrate, transactions, and the
translation of sqlite3 errors into StoreError.

Every concern of the store (``papers.py``, ``dumps.py``, ``writer.py``,
``decisions.py``, ``vocab.py``) is a class built on ``Connection``;
``Library`` (``store/__init__.py``) puts them together. They share
``execute`` and ``transaction``, so every sqlite3 error leaves the store as
a StoreError.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from ..errors import StoreError
from .failures import APPLICATION_ID, explain
from .migrations import MIGRATIONS

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)
if TYPE_CHECKING:
    from typing import Any, Iterator, Sequence

BUSY_TIMEOUT_MS = 60_000
# A new library's page size (issue 16, size). Papers' rows of 1.5-2 KB left a fifth of each
# 4 KB page empty; at 8 KB the 100k library is 5 % smaller, searches as fast, and a day's
# ingest writes 7 % more bytes (16 KB: 8 % smaller, 17 % more written). An existing file
# keeps its size (WAL never changes it).
PAGE_SIZE = 8192
# Asked of SQLite for scattered reads (``map_for_scattered_reads``); it maps at most its
# compile-time SQLITE_MAX_MMAP_SIZE (2 GB in the usual builds) and at most the file.
SCATTERED_MMAP_BYTES = 1 << 40
CHUNK = 500  # rows per IN (...) query; below SQLite's variable limit


def now() -> str:
    """The current time, UTC, as the library records it."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def marks(n: int) -> str:
    """``?,?,?`` for an IN (...) of ``n`` values."""
    return ",".join("?" * n)


def to_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _read_only_mount(path: str) -> bool:
    """The library exists on a file system mounted read-only, with no write-ahead log beside it."""
    file = Path(path).expanduser()
    try:
        return file.is_file() and not Path(f"{file}-wal").exists() and bool(os.statvfs(file).f_flag & os.ST_RDONLY)
    except OSError:
        return False


class Connection:
    """An open SQLite connection to a papertriage library, brought up to date on open.

    ``Connection(":memory:")`` works for tests.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the library folder {parent}: {exc.strerror}") from None
            if Path(self.path).is_dir():
                raise StoreError(f"{self.path} is a folder, not a library file")
        # On a read-only file system WAL cannot make its -shm file, so SQLite could not even read the
        # library; nothing can write there either, so it is opened as an immutable file: reading
        # works (list, search, `--sort interest` in memory), and a write fails as read-only (issue 13).
        frozen = self.path != ":memory:" and _read_only_mount(self.path)
        try:
            if frozen:
                self.db = sqlite3.connect(f"file:{quote(str(Path(self.path).expanduser()))}?mode=ro&immutable=1",
                                          uri=True, isolation_level=None, check_same_thread=False)
            else:
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                          check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # before the first write; a no-op after
            self.db.execute("PRAGMA foreign_keys = ON")
            self._ensure_identity()  # before anything writes (WAL switches the header)
            if self.path != ":memory:" and not frozen:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                # The default 2 MB page cache spills a batch's pages mid-transaction.
                self.db.execute("PRAGMA cache_size = -65536")
                # Reads without a syscall a page: search 2-5x faster (issue 4). Capped so
                # that the mapped pages a scan touches do not swell memory.
                self.db.execute("PRAGMA mmap_size = 268435456")
            self._depth = 0
            # Undo support (store/steps.py): what the running command is called, the rule
            # making the changes (if any), and the step of the open transaction.
            self.command: str | None = None
            self.via: str | None = None
            self.step: int | None = None
            self._migrate()
            if self.path != ":memory:" and not frozen:
                # Only after the migrations (issue 16): inside a transaction, a statement that
                # rewrites a big table keeps the pages it changes in a statement journal, all in
                # memory under MEMORY (m018 dropping the old sightings of a 1M library: 0.8 GB).
                self.db.execute("PRAGMA temp_store = MEMORY")
            from . import indexes

            indexes.repair_if_orphaned(self)  # a bulk ingest killed before its rebuild (issue 16)
        except sqlite3.Error as exc:
            self.close()
            raise explain(exc, self.path) from None

    # -- errors and transactions ------------------------------------------

    def _explain(self, exc: BaseException) -> str:
        return explain(exc, self.path).message

    def _ensure_identity(self) -> None:
        """Write only to an empty new file or a papertriage library (issue 17).

        A papertriage library carries APPLICATION_ID in its header; one made
        before the id existed (it has papertriage's ``_migrations`` and
        ``papers``) gets it now. Anything else -- another program's database --
        is refused before a single byte of it changes.
        """
        # One snapshot for every read: another process creating the same new library sets the
        # id and then adds tables, so reading the id before and the tables after it would see
        # an id-less file with tables, and refuse a library that is ours.
        self.db.execute("BEGIN")
        try:
            app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
            if app_id == APPLICATION_ID:
                return
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ours = False
            if app_id == 0 and {"_migrations", "papers"} <= tables:
                ours = self.db.execute("SELECT 1 FROM _migrations WHERE name = 'm001_initial'").fetchone() is not None
        finally:
            if self.db.in_transaction:  # an error (a full disk) may have ended it already
                self.db.execute("COMMIT")
        if tables and not ours:
            raise StoreError(f"{self.path} is another program's SQLite database, not a papertriage library; "
                             "nothing was changed (give papertriage a new file or its own library)")
        self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def error(self, exc: BaseException) -> StoreError:
        """The StoreError to raise for a sqlite3 error (store/failures.py words it)."""
        return explain(exc, self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; nested calls become savepoints."""
        depth = self._depth
        try:
            if depth == 0:
                self.db.execute("BEGIN IMMEDIATE")
            else:
                self.db.execute(f"SAVEPOINT sp{depth}")
        except sqlite3.Error as exc:
            raise self.error(exc) from None
        self._depth += 1
        try:
            yield self.db
        except BaseException as exc:
            self._depth -= 1
            # SQLite rolls the whole transaction back by itself after some
            # errors (a full disk, SQLITE_FULL): then there is nothing to undo.
            if depth == 0:
                self.step = None
            self._roll_back(depth)
            if isinstance(exc, sqlite3.Error):
                raise self.error(exc) from None
            raise
        else:
            self._depth -= 1
            if depth == 0:
                self.step = None  # the next transaction that changes decisions is the next step
            try:
                self.db.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
            except sqlite3.Error as exc:
                self._roll_back(depth)
                raise self.error(exc) from None

    def _roll_back(self, depth: int) -> None:
        """Undo the transaction (depth 0) or savepoint. SQLite may already have
        rolled the whole transaction back by itself (a full disk, an I/O
        error): then there is nothing left to undo, and trying would only
        replace the real error with "no transaction is active" (issue 17)."""
        if not self.db.in_transaction:
            return
        try:
            if depth == 0:
                self.db.execute("ROLLBACK")
            else:
                self.db.execute(f"ROLLBACK TO sp{depth}")
                self.db.execute(f"RELEASE sp{depth}")
        except sqlite3.Error:
            pass  # the original error is the one to report

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> "Cursor":
        """Run one statement; every sqlite3 error, also one raised while the
        rows are read (a damaged page deep in a table), becomes StoreError."""
        try:
            return Cursor(self.db.execute(sql, params), self.path)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def map_for_scattered_reads(self) -> None:
        """For a command that reads a few thousand pages scattered over a big library (a day's
        ingest: its candidates, their keys and titles, the index pages its writes land on):
        map as much of the file as SQLite allows (its usual builds stop at 2 GB). A page read
        through the map cost a third of one read into SQLite's own cache: a day into the 1M
        library read its candidates in 110 ms of CPU instead of 245 (issue 16). Not for
        scans: every page touched through the map counts in the process's memory."""
        if self.path != ":memory:":
            self.execute(f"PRAGMA mmap_size = {SCATTERED_MMAP_BYTES}")

    def prepare_for_scan(self) -> None:
        """For a command that reads the whole library once (export): no memory
        map and a small page cache, so memory does not grow with the library.
        Mapped and cached pages would only be read once."""
        self.execute("PRAGMA mmap_size = 0")
        self.execute("PRAGMA cache_size = -4096")
        # A sort the indexes cannot give (--sort title, seen, date) spills to a
        # temporary file past the cache instead of growing in memory (issue 17).
        self.execute("PRAGMA temp_store = FILE")

    def close(self) -> None:
        db = getattr(self, "db", None)
        if db is None:
            return
        try:
            db.close()
        except sqlite3.Error:
            pass

    # -- migrations --------------------------------------------------------

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        applied = {row[0] for row in self.db.execute("SELECT name FROM _migrations")}
        known = {m.__name__ for m in MIGRATIONS}
        if applied - known:
            unknown = ", ".join(sorted(applied - known))
            raise StoreError(f"{self.path} was written by a newer papertriage (schema changes unknown here: "
                             f"{unknown}); upgrade papertriage")
        for migration in MIGRATIONS:
            if migration.__name__ in applied:
                continue
            with self.transaction() as db:
                # Several papertriage processes may open a new library at once:
                # under the write lock, check again that no other one applied it.
                if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (migration.__name__,)).fetchone():
                    continue
                migration(db)
                db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (migration.__name__, now()))


class Cursor:
    """A cursor whose row reads translate sqlite3 errors like ``execute`` does."""

    __slots__ = ("_cursor", "_path")

    def __init__(self, cursor: sqlite3.Cursor, path: str):
        self._cursor, self._path = cursor, path

    def __iter__(self) -> "Cursor":
        return self

    def __next__(self) -> Any:
        try:
            return next(self._cursor)
        except sqlite3.Error as exc:
            raise explain(exc, self._path) from None

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone()
        except sqlite3.Error as exc:
            raise explain(exc, self._path) from None

    def fetchmany(self, size: int = 1) -> list[Any]:
        try:
            return self._cursor.fetchmany(size)
        except sqlite3.Error as exc:
            raise explain(exc, self._path) from None

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall()
        except sqlite3.Error as exc:
            raise explain(exc, self._path) from None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def description(self) -> Any:
        return self._cursor.description
