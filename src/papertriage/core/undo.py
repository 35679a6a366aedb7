"""`undo`: revert the last command that changed decisions, as one step (issue 13).

History rows are grouped in steps (``store/steps.py``). Undoing a step
applies the inverse of each of its rows, newest first, in one transaction
that is itself a step (named ``undo N``), and marks the step undone, so the
next ``undo`` goes one step further back.

Inverses are looked up by the row's action in ``INVERSES``; another kind of
change (the dedup engineer's merge and split) registers its own with
``register_inverse`` and is undone like a tag or a status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import NoMatch, StoreError
from ..store import Library, now
from ..store import steps as store_steps
from .changes import record

__all__ = ["StepInfo", "UndoReport", "undo", "recent_steps", "register_inverse", "INVERSES",
           "register_step_inverse", "STEP_INVERSES"]

# action -> function(library, pk, detail, before, at) that reverts one history row.
Inverse = Callable[[Library, int, "str | None", "str | None", str], None]
INVERSES: dict[str, Inverse] = {}


# function(library, step, at) -> changes reverted: inverses of a whole step beyond
# its history rows (a `forget` ingests its dump again, core/forget.py).
StepInverse = Callable[[Library, int, str], int]
STEP_INVERSES: list[StepInverse] = []


def register_step_inverse(fn: StepInverse) -> StepInverse:
    STEP_INVERSES.append(fn)
    return fn


def register_inverse(action: str) -> Callable[[Inverse], Inverse]:
    def wrap(fn: Inverse) -> Inverse:
        INVERSES[action] = fn
        return fn
    return wrap


@register_inverse("status")
def _undo_status(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
    old = (detail or "").split(" -> ")[0].strip()
    if old:
        record(library, [(p, "status", f"{was} -> {old}") for p, was in library.set_statuses([pk], old)], at)


@register_inverse("tag+")
def _undo_tag_add(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
    record(library, [(p, "tag-", t) for p, t in library.remove_tags([(pk, detail or "")])], at)


@register_inverse("tag-")
def _undo_tag_remove(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
    record(library, [(p, "tag+", t) for p, t in library.add_tags([(pk, detail or "")], at)], at)


@register_inverse("note")
def _undo_note(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
    now_note = library.note_of(pk)
    if library.set_note(pk, before):
        record(library, [(pk, "note", before if before is not None else "(cleared)", now_note)], at)


@dataclass(slots=True)
class StepInfo:
    id: int
    at: str
    command: str
    changes: int
    papers: int
    undone_by: int | None


@dataclass(slots=True)
class UndoReport:
    step: StepInfo
    reverted: int = 0
    skipped: list[str] = field(default_factory=list)  # actions with no inverse
    dry_run: bool = False
    papers: list[int] = field(default_factory=list)  # pks of the papers it changed back, in order


def recent_steps(library: Library, limit: int = 10) -> list[StepInfo]:
    """The latest steps, newest first (undone ones say by which undo)."""
    return [StepInfo(*row) for row in store_steps.last_steps(library, limit)]


class _DryRun(Exception):
    pass


def undo(library: Library, *, dry_run: bool = False) -> UndoReport:
    """Revert the newest step not yet undone (undos themselves are not undone: run the command again)."""
    rows = store_steps.last_steps(library, 1, undoable_only=True)
    if not rows:
        raise NoMatch("nothing to undo")
    report = UndoReport(StepInfo(*rows[0]), dry_run=dry_run)
    saved_command = library.command
    library.command = f"undo {report.step.id}: {report.step.command}"[:300]
    try:
        with library.transaction():
            at = now()
            for _, pk, action, detail, before in reversed(store_steps.step_rows(library, report.step.id)):
                inverse = INVERSES.get(action)
                if inverse is None:
                    report.skipped.append(action)
                    continue
                inverse(library, pk, detail, before, at)
                report.reverted += 1
                if pk not in report.papers:
                    report.papers.append(pk)
            for step_inverse in STEP_INVERSES:
                report.reverted += step_inverse(library, report.step.id, at)
            if library.step is None:  # nothing needed reverting (already as before): still close the step
                store_steps.current_step(library, at)
            store_steps.mark_undone(library, report.step.id, library.step or 0)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except StoreError:
        raise
    finally:
        library.command = saved_command
    return report


from . import dedupe as _dedupe  # noqa: E402,F401  (registers the inverses of merge, split and unmerge)
from . import forget as _forget  # noqa: E402,F401  (registers the inverse of forget)
