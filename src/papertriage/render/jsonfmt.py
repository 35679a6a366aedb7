"""JSON (one array) and JSON Lines (one paper a line), streamed.

The paper object is documented in README.md ("JSON schema").
"""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..model import Paper


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def dumps(obj: object, indent: int | None = None) -> str:
    """JSON text with non-ASCII as is, except the characters that line-based
    readers (str.splitlines, older JavaScript) take for line breaks: NEL,
    U+2028 and U+2029 are written as \\u escapes, so a JSON Lines record is
    always exactly one line."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    for ch in _LINE_BREAKS:
        if ch in text:
            text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def paper_object(paper: Paper) -> dict:
    data = paper.to_dict(with_sightings=paper.sightings is not None)
    if paper.sightings is not None:
        for sighting, obj in zip(paper.sightings, data["sightings"]):
            if sighting.abstract == paper.abstract:
                del obj["abstract"]  # the same text as the paper's: not repeated
    return data


def render_json(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    out.write("[")
    for paper in papers:
        out.write(",\n" if n else "\n")
        out.write(dumps(paper_object(paper), indent=2))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def render_jsonl(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        out.write(dumps(paper_object(paper)) + "\n")
        n += 1
    return n
