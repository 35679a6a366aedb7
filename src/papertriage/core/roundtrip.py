"""Decisions as YAML: ``tag export`` writes tags, statuses and notes keyed by
paper id (with the title for humans); ``tag import`` reads them back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import STATUSES
from ..store import Library, Selection, now
from ..yamlnodes import compose, fail, is_null, mapping, read_text, scalar
from .changes import Report, Row, RowBefore, Unplaced, describe, record, write
from .identity import abstract_opening, place
from .tags import spell, yaml_tags

__all__ = ["export_decisions", "import_decisions", "parse_decisions", "DecisionEntry"]

_EXPORT_HEADER = """\
# papertriage decisions: tags, status and note per paper, keyed by paper id
# (and under _dedup, papers merged and split by hand).
# `papertriage tag import FILE` reads this back: by id, or, where the library
# knows the paper under another id, by its title and the opening of its abstract.
"""


def export_decisions(library: Library, *, everything: bool = False) -> str:
    """Papers with any tag, status other than new, or note (or every paper), as YAML, by id."""
    from ..render.safe import one_line
    from ..render.yamlfmt import block_mapping

    data: dict[str, object] = {}
    for paper in library.select(Selection(with_decisions=not everything, sort="id")):
        entry: dict[str, object] = {"title": one_line(paper.title), "opening": abstract_opening(paper.abstract),
                                    "status": paper.status, "tags": list(paper.tags)}
        if paper.note:
            entry["note"] = paper.note
        data[paper.id] = entry
    from .dedupe import export_decisions as export_merges  # merges and splits by hand travel too (issue 11)

    merges = export_merges(library)
    if merges:
        data["_dedup"] = merges
    if not data:
        return _EXPORT_HEADER + "{}\n"
    # Our own emitter (render/yamlfmt.py): every string double-quoted on one
    # line, so ids stay strings; PyYAML's took 4 s of CPU at 10k papers (issue 15).
    return _EXPORT_HEADER + block_mapping(data)


_KEEP = object()  # a field the import file does not mention: left as it is


@dataclass(slots=True)
class DecisionEntry:
    token: str
    line: int
    title: str | None = None
    opening: str | None = None  # of the abstract, to find the paper by content
    status: str | None = None
    tags: list[str] | None = None
    note: Any = _KEEP  # str, None (clear it) or _KEEP


def parse_decisions(text: str, source: str) -> list[DecisionEntry]:
    """Read an export file; every mistake is a UserError at its file:line."""
    root = compose(text, source)
    if root is None:
        return []
    entries = []
    for token, key_node, value in mapping(root, source, "expected papers keyed by id (as `tag export` writes)"):
        if token == "_dedup":  # merges and splits by hand: core.dedupe.read_decisions
            continue
        entry = DecisionEntry(token.strip(), key_node.start_mark.line + 1)
        if is_null(value):
            entries.append(entry)
            continue
        for key, field_node, item in mapping(value, source, f"{token}: expected title, status, tags and note"):
            if key == "title":
                entry.title = scalar(item, source, "the title")
            elif key == "opening":
                entry.opening = scalar(item, source, "the opening of the abstract")
            elif key == "status":
                status = scalar(item, source, "a status")
                if status not in STATUSES:
                    fail(item, source, f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
                entry.status = status
            elif key in ("tags", "tag"):
                entry.tags = yaml_tags(item, source)
            elif key == "note":
                entry.note = None if is_null(item) else scalar(item, source, "the note text")
            else:
                fail(field_node, source, f"unknown field {key!r}; known: title, opening, status, tags, note")
        entries.append(entry)
    return entries


def import_decisions(library: Library, path: str | Path | None = None, *, text: str | None = None,
                     source: str | None = None, replace: bool = False, dry_run: bool = False) -> Report:
    """Apply an export file: statuses and notes as written, tags added (with
    ``replace``, each listed paper's tags become exactly the listed ones).

    Each entry is placed by id, or, when this library has no such id, by its
    title and abstract opening through the deduplicator (issue 12: the same
    dumps ingested in another order can give a paper another id). Entries
    that fit no paper are listed in ``report.unplaced``; the rest is imported.
    """
    if text is None:
        assert path is not None
        text, source = read_text(path)
    source = source or str(path)
    entries = parse_decisions(text, source)
    report = Report(selected=len(entries), dry_run=dry_run)
    from .dedupe import apply_decisions, read_decisions  # merges and splits by hand (issue 11)

    merges = read_decisions(text, source)
    with write(library, dry_run):
        at = now()
        merged = apply_decisions(library, merges, at)  # recorded in history by core.dedupe
        rows: list[Row | RowBefore] = []
        placements = place(library, [(e.token, e.title, e.opening) for e in entries])
        for entry, placement in zip(entries, placements):
            if placement.pk is None:
                report.unplaced.append(Unplaced(entry.token, entry.title, source, entry.line))
                continue
            if placement.how == "content":
                report.by_content += 1
            pk = placement.pk
            if entry.status is not None:
                rows += [(pk, "status", f"{old} -> {entry.status}")
                         for _, old in library.set_statuses([pk], entry.status)]
            if entry.tags is not None:
                wanted = spell(library, entry.tags)
                if replace:
                    keep = {t.casefold() for t in wanted}
                    (full,) = library.paper_labels([pk]).values()
                    current = next(library.select(Selection(ids=(full[0],)))).tags
                    rows += [(p, "tag-", t) for p, t in
                             library.remove_tags([(pk, t) for t in current if t.casefold() not in keep])]
                rows += [(p, "tag+", t) for p, t in library.add_tags([(pk, t) for t in wanted], at)]
            if entry.note is not _KEEP:
                note = entry.note.strip() or None if isinstance(entry.note, str) else None
                before = library.note_of(pk)
                if library.set_note(pk, note):
                    rows.append((pk, "note", note, before))
        report.changes = describe(library, merged) + record(library, rows, at)
    return report
