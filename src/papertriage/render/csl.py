"""CSL-JSON: the citation data Zotero, Pandoc (``--citeproc``) and citeproc read.

One JSON array, streamed, one item a line (diff-friendly, and written by
json's C encoder: pretty-printing is several times slower). Each item::

    {"id": "bilinear2025-c9df0562", "citation-key": "bilinear2025-c9df0562",
     "type": "article", "title": "...", "abstract": "...",
     "issued": {"date-parts": [[2025, 6, 23]]}, "keyword": "to-read, mlp",
     "note": "triage status: keep; 12 upvotes on Hugging Face; seen in 4 dumps",
     "source": "Hugging Face Papers"}

``type`` is ``article``, CSL's type for preprints and working papers (Hugging
Face papers are arXiv preprints). ``id`` is the citation key, as in the
bibtex export, so ``@bilinear2025-c9df0562`` cites the same paper in both.
Tags travel in ``keyword`` (Zotero imports them as tags), the triage state
in ``note``. Title and abstract are the exact text (JSON escapes what it must). CSL
processors read a few HTML-like tags in strings as formatting (``<i>``,
``<b>``, ``<sup>``, ``<sub>``, ``<span class="nocase">``); CSL has no escape
for them, so a title that contains one literally is passed on as it is, the
way Zotero's own export does.
"""

from __future__ import annotations

from typing import IO, Iterable

from ..links import page_url
from ..model import Paper
from .fields import SOURCE, citation_key, fold, note_text
from .jsonfmt import dumps, write_array

__all__ = ["render", "item"]


def _name(name: str) -> dict:
    """A CSL name: family and given split at the last space, or a literal for one word."""
    given, _, family = name.rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": name}


def item(paper: Paper) -> dict:
    key = citation_key(paper)
    data: dict = {"id": key, "citation-key": key, "type": "article", "title": paper.title}
    if paper.authors:
        data["author"] = [_name(fold(n)) for n in paper.authors if fold(n)]
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.published:
        d = paper.published
        data["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
    if paper.tags:
        data["keyword"] = ", ".join(paper.tags)
    url = page_url(paper)
    if url:
        data["URL"] = url
        data["number"] = f"arXiv:{paper.arxiv_id}"
    data["note"] = note_text(paper)
    data["source"] = SOURCE
    return data


def render(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    return write_array((dumps(item(p)) for p in papers), out)
