"""Spreadsheet tables: ``csv`` (RFC 4180) and the export ``tsv``.

Both have a header row and the same columns (``COLUMNS``); tags are joined
with ", ". A spreadsheet must never run a cell as a formula, so a cell that
starts with ``= + - @``, a tab or a carriage return gets a leading ``'``
(OWASP's advice). So that the guard can always be undone, a cell that
already starts with ``'`` gets one too: to read the exact text back, drop
one leading ``'`` from any cell that has one (``unguard``).

- ``csv``: every character kept, newlines inside quoted cells, CRLF line
  ends, as RFC 4180 and every spreadsheet expect.
- ``tsv``: one record per line for ``cut`` and ``awk`` as much as for
  spreadsheets: whitespace and control characters in a cell are folded to
  single spaces, and a cell holding a double quote is quoted, the quote
  doubled, as spreadsheets read TSV.

list and search have a shorter ``tsv`` for pipes (render/text.py: id first,
a ``#`` header, no abstract); ``export --format tsv`` writes this one.
"""

from __future__ import annotations

import csv
from typing import IO, Iterable

from ..model import Paper
from .fields import fold

__all__ = ["COLUMNS", "row", "guard", "unguard", "render_csv", "render_tsv"]

COLUMNS = ("id", "title", "published", "upvotes", "authors_count", "seen", "status", "tags", "note",
           "first_seen", "last_seen", "abstract")

_GUARDED = ("=", "+", "-", "@", "\t", "\r", "'")


def guard(cell: str) -> str:
    """Make a cell inert in a spreadsheet.

    >>> guard("=HYPERLINK(1)"), guard("'quoted"), guard("plain")
    ("'=HYPERLINK(1)", "''quoted", 'plain')
    """
    return "'" + cell if cell.startswith(_GUARDED) else cell


def unguard(cell: str) -> str:
    """The text a guarded cell stands for (what a reader does to get it back)."""
    return cell[1:] if cell.startswith("'") else cell


def row(paper: Paper) -> list[str]:
    """The cells of one paper, unguarded, in ``COLUMNS`` order."""

    def opt(value: object) -> str:
        return "" if value is None else str(value)

    return [
        paper.id, paper.title, paper.published.isoformat() if paper.published else "",
        opt(paper.upvotes), opt(paper.authors_count), str(paper.seen), paper.status,
        ", ".join(paper.tags), paper.note or "", opt(paper.first_seen), opt(paper.last_seen),
        paper.abstract,
    ]


def render_csv(papers: Iterable[Paper], out: IO[str], *, bom: bool = False, **_: object) -> int:
    """``bom``: start with a byte order mark, so Excel reads the file as UTF-8 (non-ASCII titles)."""
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    n = 0
    for paper in papers:
        writer.writerow([guard(cell) for cell in row(paper)])
        n += 1
    return n


def render_tsv(papers: Iterable[Paper], out: IO[str], *, bom: bool = False, **_: object) -> int:
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for paper in papers:
        writer.writerow([guard(fold(cell)) for cell in row(paper)])
        n += 1
    return n
