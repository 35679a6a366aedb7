"""Ingest: dump files -> parsed sightings -> merged papers.

A file either goes in whole or not at all (a savepoint per file inside
transactions of about BATCH_SIGHTINGS sightings); a file that fails to parse
is reported and the others still go in. Content already ingested (same
SHA-256) is skipped at once. A library error (disk full, read-only) is no bad
file: it stops the ingest and rolls back the batch in flight.

Rules files (``core.rules``) given to ``ingest`` are checked before anything
is written and run on the papers the ingest added, so the command and the
Python API do the same thing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Sequence

from ..errors import PapertriageError, StoreError, UserError
from ..store import Library, PaperWriter, indexes, now
from ..store import dedup as dedup_store
from ..store import forget as forget_store
from . import ahead, prefetch

if TYPE_CHECKING:
    # Imported where used (start-up, issue 16): the rules pull in the query compiler, dedup
    # rapidfuzz, and the parsers their patterns, which files already in the library never need.
    from .. import dedup, parse
    from ..model import Sighting
    from .prefetch import Prepared
    from .forget import Reborn
    from .rules import Rule, RuleResult

ID_LENGTH = 8
ID_WORDS = 40  # of the abstract, with the normalised title, make a paper's id
BATCH_SIGHTINGS = 20_000  # per transaction; long enough to amortise, short enough for other writers
# With the helper process, the first batch, doubled each batch up to BATCH_SIGHTINGS: this
# process waits for the helper to prepare a whole batch before it writes, so a short first
# one starts the two cores working side by side seconds sooner (issue 16). Both paths batch
# alike: a paper's names are given at the end of the batch it was born in.
FIRST_BATCH_SIGHTINGS = 1_000
CHUNK_SIGHTINGS = 5_000  # of one file, deduped and written at a time (memory; see _write_parsed)
MAX_DUMP_BYTES = 256 * 1024 * 1024  # a page dump is a few hundred KB; refuse absurd inputs
# The bulk path (issue 16): derived indexes rebuilt once at the end instead of
# kept in step row by row, when the ingest is large beside the library (a
# rebuild costs about what the library holds; row by row, what the ingest adds).
BULK_MIN_SIGHTINGS = 5_000
BULK_SHARE = 0.5  # of the papers already in the library
SIGHTING_BYTES = 1_400  # a sighting's share of a dump, on average


@dataclass(slots=True)
class FileReport:
    name: str
    layout: str | None = None
    records: int = 0
    new: int = 0
    merged: int = 0
    skipped: bool = False
    error: str | None = None
    dump_id: int | None = None  # once recorded (for `ingest --explain`)
    not_ingested: bool = False  # a good file the library could not take (disk full, read-only)


@dataclass(slots=True)
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    stopped: str | None = None  # the library error that stopped the ingest (exit 3), if one did
    rules: list[RuleResult] = field(default_factory=list)  # what the rules did to the new papers

    @property
    def errors(self) -> list[FileReport]:
        """Bad files (not the good ones a failing library could not take)."""
        return [f for f in self.files if f.error and not f.not_ingested]

    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "records": sum(f.records for f in self.files),
            "new": sum(f.new for f in self.files),
            "merged": sum(f.merged for f in self.files),
            "skipped": sum(f.skipped for f in self.files),
            "errors": len(self.errors),
            "not_ingested": sum(f.not_ingested for f in self.files),
        }


class IngestStopped(StoreError):
    """The library failed during an ingest (disk full, read-only, damaged):
    exit 3. ``report`` says which files went in before it and which did not
    (the failing batch rolled back whole)."""

    def __init__(self, message: str, report: IngestReport):
        super().__init__(message)
        self.report = report


@dataclass(slots=True)
class DumpSource:
    """A dump to read: a path, or stdin when ``path`` is None; ``page_date``
    overrides the command's --page-date for this one dump."""

    display: str
    path: Path | None
    page_date: dt.date | None = None

    def read(self, stdin: BinaryIO | None) -> bytes:
        if self.path is None:
            return (stdin or sys.stdin.buffer).read(MAX_DUMP_BYTES + 1)
        if self.path.stat().st_size > MAX_DUMP_BYTES:
            raise UserError(f"file larger than {MAX_DUMP_BYTES >> 20} MB, not a page dump", file=self.display)
        return self.path.read_bytes()

    def saved_on(self) -> dt.date:
        """The file's own date: one in its name (``papers_2024-09-16.txt``), else
        its modification time (a copied dump keeps the date in its name), else today."""
        return self.dated()[0]

    def dated(self) -> tuple[dt.date, str, str]:
        """(the file's own date, where it came from: ``name``, ``mtime`` or ``stdin``, its raw text)."""
        if self.path is None:
            return dt.date.today(), "stdin", "standard input, read today"
        named = date_in_name(self.path.name)
        if named is not None:
            return named, "name", self.path.name
        mtime = self.path.stat().st_mtime
        return dt.date.fromtimestamp(mtime), "mtime", dt.datetime.fromtimestamp(mtime).isoformat(timespec="seconds")


