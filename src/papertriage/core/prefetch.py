"""The second core (issue 16): read, parse and fingerprint the next dumps in a
helper process while this one dedupes and writes.

Parsing, fingerprints and blocking keys need nothing from the library, so a
forked helper computes them a few files ahead (``WINDOW``) and sends back
the parsed sightings with their fingerprints and keys; every write stays in
this process, in file order, exactly as without it. On a first import the
helper also places the sightings (``ahead``: its plans are followed only
while they are exactly this process's decisions) and sends the plan alone:
this process parses the file again (``with_sightings``). The helper never
opens the library. Any file it cannot prepare (unreadable,
too large, unparseable) comes back as None and is ingested the ordinary
way, so errors are reported as before. Used only where ``fork`` exists and
for many files (``MIN_FILES``): starting the helper costs ~20 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Generator

if TYPE_CHECKING:
    from .. import dedup, parse
    from ..model import Sighting
    from . import ahead
    from concurrent.futures import Future

    from .ingest import DumpSource

WINDOW = 8  # files prepared ahead at least
# ... and up to this many bytes of dumps: about one ingest batch (ingest.BATCH_SIGHTINGS
# sightings of ~1,400 bytes), so the helper prepares the next batch while this process
# writes the current one. With 8 files it sat idle during every write and this process
# waited on it for every batch's parse: the two took turns instead of overlapping
# (issue 16, 100k: ~25 s of the helper's work on the critical path).
WINDOW_BYTES = 28 * 1024 * 1024
MIN_FILES = 8


@dataclass(slots=True)
class Prepared:
    """A dump read, parsed and fingerprinted by the helper."""

    sha256: str
    saved_on: dt.date
    result: parse.ParseResult | None  # None with a plan: this process parses the file again (``with_sightings``)
    prints: list[dedup.Fingerprint] | None  # None with a plan: this process needs them only if it matches
    keysets: list[set[int]] | None
    contents: list[int] | None  # content keys (``Fingerprint.content_key``), what a user's merge or split pins
    ids: list[str] | None = None  # the id each would give a paper it starts (``ingest.first_candidate_id``)
    plan: ahead.FilePlan | None = None  # where the helper placed the sightings (a first import, ``ahead``)


# In the helper process: the library as the ingest leaves it, while plans are wanted (``ahead``).
_mirror: ahead.Mirror | None = None
_mirror_start: ahead.MirrorStart | None = None


def prepare(source: "DumpSource", page_date: dt.date | None, max_bytes: int) -> Prepared | None:
    """What ``ingest_one`` computes before it touches the library; None when
    anything goes wrong (the ordinary path then reports it)."""
    from .. import dedup
    from .ingest import first_candidate_id, parse_dump

    try:
        if source.path is None:
            return None
        data = source.read(None)
        if len(data) > max_bytes:
            return None
        saved_on = source.saved_on()
        result = parse_dump(data, source, page_date, saved_on)
        prints = [dedup.fingerprint(s.title, s.abstract) for s in result.sightings]
        # Content keys are only for the pins of a user's merges, which a library the mirror
        # stands for has none of: while the helper plans, this process computes them if it
        # needs them. The new papers' ids are computed here either way (see below).
        planning = _mirror is not None
        prepared = Prepared(hashlib.sha256(data).hexdigest(), saved_on, result, prints, [fp.keys() for fp in prints],
                            None if planning else [fp.content_key() for fp in prints],
                            [first_candidate_id(fp) for fp in prints])
    except Exception:  # noqa: BLE001 - reported by the ordinary path, which redoes the work
        return None
    prepared.plan = _plan(prepared, result.sightings)  # last: a file that failed above is not in the mirror
    if prepared.plan is not None:
        # Sent as the plan alone, and this process parses the file again (``with_sightings``):
        # when the helper also pickled and piped the sightings it was the longer of the two
        # processes (100k: this one waited 8-10 s on it). That made this one the longer, so the
        # ids went back to the helper: the two now take about as long (issue 16).
        prepared.prints = prepared.keysets = prepared.result = None
    return prepared


def with_sightings(prepared: Prepared, source: "DumpSource", page_date: dt.date | None) -> Prepared | None:
    """A file sent as its plan alone, parsed here as the helper parsed it; None when the
    file is not what the helper read any more (changed, gone): it is then read the
    ordinary way, and the plans end (``ahead.Speculation.plan_for``)."""
    from .ingest import parse_dump

    if prepared.result is not None:
        return prepared
    try:
        data = source.read(None)
        if hashlib.sha256(data).hexdigest() != prepared.sha256:
            return None
        prepared.result = parse_dump(data, source, page_date, prepared.saved_on)
    except Exception:  # noqa: BLE001 - the ordinary path reads it again and reports what is wrong
        return None
    return prepared


def _plan(prepared: Prepared, sightings: list[Sighting]) -> ahead.FilePlan | None:
    """Place the sightings in the helper's mirror, while this ingest wants plans."""
    global _mirror
    if _mirror is None:
        return None
    if _mirror.full() or _mirror_start is None or _mirror_start.stop[0]:
        _mirror = None  # plans are not followed any more: free the texts
        return None
    assert prepared.prints is not None and prepared.keysets is not None
    try:
        return _mirror.plan(prepared.sha256, sightings, prepared.prints, prepared.keysets)
    except Exception:  # noqa: BLE001 - a mirror half updated is no mirror; ingest matches itself
        _mirror = None
        return None


