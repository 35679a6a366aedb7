"""What went wrong with the library file, in words a user can act on (issue 17).

SQLite reports a damaged page, a full disk, a read-only file and a file that
is not a database with a handful of terse messages; ``explain`` turns any
``sqlite3.Error`` into a ``StoreError`` (exit 3) that says which of these it
is and what to do. It looks at the file and its folder to tell a read-only
folder from a read-only file, and a damaged library from another program's
file, so the message is accurate rather than a guess.

The file-identity rule lives here too: papertriage writes only to an empty new
file or to a papertriage library, which carries APPLICATION_ID in its header
(``PRAGMA application_id``, the SQLite way to mark a file's owner).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import StoreError

__all__ = ["APPLICATION_ID", "SQLITE_HEADER", "explain", "is_sqlite_file", "folder_read_only"]

APPLICATION_ID = 0x70747267  # "ptrg"
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 60


def is_sqlite_file(path: str) -> bool | None:
    """True/False for an SQLite header, None when the file is missing or empty."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if not head:
        return None
    return head == SQLITE_HEADER


def folder_read_only(path: str) -> bool:
    """The library's folder cannot take new files (WAL needs its -wal and -shm there)."""
    folder = str(Path(path).expanduser().resolve().parent)
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(folder, os.W_OK)


def _file_read_only(path: str) -> bool:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return os.path.exists(path) and not os.access(path, os.W_OK)


def _nearly_full(path: str) -> bool:
    try:
        st = os.statvfs(str(Path(path).expanduser().resolve().parent))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def explain(exc: BaseException, path: str) -> StoreError:
    """A StoreError with a one-line message for any sqlite3 error on ``path``."""
    text = str(exc)
    low = text.lower()
    if path == ":memory:":
        return StoreError(f"library error: {text}")
    # SQLITE_CORRUPT and SQLITE_NOTADB come as the bare DatabaseError class.
    if type(exc) is sqlite3.DatabaseError or "file is not a database" in low or "malformed" in low:
        if is_sqlite_file(path) is False:
            return StoreError(f"{path} is not a papertriage library (not an SQLite database); nothing was changed")
        return StoreError(f"the library {path} is damaged ({text}): run `papertriage check`, "
                          "or restore a backup (`papertriage backup` makes one)")
    if "disk is full" in low or "database or disk is full" in low:
        return StoreError(f"disk full while writing the library {path}: the last change was not saved; "
                          "free some space and run the command again")
    if "readonly" in low or "read-only" in low or "unable to open" in low or "cantinit" in low:
        if folder_read_only(path) or (not os.path.exists(path + "-wal") and "unable to open" in low
                                      and os.path.exists(path)):
            return StoreError(f"the folder of the library {path} is read-only: papertriage needs to write its "
                              "journal (-wal, -shm) next to the library; make the folder writable or copy the "
                              "library elsewhere")
        if _file_read_only(path) or "readonly" in low:
            return StoreError(f"the library {path} is read-only: check the file's permissions")
        return StoreError(f"cannot open the library {path}: check the folder exists and is writable")
    if "disk i/o error" in low and _nearly_full(path):
        # SQLite reports some writes that hit a full disk as I/O errors (a WAL
        # write, a -shm extension); the free space says which it was.
        return StoreError(f"disk full while writing the library {path}: the last change was not saved; "
                          "free some space and run the command again")
    if "disk i/o error" in low:
        return StoreError(f"input/output error on the library {path} (a failing disk, a full disk or a "
                          "removed drive); nothing more was written")
    if "locked" in low or "busy" in low:
        return StoreError(f"the library {path} stayed locked by another papertriage for {BUSY_SECONDS} s")
    return StoreError(f"library error in {path}: {text}")
