"""What the export formats share: folding untrusted text onto one line, the
triage note every reference format carries, and the citation key.

Kept in one place so that a paper gets the same key in BibTeX and CSL-JSON,
and the same note in BibTeX, CSL-JSON and RIS.
"""

from __future__ import annotations

import re

from .. import naming
from ..model import Paper

__all__ = ["fold", "paragraphs", "note_text", "citation_key", "MONTHS", "SOURCE"]

SOURCE = "Hugging Face Papers"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# C0 and C1 controls and DEL: never meaningful in a title, and some readers
# (RIS, BibTeX, spreadsheets) stop or split on them.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,80}")  # what naming.citation_key makes; anything else is recomputed


def fold(text: str | None) -> str:
    """One line: controls become spaces, every run of whitespace one space.

    >>> fold("  a\\tb\\n\\nc\\x00d ")
    'a b c d'
    """
    if not text:
        return ""
    if text.isprintable():  # the common case, checked in C: no controls, no whitespace but " "
        if "  " not in text and text[0] != " " and text[-1] != " ":
            return text
        return " ".join(text.split())
    return " ".join(_CONTROLS.sub(" ", text).split())


def paragraphs(text: str | None) -> list[str]:
    """Text split at blank lines, each paragraph folded onto one line.

    >>> paragraphs("one\\ntwo\\n\\n  \\nthree")
    ['one two', 'three']
    """
    if not text:
        return []
    return [p for p in (fold(chunk) for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n"))) if p]


def note_text(paper: Paper) -> str:
    """The triage state as one line, for the note field of reference formats.

    Starts with "triage status", not a bare CSL variable name, so Zotero and
    citeproc-js never read it as ``status: …`` cheater syntax.

    >>> from papertriage.model import Paper
    >>> note_text(Paper(id="ab", title="t", abstract="", upvotes=3, seen=2, status="keep", note="read\\nsoon"))
    'triage status: keep; 3 upvotes on Hugging Face; seen in 2 dumps; triage note: read soon'
    """
    parts = [f"triage status: {paper.status}"]
    if paper.upvotes is not None:
        parts.append(f"{paper.upvotes} upvote{'' if paper.upvotes == 1 else 's'} on Hugging Face")
    parts.append(f"seen in {paper.seen} dump{'' if paper.seen == 1 else 's'}")
    if paper.note and fold(paper.note):
        parts.append(f"triage note: {fold(paper.note)}")
    return "; ".join(parts)


def citation_key(paper: Paper) -> str:
    """The paper's BibTeX/CSL key: the one stored when it came into the
    library (never recomputed, so ``\\cite{}`` keeps working after a retitle),
    else first real title word + year + id (see ``naming.citation_key``).

    >>> import datetime as dt
    >>> from papertriage.model import Paper
    >>> citation_key(Paper(id="c9df0562", title="The Bilinear MLPs", abstract="", published=dt.date(2025, 1, 2)))
    'bilinear2025-c9df0562'
    >>> citation_key(Paper(id="ab12", title="Renamed", abstract="", citation_key="bilinear2025-ab12"))
    'bilinear2025-ab12'
    """
    if paper.citation_key and _KEY.fullmatch(paper.citation_key):
        return paper.citation_key
    return naming.citation_key(paper.title, paper.published.year if paper.published else None, paper.id)
