"""Plain line formats for pipes: ``ids`` (one id a line) and ``tsv``."""

from __future__ import annotations

from typing import IO, Iterable

from ..model import Paper
from .safe import one_line

TSV_COLUMNS = ("id", "title", "published", "upvotes", "seen", "status", "tags")


def render_ids(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        out.write(paper.id + "\n")
        n += 1
    return n


def tsv_row(paper: Paper) -> list[str]:
    return [
        paper.id, one_line(paper.title),
        paper.published.isoformat() if paper.published else "",
        "" if paper.upvotes is None else str(paper.upvotes),
        str(paper.seen), paper.status, ",".join(paper.tags),
    ]


def render_tsv(papers: Iterable[Paper], out: IO[str], *, header: bool = True, **_: object) -> int:
    # The id comes first so `... --format tsv | papertriage tag add X -` works.
    if header:
        out.write("#" + "\t".join(TSV_COLUMNS) + "\n")
    n = 0
    for paper in papers:
        out.write("\t".join(tsv_row(paper)) + "\n")
        n += 1
    return n
