"""The table as a person sees it: in a pseudo-terminal at 60, 80 and 200
columns, with and without NO_COLOR (no-color.org)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?3[0-7](?:;[0-9;]*)?m")  # a foreground colour, not just bold


def on_terminal(library: Path, columns: int, *args: str, no_color: bool = False) -> list[str]:
    """Run papertriage in a pseudo-terminal of this width; the lines it drew."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(PAPERTRIAGE_LIBRARY=str(library), TERM="xterm-256color")
    if no_color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(sys.executable, ["-m", "papertriage", *args], env=env, dimensions=(50, columns),
                          encoding="utf-8", timeout=120)  # generous: a slow, shared machine
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before.replace("\r\n", "\n").rstrip("\n").split("\n")


def visible(line: str) -> str:
    return ANSI.sub("", line)


@pytest.fixture
def library(seeded, cli) -> Path:
    cli("tag", "add", "method/kan", "e922")
    return Path(seeded.path)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("columns", [60, 80, 200])
def test_table_fits_the_terminal(library, columns, no_color):
    lines = on_terminal(library, columns, "list", "--sort", "seen", "--limit", "12", no_color=no_color)
    rows = [visible(line) for line in lines]
    assert rows[0].split()[:2] == ["id", "title"]
    assert len(rows) == 13  # a header and one line a paper: titles never wrap
    for row in rows:
        assert len(row) <= columns, row
    title_at = rows[0].index("title")
    widest = max(len(row[title_at:].split("  ")[0]) for row in rows[1:])
    assert widest >= 30  # a title keeps a readable width; other columns go first
    colours = any(COLOUR.search(line) for line in lines)
    assert colours is not no_color
    if columns >= 200:
        assert rows[0].split() == ["id", "title", "date", "up", "seen", "status", "tags"]
        assert not any("…" in row for row in rows)  # wide enough for every seed title
    if columns == 60:
        assert "status" not in rows[0]  # low-value columns dropped first


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
def test_search_highlight_respects_no_color(library, no_color):
    lines = on_terminal(library, 80, "search", "kolmogorov", "--limit", "3", no_color=no_color)
    text = "\n".join(lines)
    assert "Kolmogorov" in visible(text)
    assert bool(COLOUR.search(text)) is not no_color
    assert "\x1b[1m" in text or "\x1b[1;" in text  # the match stays bold either way


def test_piped_output_has_no_colour_and_no_cut(library, cli):
    out = cli("list", "--format", "table", "--limit", "0").out
    assert "\x1b" not in out and "…" not in out
