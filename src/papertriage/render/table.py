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
        return render_terminal(papers, out, highlight=highlight)
    return render_plain(papers, out)


# -- on a terminal: one line a paper, fitted to the width ----------------------------------

TITLE_MIN = 30  # below this a title is no longer readable: columns go first
TAGS_MAX = 24
GAP = 2
# Dropped in this order when the title would get narrower than TITLE_MIN
# (as gh and eza do); the id and the title always stay.
DROP_ORDER = ("status", "seen", "up", "date", "tags")
_STYLES = {"id": "cyan", "tags": "magenta"}


def fit_columns(widths: dict[str, int], total: int) -> tuple[list[str], int]:
    """Which columns to show at ``total`` columns, and the title's width.

    ``widths`` holds the natural width of every column but the title (0: the
    column is empty in every row, so it is left out).

    >>> fit_columns({"id": 8, "date": 10, "up": 2, "seen": 4, "status": 6, "tags": 0}, 80)
    (['id', 'title', 'date', 'up', 'seen', 'status'], 42)
    >>> fit_columns({"id": 8, "date": 10, "up": 2, "seen": 4, "status": 6, "tags": 0}, 60)
    (['id', 'title', 'date', 'up', 'seen'], 30)
    """
    shown = [name for name in _HEADER if name == "title" or widths.get(name, 0) > 0]
    for drop in (None, *DROP_ORDER):
        if drop in shown:
            shown.remove(drop)
        title = total - sum(widths[n] for n in shown if n != "title") - GAP * (len(shown) - 1)
        if title >= TITLE_MIN:
            return shown, title
    return shown, max(title, 10)


def render_terminal(papers: Iterable[Paper], out: IO[str], *, highlight: list[str] | None = None,
                    width: int | None = None) -> int:
    """The table as a person reads it: one line a paper, titles cut with "…",
    low-value columns dropped before a title gets narrower than TITLE_MIN.
    Colour unless NO_COLOR is set (no-color.org; Rich reads it)."""
    from rich.cells import cell_len

    rows = [dict(zip(_HEADER, _cells(p))) for p in papers]
    if not rows:
        return 0
    console = Console(file=out, force_terminal=True, highlight=False, emoji=False, markup=False, width=width,
                      soft_wrap=True)
    total = console.width
    for row in rows:
        tags = row["tags"]
        if cell_len(tags) > TAGS_MAX:
            cut = Text(tags)
            cut.truncate(TAGS_MAX, overflow="ellipsis")
            row["tags"] = cut.plain
    widths = {name: max(cell_len(str(r[name])) for r in rows) for name in _HEADER if name != "title"}
    widths = {name: (w if any(str(r[name]).strip("–") for r in rows) else 0) for name, w in widths.items()}
    widths = {name: max(w, len(name)) if w else 0 for name, w in widths.items()}
    shown, title_width = fit_columns(widths, total)
    widths["title"] = min(title_width, max(cell_len(r["title"]) for r in rows))
    right = dict(zip(_HEADER, _RIGHT))

    def cell(name: str, value: str, style: str = "") -> Text:
        text = Text(value, style=style)
        if name == "title" and highlight:
            text.highlight_words(highlight, style="bold yellow", case_sensitive=False)
        width, length = widths[name], cell_len(value)
        if length > width:
            text.truncate(width, overflow="ellipsis")
            return text
        pad = Text(" " * (width - length))
        return pad + text if right[name] else text + pad

    sep = Text(" " * GAP)
    for values, styles in [(dict(zip(_HEADER, _HEADER)), dict.fromkeys(_HEADER, "bold"))] + \
            [(row, _STYLES) for row in rows]:
        line = sep.join(cell(name, str(values[name]), styles.get(name, "")) for name in shown)
        line.rstrip()
        console.print(line, no_wrap=True, overflow="ellipsis", crop=True)
    return len(rows)


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
