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
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import StoreError
from .migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 60_000
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
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                                      check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                # The default 2 MB page cache spills a batch's pages mid-transaction.
                self.db.execute("PRAGMA cache_size = -65536")
                self.db.execute("PRAGMA temp_store = MEMORY")
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
            from . import indexes

            indexes.repair_if_orphaned(self)  # a bulk ingest killed before its rebuild (issue 16)
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from None

    # -- errors and transactions ------------------------------------------

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "file is not a database" in text or "malformed" in text:
            return f"{self.path} is not a papertriage library (not an SQLite database)"
        if "readonly" in text:
            return f"{self.path} is read-only: check the file's permissions"
        if "unable to open" in text:
            return f"cannot open the library {self.path}: check the folder exists and is writable"
        if "disk is full" in text or "database or disk is full" in text:
            return f"disk full while writing {self.path}; nothing was changed"
        if "locked" in text or "busy" in text:
            return f"the library {self.path} stayed locked by another papertriage for {BUSY_TIMEOUT_MS // 1000} s"
        return f"library error in {self.path}: {text}"

    def error(self, exc: sqlite3.Error) -> StoreError:
        """The StoreError to raise for a sqlite3 error."""
        return StoreError(self._explain(exc))

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
            if self.db.in_transaction:
                if depth == 0:
                    self.db.execute("ROLLBACK")
                else:
                    self.db.execute(f"ROLLBACK TO sp{depth}")
                    self.db.execute(f"RELEASE sp{depth}")
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
                if depth == 0:
                    self.db.execute("ROLLBACK")
                raise self.error(exc) from None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise self.error(exc) from None

    def prepare_for_scan(self) -> None:
        """For a command that reads the whole library once (export): no memory
        map and a small page cache, so memory does not grow with the library.
        Mapped and cached pages would only be read once."""
        self.execute("PRAGMA mmap_size = 0")
        self.execute("PRAGMA cache_size = -4096")

    def close(self) -> None:
        try:
            self.db.close()
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
