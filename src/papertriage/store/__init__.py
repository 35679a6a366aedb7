"""The library: one SQLite file, owned by the Library class.

Only this package talks to sqlite3. It brings any file up to date on open,
wraps writes in short transactions (WAL, busy timeout, BEGIN IMMEDIATE, so
parallel taggers wait instead of failing), and turns sqlite3 errors into
StoreError.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..errors import StoreError, UnknownIdError
from ..model import Paper, Sighting
from . import search_index
from .migrations import MIGRATIONS

__all__ = ["Library", "PAPER_COLUMNS"]

PAPER_COLUMNS = (
    "p.pk, p.id, p.title, p.abstract, p.authors_count, p.published, p.upvotes, p.seen, "
    "p.sightings, p.first_seen, p.last_seen, p.added, p.status, p.note, p.citation_key, p.note_name"
)
BUSY_TIMEOUT_MS = 60_000
_CHUNK = 500  # rows per IN (...) query; below SQLite's variable limit


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _paper_from_row(row: Sequence) -> Paper:
    return Paper(
        id=row[1], title=row[2], abstract=row[3], authors_count=row[4],
        published=_date(row[5]), upvotes=row[6], seen=row[7], sightings_count=row[8],
        first_seen=row[9], last_seen=row[10], added=row[11], status=row[12], note=row[13],
        citation_key=row[14], note_name=row[15],
    )


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Library:
    """An open papertriage library. ``Library(":memory:")`` works for tests."""

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
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._explain(exc)) from None

    # -- connection and transactions -------------------------------------

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
            raise StoreError(self._explain(exc)) from None
        self._depth += 1
        try:
            yield self.db
        except BaseException as exc:
            self._depth -= 1
            if depth == 0:
                self.step = None
                self.db.execute("ROLLBACK")
            else:
                self.db.execute(f"ROLLBACK TO sp{depth}")
                self.db.execute(f"RELEASE sp{depth}")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(self._explain(exc)) from None
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
                raise StoreError(self._explain(exc)) from None

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

    def execute(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreError(self._explain(exc)) from None

    # -- dumps -----------------------------------------------------------

    def find_dump(self, sha256: str) -> str | None:
        row = self.execute("SELECT name FROM dumps WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def add_dump(self, *, name: str, path: str, sha256: str, layout: str, page_date: dt.date | None,
                 page_date_raw: str | None, seen_on: dt.date, records: int) -> int:
        cur = self.execute(
            "INSERT INTO dumps (name, path, sha256, layout, page_date, page_date_raw, seen_on, ingested_at, records)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, path, sha256, layout, page_date.isoformat() if page_date else None, page_date_raw,
             seen_on.isoformat(), now(), records))
        return cur.lastrowid

    # -- dedup support ---------------------------------------------------

    def papers_with_keys(self, keys: Iterable[int]) -> dict[int, list[int]]:
        """Blocking key -> papers (pks) that carry it."""
        found: dict[int, list[int]] = {}
        keys = list(keys)
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for key, pk in self.execute(f"SELECT key, paper FROM dedup_keys WHERE key IN ({marks})", chunk):
                found.setdefault(key, []).append(pk)
        return found

    def paper_states(self, pks: Iterable[int]) -> dict[int, tuple]:
        """pk -> (id, title, abstract, authors_count, published, upvotes, seen, sightings,
        first_seen, last_seen, last_dump) for merging."""
        states = {}
        pks = list(pks)
        for chunk in _chunks(pks):
            marks = ",".join("?" * len(chunk))
            for row in self.execute(
                "SELECT pk, id, title, abstract, authors_count, published, upvotes, seen, sightings,"
                f" first_seen, last_seen, last_dump FROM papers WHERE pk IN ({marks})", chunk):
                states[row[0]] = row[1:]
        return states

    def sighting_titles(self, pks: Iterable[int]) -> dict[int, set[str]]:
        """pk -> the distinct titles its sightings gave (a revised title keeps
        matching sightings that use the old one)."""
        titles: dict[int, set[str]] = {}
        pks = list(pks)
        for chunk in _chunks(pks):
            marks = ",".join("?" * len(chunk))
            for pk, title in self.execute(
                    f"SELECT DISTINCT paper, title FROM sightings WHERE paper IN ({marks})", chunk):
                titles.setdefault(pk, set()).add(title)
        return titles

    def ids_taken(self, ids: Iterable[str]) -> set[str]:
        taken: set[str] = set()
        ids = list(ids)
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            taken.update(r[0] for r in self.execute(f"SELECT id FROM papers WHERE id IN ({marks})", chunk))
        return taken

    # -- reading papers --------------------------------------------------

    def select(self, where: str = "1", params: Sequence = (), *, order_by: str = "p.pk",
               limit: int | None = None, joins: str = "", with_sightings: bool = False) -> Iterator[Paper]:
        """Stream papers matching a compiled clause; tags are fetched per chunk.

        ``where``/``joins``/``order_by`` come from the query compiler or fixed
        strings, never from user text; values go through ``params``.
        """
        cursor = self.execute(self.select_sql(where, order_by=order_by, limit=limit, joins=joins), params)
        while True:
            rows = cursor.fetchmany(_CHUNK)
            if not rows:
                return
            pks = [r[0] for r in rows]
            tags = self._tags_for(pks)
            sightings = self._sightings_for(pks) if with_sightings else {}
            for row in rows:
                paper = _paper_from_row(row)
                paper.tags = tags.get(row[0], [])
                if with_sightings:
                    paper.sightings = sightings.get(row[0], [])
                yield paper

    def count(self, where: str = "1", params: Sequence = (), joins: str = "") -> int:
        return self.execute(f"SELECT count(*) FROM papers p {joins} WHERE {where}", params).fetchone()[0]

    def _tags_for(self, pks: Sequence[int]) -> dict[int, list[str]]:
        marks = ",".join("?" * len(pks))
        tags: dict[int, list[str]] = {}
        for pk, tag in self.execute(
                f"SELECT paper, tag FROM tags WHERE paper IN ({marks}) ORDER BY paper, tag COLLATE NOCASE", pks):
            tags.setdefault(pk, []).append(tag)
        return tags

    def _sightings_for(self, pks: Sequence[int]) -> dict[int, list[Sighting]]:
        marks = ",".join("?" * len(pks))
        out: dict[int, list[Sighting]] = {}
        for row in self.execute(
            "SELECT s.paper, d.name, s.line, d.layout, s.title, coalesce(s.abstract, p.abstract),"
            " s.authors_count, s.published, s.published_raw, s.upvotes, s.dump"
            " FROM sightings s JOIN dumps d ON d.id = s.dump JOIN papers p ON p.pk = s.paper"
            f" WHERE s.paper IN ({marks}) ORDER BY s.paper, s.dump, s.line", pks):
            out.setdefault(row[0], []).append(Sighting(
                file=row[1], line=row[2], layout=row[3], title=row[4], abstract=row[5],
                authors_count=row[6], published=_date(row[7]), published_raw=row[8], upvotes=row[9],
                dump_id=row[10]))
        return out

    def resolve_ids(self, prefixes: Iterable[str]) -> list[int]:
        """Paper ids or unique prefixes -> pks, in the order given, without repeats.

        Raises UnknownIdError naming every id that matches no paper or more than one.
        """
        pks: list[int] = []
        seen: set[int] = set()
        unknown: list[str] = []
        ambiguous: list[str] = []
        for raw in prefixes:
            prefix = raw.strip().lower()
            if not prefix or any(c not in "0123456789abcdef" for c in prefix):
                unknown.append(raw)
                continue
            rows = self.execute(
                "SELECT pk FROM papers WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                (prefix, prefix + "g")).fetchall()
            if not rows:  # an id merged away resolves to the paper it joined (issue 11)
                from .dedup import resolve_alias

                rows = [(pk,) for pk in resolve_alias(self, prefix)]
            if not rows:
                unknown.append(raw)
            elif len(rows) > 1:
                ambiguous.append(raw)
            elif rows[0][0] not in seen:
                seen.add(rows[0][0])
                pks.append(rows[0][0])
        if unknown or ambiguous:
            parts = []
            if unknown:
                parts.append(f"unknown paper id{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
            if ambiguous:
                parts.append(f"ambiguous id prefix{'es' if len(ambiguous) > 1 else ''}: {', '.join(ambiguous)}")
            raise UnknownIdError("; ".join(parts), ids=unknown + ambiguous)
        return pks

    def stats(self) -> dict[str, int]:
        row = self.execute(
            "SELECT (SELECT count(*) FROM dumps), (SELECT count(*) FROM sightings),"
            " (SELECT count(*) FROM papers), (SELECT count(*) FROM papers WHERE sightings > 1),"
            " (SELECT count(DISTINCT tag) FROM tags)").fetchone()
        dumps, sightings, papers, merged, tags = row
        return {"dumps": dumps, "sightings": sightings, "papers": papers,
                "merged_papers": merged, "merges": sightings - papers, "tags": tags}

    # -- search support: the SQL select() runs, and the vocabulary (issue 4) --

    def select_sql(self, where: str = "1", *, order_by: str = "p.pk", limit: int | None = None,
                   joins: str = "") -> str:
        """The statement ``select`` runs for these arguments (for ``search --show-sql``)."""
        sql = f"SELECT {PAPER_COLUMNS} FROM papers p {joins} WHERE {where} ORDER BY {order_by}"
        return sql + (f" LIMIT {int(limit)}" if limit is not None else "")

    def update_vocabulary(self, new_pks: Sequence[int],
                          replaced: Sequence[tuple[int, str | None, str | None]] = ()) -> None:
        """Ingest hook: keep the vocabulary in step after papers were inserted or
        had their text replaced (pk, old title or None, old abstract or None)."""
        from . import vocab

        try:
            vocab.update(self.db, new_pks, replaced)
        except sqlite3.OperationalError as exc:
            raise StoreError(self._explain(exc)) from None

    def rebuild_vocabulary(self) -> int:
        """Recompute the vocabulary from the full-text index (after bulk loads); returns its size."""
        from . import vocab

        with self.transaction() as db:
            return vocab.rebuild(db)

    def vocabulary_docs(self, words: Iterable[str], min_docs: int = 2) -> dict[str, int]:
        """word -> number of papers, for the given words that are in the vocabulary
        (words of ``min_docs`` papers or more; 1: any word of the library)."""
        from . import vocab

        return vocab.docs_of(self.db, words, min_docs)

    def vocabulary_candidates(self, buckets: Sequence[int] = (), ranges: Sequence[tuple[int, int]] = (),
                              min_docs: int = 2) -> list[tuple[str, int]]:
        """(word, docs) of the vocabulary in these buckets and bucket ranges."""
        from . import vocab

        return vocab.candidates(self.db, buckets, ranges, min_docs)

    def title_forms_hold(self, word: str) -> bool:
        """Whether some title holds ``word`` stemmed or as a part of a compound
        (``toon`` of ToonComposer; issue 14)."""
        return search_index.holds(self.db, word)

    def index_docs(self, word: str, cap: int = 2) -> int:
        """Papers whose text holds ``word``, counted in the full-text index up to ``cap``."""
        from . import vocab

        return vocab.index_docs(self.db, word, cap)

    # -- user state: tags, status, notes, history (issue 5) ---------------
    # Call these inside ``transaction()``: each write records its history row
    # in the same transaction, so no change is ever left without its record.

    def tag_spelling(self, tag: str) -> str | None:
        """How the library already spells ``tag`` (compared case-insensitively), or None."""
        row = self.execute("SELECT tag FROM tags WHERE tag = ? LIMIT 1", (tag,)).fetchone()
        return row[0] if row else None

    def add_tags(self, pairs: Iterable[tuple[int, str]], at: str) -> list[tuple[int, str]]:
        """Tag papers; returns the (pk, tag) pairs that were not there already."""
        added = []
        for pk, tag in pairs:
            if self.execute("INSERT OR IGNORE INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                            (pk, tag, at)).rowcount:
                added.append((pk, tag))
        self.add_history((pk, at, "tag+", tag) for pk, tag in added)
        return added

    def remove_tags(self, pairs: Iterable[tuple[int, str]], at: str) -> list[tuple[int, str]]:
        """Untag papers; returns the (pk, tag) pairs that were there."""
        removed = []
        for pk, tag in pairs:
            if self.execute("DELETE FROM tags WHERE paper = ? AND tag = ?", (pk, tag)).rowcount:
                removed.append((pk, tag))
        self.add_history((pk, at, "tag-", tag) for pk, tag in removed)
        return removed

    def set_statuses(self, pks: Sequence[int], status: str, at: str) -> list[tuple[int, str]]:
        """Set the triage status; returns (pk, old status) for the papers that changed."""
        changed: list[tuple[int, str]] = []
        for chunk in _chunks(list(pks)):
            marks = ",".join("?" * len(chunk))
            rows = self.execute(f"SELECT pk, status FROM papers WHERE pk IN ({marks}) AND status != ?",
                                (*chunk, status)).fetchall()
            if rows:
                self.db.executemany("UPDATE papers SET status = ? WHERE pk = ?", [(status, pk) for pk, _ in rows])
                changed.extend(rows)
        self.add_history((pk, at, "status", f"{old} -> {status}") for pk, old in changed)
        return changed

    def set_note(self, pk: int, note: str | None, at: str) -> bool:
        """Replace a paper's note (None clears it); False when it was already that."""
        before = self.execute("SELECT note FROM papers WHERE pk = ?", (pk,)).fetchone()
        if not self.execute("UPDATE papers SET note = ? WHERE pk = ? AND note IS NOT ?", (note, pk, note)).rowcount:
            return False
        self.add_history([(pk, at, "note", note if note is not None else "(cleared)", before[0] if before else None)])
        return True

    def add_history(self, rows: Iterable[tuple]) -> None:
        """(pk, at, action, detail[, before]) rows; action is tag+, tag-, status or note.

        Each row joins the step of the current transaction (``store/steps.py``:
        what ``undo`` reverts as one), created by the first row written in it.
        """
        from . import steps

        steps.add_history(self, rows)

    def history(self, pk: int | None = None, limit: int | None = None) -> list[tuple[str, str, str, str, str | None]]:
        """(paper id, title, at, action, detail), oldest first; all papers when ``pk`` is None."""
        where, params = ("WHERE h.paper = ?", (pk,)) if pk is not None else ("", ())
        sql = (f"SELECT p.id, p.title, h.at, h.action, h.detail FROM history h JOIN papers p ON p.pk = h.paper"
               f" {where} ORDER BY h.id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.execute(sql, params).fetchall()[::-1]

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return self.execute("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag").fetchall()

    def papers_tagged(self, tag: str) -> list[int]:
        return [r[0] for r in self.execute("SELECT paper FROM tags WHERE tag = ? ORDER BY paper", (tag,))]

    def rename_tag(self, old: str, new: str, at: str) -> tuple[list[int], list[int]]:
        """Rename ``old`` to ``new`` on every paper, merging where a paper has both.

        Returns (papers renamed, papers that already had ``new``). Renaming to
        another case of the same tag just respells it.
        """
        pks = self.papers_tagged(old)
        if old.casefold() == new.casefold():
            self.execute("UPDATE tags SET tag = ? WHERE tag = ?", (new, old))
            had: set[int] = set()
        else:
            had = set(self.papers_tagged(new))
            self.execute("DELETE FROM tags WHERE tag = ?", (old,))
            self.db.executemany("INSERT INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                                [(pk, new, at) for pk in pks if pk not in had])
        self.add_history((pk, at, "tag-", old) for pk in pks)
        self.add_history((pk, at, "tag+", new) for pk in pks if pk not in had)
        return [pk for pk in pks if pk not in had], [pk for pk in pks if pk in had]

    def delete_tag(self, tag: str, at: str) -> list[int]:
        """Remove ``tag`` from every paper; returns the papers that had it."""
        pks = self.papers_tagged(tag)
        self.execute("DELETE FROM tags WHERE tag = ?", (tag,))
        self.add_history((pk, at, "tag-", tag) for pk in pks)
        return pks

    def paper_labels(self, pks: Iterable[int]) -> dict[int, tuple[str, str]]:
        """pk -> (id, title), for reporting what changed."""
        labels: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(list(pks)):
            marks = ",".join("?" * len(chunk))
            for pk, pid, title in self.execute(f"SELECT pk, id, title FROM papers WHERE pk IN ({marks})", chunk):
                labels[pk] = (pid, title)
        return labels

    def pks_for_ids(self, ids: Iterable[str]) -> dict[str, int]:
        """Full paper ids -> pks (ids not in the library are left out)."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            found.update(self.execute(f"SELECT id, pk FROM papers WHERE id IN ({marks})", chunk).fetchall())
        return found

    def name_papers(self, pks: Iterable[int]) -> None:
        """Give papers that have none their citation key and note name, from
        their title, year and id as they stand now; names once given are
        never changed (issue 12)."""
        from .. import naming

        rows = []
        for chunk in _chunks(list(pks)):
            marks = ",".join("?" * len(chunk))
            for pk, pid, title, published in self.execute(
                    f"SELECT pk, id, title, published FROM papers WHERE pk IN ({marks})"
                    " AND (citation_key IS NULL OR note_name IS NULL)", chunk):
                year = int(published[:4]) if published else None
                rows.append((naming.citation_key(title, year, pid), naming.note_stem(title, pid), pk))
        self.db.executemany("UPDATE papers SET citation_key = coalesce(citation_key, ?),"
                            " note_name = coalesce(note_name, ?) WHERE pk = ?", rows)

    def max_paper_pk(self) -> int:
        """The newest paper's pk (0 for an empty library): papers above it came later."""
        return self.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0]



class PaperWriter:
    """The writes of one ingest transaction, batched with executemany.

    It also keeps ``papers_fts`` in step with the title and abstract, and
    writes new rows of ``titles_fts`` (its trigger handles title changes),
    except in a bulk ingest (``indexes.deferred``), which rebuilds them at the end.
    """

    def __init__(self, library: Library):
        from . import indexes

        self.db = library.db
        self.index = not indexes.is_deferred(library)

    def next_pk(self) -> int:
        # Safe inside the write transaction (BEGIN IMMEDIATE holds the lock).
        return self.db.execute("SELECT coalesce(max(pk), 0) + 1 FROM papers").fetchone()[0]

    def insert_papers(self, rows: list[dict]) -> None:
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

    def update_papers(self, rows: list[dict]) -> None:
        """Rows carry ``pk``, the merged fields, and ``old_title``/``old_abstract``
        when the text changed (None otherwise)."""
        changed = [r for r in rows if r["old_abstract"] is not None or r["old_title"] is not None]
        fts_changed = changed if self.index else []
        # Sightings that said the same as the old abstract keep their own copy.
        self.db.executemany(
            "UPDATE sightings SET abstract = :old_abstract WHERE paper = :pk AND abstract IS NULL",
            [r for r in changed if r["old_abstract"] is not None])
        self.db.executemany(
            "INSERT INTO papers_fts (papers_fts, rowid, title, abstract) SELECT 'delete', pk, title, abstract"
            " FROM papers WHERE pk = :pk", fts_changed)
        self.db.executemany(
            "UPDATE papers SET title = :title, abstract = :abstract, authors_count = :authors_count,"
            " published = :published, upvotes = :upvotes, seen = :seen, sightings = :sightings,"
            " first_seen = :first_seen, last_seen = :last_seen, last_dump = :last_dump WHERE pk = :pk", rows)
        self.db.executemany("INSERT INTO papers_fts (rowid, title, abstract) VALUES (:pk, :title, :abstract)",
                            fts_changed)
        search_index.refresh(self.db, [r["pk"] for r in fts_changed if r["old_title"] is not None])

    def insert_sightings(self, rows: list[tuple]) -> None:
        self.db.executemany(
            "INSERT INTO sightings (paper, dump, line, title, abstract, authors_count, published,"
            " published_raw, upvotes, rule, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def insert_keys(self, rows: list[tuple[int, int]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO dedup_keys (key, paper) VALUES (?, ?)", rows)
