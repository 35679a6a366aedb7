"""Triage status, notes and the history of every decision (issue 5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..errors import UserError
from ..model import STATUSES
from ..store import Library, Selection, now
from .changes import Report, record, target_pks, write
from .select import full_ids, resolve_ids

__all__ = ["HistoryEntry", "check_status", "mark", "get_note", "set_note", "history"]


@dataclass(slots=True)
class HistoryEntry:
    paper: str
    title: str
    at: str  # ISO time, UTC
    action: str
    detail: str | None
    via: str | None = None  # the command or rule that made the change (`mark`, `rule NAME (FILE:LINE)`)


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise UserError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
    return status


def mark(library: Library, ids: Sequence[str], status: str, *, query: str | None = None,
         dry_run: bool = False) -> Report:
    """Set the triage status of papers (ids or unique prefixes, or what ``query`` selects)."""
    check_status(status)
    pks = target_pks(library, ids, query)
    report = Report(selected=len(pks), dry_run=dry_run)
    with write(library, dry_run):
        at = now()
        changed = library.set_statuses(pks, status)
        report.changes = record(library, [(pk, "status", f"{old} -> {status}") for pk, old in changed], at)
    return report


def get_note(library: Library, paper_id: str) -> str | None:
    """The note of a paper (id or unique prefix), None when it has none."""
    (full,) = full_ids(library, [paper_id])
    paper = next(library.select(Selection(ids=(full,))), None)
    return paper.note if paper else None


def set_note(library: Library, paper_id: str, text: str | None) -> bool:
    """Replace the note (blank text clears it); False when nothing changed."""
    (pk,) = resolve_ids(library, [paper_id])
    note = (text.strip() if text else None) or None
    with library.transaction():
        at = now()
        before = library.note_of(pk)
        if not library.set_note(pk, note):
            return False
        record(library, [(pk, "note", note if note is not None else "(cleared)", before)], at)
        return True


def history(library: Library, paper_id: str | None = None, *, limit: int | None = None) -> list[HistoryEntry]:
    """The changes to one paper (or, without an id, the latest across the library), oldest first."""
    pk = resolve_ids(library, [paper_id])[0] if paper_id is not None else None
    return [HistoryEntry(*row) for row in library.history(pk, limit)]
