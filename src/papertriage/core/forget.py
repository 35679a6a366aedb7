"""`papertriage dumps` and `papertriage forget` (issue 12): which dumps the
library holds, and taking one back out.

Forgetting a dump removes its sightings and the papers seen only there. A
paper also seen in another dump stays, with its id, citation key and note
name (fixed at birth), and loses only that sighting: its best title and
abstract (``choose``), dates, counts, arXiv id and authors are worked out
again from what remains. The papers that go are archived with their
decisions (tags, status, note, history, aliases, names, pk and id) in the
``forgotten`` table, so:

- ingesting the same content again (a copy anywhere will do) brings every
  one of them back as it was: same pk, id and names, same decisions; a
  dump id and a paper pk taken meanwhile are the only things that can
  differ; a paper the dump's sightings now join (seen since in another
  dump) gets the decisions, combined as a merge combines them;
- `undo` of a `forget` ingests the dump again from the bytes kept with it
  (when the file could still be read when it was forgotten).

Ingest calls ``reborn`` for every dump it writes; it is None unless that
content was forgotten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Sequence

from .. import choose
from ..errors import NoMatch, UserError
from ..store import Library, now
from ..store import dedup as dedup_store
from ..store import forget as sql
from ..store import steps as store_steps
from ..store.sources import load_authors, load_links
from ..store.vocab import paper_words
from .ingest import DumpSource
from .sources import merged_sources
from .undo import register_inverse, register_step_inverse

__all__ = ["DumpInfo", "ForgetReport", "Gone", "list_dumps", "find_dumps_named", "forget", "reborn", "Reborn"]

SHA_PREFIX_MIN = 4


@dataclass(slots=True)
class DumpInfo:
    id: int
    name: str
    path: str
    sha256: str
    layout: str
    date: str  # the page's date, else the day it counts as seen
    records: int
    date_from: str | None  # where the date came from (model.DATE_FROM), None for dumps ingested before it was kept
    date_raw: str | None  # the date as the page, file name or option gave it
    sightings: int
    new: int  # papers first seen in it
    only: int  # papers seen only in it: what `forget` would remove
    ingested_at: str


def list_dumps(library: Library, *, counted: bool = True) -> list[DumpInfo]:
    """Every dump in the library, oldest first; ``counted=False`` leaves the
    counts of sightings and papers at 0 (they read every sighting)."""
    counts = sql.dump_counts(library) if counted else {}
    return [DumpInfo(d["id"], d["name"], d["path"], d["sha256"], d["layout"], d["page_date"] or d["seen_on"],
                     d["records"], d["date_from"], d["page_date_raw"], *counts.get(d["id"], (0, 0, 0)),
                     d["ingested_at"])
            for d in sql.dump_rows(library)]


def find_dumps_named(library: Library, tokens: Sequence[str]) -> list[DumpInfo]:
    """The dumps the user means, in the order given: a file whose content was
    ingested (by its SHA-256), a path as ingested, a file name, or a prefix of
    the SHA-256 (at least 4 hex digits, as `dumps` shows). A name several dumps
    share is an error that lists their SHA-256 prefixes."""
    dumps = list_dumps(library, counted=False)
    chosen: list[DumpInfo] = []
    unknown: list[str] = []
    for token in tokens:
        found = _find(dumps, token)
        if not found:
            unknown.append(token)
        elif len(found) > 1:
            raise UserError(f"{token} names {len(found)} dumps: give one of "
                            + ", ".join(f"{d.sha256[:8]} ({d.path})" for d in found))
        elif found[0] not in chosen:
            chosen.append(found[0])
    if unknown:
        raise UserError(f"no dump in the library is {', '.join(unknown)} (`papertriage dumps` lists them)")
    return chosen


def _find(dumps: list[DumpInfo], token: str) -> list[DumpInfo]:
    path = Path(token).expanduser()
    if path.is_file():
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            sha = ""
        found = [d for d in dumps if d.sha256 == sha]
        if found:
            return found
        found = [d for d in dumps if d.path == str(path.resolve())]
        if found:
            return found
    found = [d for d in dumps if d.path == token or d.name == token]
    if found:
        return found
    prefix = token.lower()
    if len(prefix) >= SHA_PREFIX_MIN and all(c in "0123456789abcdef" for c in prefix):
        return [d for d in dumps if d.sha256.startswith(prefix)]
    return []


@dataclass(slots=True)
class Gone:
    """A paper that goes with its dump, and the decisions kept for it."""

    id: str
    title: str
    status: str
    tags: list[str]
    note: str | None

    @property
    def decided(self) -> bool:
        return self.status != "new" or bool(self.tags) or self.note is not None


@dataclass(slots=True)
class Forgotten:
    dump: DumpInfo
    gone: list[Gone] = field(default_factory=list)
    kept: int = 0  # papers also seen elsewhere: they lose a sighting
    retitled: list[str] = field(default_factory=list)  # ids of kept papers whose title changed
    undoable: bool = True  # the dump's bytes were kept (or it can be ingested again from its file)


@dataclass(slots=True)
class ForgetReport:
    dumps: list[Forgotten] = field(default_factory=list)
    dry_run: bool = False
    step: int | None = None


class _DryRun(Exception):
    pass


def forget(library: Library, tokens: Sequence[str], *, dry_run: bool = False) -> ForgetReport:
    """Forget the dumps ``tokens`` name (see ``find_dumps_named``), as one step of history."""
    if not tokens:
        raise UserError("name the dumps to forget (`papertriage dumps` lists them)")
    chosen = find_dumps_named(library, tokens)
    report = ForgetReport(dry_run=dry_run)
    try:
        with library.transaction():
            at = now()
            for info in chosen:
                report.dumps.append(_forget_one(library, info, at))
            report.step = library.step
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _forget_one(library: Library, info: DumpInfo, at: str) -> Forgotten:
    result = Forgotten(info)
    info.sightings = sql.sightings_in(library, info.id)
    papers = sql.dump_papers(library, info.id)
    gone_pks = [pk for pk, only in papers if only]
    kept_pks = [pk for pk, only in papers if not only]
    archive = sql.paper_archive(library, gone_pks, info.id)
    for p in archive:
        result.gone.append(Gone(p["id"], p["title"], p["status"], [t for t, _ in p["tags"]], p["note"]))
    result.kept = len(kept_pks)
    # A step of history (`undo`, `undo --list`): a row on each paper that stays, and the archive.
    store_steps.add_history(library, [(pk, at, "forget", f"its sighting in {info.name}") for pk in kept_pks])
    step = store_steps.current_step(library, at)
    content = _content(info)
    result.undoable = content is not None
    sql.save_forgotten(library, step=step, at=at, dump=sql.dump_row(library, info.id), papers=archive,
                       content=content)
    # A merge whose sightings all came from this dump has nothing left to take out: `unmerge`
    # would make a paper of no sighting. It is closed (the papers that stay keep their pins).
    going = set(sql.sighting_ids_in(library, info.id))
    for pk in kept_pks:
        for merge_id, _, _, state in dedup_store.merges_of(library, pk, "merge"):
            moved = set(state.get("sightings") or [])
            if moved and moved <= going:
                dedup_store.mark_undone(library, merge_id, at)
    for pk in kept_pks:
        dedup_store.materialise_abstracts(library, pk)  # before the paper's text may change
    words: list[str] = []
    for p in archive:
        words += sorted(paper_words(p["title"], _abstract(library, p["pk"])))
    dedup_store.forget_words(library, words)
    sql.delete_dump(library, info.id, gone_pks)
    replaced = []
    for pk in kept_pks:
        before = dedup_store.paper_row(library, pk)
        assert before is not None
        texts = sql.remaining_texts(library, pk)
        title = _best(library, [t for t, _ in texts], choose.better_title)
        abstract = _best(library, [a for _, a in texts], choose.better_abstract)
        if (title, abstract) != (before["title"], before["abstract"]):
            dedup_store.replace_text(library, pk, title, abstract)
            replaced.append((pk, before["title"], before["abstract"]))
            if title != before["title"]:
                result.retitled.append(before["id"])
        dedup_store.share_abstract(library, pk)
        dedup_store.refresh_counts(library, pk)
        sources = [_Source(a, load_authors(au) if au else None, load_links(li) or None)
                   for a, au, li in sql.remaining_sources(library, pk)]
        library.set_paper_sources([(pk, *merged_sources((None, [], {}), sources))])  # type: ignore[arg-type]
    if replaced:
        library.update_vocabulary([], replaced)
    return result


@dataclass(slots=True)
class _Source:
    arxiv_id: str | None
    authors: list[str] | None
    links: dict[str, str] | None


def _abstract(library: Library, pk: int) -> str:
    row = dedup_store.paper_row(library, pk)
    return row["abstract"] if row else ""


def _best(library: Library, forms: list[str], better) -> str:
    best = forms[0]
    for form in forms[1:]:
        if better(form, best):
            best = form
    return best


def _content(info: DumpInfo) -> bytes | None:
    """The dump's bytes, when its file is still where it was ingested from, unchanged."""
    try:
        data = Path(info.path).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == info.sha256 else None


