"""RIS: the tagged format every reference manager imports (Zotero, EndNote,
Mendeley, JabRef, Citavi).

One record per paper::

    TY  - UNPB
    ID  - bilinear2025-c9df0562
    TI  - Bilinear MLPs enable weight-based mechanistic interpretability
    AB  - A mechanistic understanding of ...
    PY  - 2025
    DA  - 2025/06/23/
    KW  - to-read          (one line per tag)
    N1  - triage status: keep; 12 upvotes on Hugging Face; seen in 2 dumps
    DP  - Hugging Face Papers
    ER  -

``TY - UNPB`` (unpublished work): the papers are preprints, and the
managers file them so (Zotero: manuscript), with every field here kept.
Every value is on one line: whitespace and
control characters are folded to single spaces, since a line break would
end the field (or start a bogus one). Lines end with CRLF, as the RIS
specification asks; readers accept LF too.
"""

from __future__ import annotations

from typing import IO, Iterable

from ..links import page_url
from ..model import Paper
from .fields import SOURCE, citation_key, fold, note_text

__all__ = ["render", "record"]

EOL = "\r\n"


def record(paper: Paper) -> str:
    lines = [("TY", "UNPB"), ("ID", citation_key(paper)), ("TI", fold(paper.title))]
    lines += [("AU", fold(name)) for name in paper.authors if fold(name)]
    if fold(paper.abstract):
        lines.append(("AB", fold(paper.abstract)))
    if paper.published:
        d = paper.published
        lines.append(("PY", f"{d.year:04d}"))
        lines.append(("DA", f"{d.year:04d}/{d.month:02d}/{d.day:02d}/"))
    for tag in paper.tags:
        if fold(tag):
            lines.append(("KW", fold(tag)))
    url = page_url(paper)
    if url:
        lines.append(("UR", url))
    lines.append(("N1", note_text(paper)))
    lines.append(("DP", SOURCE))
    text = "".join(f"{tag}  - {value}{EOL}" for tag, value in lines if value)
    return text + "ER  - " + EOL


def render(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        if n:
            out.write(EOL)
        out.write(record(paper))
        n += 1
    return n
