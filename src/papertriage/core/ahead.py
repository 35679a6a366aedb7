"""Matching ahead (issue 16): on a first import, the helper process that parses
the next dumps (``prefetch``) also places their sightings, so the matching runs on
the second core while this process writes what was placed before.

Only for a bulk ingest into a library that holds nothing to match against (no
paper, dump, pin or forgotten dump). Then, after every file this ingest has
written, the library is what the helper's ``Mirror`` holds: each paper's best
text and the titles it was seen with (``dedup.PaperText``), and each blocking
key's papers in the order ``papers_with_keys`` reads them (pk ascending). The
helper places every chunk of a file with the ``Matcher`` that ``merge_sightings``
would build from those buckets and texts, under the same handles (the pk of a
paper of an earlier chunk; -1, -2, ... for the chunk's new papers), so its
placements, decisions, new keys and papers kept apart are the ones this process
would compute (tested table by table).

This process follows the plans only while that stays true (``Speculation``):
every file it wrote came from a plan, in the helper's order; no other process
committed (``PRAGMA data_version``); the pks it gives new papers are the ones the
helper counted on. Anything else (a file the helper could not prepare, a file
that failed while written, another writer, the helper's memory cap) ends the
plans for the rest of the ingest, and this process matches as before.
"""

from __future__ import annotations

import bisect
import mmap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import dedup
    from ..model import Sighting
    from ..store import Library

# Papers the helper keeps texts of: past this it stops planning and this process
# matches the rest of the ingest itself (1M papers would not fit in 1 GB).
MAX_PAPERS = 250_000


@dataclass(slots=True)
class ChunkPlan:
    """How the helper placed one chunk (``ingest.CHUNK_SIGHTINGS``) of a file."""

    first_pk: int  # the pk the chunk's first new paper gets; its handle -1, the next -2, ...
    handles: list[int]  # of each sighting: a pk, or a new paper's negative handle
    decisions: list[dedup.Decision | None]  # the rule that placed it (None: it starts a paper)
    new_keys: list[list[int]]  # of each sighting: its blocking keys its paper did not have yet
    apart: list[list[tuple[int, dedup.Decision]]]  # of each sighting: papers kept apart that came close
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)  # best texts the chunk changed


@dataclass(slots=True)
class FilePlan:
    seq: int  # files the helper planned before this one
    chunks: list[ChunkPlan]


@dataclass(slots=True)
class MirrorStart:
    """What the helper needs to start its mirror; ``stop`` is shared with it (a
    byte set to 1 when this process stops following the plans)."""

    next_pk: int
    thresholds: dedup.Thresholds | None
    chunk: int
    stop: mmap.mmap


