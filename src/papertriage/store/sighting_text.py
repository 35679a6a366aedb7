"""How a sighting's title and abstract are stored: once, where they are the paper's (issue 16).

Every sighting keeps the title and abstract its dump printed, but most of them
repeat the paper's, and the rest differ from it in one stretch (a truncated
copy, a sentence revised, a project URL appended or dropped). So a row of
``sightings`` holds (migration m018):

- ``title``: NULL where it is the paper's title, else the sighting's own;
- ``abstract``: NULL where it is the paper's abstract; else, with
  ``abstract_head``/``abstract_tail`` NULL, the sighting's own text whole;
  else only the stretch where it differs, the paper's first ``abstract_head``
  and last ``abstract_tail`` characters around it::

      paper[:head] + stored + paper[len(paper) - tail:]

``TITLE`` and ``ABSTRACT`` read them back in SQL (over ``sightings s JOIN
papers p``), so every reader gets the text as the dump said it.

Whatever writes, the triggers of m018 keep that true: before a paper's title
or abstract changes, or a sighting moves to another paper, the sightings that
lean on the paper's text get it whole. ``share`` then stores once again what
is shared with the new text (ingest after it replaced a paper's text, and
merge, split and unmerge through ``store/dedup.py``).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from .connection import chunks, marks

# The sighting's title and abstract, over `sightings s JOIN papers p ON p.pk = s.paper`.
TITLE = "coalesce(s.title, p.title)"


def _abstract_of(paper: str, alias: str = "") -> str:
    a = alias
    return (f"CASE WHEN {a}abstract IS NULL THEN {paper} WHEN {a}abstract_head IS NULL THEN {a}abstract"
            f" ELSE substr({paper}, 1, {a}abstract_head) || {a}abstract"
            f" || substr({paper}, length({paper}) - {a}abstract_tail + 1) END")


ABSTRACT = _abstract_of("p.abstract", "s.")

# A stretch is stored only when it saves at least this many characters over the whole text.
_WORTH = 16

# Migration m018: the triggers that give a sighting its text whole before what it leans on changes.
TRIGGERS = f"""
CREATE TRIGGER sightings_keep_title AFTER UPDATE OF title ON papers WHEN old.title IS NOT new.title BEGIN
    UPDATE sightings SET title = old.title WHERE paper = old.pk AND title IS NULL;
END;
CREATE TRIGGER sightings_keep_abstract AFTER UPDATE OF abstract ON papers
WHEN old.abstract IS NOT new.abstract BEGIN
    UPDATE sightings SET abstract = {_abstract_of("old.abstract")}, abstract_head = NULL, abstract_tail = NULL
    WHERE paper = old.pk AND (abstract IS NULL OR abstract_head IS NOT NULL);
END;
CREATE TRIGGER sightings_keep_text_moved AFTER UPDATE OF paper ON sightings
WHEN old.paper IS NOT new.paper AND (new.title IS NULL OR new.abstract IS NULL OR new.abstract_head IS NOT NULL)
BEGIN
    UPDATE sightings SET title = coalesce(title, (SELECT title FROM papers WHERE pk = old.paper)),
        abstract = {_abstract_of("(SELECT abstract FROM papers WHERE pk = old.paper)")},
        abstract_head = NULL, abstract_tail = NULL
    WHERE id = new.id;
END;
"""


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (halving on slices: C speed, not a loop a character)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, min(len(a), len(b), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:len(a) - lo] == b[len(b) - mid:len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def stored_abstract(text: str | None, paper: str) -> tuple[str | None, int | None, int | None]:
    """(abstract, abstract_head, abstract_tail) to store for a sighting's abstract ``text``
    beside the paper's ``paper``:

    >>> stored_abstract("We study cats.", "We study cats.")
    (None, None, None)
    >>> stored_abstract("Cats purr. We measure why, in 40 cats.", "Cats purr. We measure how, in 40 cats.")
    ('why', 22, 13)
    """
    if text is None or text == paper:
        return None, None, None
    if "\x00" in text or "\x00" in paper:  # SQLite's length() stops at a NUL: keep such text whole
        return text, None, None
    head = _common_prefix(text, paper)
    tail = _common_suffix(text, paper, min(len(text), len(paper)) - head)
    middle = text[head:len(text) - tail]
    if len(text) - len(middle) < _WORTH:
        return text, None, None
    return middle, head, tail


def stored_title(title: str, paper: str) -> str | None:
    return None if title == paper else title


def share(db: sqlite3.Connection, pks: Iterable[int]) -> None:
    """Store once again, for these papers' sightings, what they share with the paper's
    text now (after it changed, or sightings moved in): the same title or abstract as
    NULL, an abstract that differs in a stretch as that stretch."""
    changes = []
    for chunk in chunks(sorted(set(pks))):
        for sid, title, abstract, p_title, p_abstract in db.execute(
                "SELECT s.id, s.title, s.abstract, p.title, p.abstract FROM sightings s"
                " JOIN papers p ON p.pk = s.paper"
                f" WHERE s.paper IN ({marks(len(chunk))}) AND s.abstract_head IS NULL"
                " AND (s.title IS NOT NULL OR s.abstract IS NOT NULL)", chunk):
            new_title = title if title is None else stored_title(title, p_title)
            new_abstract, head, tail = stored_abstract(abstract, p_abstract)
            if new_title != title or new_abstract != abstract:
                changes.append((new_title, new_abstract, head, tail, sid))
    db.executemany("UPDATE sightings SET title = ?, abstract = ?, abstract_head = ?, abstract_tail = ?"
                   " WHERE id = ?", changes)