_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_in_name(name: str) -> dt.date | None:
    """A date written YYYY-MM-DD in a file name, when it is a real date.

    >>> date_in_name("papers_2024-09-16.txt")
    datetime.date(2024, 9, 16)
    >>> date_in_name("2024-13-01.txt") is None
    True
    """
    for m in _NAME_DATE.finditer(name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None



def assign_page_dates(sources: list[DumpSource], dates: dict[str, dt.date]) -> None:
    """``--page-date FILE=DATE`` (issue 12): the page date of one dump, named as
    on the command line, by path or by file name (``-``: stdin). A FILE that
    is none of the dumps to ingest is an error, raised before anything is read."""
    for name, day in dates.items():
        if name == "-":
            hits = [s for s in sources if s.path is None]
        else:
            target = Path(name).expanduser().resolve()
            hits = [s for s in sources if s.path is not None and s.path.resolve() == target]
            hits = hits or [s for s in sources if s.path is not None and s.path.name == name]
        if not hits:
            raise UserError(f"--page-date {name}={day.isoformat()}: {name} is not one of the dumps to ingest")
        for source in hits:
            source.page_date = day


def find_dumps(paths: Iterable[str], skipped: list[tuple[str, str]] | None = None) -> list[DumpSource]:
    """Expand the command line: files as given, folders to their non-hidden files (sorted), `-` to stdin.

    In a folder, files that are clearly not dumps (``not_a_dump``) are left
    out and, with ``skipped``, listed there as (path, why); a file named on
    the command line is always read, and must be a dump.
    """
    sources: list[DumpSource] = []
    for raw in paths:
        if raw == "-":
            sources.append(DumpSource("<stdin>", None))
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    why = not_a_dump(child)
                    if why is None:
                        sources.append(DumpSource(str(child), child))
                    elif skipped is not None:
                        skipped.append((str(child), why))
        elif path.exists():
            sources.append(DumpSource(raw, path))
        else:
            raise UserError("no such file or folder", file=raw)
    return sources


# Names no saved page or API response has (issue 15): a folder of dumps often
# holds a README, notes or screenshots.
_NOT_DUMP_NAMES = ("readme", "license", "licence", "changelog", "makefile", "notes", "todo")
_NOT_DUMP_SUFFIXES = frozenset((".md", ".markdown", ".rst", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg",
                                ".pdf", ".zip", ".gz", ".tar", ".db", ".sqlite", ".py", ".sh", ".yaml", ".yml",
                                ".toml", ".ini", ".csv", ".bib", ".ris", ".docx", ".xlsx"))


def not_a_dump(path: Path) -> str | None:
    """Why a file in a folder is clearly not a dump (by name, then by its first
    bytes), or None when it may be one. Only clear cases: anything else is
    read and, if it fits no layout, reported as an error."""
    name = path.name.lower()
    stem, suffix = os.path.splitext(name)
    if suffix in _NOT_DUMP_SUFFIXES:
        return f"a {suffix} file"
    if stem in _NOT_DUMP_NAMES:
        return f"a {path.name} file"
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None  # reading it will say what is wrong
    if not head.strip():
        return "empty"
    if b"\0" in head:
        return "binary"
    return None


_SIGHTINGS = 7  # of a ``Library.paper_records`` row


@dataclass(slots=True)
class _PaperRecord:
    """A paper as this ingest sees it: loaded from the library (``pk``), or new.

    Its title and abstract are the matcher's (``dedup.PaperText``: the one
    rule for the best text); the rest is merged here.
    """

    text: dedup.PaperText
    pk: int | None
    id: str | None
    authors_count: int | None
    published: str | None
    upvotes: int | None
    seen: int
    sightings: int
    first_seen: str | None
    last_seen: str | None
    last_dump: int | None
    changed: bool = False
    stored_title: str | None = None  # what the library holds, for a paper loaded from it
    stored_abstract: str | None = None
    stored_counts: tuple[Any, ...] | None = None  # authors_count ... last_dump as loaded (writer.COUNTERS)

    @classmethod
    def load(cls, pk: int, row: tuple[Any, ...], titles: set[str]) -> "_PaperRecord":
        """From ``Library.paper_records``: (id, title, abstract, authors_count, published,
        upvotes, seen, sightings, first_seen, last_seen, last_dump)."""
        from .. import dedup

        pid, title, abstract, authors_count, published, upvotes, seen, sightings, first, last, last_dump = row
        return cls(dedup.PaperText(title, abstract, titles), pk, pid, authors_count, published, upvotes, seen,
                   sightings, first, last, last_dump, stored_title=title, stored_abstract=abstract,
                   stored_counts=(authors_count, published, upvotes, seen, sightings, first, last, last_dump))

    @property
    def old_title(self) -> str | None:
        """The title the library held, when this ingest replaced it."""
        return self.stored_title if self.stored_title not in (None, self.text.title) else None

    @property
    def old_abstract(self) -> str | None:
        return self.stored_abstract if self.stored_abstract not in (None, self.text.abstract) else None

    def absorb(self, s: Sighting, dump_id: int, seen_on: str) -> None:
        """Keep the best of what the new sighting knew (its text went to the matcher)."""
        self.changed = True
        if s.authors_count is not None:
            self.authors_count = max(self.authors_count or 0, s.authors_count)
        published = s.published.isoformat() if s.published else None
        if published and (self.published is None or published < self.published):
            self.published = published
        if s.upvotes is not None:
            self.upvotes = max(self.upvotes if self.upvotes is not None else -1, s.upvotes)
        if self.last_dump != dump_id:
            self.seen += 1
            self.last_dump = dump_id
        self.sightings += 1
        self.first_seen = min(filter(None, (self.first_seen, seen_on)))
        self.last_seen = max(filter(None, (self.last_seen, seen_on)))

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.text.title, "abstract": self.text.abstract,
                "authors_count": self.authors_count, "published": self.published, "upvotes": self.upvotes,
                "seen": self.seen, "sightings": self.sightings, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "last_dump": self.last_dump}


