"""`show`: one paper in full, as readable text. Dump text is printed literally."""

from __future__ import annotations

from typing import IO

from ..links import paper_url
from ..model import DATE_FROM, Paper
from .safe import counted, one_line, terminal_safe


def _authors(paper: Paper) -> str:
    if paper.authors:
        shown = ", ".join(one_line(n) for n in paper.authors[:8])
        return f"{len(paper.authors)}: {shown}" + (", …" if len(paper.authors) > 8 else "")
    return "unknown" if paper.authors_count is None else str(paper.authors_count)


def render_detail(paper: Paper, out: IO[str], *, terminal: bool = False) -> None:
    w = out.write
    w(f"{paper.id}  {one_line(paper.title)}\n\n")
    fields = [
        ("published", paper.published.isoformat() if paper.published else "unknown"),
        ("authors", _authors(paper)),
        ("arxiv", paper.arxiv_id or "unknown"),
        ("url", paper_url(paper)),
        ("upvotes", "unknown" if paper.upvotes is None else str(paper.upvotes)),
        ("seen", f"{counted(paper.seen, 'dump')}, {counted(paper.sightings_count, 'sighting')}"),
        ("first seen", paper.first_seen or ""),
        ("last seen", paper.last_seen or ""),
        ("status", paper.status),
        ("tags", ", ".join(paper.tags) or "-"),
    ]
    note_lines = [terminal_safe(line.rstrip()) for line in (paper.note or "").strip("\n").splitlines()]
    for name, value in fields:
        w(f"  {name:<11} {value}\n")
    if note_lines:  # the note is the user's Markdown: shown with its own lines
        w(f"  {'note':<11} {note_lines[0]}\n")
        for line in note_lines[1:]:
            w(f"  {'':<11} {line}\n".rstrip(" \n") + "\n")
    w(f"\n{terminal_safe(paper.abstract)}\n\nsightings:\n")
    for s in paper.sightings or []:
        meta = [s.layout]
        if s.published_raw:
            meta.append(f"date {one_line(s.published_raw)}")
        if s.authors_count is not None:
            meta.append(counted(s.authors_count, "author"))
        if s.arxiv_id:
            meta.append(f"arXiv:{s.arxiv_id}")
        if s.upvotes is not None:
            meta.append(counted(s.upvotes, "upvote"))
        if s.seen_on:
            meta.append(f"seen {s.seen_on}" + (f", {DATE_FROM[s.date_from]}" if s.date_from in DATE_FROM else ""))
        w(f"  {one_line(s.file)}:{s.line}  ({', '.join(meta)})\n")
        if s.title != paper.title:
            w(f"      title: {one_line(s.title)}\n")
        if s.abstract != paper.abstract:
            w(f"      abstract: {one_line(s.abstract)[:200]}\n")
