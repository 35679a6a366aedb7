"""Making untrusted dump text safe to show in a terminal or a one-line field,
and to write into data exports (issue 17)."""

from __future__ import annotations

import re

# C0/C1 controls, DEL, and the bidi/format characters that can make a terminal lie.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def terminal_safe(text: str | None) -> str:
    """Control and bidi-override characters shown as visible escapes; newlines kept."""
    if not text:
        return text or ""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str | None) -> str:
    """Terminal-safe, on a single line (tabs and newlines become spaces)."""
    return " ".join(terminal_safe(text).split()) if text else ""


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 dump``, ``2 dumps``, ``0 dumps``.

    >>> counted(1, "upvote"), counted(3, "entry", "entries")
    ('1 upvote', '3 entries')
    """
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# What data exports never carry raw (issue 17): C0 controls but tab and line
# breaks, DEL, C1 controls (U+009B is CSI, U+009D OSC on many terminals) and
# the bidi marks, embeddings, overrides and isolates. JSON and YAML write them
# as \\u escapes (the text is kept); csv, tsv, BibTeX and RIS, whose readers
# have no escapes, get a space for a control (as ``fields.fold`` does) and
# nothing for a bidi control.
DATA_UNSAFE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
_DATA_UNSAFE = re.compile(DATA_UNSAFE)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def data_safe(text: str | None) -> str | None:
    """``text`` with the characters DATA_UNSAFE names replaced (controls) or dropped (bidi)."""
    if not text or (text.isprintable() and text.isascii()):
        return text
    return _CONTROL.sub(" ", _BIDI.sub("", text))


def _unsafe(text: str | None) -> bool:
    if not text or (text.isascii() and text.isprintable()):
        return False
    return _DATA_UNSAFE.search(text) is not None


def data_safe_paper(paper):
    """The paper itself when all its text is clean, else a cleaned copy (the
    library is never changed)."""
    sightings = paper.sightings or ()
    if not (_unsafe(paper.title) or _unsafe(paper.abstract) or _unsafe(paper.note)
            or any(_unsafe(t) for t in paper.tags)
            or any(_unsafe(s.title) or _unsafe(s.abstract) or _unsafe(s.published_raw) or _unsafe(s.file)
                   for s in sightings)):
        return paper
    import dataclasses  # here: a daily ingest's start-up never needs it (issue 16)

    from .fields import citation_key

    # The key stays the one the raw title gives (it is ASCII letters and digits anyway).
    clean = dataclasses.replace(paper, title=data_safe(paper.title), abstract=data_safe(paper.abstract),
                                note=data_safe(paper.note), tags=[data_safe(t) for t in paper.tags],
                                citation_key=citation_key(paper))
    if paper.sightings is not None:
        clean.sightings = [dataclasses.replace(s, title=data_safe(s.title), abstract=data_safe(s.abstract),
                                               published_raw=data_safe(s.published_raw), file=data_safe(s.file))
                           for s in paper.sightings]
    return clean
