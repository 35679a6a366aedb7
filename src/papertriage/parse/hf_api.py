"""A saved Hugging Face ``/api/daily_papers`` response: a JSON array of
objects, each with a ``paper`` (id, title, summary, publishedAt, upvotes,
authors, githubRepo, projectPage) or those fields at the top level. The
arXiv id, the author names and the links are kept (issue 12).

The line of a record is the line where its object starts in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from ..links import clean_arxiv_id, clean_url
from ..model import Sighting
from .base import DumpText, ParseResult, fail

NAME = "hf-api"


def _one_line(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _author_names(authors: object) -> list[str] | None:
    """The names of an API ``authors`` list, as one-line text; None when it is not a list."""
    if not isinstance(authors, list):
        return None
    names = []
    for author in authors:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and (name := " ".join(_CONTROL.sub(" ", name).split())[:200]):
            names.append(name)
    return names


def _published(value: object) -> tuple[dt.date | None, str | None]:
    if not isinstance(value, str) or len(value) < 10:
        return None, None
    try:
        return dt.date.fromisoformat(value[:10]), value
    except ValueError:
        return None, value


def _elements(text: str, dump: DumpText):
    """Yield (object, offset) for each element of the top-level array."""
    decoder = json.JSONDecoder()
    start = text.find("[")
    if start < 0:  # the layout asked for by name, on text its detect() would refuse
        raise fail(dump, 1, "not a JSON array of papers")
    i = start + 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text):
            raise fail(dump, text.count("\n") + 1, "JSON array breaks off: no closing ]")
        if text[i] == "]":
            return
        try:
            obj, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise fail(dump, exc.lineno, f"bad JSON: {exc.msg}") from None
        except (RecursionError, ValueError):  # absurd nesting, a number of thousands of digits
            raise fail(dump, text.count("\n", 0, i) + 1, "JSON too deeply nested or with absurd numbers") from None
        yield obj, i
        i = end


class HfApiLayout:
    name = NAME

    def detect(self, dump: DumpText) -> bool:
        first = next((ln.text for ln in dump.lines if ln.text), "")
        return first.startswith("[")

    def parse(self, dump: DumpText) -> ParseResult:
        text = "\n".join(ln.text for ln in dump.lines)
        sightings = []
        line, counted = 1, 0  # newlines counted up to ``counted``: once over the text, not once per record
        for obj, offset in _elements(text, dump):
            line += text.count("\n", counted, offset)
            counted = offset
            if not isinstance(obj, dict):
                raise fail(dump, line, "expected a paper object in the JSON array")
            inner = obj.get("paper")
            paper: dict[str, Any] = inner if isinstance(inner, dict) else obj
            title = _one_line(paper.get("title") or obj.get("title"))
            abstract = _one_line(paper.get("summary") or obj.get("summary"))
            if not title or not abstract:
                raise fail(dump, line, "paper object without a title and a summary")
            published, raw = _published(paper.get("publishedAt") or obj.get("publishedAt"))
            upvotes = paper.get("upvotes")
            authors = paper.get("authors")
            names = _author_names(authors)
            links = {name: url for name, key in (("github", "githubRepo"), ("project", "projectPage"))
                     if (url := clean_url(paper.get(key) or obj.get(key)))}
            sightings.append(Sighting(
                title=title, abstract=abstract, file=dump.source, line=line, layout=NAME,
                authors_count=len(authors) if isinstance(authors, list) else None,
                published=published, published_raw=raw,
                upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
                arxiv_id=clean_arxiv_id(paper.get("id")), authors=names, links=links or None,
            ))
        if not sightings:
            raise fail(dump, 1, "empty JSON array: no papers")
        return ParseResult(layout=NAME, sightings=sightings, page_date=dump.page_date)