class Mirror:
    """The library as this ingest leaves it, kept in the helper process, compactly: a
    paper's text as a tuple (its ``PaperText`` is made afresh when it is a candidate, as
    this process makes it from the library), a key's only paper as an int."""

    def __init__(self, start: MirrorStart) -> None:
        from .. import dedup

        self.next_pk = start.next_pk
        self.thresholds = start.thresholds or dedup.DEFAULT_THRESHOLDS
        self.chunk = max(start.chunk, 1)
        self.buckets: dict[int, int | list[int]] = {}  # key -> its paper, or its papers ascending
        self.texts: dict[int, tuple[str, str, tuple[str, ...]]] = {}  # pk -> title, abstract, other titles
        self.shas: set[str] = set()
        self.files = 0

    def full(self) -> bool:
        return len(self.texts) > MAX_PAPERS

    def plan(self, sha: str, sightings: list[Sighting], prints: list[dedup.Fingerprint],
             keysets: list[set[int]]) -> FilePlan | None:
        """Place a file's sightings; None for a content planned already (ingest skips it)."""
        if sha in self.shas:
            return None
        chunks = [self._place(sightings[at:at + self.chunk], prints[at:at + self.chunk], keysets[at:at + self.chunk])
                  for at in range(0, len(sightings), self.chunk)]
        self.shas.add(sha)
        self.files += 1
        return FilePlan(self.files - 1, chunks)

    def _place(self, sightings: list[Sighting], prints: list[dedup.Fingerprint],
               keysets: list[set[int]]) -> ChunkPlan:
        from .. import dedup

        buckets, texts = self.buckets, self.texts
        found: dict[int, list[int]] = {}
        for key in set().union(*keysets):
            bucket = buckets.get(key)
            if bucket is not None:
                found[key] = [bucket] if isinstance(bucket, int) else list(bucket)
        index = dedup.BlockIndex(found)
        papers = {}
        for pk in index.followed():
            title, abstract, titles = texts[pk]
            papers[pk] = dedup.PaperText(title, abstract, titles)
        before = {pk: (p.title, p.abstract) for pk, p in papers.items()}
        matcher = dedup.Matcher(index, papers, self.thresholds)
        plan = ChunkPlan(self.next_pk, [], [], [], [])
        founders: dict[int, tuple[str, str]] = {}
        for s, fp, keys in zip(sightings, prints, keysets):
            placed = matcher.place(s.title, s.abstract, -(len(founders) + 1), fp, keys)
            if placed.new:
                founders[placed.handle] = (s.title, s.abstract)
            plan.handles.append(placed.handle)
            plan.decisions.append(placed.decision)
            plan.new_keys.append(placed.new_keys)
            plan.apart.append(placed.apart)
        # The chunk's best texts that are not what this process will start from.
        for handle, text in [*before.items(), *founders.items()]:
            paper = matcher.papers[handle]
            if (paper.title, paper.abstract) != text:
                plan.texts[handle] = (paper.title, paper.abstract)
        # The library after the chunk: new papers get their pks, keys their papers.
        for handle in {*plan.handles}:
            paper = matcher.papers[handle]
            others = tuple(t for t in paper.titles if t != paper.title) if len(paper.titles) > 1 else ()
            texts[self.next_pk - 1 - handle if handle < 0 else handle] = (paper.title, paper.abstract, others)
        for handle, added in zip(plan.handles, plan.new_keys):
            pk = self.next_pk - 1 - handle if handle < 0 else handle
            for key in added:
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = pk
                elif isinstance(bucket, int):
                    buckets[key] = [bucket, pk] if bucket < pk else [pk, bucket]
                else:
                    bisect.insort(bucket, pk)
        self.next_pk += len(founders)
        return plan


class Speculation:
    """This process's side: whether the helper's plans may still be followed."""

    def __init__(self, library: Library | None, thresholds: dedup.Thresholds | None, chunk: int) -> None:
        self.active = False
        self.files = 0  # files written from plans
        self._start: MirrorStart | None = None
        if library is not None:
            # The version first: a commit between the two reads ends the plans at the first batch.
            self.version = library.data_version()
            if library.holds_nothing():
                self.active = True
                stop = mmap.mmap(-1, 1)  # anonymous and shared: the forked helper sees it change
                self._start = MirrorStart(library.newest_mark() + 1, thresholds, chunk, stop)

    def start(self) -> MirrorStart | None:
        """What the helper needs to plan, or None when no plan will be followed."""
        return self._start if self.active else None

    def end(self) -> None:
        """No more plans: the helper drops its mirror at its next file."""
        self.active = False
        if self._start is not None:
            self._start.stop[0] = 1

    def check_others(self, library: Library) -> None:
        """Inside a batch's transaction: another process committed since the start, so the
        library is not the helper's mirror any more."""
        if self.active and library.data_version() != self.version:
            self.end()

    def plan_for(self, plan: FilePlan | None) -> FilePlan | None:
        """The plan to follow for a file about to be written; None (and the plans end) when
        the helper's order and this process's writes disagree."""
        if not self.active:
            return None
        if plan is None or plan.seq != self.files:
            self.end()
            return None
        return plan

    def written(self) -> None:
        self.files += 1


class Diverged(Exception):
    """The library is not what the helper's mirror holds: match here instead."""
