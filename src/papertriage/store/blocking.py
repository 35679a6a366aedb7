"""Blocking keys: which papers carry a key, for ingest's candidates (``dedup.py``
makes the keys; ``dedup_keys``, created by m001, holds them by (key, paper)).

A key is a CRC, so a day's ~1,000 new keys land on as many random pages of the
key index: 961 of the 2,309 pages a day into the 1M library wrote, each twice
(the log, then the checkpoint). So an ingest's new keys wait first in
``dedup_keys_pending`` (migration m021; issue 16), the same shape and a few
dozen pages, and every reader here reads both tables in one statement, so a
candidate is found the moment its paper is in, whichever table holds its key.
Once more than ``FOLD_AT`` keys wait, the write that crosses it folds them into
``dedup_keys`` in key order (in its transaction): that day writes most pages of
the key index once, where the days before it would have written them one key
at a time. A merge, a repair and a bulk load write ``dedup_keys`` directly.
Deleting a paper deletes its keys in both tables (foreign keys).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from .connection import chunks, marks

# Keys folded into ``dedup_keys`` once more wait: about a month of daily ingests at ~1,000
# new keys a day. A fold of 30,000 keys into the 1M library's 10,900 pages of keys writes
# ~10,000 of them once; the days before it wrote ~30 pages of keys each instead of ~960.
FOLD_AT = 30_000


def papers_with_keys(db: sqlite3.Connection, keys: Iterable[int]) -> dict[int, list[int]]:
    """Blocking key -> the papers (pks) that carry it, in pk order, as one table would give them."""
    found: dict[int, list[int]] = {}
    late: set[int] = set()  # keys with a pending paper: their lists are put in pk order again
    for chunk in chunks(list(keys)):
        # One statement over both tables: one state of the library, even while another
        # process folds the pending keys in (then a key may come from both: counted once).
        for key, pk, pending in db.execute(
                f"SELECT key, paper, 0 FROM dedup_keys WHERE key IN ({marks(len(chunk))})"
                f" UNION ALL SELECT key, paper, 1 FROM dedup_keys_pending WHERE key IN ({marks(len(chunk))})",
                [*chunk, *chunk]):
            found.setdefault(key, []).append(pk)
            if pending:
                late.add(key)
    for key in late:
        found[key] = sorted(set(found[key]))
    return found


def add_pending(db: sqlite3.Connection, rows: list[tuple[int, int]]) -> None:
    """An ingest's new (key, paper) pairs: pending, folded once more than FOLD_AT wait."""
    if not rows:
        return
    db.executemany("INSERT OR IGNORE INTO dedup_keys_pending (key, paper) VALUES (?, ?)", sorted(rows))
    if db.execute("SELECT count(*) FROM dedup_keys_pending").fetchone()[0] > FOLD_AT:
        fold(db)


def add(db: sqlite3.Connection, rows: Iterable[tuple[int, int]]) -> None:
    """(key, paper) pairs straight into ``dedup_keys`` (merges, repairs, a bulk load)."""
    db.executemany("INSERT OR IGNORE INTO dedup_keys (key, paper) VALUES (?, ?)", rows)


def fold(db: sqlite3.Connection) -> None:
    """Move the pending keys into ``dedup_keys``, in key order (each page visited once)."""
    db.execute("INSERT OR IGNORE INTO dedup_keys (key, paper) SELECT key, paper FROM dedup_keys_pending"
               " ORDER BY key, paper")
    db.execute("DELETE FROM dedup_keys_pending")

