"""`papertriage check` and `papertriage backup` (issue 17).

``check`` looks at everything a damaged or half-updated library could get
wrong -- SQLite's own integrity check, foreign keys, orphan rows, the
full-text indexes and the typo vocabulary against the papers, unique paper
ids and citation keys, blocking keys for every paper -- and says what it
found. ``repair`` rebuilds only what is derived from the papers (full-text
indexes, vocabulary, blocking keys); decisions (tags, statuses, notes,
history) and papers are never touched, so a repair can lose nothing.

``backup`` copies the library with SQLite's online backup API: one consistent
state even while other papertriage processes write.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import dedup
from ..errors import StoreError, UserError
from ..model import Paper
from ..store import Library, health
from ..store.failures import APPLICATION_ID, is_sqlite_file

__all__ = ["CheckResult", "check", "repair", "backup", "DERIVED"]

KEY_BATCH = 2000  # papers whose blocking keys are rebuilt per transaction
FTS_BATCH = 5000  # papers indexed per transaction: searches meanwhile may miss the rest, writers wait little

# Check name -> whether --repair can fix what it finds (derived data only).
DERIVED = {"full-text index": True, "vocabulary": True, "blocking keys": True,
           "integrity": False, "foreign keys": False, "orphan rows": False, "paper ids": False,
           "citation keys": False}


@dataclass
class CheckResult:
    """Check name -> problems found (empty: fine), in the order they ran."""

    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    @property
    def repairable(self) -> bool:
        return not self.ok and all(DERIVED[name] for name, found in self.problems.items() if found)


def _citation_keys(library: Library) -> list[str]:
    from ..render.fields import citation_key

    seen: dict[str, str] = {}
    problems = []
    for _pk, pid, title, published in health.paper_texts(library.db):
        paper = Paper(id=pid, title=title, abstract="", published=dt.date.fromisoformat(published)
                      if published else None)
        key = citation_key(paper)
        if key in seen:
            problems.append(f"papers {seen[key]} and {pid} share the citation key {key}")
        else:
            seen[key] = pid
    return problems[:health.MAX_LISTED]


def _keys(db) -> list[str]:
    missing = health.papers_without_keys(db)
    return [f"{missing} papers have no blocking keys (repeats of them would not be merged)"] if missing else []


def check(library: Library, on_step: Callable[[str], None] | None = None) -> CheckResult:
    """Every check; a library too damaged for one still gets the others."""
    db = library.db
    steps: list[tuple[str, Callable]] = [
        ("integrity", health.integrity),
        ("foreign keys", health.foreign_keys),
        ("orphan rows", health.orphans),
        ("full-text index", health.fts_in_step),
        ("vocabulary", health.vocabulary_in_step),
        ("paper ids", health.duplicate_ids),
        ("citation keys", lambda _db: _citation_keys(library)),
        ("blocking keys", _keys),
    ]
    result = CheckResult()
    for name, run in steps:
        if on_step:
            on_step(name)
        try:
            result.problems[name] = health.guarded(run, db)
        except StoreError as exc:
            result.problems[name] = [f"cannot be checked: {exc.message}"]
    return result


def repair(library: Library, on_step: Callable[[str], None] | None = None) -> dict[str, int]:
    """Rebuild the derived data, each part in short transactions of its own.
    Returns what was rebuilt (papers indexed, vocabulary words, papers keyed)."""
    done: dict[str, int] = {}
    if on_step:
        on_step("full-text index")
    ranges = health.paper_pk_ranges(library.db, FTS_BATCH)
    with library.transaction() as db:
        health.clear_fts(db)
        for first, last in ranges[:1]:
            health.index_papers(db, first, last)
    for first, last in ranges[1:]:
        with library.transaction() as db:
            health.index_papers(db, first, last)
    done["papers indexed"] = library.stats()["papers"]
    if on_step:
        on_step("vocabulary")
    with library.transaction() as db:
        done["vocabulary words"] = health.rebuild_vocabulary(db)
    if on_step:
        on_step("blocking keys")
    keyed = 0
    for first, last in health.paper_pk_ranges(library.db, KEY_BATCH):
        rows: set[tuple[int, int]] = set()
        for pk, title, abstract in health.sighting_texts(library.db, first, last):
            rows.update((key, pk) for key in dedup.fingerprint(title, abstract).keys())
        with library.transaction() as db:
            health.replace_keys(db, first, last, sorted(rows))
        keyed += len({pk for _, pk in rows})
    with library.transaction() as db:
        health.remove_orphan_keys(db)
    done["papers keyed"] = keyed
    return done


def backup(library: Library, target: str) -> int:
    """Copy the library to ``target`` (a new file, or a papertriage library it
    replaces); returns the copy's size in bytes. Written beside the target and
    renamed into place, so a failed backup leaves no half file."""
    from ..atomic import replace_path

    if library.path == ":memory:":
        raise UserError("an in-memory library has nothing to back up")
    dest = Path(os.path.expanduser(target))
    if dest.is_dir():
        raise UserError("is a folder; backup needs a file name", file=target)
    if not dest.parent.is_dir():
        raise UserError(f"folder {dest.parent} does not exist", file=target)
    live = Path(library.path).resolve()
    resolved = dest.resolve()
    if resolved == live or resolved in (Path(str(live) + "-wal"), Path(str(live) + "-shm")) or (
            dest.exists() and os.path.samefile(dest, live)):
        raise UserError("that is the live library itself: give another file name", file=target)
    if dest.exists() and dest.stat().st_size and not _is_papertriage_file(str(dest)):
        raise UserError("exists and is not a papertriage library: refusing to overwrite it", file=target)
    replace_path(resolved, lambda fd, tmp: health.backup_to(library.db, tmp))
    return resolved.stat().st_size


def _is_papertriage_file(path: str) -> bool:
    if not is_sqlite_file(path):
        return False
    with open(path, "rb") as f:
        header = f.read(100)
    return int.from_bytes(header[68:72], "big") == APPLICATION_ID