def _new_record(s: Sighting, dump_id: int, seen_on: str, text: dedup.PaperText) -> _PaperRecord:
    return _PaperRecord(
        text=text, pk=None, id=None, authors_count=s.authors_count,
        published=s.published.isoformat() if s.published else None, upvotes=s.upvotes,
        seen=1, sightings=1, first_seen=seen_on, last_seen=seen_on, last_dump=dump_id, changed=True)


def _candidate_id(fp: "dedup.Fingerprint", attempt: int) -> str:
    # Content-derived, so the same dumps in the same order give the same ids anywhere.
    basis = fp.title + "\n" + " ".join(fp.opening_words(ID_WORDS)) + (f"\n{attempt}" if attempt else "")
    return hashlib.sha1(basis.encode()).hexdigest()[:ID_LENGTH]


def first_candidate_id(fp: "dedup.Fingerprint") -> str:
    """The id a paper with this text asks for first: the helper process computes it for
    every sighting it prepares (issue 16); this process computes it for new papers
    without one, or whose text changed."""
    return _candidate_id(fp, 0)


@dataclass(slots=True)
class VocabularyChanges:
    """Papers whose words the search vocabulary must learn, gathered over a
    batch of files so the vocabulary is updated once per transaction."""

    new_pks: list[int] = field(default_factory=list)
    replaced: list[tuple[int, str | None, str | None]] = field(default_factory=list)

    def apply(self, library: Library) -> None:
        # The papers born in this batch get their citation key and note name
        # now, from what the whole batch said, and keep them for life (issue 12).
        library.name_papers(self.new_pks)
        if indexes.is_deferred(library):  # a bulk ingest rebuilds the vocabulary at the end
            self.new_pks, self.replaced = [], []
            return
        if self.new_pks or self.replaced:
            library.update_vocabulary(self.new_pks, self.replaced)
        self.new_pks, self.replaced = [], []


