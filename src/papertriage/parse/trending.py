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
        has_banner = any(ln.text.casefold().startswith("get trending papers") for ln in head)
        glued = any(
            ln.text.casefold().startswith(_SUBSCRIBE) and len(ln.text) > len(_SUBSCRIBE)
            for ln in head
        )
        return has_banner and glued

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