# -- bringing a forgotten dump back ----------------------------------------------------

class Reborn:
    """A forgotten dump being ingested again: its dump id, its papers' pks,
    ids and dates of birth, then their decisions (``finish``)."""

    def __init__(self, library: Library, archive: dict[str, Any]):
        self.archive = archive
        self.papers: dict[int, dict[str, Any]] = {p["lines"][0]: p for p in archive["papers"] if p["lines"]}
        old = archive["dump"]["id"]
        self.dump_id: int | None = old if sql.free_dump_id(library, old) else None
        self.born: dict[int, int] = {}  # first line -> pk of the paper born again there

    def rebirth(self, library: Library, handles: Sequence[int], rows: list[dict[str, Any]],
                placed: Iterable[tuple[int, int]]) -> dict[int, int]:
        """New papers of the dump (``rows``, one per handle) that were forgotten
        take back their pk, id and date of birth when free; the others get
        fresh pks around them. Returns handle -> pk."""
        first: dict[int, int] = {}
        for handle, line in placed:
            first.setdefault(handle, line)
        wanted = {h: self.papers[first[h]] for h in handles if first.get(h) in self.papers}
        free_pks = sql.free_pks(library, [p["pk"] for p in wanted.values()])
        free_ids = sql.free_ids(library, [p["id"] for p in wanted.values()])
        claimed = {p["pk"] for p in wanted.values() if p["pk"] in free_pks}
        batch_ids = {row["id"] for row in rows}
        next_pk = min(row["pk"] for row in rows) if rows else 1
        for handle, row in zip(handles, rows):
            p = wanted.get(handle)
            if p is not None and p["pk"] in free_pks:
                row["pk"], row["added"] = p["pk"], p["added"]
                if p["id"] != row["id"] and p["id"] in free_ids and p["id"] not in batch_ids:
                    row["id"] = p["id"]
                self.born[first[handle]] = row["pk"]
                continue
            while next_pk in claimed:
                next_pk += 1
            row["pk"] = next_pk
            next_pk += 1
        return {h: row["pk"] for h, row in zip(handles, rows)}

    def finish(self, library: Library, dump_id: int) -> None:
        """Decisions back on the papers the dump's sightings are in now."""
        at = now()
        lowest = None
        for line, paper in self.papers.items():
            pk = sql.paper_at(library, dump_id, line)
            if pk is None:
                continue
            whole = self.born.get(line) == pk
            if not whole:
                _combine(library, pk, paper, at)
            sql.restore_paper(library, pk, paper, whole=whole)
            if whole:
                lowest = pk if lowest is None else min(lowest, pk)
        if lowest is not None:
            sql.rescore_from(library, lowest)
        sql.mark_restored(library, self.archive["id"], at)
        step = self.archive["step"]
        if step is not None and not sql.step_undone(library, step):  # `undo` has nothing left to do for it
            store_steps.mark_undone(library, step, store_steps.current_step(library, at))