@dataclass(slots=True)
class _Placed:
    """Where one chunk's sightings went, before anything is written."""

    states: dict[int, _PaperRecord] = field(default_factory=dict)  # every paper a sighting went to
    new_handles: list[int] = field(default_factory=list)  # new papers' negative handles, in order
    placements: list[int] = field(default_factory=list)  # handle of the paper each sighting went to
    decisions: list[dedup.Decision | None] = field(default_factory=list)  # the rule (None: a new paper)
    near: list[tuple[int, int, dedup.Decision]] = field(default_factory=list)  # kept apart, close enough to list
    new_keys: list[tuple[int, int]] = field(default_factory=list)
    founders: list[tuple[str, str, str] | None] = field(default_factory=list)  # a new paper's first text, its id
    merged: int = 0

    def add(self, s: Sighting, handle: int, starts: dedup.PaperText | None, decision: dedup.Decision | None,
            new_keys: Iterable[int], apart: Iterable[tuple[int, dedup.Decision]], dump_id: int, seen_on: str,
            first_id: str | None) -> None:
        """One sighting placed: it starts the paper ``handle`` with the text ``starts``
        (``first_id``: the id that text asks for, when known), or joins it (None)."""
        if starts is not None:
            self.states[handle] = _new_record(s, dump_id, seen_on, starts)
            self.new_handles.append(handle)
            self.founders.append((s.title, s.abstract, first_id) if first_id is not None else None)
        else:
            self.states[handle].absorb(s, dump_id, seen_on)
            self.merged += 1
        self.placements.append(handle)
        self.decisions.append(decision)
        self.new_keys.extend((key, handle) for key in new_keys)
        self.near.extend((other, handle, d) for other, d in apart)


def merge_sightings(library: Library, sightings: list[Sighting], dump_id: int, seen_on: str,
                    vocabulary: VocabularyChanges | None = None, *,
                    prints: list[dedup.Fingerprint] | None = None,
                    keysets: list[set[int]] | None = None, contents: list[int] | None = None,
                    thresholds: dedup.Thresholds | None = None, reborn: "Reborn | None" = None,
                    ids: list[str] | None = None, plan: "ahead.ChunkPlan | None" = None) -> tuple[int, int]:
    """Dedupe one file's sightings against the library and write the result.

    Must run inside a transaction. Returns (new papers, sightings merged into
    papers already known or seen earlier in the file). ``prints``/``keysets``:
    the sightings' fingerprints and keys, when computed elsewhere (``prefetch``), and
    ``contents`` their content keys, ``ids`` the id each would give a paper it starts.
    ``plan``: where the helper process placed them (``ahead``), followed instead of matching.
    ``reborn``: the dump was forgotten, its papers come back as they were (``core/forget.py``).
    """
    if plan is not None:
        placed = _follow(library, sightings, plan, dump_id, seen_on, ids)
    else:
        placed = _match(library, sightings, dump_id, seen_on, prints, keysets, contents, thresholds, ids)
    states, new_handles, placements, decisions = placed.states, placed.new_handles, placed.placements, placed.decisions
    near, new_keys = placed.near, placed.new_keys

    writer = PaperWriter(library)
    _assign_ids(library, [states[h] for h in new_handles], placed.founders)
    added = now()
    pk_of: dict[int, int] = {}
    next_pk = writer.next_pk()
    new_rows = []
    for handle in new_handles:
        pk_of[handle] = next_pk
        new_rows.append({**states[handle].row(), "pk": next_pk, "added": added})
        next_pk += 1
    writer.update_papers([  # before the inserts: the full-text index wants rising pks (writer.py)
        {**state.row(), "pk": handle, "old_title": state.old_title, "old_abstract": state.old_abstract,
         "stored": state.stored_counts}
        for handle, state in states.items() if handle > 0 and state.changed
    ])
    if reborn is not None:
        pk_of = reborn.rebirth(library, new_handles, new_rows, zip(placements, (s.line for s in sightings)))
    writer.insert_papers(new_rows)
    rows = []
    for s, handle, d in zip(sightings, placements, decisions):
        paper = states[handle].text
        rows.append((pk_of.get(handle, handle), dump_id, s.line, s.title, s.abstract, s.authors_count,
                     s.published.isoformat() if s.published else None, s.published_raw, s.upvotes,
                     d.rule if d else "new", d.encode() if d else None, paper.title, paper.abstract))
    writer.insert_sightings(rows)
    from .sources import record_sources

    record_sources(library, sightings, [pk_of.get(h, h) for h in placements], dump_id)  # arXiv ids, authors
    if near:
        dedup_store.add_near_misses(library, [
            (pk_of.get(a, a), pk_of.get(b, b), d.score, d.rule, d.encode()) for a, b, d in near])
    writer.insert_keys([(key, pk_of.get(h, h)) for key, h in new_keys])
    if vocabulary is not None:
        vocabulary.new_pks.extend(pk_of.values())
        vocabulary.replaced.extend(
            (h, s.old_title, s.old_abstract) for h, s in states.items()
            if h > 0 and (s.old_title is not None or s.old_abstract is not None))
    return len(new_handles), placed.merged


