"""What every dump layout shares: the Layout protocol, the cleaned-up lines a
parser reads, and the date-line reading that more than one layout needs.

A parser is a pure function from text to Sightings. It either returns every
record of the file or raises ParseError with the line where things went wrong;
it never returns part of a file silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..errors import ParseError
from ..model import Sighting

# Header lines the Hugging Face pages print around the papers; never a paper.
FURNITURE = {
    "new",
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "trending papers",
    "byak and the research community",
}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}

# `Jun 23`, `Jun 23 1`, `Jan 10, 2023`, `Sep 16, 2024 5`: a date, maybe a year, maybe upvotes.
DATE_LINE = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?: (?P<upvotes>\d{1,7}))?$",
    re.IGNORECASE,
)
AUTHORS_LINE = re.compile(r"^[•·*\-]?\s*(?P<n>\d{1,5}) authors?$", re.IGNORECASE)


@dataclass(slots=True)
class Line:
    number: int  # 1-based, as an editor shows it
    text: str  # stripped, NBSP and friends folded to spaces


@dataclass(slots=True)
class DumpText:
    """A decoded dump: its lines, plus what the caller knows about the page."""

    source: str
    lines: list[Line]
    page_date: dt.date | None = None  # from --page-date
    saved_year: int | None = None  # from the file's save time, a last resort
    saved_on: dt.date | None = None  # the file's own date (its name, else its save time): no date lies after it

    def nonblank(self) -> list[Line]:
        return [ln for ln in self.lines if ln.text]


@dataclass(slots=True)
class ParseResult:
    layout: str
    sightings: list[Sighting]
    page_date_raw: str | None = None
    page_date: dt.date | None = None


class Layout(Protocol):
    name: str

    def detect(self, dump: DumpText) -> bool: ...

    def parse(self, dump: DumpText) -> ParseResult: ...


def is_furniture(text: str) -> bool:
    return text.casefold() in FURNITURE


@dataclass(slots=True)
class DateLine:
    raw: str
    month: int
    day: int
    year: int | None
    upvotes: int | None


def read_date_line(text: str) -> DateLine | None:
    m = DATE_LINE.match(text)
    if not m:
        return None
    month = MONTHS[m["mon"][:3].lower()]
    day = int(m["day"])
    year = int(m["year"]) if m["year"] else None
    # A real calendar date or not a date line at all (`Feb 30` is text).
    try:
        dt.date(year or 2000, month, day)
    except ValueError:
        return None
    upvotes = int(m["upvotes"]) if m["upvotes"] else None
    return DateLine(raw=text, month=month, day=day, year=year, upvotes=upvotes)


def _leap(year: int) -> bool:
    # calendar.isleap, without importing calendar (and locale) into every ingest's start-up
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def resolve_page_year(dump: DumpText, explicit_years: list[int], undated: Sequence[DateLine] = ()) -> int:
    """The year of the page, for dates shown without one.

    The page prints a year only for earlier years, so the page's own year is
    later than every explicit year on it. --page-date wins; then the year
    after the latest explicit one (deterministic on every machine); then the
    file's save time; then today. An undated Feb 29 means a leap year: the
    first one from there on.
    """
    if dump.page_date is not None:
        return dump.page_date.year
    # After the explicit years, the page's year can only lie later; a save
    # time can only be later than the page.
    step = 1
    if explicit_years:
        year = max(explicit_years) + 1
    else:
        year, step = (dump.saved_year or (dump.saved_on or dt.date.today()).year), -1
    # Issue 12: a date shown without a year never lies after the file's own
    # date (or today): `Dec 30` on a page saved on 2 January is last December.
    # Explicit years on the page are better evidence than a file's date (a
    # modification time can be anything), so they are left to decide.
    if undated and not explicit_years:
        newest = min(dump.saved_on or dt.date.today(), dt.date.today())
        latest = max((d.month, d.day) for d in undated)
        cap = newest.year - (latest > (newest.month, newest.day))
        if year > cap:
            year, step = cap, -1
    if any(d.month == 2 and d.day == 29 for d in undated):
        while not _leap(year) and 1 < year < dt.MAXYEAR:
            year += step
    return max(1, min(year, dt.MAXYEAR))


def to_date(dump: DumpText, line: int, date: DateLine, page_year: int) -> dt.date:
    try:
        return dt.date(date.year or page_year, date.month, date.day)
    except ValueError:
        raise fail(dump, line, f"impossible date {date.raw!r} on a page from {page_year}") from None


def fail(dump: DumpText, line: int | None, message: str) -> ParseError:
    return ParseError(message, file=dump.source, line=line)

