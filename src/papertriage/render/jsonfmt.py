"""JSON (one array) and JSON Lines (one paper a line), streamed.

The paper object is documented in README.md ("JSON schema").
"""

from __future__ import annotations

import json
import re
from typing import IO, Any, Iterable

from ..links import page_url
from ..model import Paper, Sighting


# Written as \\u escapes though JSON allows them raw: what line-based readers
# (str.splitlines, older JavaScript) take for line breaks (NEL, U+2028/9), so a
# JSON Lines record is always one line, and DEL, the C1 controls and the bidi
# controls, so a JSON export shown on a terminal cannot drive it (issue 17).
_ESCAPED = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COMPACT = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one a call as json.dumps makes


def dumps(obj: object, indent: int | None = None) -> str:
    """JSON text with non-ASCII as is, except the characters ``_ESCAPED`` names."""
    text = _COMPACT(obj) if indent is None else json.dumps(obj, ensure_ascii=False, indent=indent)
    if not text.isascii() or "\x7f" in text:
        text = _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def paper_object(paper: Paper) -> dict[str, Any]:
    """The JSON object of a paper (README, "JSON schema"): the one source for
    json, jsonl, yaml and `show --format json`. ``sightings`` only when loaded."""
    data: dict[str, Any] = {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors_count": paper.authors_count,
        "published": paper.published.isoformat() if paper.published else None,
        "upvotes": paper.upvotes,
        "seen": paper.seen,
        "status": paper.status,
        "tags": list(paper.tags),
        "note": paper.note,
        "first_seen": paper.first_seen,
        "last_seen": paper.last_seen,
        "arxiv_id": paper.arxiv_id,
        "authors": list(paper.authors),
        "links": dict(paper.links),
        "url": page_url(paper),
    }
    if paper.sightings is not None:
        data["sightings"] = [sighting_object(s, paper.abstract) for s in paper.sightings]
    return data


def sighting_object(s: Sighting, paper_abstract: str | None = None) -> dict[str, Any]:
    """The JSON object of a sighting, without the abstract when it is the
    paper's own (not repeated)."""
    data = {"file": s.file, "line": s.line, "layout": s.layout, "title": s.title}
    if s.abstract != paper_abstract:
        data["abstract"] = s.abstract
    data["authors_count"] = s.authors_count
    data["published"] = s.published.isoformat() if s.published else None
    data["published_raw"] = s.published_raw
    data["upvotes"] = s.upvotes
    if s.arxiv_id is not None:
        data["arxiv_id"] = s.arxiv_id
    if s.authors is not None:
        data["authors"] = list(s.authors)
    if s.links:
        data["links"] = dict(s.links)
    return data


def write_array(elements: Iterable[str], out: IO[str]) -> int:
    """One JSON array, streamed element by element (already encoded); returns the count."""
    n = 0
    out.write("[")
    for element in elements:
        out.write(",\n" if n else "\n")
        out.write(element)
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def render_json(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    return write_array((dumps(paper_object(p), indent=2) for p in papers), out)


def render_jsonl(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        out.write(dumps(paper_object(paper)) + "\n")
        n += 1
    return n