def _match(library: Library, sightings: list[Sighting], dump_id: int, seen_on: str,
           prints: list[dedup.Fingerprint] | None, keysets: list[set[int]] | None, contents: list[int] | None,
           thresholds: dedup.Thresholds | None, ids: list[str] | None) -> _Placed:
    """Place a chunk's sightings against the papers its blocking keys find in the library."""
    from .. import dedup

    if prints is None or keysets is None:
        prints = [dedup.fingerprint(s.title, s.abstract) for s in sightings]
        keysets = [fp.keys() for fp in prints]
    # Texts a user merged or split by hand go where the user put them (issue 11).
    if contents is None:
        contents = [fp.content_key() for fp in prints]
    pins = dedup_store.pinned_papers(library, contents)
    index = dedup.BlockIndex(library.papers_with_keys(set().union(*keysets)))
    followed = index.followed() | set(pins.values())
    records = library.paper_records(followed)
    # A paper seen once has that sighting's title: only papers seen more often can have
    # other titles to read (half the candidates of a day at 1M, each a random read; issue 16).
    titles = library.sighting_titles([pk for pk, row in records.items() if row[_SIGHTINGS] != 1])
    placed = _Placed({pk: _PaperRecord.load(pk, row, titles.get(pk, set())) for pk, row in records.items()})
    states = placed.states
    matcher = dedup.Matcher(index, {pk: state.text for pk, state in states.items()},
                            thresholds or dedup.DEFAULT_THRESHOLDS, pins)
    for at, (s, fp, keys, content) in enumerate(zip(sightings, prints, keysets, contents)):
        # New papers get negative handles until inserted.
        place = matcher.place(s.title, s.abstract, -(len(placed.new_handles) + 1), fp, keys, content)
        placed.add(s, place.handle, matcher.papers[place.handle] if place.new else None, place.decision,
                   place.new_keys, place.apart, dump_id, seen_on, ids[at] if ids is not None else None)
    return placed


def _follow(library: Library, sightings: list[Sighting], plan: "ahead.ChunkPlan", dump_id: int, seen_on: str,
            ids: list[str] | None) -> _Placed:
    """``_match``'s result from the helper's plan: only the papers the sightings went to are read.
    Raises ``ahead.Diverged``, before anything is written, when the library is not the helper's mirror."""
    from .. import dedup

    placed = _Placed()
    states = placed.states
    for pk, row in library.paper_records({h for h in plan.handles if h > 0}).items():
        states[pk] = _PaperRecord.load(pk, row, set())
    for at, (s, handle) in enumerate(zip(sightings, plan.handles)):
        if handle > 0 and handle not in states:
            raise ahead.Diverged(f"paper {handle} is not in the library")
        starts = dedup.PaperText(s.title, s.abstract) if handle not in states else None  # handles -1, -2, ...
        placed.add(s, handle, starts, plan.decisions[at], plan.new_keys[at], plan.apart[at], dump_id, seen_on,
                   ids[at] if ids is not None else None)
    for handle, (title, abstract) in plan.texts.items():  # the best texts the sightings gave
        states[handle].text = dedup.PaperText(title, abstract)
    return placed


def _assign_ids(library: Library, new_states: list[_PaperRecord],
                founders: Sequence[tuple[str, str, str] | None] = ()) -> None:
    """``founders``: of each new paper, the text it started with and that text's first
    candidate id, when computed already (the helper process); used while the paper
    still has that text."""
    wanted = {}
    for state, founder in itertools.zip_longest(new_states, founders):
        if founder is not None and founder[0] == state.text.title and founder[1] == state.text.abstract:
            wanted[id(state)] = founder[2]
        else:
            wanted[id(state)] = first_candidate_id(state.text.fingerprint())
    taken = library.ids_taken(wanted.values())
    used: set[str] = set()
    for state in new_states:
        attempt, candidate = 0, wanted[id(state)]
        while candidate in taken or candidate in used:
            attempt += 1
            candidate = _candidate_id(state.text.fingerprint(), attempt)
            taken |= library.ids_taken([candidate])
        used.add(candidate)
        state.id = candidate


@dataclass(slots=True)
class _Parsed:
    """A dump read and parsed, not yet written: what ingest does before it takes the lock."""

    source: DumpSource
    report: FileReport
    sha: str
    result: parse.ParseResult
    seen_on: str
    prepared: Prepared | None = None  # fingerprints too, from the helper process
    page_date: dt.date | None = None  # resolved, with its raw text and where it came from (issue 12)
    page_date_raw: str | None = None
    date_from: str | None = None


