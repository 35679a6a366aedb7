"""What API responses said beyond the page (issue 12): arXiv ids, author
names and links, per sighting (``sighting_sources``, keyed by dump and line)
and the best of them on the paper (``papers.arxiv_id/authors/links``)."""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from .connection import CHUNK, Connection, marks

__all__ = ["Sources", "load_authors", "load_links"]


def load_authors(text: str | None) -> list[str]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def load_links(text: str | None) -> dict[str, str]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(value, dict) else {}


def dump_authors(authors: list[str] | None) -> str | None:
    return json.dumps(authors, ensure_ascii=False) if authors is not None else None


def dump_links(links: dict[str, str] | None) -> str | None:
    return json.dumps(links, ensure_ascii=False, sort_keys=True) if links else None


class Sources(Connection):
    def add_sighting_sources(self, rows: Iterable[tuple[int, int, str | None, list[str] | None,
                                                         dict[str, str] | None]]) -> None:
        """(dump, line, arxiv id, author names, links) of API sightings."""
        self.db.executemany(
            "INSERT OR REPLACE INTO sighting_sources (dump, line, arxiv_id, authors, links) VALUES (?, ?, ?, ?, ?)",
            [(d, ln, a, dump_authors(au), dump_links(li)) for d, ln, a, au, li in rows])

    def paper_sources(self, pks: Sequence[int]) -> dict[int, tuple[str | None, list[str], dict[str, str]]]:
        """pk -> (arxiv id, author names, links) as the paper holds them."""
        found = {}
        pks = list(pks)
        for i in range(0, len(pks), CHUNK):
            chunk = pks[i:i + CHUNK]
            for pk, arxiv_id, authors, links in self.execute(
                    f"SELECT pk, arxiv_id, authors, links FROM papers WHERE pk IN ({marks(len(chunk))})", chunk):
                found[pk] = (arxiv_id, load_authors(authors), load_links(links))
        return found

    def set_paper_sources(self, rows: Iterable[tuple[int, str | None, list[str], dict[str, str]]]) -> None:
        """(pk, arxiv id, author names, links) -> the paper's columns."""
        self.db.executemany(
            "UPDATE papers SET arxiv_id = ?, authors = ?, links = ? WHERE pk = ?",
            [(a, dump_authors(au) if au else None, dump_links(li), pk) for pk, a, au, li in rows])
