"""BibTeX: one ``@misc`` entry per paper, for LaTeX, JabRef, Zotero and friends.

Fields: ``title`` (in double braces, so styles keep its capitals),
``author`` (names from an API response, when one was ingested), ``eprint``,
``archivePrefix`` and ``url`` (when the arXiv id is known), ``abstract``, ``year``, ``month`` (the standard ``jan``…``dec`` macros),
``keywords`` (the tags), ``note`` (triage status, upvotes, times seen, the
user's note), ``howpublished``. The key is ``citation_key``: first title
word, year, id (``bilinear2025-c9df0562``), stable and unique.

Escaping, chosen so that LaTeX prints the text literally and every BibTeX
reader (including BibTeX itself, which counts braces even after a
backslash) sees balanced braces:

==============  ==========================
text            written as
==============  ==========================
``\\``          ``\\textbackslash{}``
``{`` ``}``     ``\\textbraceleft{}`` ``\\textbraceright{}``
``$ & % # _``   ``\\$ \\& \\% \\# \\_``
``~`` ``^``     ``\\textasciitilde{}`` ``\\textasciicircum{}``
``< > |``       ``\\textless{}`` ``\\textgreater{}`` ``\\textbar{}``
``--``          ``-{}-`` (and the same for the ligatures ``````, ``''``,
                ``?``` ``!``` ``,,``), so no dash or quote is merged
==============  ==========================

No braces are ever written unescaped except our own pairs, so they always
balance. Whitespace and control characters are folded to single spaces;
everything else, including non-ASCII text, is written as UTF-8 (use biber,
or ``\\usepackage[utf8]{inputenc}`` with BibTeX). To get the text back,
undo the table above (pylatexenc does, given the macro meanings).
"""

from __future__ import annotations

import re
from typing import IO, Iterable

from ..links import page_url
from ..model import Paper
from .fields import MONTHS, SOURCE, citation_key, fold, note_text

__all__ = ["render", "escape", "entry"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_AND = re.compile(r"\band\b", re.IGNORECASE)  # BibTeX's name separator, inside a name
_BREAK = "\x05"  # stands for the {} that breaks a ligature; fold() leaves no controls
_TABLE = str.maketrans({**_SPECIAL, _BREAK: "{}"})
_SPECIAL_CHARS = "".join(_SPECIAL)
_PAIRS = ("--", "``", "''", ",,")  # doubled: apply twice, so runs like --- break everywhere
_MIXED = ("?`", "!`")


def escape(text: str | None) -> str:
    """Text as a BibTeX field value that LaTeX prints literally.

    >>> escape("50% of {x} -- a_b")
    '50\\\\% of \\\\textbraceleft{}x\\\\textbraceright{} -{}- a\\\\_b'
    """
    s = fold(text)
    for pair in _PAIRS:
        if pair in s:
            broken = pair[0] + _BREAK + pair[1]
            s = s.replace(pair, broken).replace(pair, broken)
    for pair in _MIXED:
        if pair in s:
            s = s.replace(pair, pair[0] + _BREAK + pair[1])
    if any(c in s for c in _SPECIAL_CHARS):  # most text has none: skip the translation
        s = s.translate(_TABLE)
    elif _BREAK in s:
        s = s.replace(_BREAK, "{}")
    return s


def escape_url(url: str) -> str:
    """A URL for the ``url`` field (read verbatim by the url package): only
    the characters BibTeX itself trips on are escaped; ours never hold braces."""
    return url.replace("%", "\\%").replace("#", "\\#")


def entry(paper: Paper) -> str:
    fields = [("title", "{" + escape(paper.title) + "}")]
    if paper.authors:
        # A literal "and" inside one name would split it: braced, it stays a word.
        fields.append(("author", " and ".join(_AND.sub(r"{\g<0>}", escape(n)) for n in paper.authors if fold(n))))
    if paper.published:
        fields.append(("year", str(paper.published.year)))
    url = page_url(paper)
    if url:
        fields += [("eprint", escape(paper.arxiv_id)), ("archivePrefix", "arXiv"), ("url", escape_url(url))]
    fields.append(("abstract", escape(paper.abstract)))
    if paper.tags:
        fields.append(("keywords", escape(", ".join(paper.tags))))
    fields.append(("note", escape(note_text(paper))))
    fields.append(("howpublished", escape(SOURCE)))
    lines = [f"@misc{{{citation_key(paper)},"]
    for name, value in fields:
        lines.append(f"  {name} = {{{value}}},")
        if name == "year" and paper.published is not None:
            lines.append(f"  month = {MONTHS[paper.published.month - 1]},")
    lines.append("}\n")
    return "\n".join(lines)


def render(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        if n:
            out.write("\n")
        out.write(entry(paper))
        n += 1
    return n
