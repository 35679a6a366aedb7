"""Dumps: the files ingested, each recorded once by the SHA-256 of its content."""

from __future__ import annotations

import datetime as dt

from .connection import Connection, now


class Dumps(Connection):
    def find_dump(self, sha256: str) -> str | None:
        """The name under which this content was ingested, or None."""
        row = self.execute("SELECT name FROM dumps WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add_dump(self, *, name: str, path: str, sha256: str, layout: str, page_date: dt.date | None,
                 page_date_raw: str | None, seen_on: dt.date, records: int, id: int | None = None,
                 date_from: str | None = None) -> int:
        """``id``: the id a forgotten dump had, when it comes back; ``date_from``:
        where its date came from (``core.ingest.DATE_ORIGINS``; issue 12)."""
        cur = self.execute(
            "INSERT INTO dumps (id, name, path, sha256, layout, page_date, page_date_raw, seen_on, ingested_at,"
            " records, date_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (id, name, path, sha256, layout, page_date.isoformat() if page_date else None, page_date_raw,
             seen_on.isoformat(), now(), records, date_from))
        assert cur.lastrowid is not None
        return cur.lastrowid
