"""Names fixed at a paper's birth (issue 12): citation key and note name."""

from __future__ import annotations

from typing import Iterable

from .connection import Connection, chunks, marks


class Names(Connection):
    def name_papers(self, pks: Iterable[int]) -> None:
        """Give papers that have none their citation key and note name, from
        their title, year and id as they stand now; names once given are
        never changed (issue 12)."""
        pks = list(pks)
        if not pks:  # a day whose dumps were all in already (start-up, issue 16)
            return
        from .. import naming

        rows = []
        for chunk in chunks(pks):
            for pk, pid, title, published in self.execute(
                    f"SELECT pk, id, title, published FROM papers WHERE pk IN ({marks(len(chunk))})"
                    " AND (citation_key IS NULL OR note_name IS NULL)", chunk):
                year = int(published[:4]) if published else None
                rows.append((naming.citation_key(title, year, pid), naming.note_stem(title, pid), pk))
        self.db.executemany("UPDATE papers SET citation_key = coalesce(citation_key, ?),"
                            " note_name = coalesce(note_name, ?) WHERE pk = ?", rows)

    def rename_notes(self, names: Iterable[tuple[str, str]]) -> None:
        """(paper id, new note name): only `export --split --rename-notes` asks (issue 12)."""
        self.db.executemany("UPDATE papers SET note_name = ? WHERE id = ?", [(n, pid) for pid, n in names])
