"""What ingest reads and writes: blocking keys, the papers they point to, and
``PaperWriter``, the batched writes of one ingest transaction."""

from __future__ import annotations

from typing import Any, Iterable

import sqlite3

from . import blocking, search_index, sighting_text
from .connection import Connection, chunks, marks


class IngestReads(Connection):
    def holds_nothing(self) -> bool:
        """No paper, dump, pin or forgotten dump: nothing an ingest could match against or bring back."""
        return bool(self.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM papers) AND NOT EXISTS (SELECT 1 FROM dumps)"
            " AND NOT EXISTS (SELECT 1 FROM dedup_pins) AND NOT EXISTS (SELECT 1 FROM forgotten)").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes when another connection commits (``PRAGMA data_version``)."""
        return int(self.execute("PRAGMA data_version").fetchone()[0])

    def papers_with_keys(self, keys: Iterable[int]) -> dict[int, list[int]]:
        """Blocking key -> papers (pks) that carry it, pending keys included (``blocking.py``)."""
        try:
            return blocking.papers_with_keys(self.db, keys)
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def paper_records(self, pks: Iterable[int]) -> dict[int, tuple[Any, ...]]:
        """pk -> (id, title, abstract, authors_count, published, upvotes, seen, sightings,
        first_seen, last_seen, last_dump), what a merge needs of a paper."""
        records = {}
        for chunk in chunks(list(pks)):
            for row in self.execute(
                "SELECT pk, id, title, abstract, authors_count, published, upvotes, seen, sightings,"
                f" first_seen, last_seen, last_dump FROM papers WHERE pk IN ({marks(len(chunk))})", chunk):
                records[row[0]] = row[1:]
        return records

    def sighting_titles(self, pks: Iterable[int]) -> dict[int, set[str]]:
        """pk -> the distinct titles its sightings gave (a revised title keeps
        matching sightings that use the old one)."""
        titles: dict[int, set[str]] = {}
        for chunk in chunks(list(pks)):
            for pk, title in self.execute(
                    f"SELECT DISTINCT s.paper, {sighting_text.TITLE} FROM sightings s JOIN papers p ON p.pk = s.paper"
                    f" WHERE s.paper IN ({marks(len(chunk))})", chunk):
                titles.setdefault(pk, set()).add(title)
        return titles


# update_papers: the merged fields of papers whose text changed, written in one statement.
_CHANGED = "ingest_changed_papers"
_FIELDS = ("title", "abstract", "authors_count", "published", "upvotes", "seen", "sightings", "first_seen",
           "last_seen", "last_dump")
_FIELDS_SQL = ", ".join(_FIELDS)
# What a merge changes of a paper whose text stays; rows may carry ``stored``, these as loaded.
COUNTERS = _FIELDS[2:]
_FIELD_MARKS = ", ".join(f":{f}" for f in _FIELDS)


class PaperWriter:
    """The writes of one ingest transaction, batched with executemany.

    It also keeps ``papers_fts`` in step with the title and abstract, and
    writes new rows of ``titles_fts`` (its trigger handles title changes),
    except in a bulk ingest (``indexes.deferred``), which rebuilds them at the end.
    Call it inside ``Library.transaction()``, which turns sqlite3 errors into
    StoreError.
    """

    def __init__(self, library: Connection):
        from . import indexes

        self.db = library.db
        self.index = indexes.keeps_in_step(library)

    def next_pk(self) -> int:
        # Safe inside the write transaction (BEGIN IMMEDIATE holds the lock).
        return int(self.db.execute("SELECT coalesce(max(pk), 0) + 1 FROM papers").fetchone()[0])

    def insert_papers(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry their own ``pk`` (see next_pk)."""
        self.db.executemany(
            "INSERT INTO papers (pk, id, title, abstract, authors_count, published, upvotes, seen, sightings,"
            " first_seen, last_seen, last_dump, added) VALUES (:pk, :id, :title, :abstract, :authors_count,"
            " :published, :upvotes, :seen, :sightings, :first_seen, :last_seen, :last_dump, :added)", rows)
        if self.index:
            self.db.executemany("INSERT INTO papers_fts (rowid, title, abstract) VALUES (:pk, :title, :abstract)",
                                rows)
            self.db.executemany("INSERT INTO titles_fts (rowid, title) VALUES (:pk, :title)", rows)
            search_index.insert_papers(self.db, rows)  # stemmed titles with compound forms (issue 14)

    def update_papers(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry ``pk``, the merged fields, and ``old_title``/``old_abstract``
        when the text changed (None otherwise), and may carry ``stored``: the
        COUNTERS as the library held them (only those that differ are written).

        Issue 16, a daily ingest into a big library: FTS5 flushes its pending
        terms to a new segment (and does merge work) whenever a write
        statement opens a savepoint or a write goes to a lower rowid than the
        one before. So the papers whose text changed are updated in ONE
        statement (the title triggers then write the titles' indexes in
        rising pk order, with no flush between rows), the full-text index gets
        its 'delete' and insert pairs in rising pk order with the old text as
        values, and a paper whose text stayed gets a counters-only UPDATE that
        leaves the indexes and triggers alone. Row by row this cost ~1 ms a
        changed paper at 100k. Call before ``insert_papers`` (the new papers'
        pks come after).
        """
        rows = sorted(rows, key=lambda r: r["pk"])
        changed = [r for r in rows if r["old_abstract"] is not None or r["old_title"] is not None]
        counters = [r for r in rows if r["old_abstract"] is None and r["old_title"] is None]
        indexed: dict[int, tuple[str, str]] = {}  # what papers_fts holds: the rows before the UPDATE
        if changed and self.index:
            for chunk in chunks([r["pk"] for r in changed]):
                indexed.update((pk, (title, abstract)) for pk, title, abstract in self.db.execute(
                    f"SELECT pk, title, abstract FROM papers WHERE pk IN ({marks(len(chunk))})", chunk))
        if changed:
            self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_CHANGED} (pk INTEGER PRIMARY KEY, {_FIELDS_SQL})")
            self.db.executemany(f"INSERT INTO temp.{_CHANGED} (pk, {_FIELDS_SQL}) VALUES (:pk, {_FIELD_MARKS})",
                                changed)
            self.db.execute(f"UPDATE papers SET ({_FIELDS_SQL}) = (SELECT {_FIELDS_SQL} FROM temp.{_CHANGED} c"
                            f" WHERE c.pk = papers.pk) WHERE pk IN (SELECT pk FROM temp.{_CHANGED})")
            self.db.execute(f"DELETE FROM temp.{_CHANGED}")
            # The triggers gave the sightings that leaned on the old text their own copy:
            # store once again what they share with the new one (store/sighting_text.py).
            sighting_text.share(self.db, [r["pk"] for r in changed])
        # Only the columns that changed: an indexed column in the SET list rewrites its
        # index entry even when the value stays (upvotes, published: a page each).
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for r in counters:
            stored = r.get("stored")
            columns = tuple(c for i, c in enumerate(COUNTERS) if stored is None or stored[i] != r[c])
            if columns:
                groups.setdefault(columns, []).append(r)
        for columns, group in groups.items():
            self.db.executemany(
                f"UPDATE papers SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE pk = :pk", group)
        for r in changed if self.index else []:
            # As values: `INSERT INTO papers_fts ... SELECT ... FROM papers` reads ~1000 pages a row.
            title, abstract = indexed[r["pk"]]
            self.db.execute("INSERT INTO papers_fts (papers_fts, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                            (r["pk"], title, abstract))
            self.db.execute("INSERT INTO papers_fts (rowid, title, abstract) VALUES (:pk, :title, :abstract)", r)
        if self.index:
            search_index.refresh(self.db, [r["pk"] for r in changed if r["old_title"] is not None])

    def insert_sightings(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows: (paper, dump, line, title, abstract, authors_count, published, published_raw,
        upvotes, rule, scores, the paper's title, the paper's abstract): the sighting's text
        whole, stored once where it is the paper's (``sighting_text``)."""
        stored_title, stored_abstract = sighting_text.stored_title, sighting_text.stored_abstract
        stored = []
        for paper, dump, line, title, abstract, *fields, rule, scores, p_title, p_abstract in rows:
            abstract, head, tail = stored_abstract(abstract, p_abstract)
            stored.append((paper, dump, line, stored_title(title, p_title), abstract, *fields, rule, scores,
                           head, tail))
        self.db.executemany(
            "INSERT INTO sightings (paper, dump, line, title, abstract, authors_count, published,"
            " published_raw, upvotes, rule, scores, abstract_head, abstract_tail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", stored)

    def insert_keys(self, rows: list[tuple[int, int]]) -> None:
        if self.index:  # a day's keys wait in a small table (``blocking.py``)
            blocking.add_pending(self.db, rows)
        else:  # a bulk load writes most pages of the key index anyway
            blocking.add(self.db, rows)
