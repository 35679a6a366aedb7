"""When the write-ahead log goes back into the library file (issue 16).

In WAL mode a commit appends the changed pages to ``LIBRARY-wal``; a
checkpoint later copies them into the library file (random writes all over
it) and syncs it. SQLite checkpoints at a commit that leaves the log past
1,000 pages, and when the last connection closes. For a day's ingest into a
million-paper library that is ~4,500 pages scattered over 4 GB: 0.1-0.3 s of
the user's wait, after the work is done and committed.

So an ingest process leaves its last commit to be checkpointed by a small
helper process instead: ``checkpoint_later`` keeps the commit from
checkpointing, and ``close_in_background`` starts the helper, waits until
the helper has the library open (then closing this connection is not the
last close, so it does not checkpoint), and closes. The helper runs a
PASSIVE checkpoint at low priority (readers and writers go on meanwhile)
and closes; being the last connection out, it removes the log.

Nothing about safety changes: the log holds committed transactions whether
or not they were checkpointed yet, and every reader and writer reads through
it; a helper killed mid-checkpoint leaves a log the next connection uses
and checkpoints. A helper that fails to start in time is no error: the
library is closed the ordinary way, checkpoint and all. Copying only the
library file (without ``-wal``) in the second after an ingest can miss that
ingest until the helper is done; ``papertriage backup`` never does.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

from .connection import Connection

# Below this many pages in the log, the ordinary close is cheaper than starting a helper.
MIN_PAGES = 1_000
READY_SECONDS = 5.0  # how long to wait for the helper to open the library

_HELPER = """\
import os, sqlite3, sys
try:
    os.nice(10)
except OSError:
    pass
path, ready = sys.argv[1], int(sys.argv[2])
try:
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # now this process holds the library open
except Exception:
    sys.exit(1)  # the pipe closes unread: the ingest closes the ordinary way
os.write(ready, b"1")
os.close(ready)
db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
db.close()  # the last connection out checkpoints the rest and removes the log
"""


class Checkpoints(Connection):
    @contextmanager
    def checkpoint_later(self) -> Iterator[None]:
        """Commits inside this block do not checkpoint (``close_in_background`` will)."""
        if self.path == ":memory:":
            yield
            return
        before = self.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            try:
                self.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            except Exception:  # noqa: BLE001 - a connection already failing reports its own error
                pass

    def log_pages(self) -> int:
        """Pages in the write-ahead log not yet in the library file (an upper bound)."""
        if self.path == ":memory:":
            return 0
        try:
            size = os.path.getsize(self.path + "-wal")
        except OSError:
            return 0
        page = self.execute("PRAGMA page_size").fetchone()[0]
        return max(0, size - 32) // (page + 24)

    def close_in_background(self, min_pages: int | None = None) -> bool:
        """Close, leaving the checkpoint of a log of ``min_pages`` or more (default
        MIN_PAGES) to a helper process; True when the helper took it (else this
        was an ordinary close)."""
        handed = False
        try:
            if getattr(self, "db", None) is not None and not self.db.in_transaction and \
                    self.log_pages() >= (MIN_PAGES if min_pages is None else min_pages):
                handed = _start_helper(self.path)
        except Exception:  # noqa: BLE001 - whatever went wrong, the ordinary close still works
            handed = False
        self.close()
        return handed


def _start_helper(path: str) -> bool:
    """Start the helper; True once it holds the library open. ``posix_spawn``, not
    ``subprocess`` (whose import costs a day's ingest ~6 ms); without it, False."""
    import select

    read_end, write_end = os.pipe()
    try:
        os.set_inheritable(write_end, True)  # the one descriptor the helper gets besides /dev/null
        os.posix_spawn(sys.executable, [sys.executable, "-I", "-S", "-c", _HELPER, path, str(write_end)],
                       os.environ, setsid=True, file_actions=[
                           (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                           (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                           (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    except (OSError, AttributeError, NotImplementedError, ValueError):  # no posix_spawn, no interpreter path
        os.close(read_end)
        os.close(write_end)
        return False
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], READY_SECONDS)
        return bool(ready) and os.read(read_end, 1) == b"1"
    finally:
        os.close(read_end)
