"""Plain data: what a dump said about a paper (Sighting) and what the library
knows about it (Paper). No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATUSES = ("new", "keep", "skip", "read")


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

    def to_dict(self) -> dict:
        data = {
            "file": self.file,
            "line": self.line,
            "layout": self.layout,
            "title": self.title,
            "abstract": self.abstract,
            "authors_count": self.authors_count,
            "published": self.published.isoformat() if self.published else None,
            "published_raw": self.published_raw,
            "upvotes": self.upvotes,
        }
        # Only API sightings carry these: page sightings stay as they were.
        if self.arxiv_id is not None:
            data["arxiv_id"] = self.arxiv_id
        if self.authors is not None:
            data["authors"] = list(self.authors)
        if self.links:
            data["links"] = dict(self.links)
        return data


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

    def to_dict(self, *, with_sightings: bool = True) -> dict:
        data = {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "authors_count": self.authors_count,
            "published": self.published.isoformat() if self.published else None,
            "upvotes": self.upvotes,
            "seen": self.seen,
            "status": self.status,
            "tags": list(self.tags),
            "note": self.note,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "arxiv_id": self.arxiv_id,
            "authors": list(self.authors),
            "links": dict(self.links),
        }
        if with_sightings and self.sightings is not None:
            data["sightings"] = [s.to_dict() for s in self.sightings]
        return data
