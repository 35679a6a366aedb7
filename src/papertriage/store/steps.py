"""Steps: the history rows of one command, reverted together by `undo` (issue 13).

Every write transaction that records history becomes one step: the first
history row written in it creates the ``steps`` row (named after
``Library.command``), and every row of the transaction points to it. A batch
``mark`` is one transaction, so one step; each decision on the triage screen
is its own transaction, so its own step.

Each history row has an inverse, found from its action (see ``INVERSES`` in
``core/undo.py``); a new kind of change (a merge, a split) brings its action
name and its inverse, and undo handles it like the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .connection import Connection as Library

__all__ = ["add_history", "current_step", "last_steps", "step_rows", "mark_undone"]


def current_step(library: "Library", at: str) -> int:
    """The step of the open transaction, created on first use."""
    if library.step is None:
        cur = library.db.execute("INSERT INTO steps (at, command) VALUES (?, ?)",
                                 (at, library.command or "papertriage"))
        library.step = cur.lastrowid
    assert library.step is not None
    return library.step


def add_history(library: "Library", rows: Iterable[tuple]) -> None:
    """Write (pk, at, action, detail[, before]) rows into the current step."""
    rows = list(rows)
    if not rows:
        return
    step = current_step(library, rows[0][1])
    library.db.executemany(
        "INSERT INTO history (paper, at, action, detail, before, step, via) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r[0], r[1], r[2], r[3], r[4] if len(r) > 4 else None, step, via_of(library)) for r in rows])


# Command groups whose subcommand is part of the name a change is made "via" (`tag add`, not `tag`).
_GROUPS = frozenset({"tag"})


def via_of(library: "Library") -> str | None:
    """What made the changes being written: the rule (``Library.via``, set while one runs), else
    the command's name (``mark``, ``tag add``, ``triage``, ``undo``) from ``Library.command``.

    >>> class L: via = None; command = "tag add method/kan e922 --dry-run"
    >>> via_of(L())
    'tag add'
    """
    if library.via:
        return library.via
    if not library.command:
        return None
    words = library.command.split()
    name = words[0] if words else ""
    if name in _GROUPS and len(words) > 1 and not words[1].startswith("-"):
        name += " " + words[1]
    return name[:60] or None


def last_steps(library: "Library", limit: int = 10, *, undoable_only: bool = False) -> list[tuple]:
    """(id, at, command, number of changes, papers, undone_by) of the latest steps, newest first.

    ``undoable_only``: steps not yet undone that are not undos themselves.
    """
    # (A `forget` whose dump could not be read when it was forgotten cannot be undone: past it.)
    where = ("WHERE s.undone_by IS NULL AND s.command NOT LIKE 'undo%' AND NOT EXISTS (SELECT 1 FROM forgotten x"
             " WHERE x.step = s.id AND x.content IS NULL AND x.restored IS NULL)") if undoable_only else ""
    # A `forget` (issue 12) counts the papers it removed, whose history went with them.
    return library.execute(
        "SELECT s.id, s.at, s.command, count(h.id) + coalesce(f.removed, 0),"
        " count(DISTINCT h.paper) + coalesce(f.removed, 0), s.undone_by"
        " FROM steps s LEFT JOIN history h ON h.step = s.id"
        " LEFT JOIN (SELECT step, sum(removed) AS removed FROM forgotten GROUP BY step) f ON f.step = s.id"
        f" {where} GROUP BY s.id HAVING count(h.id) > 0 OR f.step IS NOT NULL ORDER BY s.id DESC LIMIT ?",
        (limit,)).fetchall()


def step_rows(library: "Library", step: int) -> list[tuple[int, int, str, str | None, str | None]]:
    """(history id, paper pk, action, detail, before) of a step, in the order written."""
    return library.execute("SELECT id, paper, action, detail, before FROM history WHERE step = ? ORDER BY id",
                           (step,)).fetchall()


def mark_undone(library: "Library", step: int, by: int) -> None:
    library.execute("UPDATE steps SET undone_by = ? WHERE id = ?", (by, step))
