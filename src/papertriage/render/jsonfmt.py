"""JSON (one array) and JSON Lines (one paper a line), streamed.

The paper object is documented in README.md ("JSON schema").
"""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..model import Paper


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
        out.write(json.dumps(paper_object(paper), ensure_ascii=False, indent=2))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def render_jsonl(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        out.write(json.dumps(paper_object(paper), ensure_ascii=False) + "\n")
        n += 1
    return n
