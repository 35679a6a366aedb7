"""Libraries as an older papertriage left them, for the migration tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from papertriage.store.migrations import MIGRATIONS


def schema_of_version(path: Path, applied: int) -> sqlite3.Connection:
    """An empty library of the version that had the first ``applied`` migrations, built the way it
    shipped (shipped migrations are frozen), open in autocommit mode for the caller to fill."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for migration in MIGRATIONS[:applied]:
        db.execute("BEGIN")
        migration(db)
        db.execute("INSERT INTO _migrations VALUES (?, '2025-01-01T00:00:00+00:00')", (migration.__name__,))
        db.execute("COMMIT")
    return db