def _start_helper(start: ahead.MirrorStart | None) -> None:
    global _mirror, _mirror_start
    _die_with_parent()
    if start is not None:
        from . import ahead

        _mirror_start, _mirror = start, ahead.Mirror(start)


def _size(source: "DumpSource") -> int:
    try:
        return source.path.stat().st_size if source.path is not None else 0
    except OSError:
        return 0


def forms_aside(titles: list[str]) -> Callable[[], list[str]]:
    """``search_index.forms_of(titles)`` started in a forked helper; returns a
    function that waits for it (computed here when there is no ``fork``, or
    the helper fails). For ``indexes.rebuild_pending`` at the end of a bulk
    ingest: this process rebuilds the full-text indexes meanwhile (issue 16)."""
    import multiprocessing

    from ..store import search_index

    if "fork" not in multiprocessing.get_all_start_methods():
        return lambda: search_index.forms_of(titles)
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent)
    future = pool.submit(search_index.forms_of, titles)

    def result() -> list[str]:
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - a helper that died: compute here
            return search_index.forms_of(titles)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return result


def _die_with_parent() -> None:
    """The helper ends when the ingest does, even one killed with SIGKILL (issue 17:
    the fault campaign found helpers of killed ingests left waiting forever)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass


def prepared_in_order(sources: list["DumpSource"], page_date: dt.date | None, max_bytes: int,
                      mirror: ahead.MirrorStart | None = None) -> Generator[Prepared | None, None, None]:
    """One item per source, in order: prepared by the helper, or None. With ``mirror``,
    the helper also places the sightings (``ahead``)."""
    if len(sources) < MIN_FILES:  # a day's few dumps: not even the imports (start-up, issue 16)
        yield from (None for _ in sources)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from (None for _ in sources)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_helper, initargs=(mirror,)) as pool:
        queued: deque[tuple[Future, int]] = deque()
        position = 0
        pending_bytes = 0  # of the files submitted and not yet taken
        for _ in sources:
            while position < len(sources) and (len(queued) < WINDOW or pending_bytes < WINDOW_BYTES):
                size = _size(sources[position])
                queued.append((pool.submit(prepare, sources[position], page_date, max_bytes), size))
                pending_bytes += size
                position += 1
            future, size = queued.popleft()
            pending_bytes -= size
            try:
                yield future.result()
            except Exception:  # noqa: BLE001 - a helper that died: the ordinary path
                yield None