def _combine(library: Library, pk: int, paper: dict[str, Any], at: str) -> None:
    """A forgotten paper's decisions onto the paper its sightings joined, as a merge combines them."""
    from .dedupe import NOTE_SEPARATOR, STATUS_RANK

    row = dedup_store.paper_row(library, pk)
    assert row is not None
    status = max((row["status"], paper["status"]), key=lambda s: STATUS_RANK.get(s, 0))
    notes = [n for n in (row["note"], paper["note"]) if n]
    note = NOTE_SEPARATOR.join(dict.fromkeys(notes)) or None
    dedup_store.set_status_note(library, pk, status, note)
    dedup_store.copy_tags(library, [tuple(t) for t in paper["tags"]], pk)


def reborn(library: Library, sha256: str) -> Reborn | None:
    """What ingest needs to bring back a forgotten dump of this content, or None."""
    archive = sql.forgotten_for(library, sha256)
    return Reborn(library, archive) if archive is not None else None


# -- undo --------------------------------------------------------------------------------

@register_inverse("forget")
def _undo_forget_row(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
    """The paper gets its sighting back when the whole step is undone (below)."""


@register_step_inverse
def _undo_forget(library: Library, step: int, at: str) -> int:
    """Undo of a `forget`: ingest each dump it forgot again, from the bytes kept with it."""
    from .ingest import ingest_one

    done = 0
    for forgotten_id, sha, name, restored in sql.forgotten_of_step(library, step):
        if restored:
            continue
        data = sql.dump_content(library, forgotten_id)
        archive = sql.forgotten_for(library, sha)
        if data is None or archive is None:
            raise UserError(f"cannot undo the forget of {name}: its file could not be read when it was "
                            "forgotten; ingest a copy of it to bring it back")
        dump = archive["dump"]
        source = _KeptDump(name or "<forgotten dump>", None, _date(dump.get("page_date")), data=data,
                           seen=_date(dump.get("seen_on")) or dt.date.today())
        report = ingest_one(library, source)
        if report.error:
            raise UserError(f"cannot undo the forget of {name}: {report.error}")
        if report.dump_id is not None:
            sql.set_dump_origin(library, report.dump_id, dump)
        done += 1
    return done


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _KeptDump(DumpSource):
    """A forgotten dump's bytes, as they were kept with it, read as that dump."""

    def __init__(self, display: str, path: Path | None, page_date: dt.date | None, *, data: bytes,
                 seen: dt.date):
        super().__init__(display, path, page_date)
        self._data, self._seen = data, seen

    def read(self, stdin: BinaryIO | None) -> bytes:
        return self._data

    def saved_on(self) -> dt.date:
        return self._seen
