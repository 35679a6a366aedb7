"""Names a paper keeps for life: its citation key and its note file name (issue 12).

Pure functions of a paper's title, year and id. They are computed once, when
the ingest that brings the paper in ends, stored in the library
(``papers.citation_key``, ``papers.note_name``) and never recomputed from
later sightings: a retitled paper keeps its ``\\cite{}`` key and its note file.
Renderers fall back to computing them only for papers that are not in a
library (tests, the public API).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["citation_key", "note_stem", "safe_stem", "slug", "MAX_STEM_BYTES"]

MAX_STEM_BYTES = 100  # the title part of a note file name; the id and extension come on top
_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and"})
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])", re.IGNORECASE)
# Compiled once: an ingest names every new paper (100k papers: 600,000 look-ups of the re cache).
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_LETTER = re.compile("[A-Za-z]")
_NOT_ID = re.compile(r"[^a-z0-9]")
# \\w: letters and digits of any script; everything else (/, \\, ., :, controls,
# bidi marks, spaces, _) becomes a single hyphen.
_NOT_WORD_RUN = re.compile(r"(?:[^\w]|_)+")


def citation_key(title: str, year: int | None, paper_id: str) -> str:
    """A BibTeX/CSL key: first real title word + year + id.

    ASCII letters, digits and one ``-`` only, so every LaTeX and Pandoc
    citation syntax accepts it; the id makes it unique.

    >>> citation_key("The Bilinear MLPs", 2025, "c9df0562")
    'bilinear2025-c9df0562'
    >>> citation_key("«»", None, "ab12")
    'paper-ab12'
    """
    word = "paper"
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    for candidate in _ASCII_WORD.findall(ascii_title):
        if candidate.lower() not in _STOPWORDS and _LETTER.search(candidate):
            word = candidate.lower()[:20]
            break
    ident = _NOT_ID.sub("", paper_id.lower()) or "x"
    return f"{word}{year if year else ''}-{ident}"


def slug(text: str) -> str:
    """Lower-case letters and digits of any script, everything else one hyphen."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOT_WORD_RUN.sub("-", text).strip("-")


def _cut_utf8(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, at a word boundary when one is near."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", "ignore")
    if text[len(cut)] != "-" and cut.rfind("-") > len(cut) // 2:
        cut = cut[:cut.rfind("-")]
    return cut


def note_stem(title: str, paper_id: str) -> str:
    """A safe file stem for one paper's note: title words, then the id.

    Only letters, digits and hyphens, lower case, the title part cut at
    MAX_STEM_BYTES bytes of UTF-8: never a path separator, never ``.`` or
    ``..``, never hidden, never a Windows device name, never too long.

    >>> note_stem("Bilinear MLPs: ../../etc/passwd?", "c9df0562")
    'bilinear-mlps-etc-passwd-c9df0562'
    """
    ident = slug(paper_id)[:40] or "paper"
    title_part = _cut_utf8(slug(title), MAX_STEM_BYTES).strip("-")
    return safe_stem(f"{title_part}-{ident}" if title_part else ident)


def safe_stem(stem: str) -> str:
    """``stem`` made a safe file stem by the same rules (a stored name is
    checked again: the library file is not trusted to hold only our names);
    empty when nothing is left.

    >>> safe_stem("../../etc/passwd")
    'etc-passwd'
    >>> safe_stem("nul")
    'paper-nul'
    """
    stem = slug(stem)
    ident_cut = stem.encode("utf-8")
    if len(ident_cut) > MAX_STEM_BYTES + 48:
        stem = _cut_utf8(stem, MAX_STEM_BYTES + 48).strip("-")
    if _WINDOWS_RESERVED.fullmatch(stem):
        stem = "paper-" + stem
    return stem
