"""The stemmed title index (issue 14): ``titles_stem``, beside the exact ``titles_fts``.

An FTS5 table with the ``porter`` tokenizer over the same ``unicode61
remove_diacritics 2`` as ``papers_fts``, so ``marketplace`` meets
``Marketplaces`` and ``grokked`` meets ``Grokking``. It holds each title
followed by the title's compound forms (``query/words.py::compound_forms``:
``ToonComposer`` also as ``toon composer``, ``Mini-Omni2`` also as
``miniomni2``). Search reads it only when the words as typed find few papers
(``core/search.py``) and ranks what it adds below the exact matches.
Titles only: stemming abstracts too would cost about 40% more ingest time
for little (known items are remembered by their titles).

The table is contentless (the text is in ``papers`` already). FTS5 needs the
indexed text to delete a row, so the compound forms of each title that has
any are kept in ``stem_forms``.

Keeping it in step:

- new papers: ``insert`` (``PaperWriter.insert_papers`` calls it; a bulk load
  calls it with its rows). ``index_row`` is the whole per-paper computation;
- deleted papers and changed titles: triggers (migration m007), in SQL alone.
  A trigger cannot compute compound forms, so a changed title is indexed
  without them until ``refresh`` runs for it (``PaperWriter.update_papers``
  does) or ``rebuild``. The triggers touch only papers the index holds, so a
  paper written by other means (then missing from it) never breaks a write;
- ``rebuild``: everything again from ``papers`` (the migration, repairs).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

from ..words import compound_forms

TABLE = "titles_stem"
_CHUNK = 2000

SCHEMA = """
CREATE VIRTUAL TABLE titles_stem USING fts5(
    title, content='', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE stem_forms (
    paper INTEGER PRIMARY KEY,   -- papers.pk; only papers whose title has compound forms
    forms TEXT NOT NULL          -- what titles_stem holds after the title
);
CREATE TRIGGER titles_stem_delete AFTER DELETE ON papers
WHEN EXISTS (SELECT 1 FROM titles_stem WHERE rowid = old.pk) BEGIN
    INSERT INTO titles_stem(titles_stem, rowid, title) VALUES ('delete', old.pk,
        old.title || coalesce(' ' || (SELECT forms FROM stem_forms WHERE paper = old.pk), ''));
    DELETE FROM stem_forms WHERE paper = old.pk;
END;
CREATE TRIGGER titles_stem_update AFTER UPDATE OF title ON papers
WHEN old.title IS NOT new.title AND EXISTS (SELECT 1 FROM titles_stem WHERE rowid = old.pk) BEGIN
    INSERT INTO titles_stem(titles_stem, rowid, title) VALUES ('delete', old.pk,
        old.title || coalesce(' ' || (SELECT forms FROM stem_forms WHERE paper = old.pk), ''));
    DELETE FROM stem_forms WHERE paper = old.pk;
    INSERT INTO titles_stem(rowid, title) VALUES (new.pk, new.title);
END;
"""


def index_row(pk: int, title: str, forms: str | None = None) -> tuple[tuple[int, str], tuple[int, str] | None]:
    """One paper's rows: (pk, text) for ``titles_stem`` and (pk, forms) for
    ``stem_forms``, or None when the title has no compound forms. ``forms``:
    the title's ``forms_of``, when computed elsewhere."""
    if forms is None:
        forms = " ".join(compound_forms(title))
    if not forms:
        return (pk, title), None
    return (pk, f"{title} {forms}"), (pk, forms)


def insert(db: sqlite3.Connection, rows: Iterable[tuple[int, str]], computed: Sequence[str] | None = None) -> None:
    """Index new papers, given as (pk, title); ``computed``: their ``forms_of``,
    when another process computed them."""
    stems: list[tuple[int, str]] = []
    forms: list[tuple[int, str]] = []
    pairs = ((row, None) for row in rows) if computed is None else zip(rows, computed, strict=True)
    for (pk, title), extra in pairs:
        stem, form = index_row(pk, title, extra)
        stems.append(stem)
        if form is not None:
            forms.append(form)
        if len(stems) >= _CHUNK:
            _write(db, stems, forms)
            stems, forms = [], []
    _write(db, stems, forms)


def _write(db: sqlite3.Connection, stems: list, forms: list) -> None:
    db.executemany("INSERT INTO titles_stem (rowid, title) VALUES (?, ?)", stems)
    db.executemany("INSERT INTO stem_forms (paper, forms) VALUES (?, ?)", forms)


def insert_papers(db: sqlite3.Connection, rows: Sequence[dict]) -> None:
    """``insert`` for PaperWriter's row dicts (``pk``, ``title``)."""
    insert(db, ((r["pk"], r["title"]) for r in rows))


def refresh(db: sqlite3.Connection, pks: Iterable[int]) -> None:
    """Re-index papers whose title an UPDATE changed (the trigger indexed them
    without compound forms): gives them their forms back."""
    pks = list(dict.fromkeys(pks))
    for start in range(0, len(pks), 500):
        chunk = pks[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT p.pk, p.title, f.forms FROM papers p LEFT JOIN stem_forms f ON f.paper = p.pk"
            f" WHERE p.pk IN ({marks})", chunk).fetchall()
        for pk, title, old_forms in rows:
            stem, form = index_row(pk, title)
            if (form[1] if form else None) == old_forms:
                continue
            db.execute("INSERT INTO titles_stem(titles_stem, rowid, title) VALUES ('delete', ?, ?)",
                       (pk, f"{title} {old_forms}" if old_forms else title))
            db.execute("DELETE FROM stem_forms WHERE paper = ?", (pk,))
            _write(db, [stem], [form] if form else [])


def holds(db: sqlite3.Connection, word: str) -> bool:
    """Whether some title holds ``word`` in some form (stemmed, or as a part of a compound)."""
    return db.execute("SELECT 1 FROM titles_stem WHERE titles_stem MATCH ? LIMIT 1",
                      ('"' + word.replace('"', '""') + '"',)).fetchone() is not None


ASIDE_TITLES = 200_000  # at most, whose forms another process computes (memory: ~40 MB)


def first_titles(db: sqlite3.Connection) -> list[tuple[int, str]]:
    """(pk, title) of the first ASIDE_TITLES papers, in pk order: what ``rebuild`` indexes first."""
    return db.execute("SELECT pk, title FROM papers ORDER BY pk LIMIT ?", (ASIDE_TITLES,)).fetchall()


def forms_of(titles: Sequence[str]) -> list[str]:
    """Each title's compound forms as ``titles_stem`` holds them after the title ("" for
    none): pure, so another process can compute them (issue 16)."""
    return [" ".join(compound_forms(title)) for title in titles]


def rebuild(db: sqlite3.Connection, head: Sequence[tuple[int, str]] = (), head_forms: Sequence[str] = ()) -> None:
    """Index every paper again from ``papers`` (one pass; never at query time).
    ``head``/``head_forms``: ``first_titles(db)`` and their ``forms_of``, when
    computed elsewhere meanwhile; the papers after them are computed here."""
    db.execute("INSERT INTO titles_stem(titles_stem) VALUES ('delete-all')")
    db.execute("DELETE FROM stem_forms")
    insert(db, head, head_forms)
    after = head[-1][0] if head else -1  # pks are positive: -1 is before every paper
    insert(db, db.execute("SELECT pk, title FROM papers WHERE pk > ? ORDER BY pk", (after,)).fetchall())
