"""Dump layouts behind a small registry: detect which one a file is, parse it.

Adding a source format is one new module with a class that has ``name``,
``detect(dump)`` and ``parse(dump)``, registered below.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import ParseError
from .base import DumpText, Layout, Line, ParseResult
from .daily import DailyMetaLayout, DailyPlainLayout
from .hf_api import HfApiLayout
from .trending import TrendingLayout

__all__ = ["LAYOUTS", "register", "get", "detect", "decode", "parse_text", "parse_bytes", "ParseResult"]

LAYOUTS: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    LAYOUTS[layout.name] = layout
    return layout


for _layout in (TrendingLayout(), DailyMetaLayout(), DailyPlainLayout(), HfApiLayout()):
    register(_layout)


def get(name: str) -> Layout:
    return LAYOUTS[name]


# Spaces that a browser copy or an editor may leave; all read as a plain space.
_SPACES = str.maketrans({c: " " for c in "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2009\u3000\t"})
# Control and format characters (Unicode Cc and Cf) that can make a terminal or
# a bidi-aware viewer lie: dropped from dump text. The zero-width joiner
# (U+200D) stays: it is part of emoji sequences.
_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def _clean(text: str) -> str:
    # Every character the two filters change is unprintable (Cc, Cf, Zs, unassigned), so
    # printable text, whatever its script, needs neither: one C scan (issue 16: run on every
    # line with an accent or a dash, the filters made the cleaner 4.2 s of parsing the 100k corpus;
    # 1.6 s now).
    if text.isprintable():
        return text.strip()
    return _CONTROL.sub("", text.translate(_SPACES)).strip()


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 with or without BOM; binary and other encodings are refused."""
    if not data.strip():
        raise ParseError("empty file: no papers in it", file=source, line=1)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("UTF-16 text: save the dump as UTF-8", file=source, line=1)
    if b"\x00" in data[:8192]:
        raise ParseError("binary file, not a text dump", file=source, line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError("not UTF-8 text (a binary file or another encoding)", file=source, line=line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ParseError("binary data (NUL byte) in the dump", file=source, line=line)
    return text


def split_lines(text: str) -> list[Line]:
    # str.splitlines would also split on \x0b, \x1c and U+2028 inside a line of text.
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [Line(i, _clean(t)) for i, t in enumerate(raw, 1)]


def detect(dump: DumpText) -> Layout:
    for layout in LAYOUTS.values():
        if layout.detect(dump):
            return layout
    first = next((ln for ln in dump.lines if ln.text), None)
    raise ParseError(
        f"fits no known dump layout ({', '.join(LAYOUTS)}); first line: {first.text[:60]!r}" if first
        else "fits no known dump layout",
        file=dump.source, line=first.number if first else 1,
    )


def parse_text(text: str, source: str, *, page_date: dt.date | None = None,
               saved_year: int | None = None, saved_on: dt.date | None = None) -> ParseResult:
    """``saved_on``: the file's own date (from its name or save time); dates
    shown without a year never resolve to after it (nor after today)."""
    dump = DumpText(source=source, lines=split_lines(text), page_date=page_date, saved_year=saved_year,
                    saved_on=saved_on)
    if not any(ln.text for ln in dump.lines):
        raise ParseError("empty file: no papers in it", file=source, line=1)
    return _checked(detect(dump).parse(dump), source)


def _refilter(text: str) -> str:
    cleaned = _clean(text)
    return cleaned if cleaned == text else " ".join(cleaned.split())


MAX_COUNT = 10**9  # upvotes and authors: more is not a real page (and would overflow SQLite far above)


def _checked(result: ParseResult, source: str) -> ParseResult:
    """What every layout's records go through after decoding (issue 17).

    The one control/escape filter: a layout that decodes text of its own
    (hf-api's JSON turns ``\\u001b`` into ESC) gets the same filter as
    the lines of a text dump, so no layout can let an escape sequence through.
    Numbers out of range refuse the record, and so the file.
    """
    for s in result.sightings:
        s.title, s.abstract = _refilter(s.title), _refilter(s.abstract)
        if s.published_raw is not None:
            s.published_raw = _refilter(s.published_raw)
        for name in ("upvotes", "authors_count"):
            value = getattr(s, name)
            if value is not None and not 0 <= value <= MAX_COUNT:
                raise ParseError(f"{name.replace('_count', '')} out of range ({str(value)[:30]}): "
                                 "not a real paper record", file=source, line=s.line)
        if not s.title or not s.abstract:
            raise ParseError("a record whose title or abstract is only control characters",
                             file=source, line=s.line)
    return result


def parse_bytes(data: bytes, source: str, *, page_date: dt.date | None = None,
                saved_year: int | None = None, saved_on: dt.date | None = None) -> ParseResult:
    return parse_text(decode(data, source), source, page_date=page_date, saved_year=saved_year, saved_on=saved_on)
