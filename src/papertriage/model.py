"""Plain data: what a dump said about a paper (Sighting) and what the library
knows about it (Paper). No I/O here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# The one source of each of these names: commands, the query language and the
# store all read them from here.
STATUSES = ("new", "keep", "skip", "read")  # triage status; every paper starts `new`
# Orders of every listing command (list, search, similar, export); relevance
# ranks by the query's words, and without words lists the newest first.
# `interest` and `interest:TAG` (issue 13): learned from the user's decisions (core/interest.py).
SORTS = ("relevance", "added", "seen", "date", "upvotes", "title", "interest")


def is_interest_sort(sort: str | None) -> bool:
    """``interest`` or ``interest:TAG``."""
    return bool(sort) and (sort == "interest" or str(sort).startswith("interest:"))
# A tag name: ASCII letters, digits, - and _, with / between levels (method/kan).
TAG_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
MAX_TAG_LENGTH = 64


@dataclass(slots=True)
class Sighting:
    """One appearance of a paper in one dump, exactly as the dump told it."""

    title: str
    abstract: str
    file: str
    line: int
    layout: str
    authors_count: int | None = None
    published: dt.date | None = None
    published_raw: str | None = None
    upvotes: int | None = None
    dump_id: int | None = None  # set by the store once the dump is recorded
    # What an API response says beyond the page (issue 12); None when the dump did not say.
    arxiv_id: str | None = None
    authors: list[str] | None = None
    links: dict[str, str] | None = None  # "github", "project": URLs
    # The day the dump counts as seen, and where that date came from (issue 12, ``dumps.date_from``).
    seen_on: str | None = None
    date_from: str | None = None


# Where a dump's date came from (``dumps.date_from``; issue 12), as `show` and `dumps` say it.
DATE_FROM = {"page": "date from the page header", "name": "date from the file name",
             "mtime": "date from the file's modification time", "option": "date given with --page-date",
             "stdin": "date of reading standard input"}


@dataclass(slots=True)
class Paper:
    """A distinct paper: the best of what its sightings knew, plus user state."""

    id: str
    title: str
    abstract: str
    authors_count: int | None = None
    published: dt.date | None = None
    upvotes: int | None = None
    seen: int = 1  # number of distinct dumps it appeared in
    sightings_count: int = 1
    first_seen: str | None = None
    last_seen: str | None = None
    added: str | None = None
    status: str = "new"
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    sightings: list[Sighting] | None = None  # loaded only when asked for
    # Fixed when the paper came in and never recomputed (issue 12); None for a
    # paper that is not in a library (the renderers then derive them).
    citation_key: str | None = None
    note_name: str | None = None
    arxiv_id: str | None = None  # e.g. 2406.07550, from an API sighting
    authors: list[str] = field(default_factory=list)  # names, when an API sighting gave them
    links: dict[str, str] = field(default_factory=dict)  # "github", "project": URLs
