"""Finding a paper again from what another library knew of it (issue 12).

Ids are content hashes of a paper's first sighting, so the same dumps in
another order (or a library that saw another dump first) can give the same
paper another id. Decisions moved between libraries (``tag import``, and any
other import of user decisions) therefore carry the paper's title and the
opening of its abstract, and are placed by id when this library knows the
id, else by content through the deduplicator: the same blocking keys and
the same scores as an ingest uses, so a decision lands on the paper a
sighting with that title and abstract would have merged into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .. import dedup
from ..errors import UnknownIdError
from ..store import Library
from .select import resolve_ids

__all__ = ["OPENING_CHARS", "abstract_opening", "find_by_content", "Placement", "place"]

# Enough words (about 60) for the deduplicator's card rules to recognise a
# retitled paper (25 words at least), short enough for a decisions file.
OPENING_CHARS = 400


def abstract_opening(abstract: str, limit: int = OPENING_CHARS) -> str:
    """The abstract's opening, cut at a word and marked ``…`` when cut (a card).

    >>> abstract_opening("one two three", 8)
    'one two…'
    >>> abstract_opening("short", 8)
    'short'
    """
    text = " ".join(abstract.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut:
        cut = cut[:cut.rfind(" ")]
    return cut + "…"


def find_by_content(library: Library, title: str, abstract: str) -> int | None:
    """The pk of the paper a sighting with this title and abstract would merge
    into, or None: the ingest's own matcher (``dedup.Matcher``) over the
    candidates its blocking keys find."""
    fp = dedup.fingerprint(title, abstract)
    keys = fp.keys()
    index = dedup.BlockIndex(library.papers_with_keys(keys))
    candidates = index.candidates(keys)
    if not candidates:
        return None
    records = library.paper_records(candidates)
    titles = library.sighting_titles(candidates)
    matcher = dedup.Matcher(index, {pk: dedup.PaperText(records[pk][1], records[pk][2], titles.get(pk, ()))
                                    for pk in candidates})
    return matcher.best(fp, keys)


@dataclass(slots=True)
class Placement:
    """Where one imported record went: ``pk`` None when nowhere."""

    token: str
    pk: int | None
    how: str  # "id", "content" or "unplaced"


def place(library: Library, records: Iterable[tuple[str, str | None, str | None]]) -> list[Placement]:
    """(id, title, abstract opening) records -> the papers they are in this library.

    By id (or unique prefix) first; when this library has no such id (or the
    prefix is ambiguous), by content when a title was given.
    """
    placements = []
    for token, title, opening in records:
        try:
            (by_id,) = resolve_ids(library, [token])
            placements.append(Placement(token, by_id, "id"))
            continue
        except UnknownIdError:
            pass
        pk = find_by_content(library, title, opening or "") if title else None
        placements.append(Placement(token, pk, "content" if pk is not None else "unplaced"))
    return placements
