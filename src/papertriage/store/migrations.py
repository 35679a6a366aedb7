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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_initial]
SCHEMA_VERSION = len(MIGRATIONS)