def _read_and_parse(library: Library, source: DumpSource, *, page_date: dt.date | None,
                    stdin: BinaryIO | None, prepared: Prepared | None = None) -> tuple[FileReport, _Parsed | None]:
    """Read, hash and parse one dump, outside any transaction (issue 17: a
    large dump no longer holds the write lock for its whole parse), or take
    what the helper process prepared. Returns the report and, when there is
    something to write, the parsed dump."""
    report = FileReport(source.display)
    if prepared is not None and library.find_dump(prepared.sha256) is not None:
        report.skipped = True
        return report, None
    if prepared is not None:
        prepared = prefetch.with_sightings(prepared, source, page_date)
    try:
        if prepared is not None and prepared.result is not None:
            sha, saved_on, result = prepared.sha256, prepared.saved_on, prepared.result
        else:
            data = source.read(stdin)
            if len(data) > MAX_DUMP_BYTES:
                raise UserError(f"input larger than {MAX_DUMP_BYTES >> 20} MB, not a page dump",
                                file=source.display)
            sha = hashlib.sha256(data).hexdigest()
            if library.find_dump(sha) is not None:
                report.skipped = True
                return report, None
            saved_on = source.saved_on()
            result = parse_dump(data, source, page_date, saved_on)
            del data
    except StoreError:
        raise
    except PapertriageError as exc:
        _file_error(report, exc, source)
        return report, None
    except OSError as exc:
        report.error = f"{source.display}: cannot read: {exc.strerror or exc}"
        return report, None
    report.layout = result.layout
    report.records = len(result.sightings)
    day, date_from, raw = _page_date_of(source, page_date, result)
    return report, _Parsed(source, report, sha, result, (day or saved_on).isoformat(), prepared, day, raw, date_from)


def parse_dump(data: bytes, source: DumpSource, page_date: dt.date | None, saved_on: dt.date) -> parse.ParseResult:
    """A dump's bytes parsed (here, or in the helper process: ``prefetch``)."""
    from .. import parse

    return parse.parse_bytes(data, source.display, page_date=source.page_date or page_date,
                             saved_year=saved_on.year, saved_on=saved_on)


def _page_date_of(source: DumpSource, page_date: dt.date | None,
                  result: parse.ParseResult) -> tuple[dt.date | None, str, str]:
    """The page's date, where it came from and its raw text: --page-date, the
    page's header, a date in the file name, else (no page date) the file's
    modification time or the day stdin was read."""
    given = source.page_date or page_date
    if given is not None:
        return given, "option", given.isoformat()
    if result.page_date is not None:
        return result.page_date, "page", result.page_date_raw or result.page_date.isoformat()
    try:
        own, origin, raw = source.dated()
    except OSError:  # gone since it was read
        return None, "mtime", ""
    return (own if origin == "name" else None), origin, raw


def _write_parsed(library: Library, parsed: _Parsed, vocabulary: VocabularyChanges,
                  thresholds: dedup.Thresholds | None = None, speculation: ahead.Speculation | None = None) -> None:
    """Write one parsed dump in a transaction of its own (a savepoint inside a
    batch's). A StoreError (exit 3: disk full, read-only, damaged) propagates:
    it is about the library, not about this file. ``speculation``: whether the
    helper's plans (``ahead``) may be followed."""
    source, report, result, prepared = parsed.source, parsed.report, parsed.result, parsed.prepared
    learned = len(vocabulary.new_pks), len(vocabulary.replaced)
    plan = None
    try:
        with library.transaction():
            if library.find_dump(parsed.sha) is not None:  # another papertriage ingested it meanwhile
                report.skipped, report.layout, report.records = True, None, 0
                return
            reborn = None
            if forget_store.forgotten_for(library, parsed.sha) is not None:
                # A dump forgotten comes back as it was (issue 12). Imported only then: the
                # forget machinery pulls in undo, merges and dedup (~50 ms of a day's start, issue 16).
                from .forget import reborn as forgotten

                reborn = forgotten(library, parsed.sha)
            if speculation is not None:
                plan = speculation.plan_for(prepared.plan if prepared else None)
                if plan is not None and reborn is not None:
                    speculation.end()
                    plan = None
            dump_id = library.add_dump(
                name=source.path.name if source.path else source.display,
                path=str(source.path.resolve()) if source.path else source.display,
                sha256=parsed.sha, layout=result.layout, page_date=parsed.page_date,
                page_date_raw=parsed.page_date_raw, date_from=parsed.date_from,
                seen_on=dt.date.fromisoformat(parsed.seen_on),
                records=len(result.sightings), id=reborn.dump_id if reborn else None)
            report.dump_id = dump_id
            # A large file is deduped and written CHUNK_SIGHTINGS at a time, in the same
            # transaction: later chunks find the papers of earlier ones in the library,
            # as a second file of a batch does, and memory stays bounded (issue 17: a
            # 200k-record dump took 1.8 GB). A forgotten dump comes back in one piece.
            sightings = result.sightings
            step = len(sightings) if reborn is not None else CHUNK_SIGHTINGS
            counts = [0, 0]  # new, merged: told only once the whole file is in
            from .. import dedup

            # The matching makes no reference cycles: collections (~60 in a day's ingest) only walked it.
            with dedup.collector_paused():
                for chunk, at in enumerate(range(0, len(sightings), max(step, 1))):
                    part = slice(at, at + step)
                    chunk_plan = None
                    if plan is not None and speculation is not None and speculation.active:
                        chunk_plan = plan.chunks[chunk]
                        if chunk_plan.first_pk != PaperWriter(library).next_pk():  # not the helper's library
                            speculation.end()
                            chunk_plan = None
                    merge = functools.partial(
                        merge_sightings, library, sightings[part], dump_id, parsed.seen_on, vocabulary,
                        thresholds=thresholds, reborn=reborn, **_helper_part(prepared, part))
                    try:
                        new, merged = merge(plan=chunk_plan)
                    except ahead.Diverged:  # raised before anything was written
                        assert speculation is not None
                        speculation.end()
                        new, merged = merge()
                    counts = [counts[0] + new, counts[1] + merged]
            report.new, report.merged = counts
            if reborn is not None:
                reborn.finish(library, dump_id)
        if plan is not None and speculation is not None and speculation.active:
            speculation.written()
    except StoreError:
        raise
    except PapertriageError as exc:
        if plan is not None and speculation is not None:  # the helper placed what was rolled back
            speculation.end()
        # The file's papers were rolled back: so is what the vocabulary was to learn of them.
        del vocabulary.new_pks[learned[0]:], vocabulary.replaced[learned[1]:]
        _file_error(report, exc, source)


