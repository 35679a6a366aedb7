"""The Rich table for terminals. The only renderer that uses Rich.

Cells are Text objects, never markup, so a title like `[bold]x` prints as is;
control and bidi characters are shown as escapes.
"""

from __future__ import annotations

from typing import IO, Iterable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Paper
from .safe import one_line


def render(papers: Iterable[Paper], out: IO[str], *, terminal: bool = False,
           highlight: list[str] | None = None, **_: object) -> int:
    # On a terminal: colour, box and titles fitted to the width. Piped: plain
    # text, no box, nothing cut, streamed.
    if terminal:
        return render_rich(papers, out, terminal=True, highlight=highlight)
    return render_plain(papers, out)


_HEADER = ("id", "title", "date", "up", "seen", "status", "tags")
_RIGHT = (False, False, False, True, True, False, False)
PLAIN_CHUNK = 1000


def _cells(paper: Paper) -> tuple[str, ...]:
    return (paper.id, one_line(paper.title), paper.published.isoformat() if paper.published else "–",
            "–" if paper.upvotes is None else str(paper.upvotes), str(paper.seen), paper.status,
            " ".join(one_line(t) for t in paper.tags))


def render_plain(papers: Iterable[Paper], out: IO[str]) -> int:
    """The piped table, written PLAIN_CHUNK rows at a time so memory stays flat.

    Byte for byte what Rich prints for the same rows with no box and no
    colour (a test checks); columns are sized per chunk, so a long export
    re-aligns every PLAIN_CHUNK rows. Rich itself holds the whole table and
    takes about a millisecond a row: too slow and too big for 100k papers.
    """
    from itertools import islice

    from rich.cells import cell_len

    papers = iter(papers)
    n = 0
    while True:
        rows = [_cells(p) for p in islice(papers, PLAIN_CHUNK)]
        if not rows:
            return n
        lines = [_HEADER] + rows
        widths = [max(cell_len(row[i]) for row in lines) for i in range(len(_HEADER))]
        if n:
            lines = rows
        for row in lines:
            cells = []
            for text, width, right in zip(row, widths, _RIGHT):
                pad = " " * (width - cell_len(text))
                cells.append(pad + text if right else text + pad)
            out.write("  ".join(cells) + "\n")
        n += len(rows)


def render_rich(papers: Iterable[Paper], out: IO[str], *, terminal: bool = False,
                highlight: list[str] | None = None) -> int:
    """The table as Rich draws it (the whole table is held until printed)."""
    console = Console(file=out, force_terminal=terminal, no_color=not terminal, highlight=False,
                      width=None if terminal else 10_000, emoji=False, markup=False)
    table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("title", overflow="fold" if not terminal else "ellipsis", ratio=1)
    table.add_column("date", no_wrap=True)
    table.add_column("up", justify="right", no_wrap=True)
    table.add_column("seen", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("tags", style="magenta")
    n = 0
    for paper in papers:
        title = Text(one_line(paper.title))
        if highlight and terminal:
            title.highlight_words(highlight, style="bold yellow", case_sensitive=False)
        table.add_row(
            Text(paper.id), title,
            Text(paper.published.isoformat() if paper.published else "–"),
            Text("–" if paper.upvotes is None else str(paper.upvotes)),
            Text(str(paper.seen)), Text(paper.status),
            Text(" ".join(one_line(t) for t in paper.tags)),
        )
        n += 1
    if n:
        console.print(table)
    return n
