"""Hostile text and the real readers the export tests use.

Hostile papers are built directly as ``Paper`` objects (and, in the tests,
also pushed through a dump and the real parser). The readers are the
programs users would point at the exports: markdown-it-py, PyYAML, the csv
module, bibtexparser (+ pylatexenc to undo the LaTeX escaping), citeproc-py
and the CSL schema it ships, rispy.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from papertriage.model import STATUSES, Paper

# Pieces that have broken some format somewhere.
NASTY = [
    "*", "**", "_", "__", "#", "# ", "## ", "[", "]", "[a](http://x.y)", "![i](x.png)", "<", ">", "<b>", "</p>",
    "<script>alert(1)</script>", "<http://x.y>", "|", "| a | b |", "`", "```", "~~", "~", "\\", "\\\\", "{", "}",
    "%", "%%", "&", "&amp;", "&#x41;", "$", "$x$", "^", "@", "@key", "=", "==", "+", "-", "--", "---", "- ",
    "1. ", "2) ", "a. ", "> ", ":", "(", ")", "!", "?`", "``", "''", '"', "'", ",", ",,", ";", "\n", "\n\n", "\r\n",
    "\r", "\t", "    ", " ", "\xa0", "\u2028", "\x85", "\x00", "\x07", "\x1b[31m", "\x7f", "\u202e", "\u2066",
    "\u200b", "\ufeff", "😀", "👩‍🔬", "שלום", "مرحبا بالعالم", "é", "e\u0301", "中文标题", "ER  - ", "TY  - JOUR",
    "@misc{x,", "title = {", "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "'=1", "\\end{document}",
    "\\textbf{x}", "---\n", "...", "null", "yes", "0x1F", "2024-01-01", "#tag", "[[wiki]]", "%% comment %%",
]

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "'"]

nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=14).map("".join)
title_text = st.one_of(
    nasty_text.filter(lambda t: t.strip()),
    st.sampled_from(FORMULA_STARTS).flatmap(lambda c: nasty_text.map(lambda t: c + t + "x")),
)
tag_names = st.from_regex(r"[A-Za-z0-9_-]{1,12}(/[A-Za-z0-9_-]{1,8})?", fullmatch=True)


# Names as an API response may give them: anything, "and" included; never blank.
author_names = st.one_of(st.sampled_from(["and", "Ann and Bob", "O'Brien", "李 明", "{Knuth}", "A. Ng"]),
                         nasty_text).map(lambda t: " ".join(t.split())).filter(
    lambda t: bool(t) and t.isprintable())


@st.composite
def hostile_papers(draw, *, tags=tag_names) -> Paper:
    return Paper(
        id=draw(st.from_regex(r"[0-9a-f]{8}", fullmatch=True)),
        title=draw(title_text),
        abstract=draw(nasty_text),
        authors_count=draw(st.none() | st.integers(0, 500)),
        published=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))),
        upvotes=draw(st.none() | st.integers(0, 10_000)),
        seen=draw(st.integers(1, 50)),
        first_seen="2025-01-02",
        last_seen="2025-03-04",
        status=draw(st.sampled_from(STATUSES)),
        note=draw(st.none() | nasty_text),
        tags=sorted(set(draw(st.lists(tags, max_size=4))), key=str.lower),
        arxiv_id=draw(st.none() | st.from_regex(r"[0-9]{4}\.[0-9]{4,5}", fullmatch=True)),
        authors=draw(st.lists(author_names, max_size=4)),
    )


def unique_ids(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for p in papers:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


# -- LaTeX -> text, the way LaTeX reads our escapes --------------------------

@lru_cache(maxsize=1)
def _latex_converter():
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    # What LaTeX prints for the text-mode macros we write (pylatexenc lacks some,
    # and gives U+02C6 for \textasciicircum).
    meanings = {"textbraceleft": "{", "textbraceright": "}", "textless": "<", "textgreater": ">",
                "textbar": "|", "textasciicircum": "^", "textasciitilde": "~", "textbackslash": "\\"}
    db = get_default_latex_context_db()
    db.add_context_category("papertriage", prepend=True,
                            macros=[MacroTextSpec(name, simplify_repl=value) for name, value in meanings.items()])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """The text LaTeX would print for a BibTeX field value."""
    return _latex_converter().latex_to_text(value)


def braces_balance(text: str) -> bool:
    """As BibTeX counts them: every brace, escaped or not."""
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


# -- Markdown ---------------------------------------------------------------

def markdown_parser():
    from markdown_it import MarkdownIt

    # CommonMark, plus the GFM tables and strikethrough that note apps add.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def inline_text(token) -> tuple[str, set[str]]:
    """The plain text an inline token renders to, and the kinds of its children."""
    kinds = {c.type for c in token.children or []}
    text = "".join(c.content if c.type in ("text", "text_special") else "\n" if c.type == "softbreak" else ""
                   for c in token.children or [])
    return text, kinds


# -- CSL schema (shipped with citeproc-py) ------------------------------------

@lru_cache(maxsize=1)
def csl_schema() -> tuple[set[str], set[str], set[str]]:
    """(item types, all variables, date variables) from the CSL schema files."""
    import citeproc

    base = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles"

    def names(path: Path, start: str | None = None) -> set[str]:
        text = path.read_text(encoding="utf-8")
        if start:
            text = text[text.index(start):]
            text = re.split(r"\n\s*\n", text, maxsplit=1)[0]
        return set(re.findall(r'"([A-Za-z_-]+)"', text))

    types = names(base / "csl-types.rnc")
    variables = names(base / "csl-variables.rnc")
    dates = names(base / "csl-variables.rnc", "variables.dates =")
    return types, variables, dates