def _helper_part(prepared: Prepared | None, part: slice) -> dict[str, Any]:
    """``merge_sightings``' arguments the helper computed for these sightings (none it left out)."""
    if prepared is None:
        return {}
    return {name: values[part] for name in ("prints", "keysets", "contents", "ids")
            if (values := getattr(prepared, name)) is not None}


def _file_error(report: FileReport, exc: PapertriageError, source: DumpSource) -> None:
    if exc.file is None:
        exc.file = source.display
    report.error = str(exc)


def ingest_one(library: Library, source: DumpSource, *, page_date: dt.date | None = None,
               stdin: BinaryIO | None = None, vocabulary: VocabularyChanges | None = None,
               prepared: Prepared | None = None, thresholds: dedup.Thresholds | None = None) -> FileReport:
    """Ingest one dump: parse it (or take ``prepared``, the dump already read,
    parsed and fingerprinted by ``prefetch``), then write it in its own
    transaction (a savepoint inside ``ingest``'s). Raises StoreError when the
    library cannot take it; a bad file is reported in the FileReport."""
    own_vocabulary = vocabulary is None
    if vocabulary is None:
        vocabulary = VocabularyChanges()
    report, parsed = _read_and_parse(library, source, page_date=page_date, stdin=stdin, prepared=prepared)
    if parsed is not None:
        with library.transaction():
            _write_parsed(library, parsed, vocabulary, thresholds)
            if own_vocabulary:
                vocabulary.apply(library)
    return report


def ingest(library: Library, paths: Iterable[str], *, page_date: dt.date | None = None,
           stdin: BinaryIO | None = None, rules: Sequence[Rule] = (),
           on_file: Callable[[FileReport, int, int], None] | None = None,
           thresholds: dedup.Thresholds | None = None) -> IngestReport:
    """Ingest files, folders and `-` (stdin). Bad files are collected per file, never fatal."""
    return ingest_sources(library, find_dumps(paths), page_date=page_date, stdin=stdin, rules=rules,
                          on_file=on_file, thresholds=thresholds)


def use_bulk(library: Library, sources: list[DumpSource]) -> bool:
    """True when the dumps are large beside the library: then rebuilding the
    derived indexes once beats keeping them in step (see ``store/indexes.py``)."""
    size = 0
    for source in sources:
        if source.path is not None:
            try:
                size += source.path.stat().st_size
            except OSError:
                pass
    expected = size // SIGHTING_BYTES
    return expected >= BULK_MIN_SIGHTINGS and expected >= BULK_SHARE * library.newest_mark()


