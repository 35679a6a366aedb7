"""The SQL of `papertriage check` and `papertriage backup` (issue 17).

Checks read only; each returns a list of problems in words (empty: fine).
Repairs rebuild what is derived from the papers -- the full-text indexes,
the typo vocabulary, the blocking keys -- and never touch a decision (tags,
status, notes, history) or a paper. Each repair step is its own short
transaction, so taggers running meanwhile wait seconds, not minutes.
"""

from __future__ import annotations

import sqlite3
from typing import Callable, Iterable, Iterator

from . import blocking, sighting_text, vocab
from ..words import is_vocabulary_word

__all__ = ["integrity", "foreign_keys", "orphans", "fts_in_step", "vocabulary_in_step", "duplicate_ids",
           "papers_without_keys", "paper_texts", "clear_fts", "index_papers", "rebuild_vocabulary", "replace_keys",
           "backup_to", "guarded"]

MAX_LISTED = 10  # problems listed per check; the count says how many more


def integrity(db: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in db.execute("PRAGMA integrity_check(100)")]
    return [] if rows == ["ok"] else rows


def foreign_keys(db: sqlite3.Connection) -> list[str]:
    return [f"{table} row {rowid} points to a missing {parent} row"
            for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check")]


_ORPHANS = {
    "sightings of no paper": "SELECT count(*) FROM sightings WHERE paper NOT IN (SELECT pk FROM papers)",
    "sightings of no dump": "SELECT count(*) FROM sightings WHERE dump NOT IN (SELECT id FROM dumps)",
    "tags on no paper": "SELECT count(*) FROM tags WHERE paper NOT IN (SELECT pk FROM papers)",
    "history of no paper": "SELECT count(*) FROM history WHERE paper NOT IN (SELECT pk FROM papers)",
    "blocking keys of no paper": "SELECT (SELECT count(*) FROM dedup_keys WHERE paper NOT IN (SELECT pk FROM papers))"
                                 " + (SELECT count(*) FROM dedup_keys_pending WHERE paper NOT IN (SELECT pk FROM papers))",
    "papers with no sighting": "SELECT count(*) FROM papers WHERE pk NOT IN (SELECT paper FROM sightings)",
}


def orphans(db: sqlite3.Connection) -> list[str]:
    problems = []
    for what, sql in _ORPHANS.items():
        n = db.execute(sql).fetchone()[0]
        if n:
            problems.append(f"{n} {what}")
    return problems


def _fts_problem(db: sqlite3.Connection, table: str) -> str | None:
    try:
        # With content=papers this compares the index with the papers' text.
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        return f"{table} is out of step with the papers ({exc})"
    return None


def fts_in_step(db: sqlite3.Connection) -> list[str]:
    problems = [p for p in (_fts_problem(db, t) for t in ("papers_fts", "titles_fts")) if p]
    papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
    for table in ("papers_fts", "titles_fts"):
        indexed = db.execute(f"SELECT count(*) FROM {table}_docsize").fetchone()[0]
        if indexed != papers:
            problems.append(f"{table} indexes {indexed} papers, the library has {papers}")
    return problems


def vocabulary_in_step(db: sqlite3.Connection) -> list[str]:
    """The vocab table against the full-text index's own term counts."""
    db.execute("DROP TABLE IF EXISTS temp.check_fts_terms")
    db.execute("CREATE VIRTUAL TABLE temp.check_fts_terms USING fts5vocab(main, papers_fts, row)")
    try:
        want = ((t, d) for t, d in db.execute("SELECT term, doc FROM temp.check_fts_terms ORDER BY term")
                if is_vocabulary_word(t))
        have = vocab.counts(db)
        wrong = list(_differences(want, have))
    finally:
        db.execute("DROP TABLE IF EXISTS temp.check_fts_terms")
    if not wrong:
        return []
    shown = ", ".join(wrong[:MAX_LISTED]) + (f" and {len(wrong) - MAX_LISTED} more" if len(wrong) > MAX_LISTED else "")
    return [f"{len(wrong)} vocabulary words out of step with the full-text index: {shown}"]


def _differences(want: Iterable[tuple[str, int]], have: Iterable[tuple[str, int]]) -> Iterator[str]:
    """Merge two word-sorted streams of (word, count); yield the words that differ."""
    wants, haves = iter(want), iter(have)
    a, b = next(wants, None), next(haves, None)
    while a is not None or b is not None:
        if a is not None and (b is None or a[0] < b[0]):
            yield f"{a[0]} (missing)"
            a = next(wants, None)
        elif b is not None and (a is None or b[0] < a[0]):
            yield f"{b[0]} (not in any paper)"
            b = next(haves, None)
        elif a is not None and b is not None:
            if a[1] != b[1]:
                yield f"{a[0]} ({b[1]} papers, should be {a[1]})"
            a, b = next(wants, None), next(haves, None)


def duplicate_ids(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT id, count(*) FROM papers GROUP BY id HAVING count(*) > 1 LIMIT ?",
                      (MAX_LISTED,)).fetchall()
    return [f"paper id {pid} is used by {n} papers" for pid, n in rows]


def papers_without_keys(db: sqlite3.Connection) -> int:
    papers = db.execute("SELECT count(*) FROM papers").fetchone()[0]
    keyed = db.execute("SELECT count(DISTINCT paper) FROM dedup_keys").fetchone()[0]
    keyed += db.execute("SELECT count(DISTINCT paper) FROM dedup_keys_pending p"
                        " WHERE NOT EXISTS (SELECT 1 FROM dedup_keys k WHERE k.paper = p.paper)").fetchone()[0]
    return max(0, papers - keyed)


def paper_texts(db: sqlite3.Connection) -> Iterator[tuple[int, str, str, str]]:
    """(pk, id, title, published) of every paper, for keys computed outside SQL."""
    yield from db.execute("SELECT pk, id, title, published FROM papers ORDER BY pk")


def sighting_texts(db: sqlite3.Connection, first_pk: int, last_pk: int) -> list[tuple[int, str, str]]:
    """(paper, title, abstract as that sighting said it) for papers in [first_pk, last_pk]."""
    return db.execute(
        f"SELECT s.paper, {sighting_text.TITLE}, {sighting_text.ABSTRACT} FROM sightings s"
        " JOIN papers p ON p.pk = s.paper"
        " WHERE s.paper BETWEEN ? AND ? ORDER BY s.paper, s.id", (first_pk, last_pk)).fetchall()


def paper_pk_ranges(db: sqlite3.Connection, size: int) -> list[tuple[int, int]]:
    pks = [r[0] for r in db.execute("SELECT pk FROM papers ORDER BY pk")]
    return [(pks[i], pks[min(i + size, len(pks)) - 1]) for i in range(0, len(pks), size)]


# -- repairs: derived data only ----------------------------------------------

def clear_fts(db: sqlite3.Connection) -> None:
    """Empty both full-text indexes (then ``index_papers`` refills them range by range)."""
    for table in ("papers_fts", "titles_fts"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")


def index_papers(db: sqlite3.Connection, first_pk: int, last_pk: int) -> None:
    """Index the text of the papers in [first_pk, last_pk]: short transactions, so a
    repair of a big library never holds the write lock for long (taggers wait seconds)."""
    db.execute("INSERT INTO papers_fts (rowid, title, abstract) SELECT pk, title, abstract FROM papers"
               " WHERE pk BETWEEN ? AND ?", (first_pk, last_pk))
    db.execute("INSERT INTO titles_fts (rowid, title) SELECT pk, title FROM papers WHERE pk BETWEEN ? AND ?",
               (first_pk, last_pk))


def rebuild_vocabulary(db: sqlite3.Connection) -> int:
    return vocab.rebuild(db)


def replace_keys(db: sqlite3.Connection, first_pk: int, last_pk: int, rows: list[tuple[int, int]]) -> None:
    """The blocking keys of the papers in [first_pk, last_pk], replaced by ``rows`` (key, paper)."""
    db.execute("DELETE FROM dedup_keys WHERE paper BETWEEN ? AND ?", (first_pk, last_pk))
    db.execute("DELETE FROM dedup_keys_pending WHERE paper BETWEEN ? AND ?", (first_pk, last_pk))
    blocking.add(db, rows)


def remove_orphan_keys(db: sqlite3.Connection) -> int:
    return (db.execute("DELETE FROM dedup_keys WHERE paper NOT IN (SELECT pk FROM papers)").rowcount
            + db.execute("DELETE FROM dedup_keys_pending WHERE paper NOT IN (SELECT pk FROM papers)").rowcount)


# -- backup ------------------------------------------------------------------

def backup_to(db: sqlite3.Connection, target: str, progress: Callable[[int, int], None] | None = None) -> None:
    """Copy the library into the new file ``target`` with SQLite's online backup.

    One step (pages=-1): the copy is read in a single read transaction, so it
    is one consistent state even while other processes write (WAL lets them).
    """
    from ..errors import StoreError

    dest = sqlite3.connect(target)
    try:
        db.backup(dest, pages=-1, progress=(lambda status, remaining, total: progress(total - remaining, total))
                  if progress else None)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        result = dest.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"the backup does not check ({result}); the library may be damaged: "
                             "run `papertriage check`")
    except sqlite3.Error as exc:
        raise StoreError(f"backup failed: {exc}") from None
    finally:
        dest.close()


def guarded(check: Callable[[sqlite3.Connection], list[str]], db: sqlite3.Connection) -> list[str]:
    """Run one check; a library too damaged to answer it is a problem to report, not a crash."""
    try:
        return check(db)
    except sqlite3.Error as exc:
        return [f"cannot be checked: {exc}"]
