"""The user's decisions as rows: tags, triage status, notes and the history of
changes to them (issue 5).

Plain reads and writes by pk; what a change means (spelling, merges, which
history rows to record) is decided in ``core``. Call the writers inside
``transaction()`` with the history rows of the same change, so no change is
ever left without its record.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .connection import Connection, chunks, marks


class Decisions(Connection):
    def tag_spelling(self, tag: str) -> str | None:
        """How the library already spells ``tag`` (compared case-insensitively), or None."""
        row = self.execute("SELECT tag FROM tags WHERE tag = ? LIMIT 1", (tag,)).fetchone()
        return row[0] if row else None

    def add_tags(self, pairs: Iterable[tuple[int, str]], at: str) -> list[tuple[int, str]]:
        """Tag papers; returns the (pk, tag) pairs that were not there already."""
        return [(pk, tag) for pk, tag in pairs
                if self.execute("INSERT OR IGNORE INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                                (pk, tag, at)).rowcount]

    def remove_tags(self, pairs: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        """Untag papers; returns the (pk, tag) pairs that were there."""
        return [(pk, tag) for pk, tag in pairs
                if self.execute("DELETE FROM tags WHERE paper = ? AND tag = ?", (pk, tag)).rowcount]

    def respell_tag(self, old: str, new: str) -> None:
        """Change how a tag is written (``new`` is ``old`` in another case)."""
        self.execute("UPDATE tags SET tag = ? WHERE tag = ?", (new, old))

    def delete_tag(self, tag: str) -> list[int]:
        """Remove ``tag`` from every paper; returns the papers that had it."""
        pks = self.papers_tagged(tag)
        self.execute("DELETE FROM tags WHERE tag = ?", (tag,))
        return pks

    def tags_under(self, tag: str) -> list[str]:
        """The distinct tags below ``tag`` in the hierarchy (``method`` -> ``method/kan``), by name."""
        like = tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/_%"
        return [r[0] for r in self.execute(
            "SELECT DISTINCT tag FROM tags WHERE tag LIKE ? ESCAPE '\\' ORDER BY tag", (like,))]

    def papers_tagged(self, tag: str) -> list[int]:
        return [r[0] for r in self.execute("SELECT paper FROM tags WHERE tag = ? ORDER BY paper", (tag,))]

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag with the number of papers carrying it, by name."""
        return [(t, n) for t, n in self.execute("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag")]

    def statuses(self, pks: Sequence[int]) -> dict[int, str]:
        """pk -> triage status."""
        found: dict[int, str] = {}
        for chunk in chunks(list(pks)):
            found.update(self.execute(f"SELECT pk, status FROM papers WHERE pk IN ({marks(len(chunk))})",
                                      chunk).fetchall())
        return found

    def set_statuses(self, pks: Sequence[int], status: str) -> list[tuple[int, str]]:
        """Set the triage status; returns (pk, old status) for the papers that changed."""
        changed: list[tuple[int, str]] = []
        for chunk in chunks(list(pks)):
            rows = self.execute(f"SELECT pk, status FROM papers WHERE pk IN ({marks(len(chunk))}) AND status != ?",
                                (*chunk, status)).fetchall()
            if rows:
                self.db.executemany("UPDATE papers SET status = ? WHERE pk = ?", [(status, pk) for pk, _ in rows])
                changed.extend(rows)
        return changed

    def set_note(self, pk: int, note: str | None) -> bool:
        """Replace a paper's note (None clears it); False when it was already that."""
        return bool(self.execute("UPDATE papers SET note = ? WHERE pk = ? AND note IS NOT ?",
                                 (note, pk, note)).rowcount)

    def note_of(self, pk: int) -> str | None:
        row = self.execute("SELECT note FROM papers WHERE pk = ?", (pk,)).fetchone()
        return row[0] if row else None

    def add_history(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """(pk, at, action, detail[, before]) rows; action is tag+, tag-, status or note.

        Each row joins the step of the current transaction (``store/steps.py``:
        what ``undo`` reverts as one), created by the first row written in it.
        """
        from . import steps

        steps.add_history(self, rows)

    def history(self, pk: int | None = None, limit: int | None = None) -> list[tuple[Any, ...]]:
        """(paper id, title, at, action, detail, via), oldest first; all papers when ``pk`` is None."""
        where, params = ("WHERE h.paper = ?", (pk,)) if pk is not None else ("", ())
        sql = (f"SELECT p.id, p.title, h.at, h.action, h.detail, h.via FROM history h JOIN papers p ON p.pk = h.paper"
               f" {where} ORDER BY h.id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.execute(sql, params).fetchall()[::-1]