def ingest_sources(library: Library, sources: list[DumpSource], *, page_date: dt.date | None = None,
                   stdin: BinaryIO | None = None, rules: Sequence[Rule] = (),
                   on_file: Callable[[FileReport, int, int], None] | None = None,
                   bulk: bool | None = None, thresholds: dedup.Thresholds | None = None) -> IngestReport:
    """Ingest the dumps ``find_dumps`` found, then run ``rules`` on the new papers.

    Files are written in batches of about BATCH_SIGHTINGS sightings per
    transaction, each file in a savepoint of its own: a bad file still changes
    nothing, and the full-text index is flushed once per batch instead of once
    per file (the flush dominated ingest into a large library).

    ``bulk`` (default: ``use_bulk`` decides) leaves the full-text indexes and
    the vocabulary alone while writing and rebuilds them at the end; the
    papers, ids and sightings are the same either way.
    """
    report = IngestReport()
    indexes.repair_if_orphaned(library)  # a bulk ingest killed before its rebuild
    mark = 0
    if rules:
        from .rules import check_rules

        check_rules(library, rules)  # a bad rule fails before anything is written
        mark = library.newest_mark()
    if bulk is None:
        bulk = use_bulk(library, sources)
    if not bulk:  # a bulk load reads most of the library: its memory stays bounded
        library.map_for_scattered_reads()
    wrote = False
    position = 0
    # The next files, on the other core; on a first import the helper places their sightings too.
    speculation = ahead.Speculation(library if bulk and len(sources) >= prefetch.MIN_FILES else None,
                                    thresholds, CHUNK_SIGHTINGS)
    upcoming = prefetch.prepared_in_order(sources, page_date, MAX_DUMP_BYTES, speculation.start())
    # No cyclic garbage collection during a bulk load: it keeps millions of live objects,
    # and every full collection walked them all for nothing (100k: ~13 s of ~94 s of CPU).
    paused: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if bulk:
        from .. import dedup

        paused = dedup.collector_paused()
    batch_sightings = BATCH_SIGHTINGS
    if len(sources) >= prefetch.MIN_FILES:
        batch_sightings = min(FIRST_BATCH_SIGHTINGS, BATCH_SIGHTINGS)
    with indexes.deferred(library) if bulk else contextlib.nullcontext(), contextlib.closing(upcoming), paused:
        while position < len(sources):
            # Parse a batch first, then take the write lock only to write it (issue 17).
            batch: list[tuple[FileReport, _Parsed | None]] = []
            parsed_sightings = 0
            while position < len(sources) and parsed_sightings < batch_sightings:
                file_report, parsed = _read_and_parse(library, sources[position], page_date=page_date,
                                                      stdin=stdin, prepared=next(upcoming))
                batch.append((file_report, parsed))
                parsed_sightings += file_report.records
                position += 1
            batch_sightings = min(batch_sightings * 2, BATCH_SIGHTINGS)
            vocabulary = VocabularyChanges()
            try:
                # Files all in already (or unreadable): no write lock, no empty commit.
                writes = bulk or any(parsed is not None for _, parsed in batch)
                with library.transaction() if writes else contextlib.nullcontext():
                    if bulk:
                        indexes.mark_pending(library)  # committed with the rows the indexes will lack
                    speculation.check_others(library)
                    for file_report, parsed in batch:
                        if parsed is not None:
                            _write_parsed(library, parsed, vocabulary, thresholds, speculation)
                    vocabulary.apply(library)
            except StoreError as exc:
                # Nothing of this batch went in (the transaction rolled back), nor
                # will the files after it: say so file by file, and stop.
                report.stopped = exc.message
                for file_report, parsed in batch:
                    if parsed is not None:
                        file_report.new = file_report.merged = 0
                        file_report.error = f"{file_report.name}: not ingested: the library failed"
                        file_report.not_ingested = True
                for source in sources[position:]:
                    batch.append((FileReport(source.display, error=f"{source.display}: not ingested: the "
                                             "library failed", not_ingested=True), None))
                position = len(sources)
            for done, (file_report, _) in enumerate(batch, len(report.files) + 1):
                report.files.append(file_report)
                wrote = wrote or bool(file_report.new or file_report.merged)
                if on_file:
                    on_file(file_report, done, len(sources))
    if bulk and not report.stopped:
        if wrote:
            indexes.rebuild_pending(library, prefetch.forms_aside if len(sources) >= prefetch.MIN_FILES else None)
        else:
            indexes.clear_pending(library)
    if report.stopped:
        raise IngestStopped(report.stopped, report)
    if rules:
        from .rules import apply_rules, papers_added_after

        added = papers_added_after(library, mark)
        if added:
            report.rules = apply_rules(library, rules, only_ids=added)
    return report
