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
    # text, no box, nothing cut.
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
