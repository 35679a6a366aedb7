"""JSON (one array) and JSON Lines (one paper a line), streamed.

The paper object is documented in README.md ("JSON schema").
"""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..links import page_url
from ..model import Paper, Sighting


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")
_COMPACT = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one a call as json.dumps makes


def dumps(obj: object, indent: int | None = None) -> str:
    """JSON text with non-ASCII as is, except the characters that line-based
    readers (str.splitlines, older JavaScript) take for line breaks: NEL,
    U+2028 and U+2029 are written as \\u escapes, so a JSON Lines record is
    always exactly one line."""
    text = _COMPACT(obj) if indent is None else json.dumps(obj, ensure_ascii=False, indent=indent)
    for ch in _LINE_BREAKS:
        if ch in text:
            text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def paper_object(paper: Paper) -> dict:
    data = paper.to_dict(with_sightings=False)
    data["url"] = page_url(paper)
    if paper.sightings is not None:
        data["sightings"] = [sighting_object(s, paper.abstract) for s in paper.sightings]
    return data


def sighting_object(s: Sighting, paper_abstract: str | None = None) -> dict:
    """``Sighting.to_dict()``, without the abstract when it is the paper's own
    (not repeated). Built directly: export calls it 200k times for 100k papers;
    a test keeps it equal to to_dict."""
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
