"""The "Daily Papers" page, in two shapes, both blank-line separated.

With metadata (`daily-meta`): per paper a title, an abstract, `• N authors`
and a date line whose trailing number is the upvote count::

    Kolmogorov-Arnold Transformer

    Transformers stand as the cornerstone of ...

      • 2 authors
    Sep 16, 2024 5

Plain (`daily-plain`): title and abstract only. Both open with page furniture
(`new`, `Subscribe`, `Daily Papers`, `byAK and the research community`) and
the page's own date (`Nov 24`), none of which is a paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Sighting
from .base import (
    AUTHORS_LINE,
    DateLine,
    DumpText,
    Line,
    ParseResult,
    fail,
    is_furniture,
    read_date_line,
    resolve_page_year,
    to_date,
)

META = "daily-meta"
PLAIN = "daily-plain"
_DAILY_MARKERS = {"byak and the research community", "daily papers"}


@dataclass(slots=True)
class _Record:
    title: Line
    abstract: Line | None = None
    authors: int | None = None
    date: DateLine | None = None
    meta_lines: list[Line] = field(default_factory=list)


def _blocks(dump: DumpText) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for ln in dump.lines:
        if ln.text:
            current.append(ln)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _split_header(dump: DumpText) -> tuple[DateLine | None, int, list[list[Line]]]:
    """Drop the furniture and the page date; return the page date and the body."""
    blocks = _blocks(dump)
    page_date, page_line = None, 0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if all(is_furniture(ln.text) for ln in block):
            i += 1
            continue
        if page_date is None and len(block) == 1 and (d := read_date_line(block[0].text)):
            page_date, page_line = d, block[0].number
            i += 1
            continue
        break
    return page_date, page_line, blocks[i:]


def _is_daily(dump: DumpText) -> bool:
    # Trending pages are detected first (registry order), so a title that
    # happens to start with "Subscribe…" does not make this a trending page.
    head = [ln.text.casefold() for ln in dump.nonblank()[:8]]
    return any(t in _DAILY_MARKERS for t in head)


def _has_metadata(dump: DumpText) -> bool:
    return any(AUTHORS_LINE.match(ln.text) for ln in dump.lines if ln.text)


def _read_records(dump: DumpText, body: list[list[Line]], layout: str) -> list[_Record]:
    records: list[_Record] = []
    current: _Record | None = None
    for block in body:
        text_lines: list[Line] = []
        for ln in block:
            authors = AUTHORS_LINE.match(ln.text)
            date = None if authors else read_date_line(ln.text)
            if authors and (current is None or current.abstract is None):
                what = "a title" if current is None or text_lines else "an abstract"
                raise fail(dump, ln.number, f"found {ln.text!r} where {what} was expected")
            if (authors or date) and current is not None and current.abstract is not None:
                if authors and current.authors is None:
                    current.authors = int(authors["n"])
                elif date and current.date is None:
                    current.date = date
                else:
                    raise fail(dump, ln.number, f"unexpected metadata line {ln.text!r}")
                current.meta_lines.append(ln)
            else:
                text_lines.append(ln)
        if not text_lines:
            continue
        # Hard-wrapped text within one block is one field.
        joined = Line(text_lines[0].number, " ".join(ln.text for ln in text_lines))
        if current is None or current.abstract is not None:
            if current is not None and layout == META:
                _check_complete(dump, current)
            current = _Record(title=joined)
            records.append(current)
        else:
            current.abstract = joined
    if current is not None:
        if current.abstract is None:
            raise fail(dump, current.title.number,
                       f"record breaks off: title with no abstract: {current.title.text[:60]!r}")
        if layout == META:
            _check_complete(dump, current)
    return records


def _check_complete(dump: DumpText, record: _Record) -> None:
    if record.authors is None or record.date is None:
        missing = "authors line" if record.authors is None else "date line"
        last = record.meta_lines[-1].number if record.meta_lines else (record.abstract or record.title).number
        raise fail(dump, last, f"record breaks off: no {missing} after {record.title.text[:60]!r}")


class _DailyLayout:
    name: str
    with_metadata: bool

    def detect(self, dump: DumpText) -> bool:
        return _is_daily(dump) and _has_metadata(dump) == self.with_metadata

    def parse(self, dump: DumpText) -> ParseResult:
        page_date, page_line, body = _split_header(dump)
        records = _read_records(dump, body, self.name)
        if not records:
            raise fail(dump, len(dump.lines), "daily papers page with no papers")
        explicit_years = [r.date.year for r in records if r.date and r.date.year]
        undated = [d for d in [page_date, *(r.date for r in records)] if d and not d.year]
        page_year = resolve_page_year(dump, explicit_years, undated)
        sightings = []
        for r in records:
            sightings.append(Sighting(
                title=r.title.text,
                abstract=r.abstract.text if r.abstract else "",
                file=dump.source,
                line=r.title.number,
                layout=self.name,
                authors_count=r.authors,
                published=to_date(dump, r.meta_lines[-1].number, r.date, page_year) if r.date else None,
                published_raw=r.date.raw if r.date else None,
                upvotes=r.date.upvotes if r.date else None,
            ))
        return ParseResult(
            layout=self.name,
            sightings=sightings,
            page_date_raw=page_date.raw if page_date else None,
            page_date=dump.page_date or (to_date(dump, page_line, page_date, page_year) if page_date else None),
        )


class DailyMetaLayout(_DailyLayout):
    name = META
    with_metadata = True


class DailyPlainLayout(_DailyLayout):
    name = PLAIN
    with_metadata = False
