"""The "Trending papers" page: two header lines, `Subscribe` glued to the
first title, then title and abstract on alternating lines, no metadata.

    Get trending papers in your email inbox once a day!
    Get trending papers in your email inbox!
    SubscribeBilinear MLPs enable weight-based mechanistic interpretability
    A mechanistic understanding of how MLPs do computation ...
    Steering Conceptual Bias via Transformer Latent-Subspace Activation
    ...
"""

from __future__ import annotations

from ..model import Sighting
from .base import DumpText, Line, ParseResult, fail, is_furniture

NAME = "trending"
_SUBSCRIBE = "subscribe"


class TrendingLayout:
    name = NAME

    def detect(self, dump: DumpText) -> bool:
        head = dump.nonblank()[:4]
        texts = [ln.text.casefold() for ln in head]
        has_banner = any(t.startswith("get trending papers") for t in texts)
        glued = any(t.startswith(_SUBSCRIBE) and t != _SUBSCRIBE for t in texts)
        # Title and abstract on adjacent lines: no blank line between them.
        lines = [ln.text for ln in dump.lines[:40]]
        adjacent = sum(1 for a, b in zip(lines, lines[1:]) if a and b)
        blank_separated = sum(1 for a, b in zip(lines, lines[1:]) if a and not b)
        return has_banner and (glued or adjacent > blank_separated)

    def parse(self, dump: DumpText) -> ParseResult:
        body: list[Line] = []
        in_header = True
        for ln in dump.nonblank():
            text = ln.text
            if in_header:
                if is_furniture(text):
                    continue
                if text.casefold().startswith(_SUBSCRIBE):
                    text = text[len(_SUBSCRIBE):].strip()
                in_header = False
            body.append(Line(ln.number, text))
        if not body:
            raise fail(dump, len(dump.lines), "trending page with no papers")
        if len(body) % 2:
            last = body[-1]
            raise fail(dump, last.number, f"record breaks off: title with no abstract: {last.text[:60]!r}")
        sightings = [
            Sighting(title=t.text, abstract=a.text, file=dump.source, line=t.number, layout=NAME)
            for t, a in zip(body[0::2], body[1::2])
        ]
        return ParseResult(layout=NAME, sightings=sightings, page_date=dump.page_date)
