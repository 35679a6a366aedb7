"""Reading papers: a Selection in, Paper objects out (tags and, when asked,
sightings fetched per chunk); ids and their prefixes; counts."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from ..model import Paper, Sighting
from . import sighting_text
from .connection import CHUNK, Connection, chunks, marks, to_date
from .sources import load_authors, load_links
from .selection import (FullTextIndex, Selection, count_statement, match_ids_statement, matches_statement,
                        statement)

PAPER_COLUMNS = (
    "p.pk, p.id, p.title, p.abstract, p.authors_count, p.published, p.upvotes, p.seen, "
    "p.sightings, p.first_seen, p.last_seen, p.added, p.status, p.note, p.citation_key, p.note_name, "
    "p.arxiv_id, p.authors, p.links"
)


def _paper_from_row(row: Sequence[Any]) -> Paper:
    return Paper(
        id=row[1], title=row[2], abstract=row[3], authors_count=row[4],
        published=to_date(row[5]), upvotes=row[6], seen=row[7], sightings_count=row[8],
        first_seen=row[9], last_seen=row[10], added=row[11], status=row[12], note=row[13],
        citation_key=row[14], note_name=row[15], arxiv_id=row[16],
        authors=load_authors(row[17]) if row[17] else [], links=load_links(row[18]) if row[18] else {},
    )


class Papers(Connection):
    def select(self, selection: Selection = Selection()) -> Iterator[Paper]:
        """Stream the papers of a selection, in its order."""
        cursor = self.execute(*statement(selection, PAPER_COLUMNS))
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            pks = [r[0] for r in rows]
            tags = self._tags_for(pks)
            sightings = self._sightings_for(pks) if selection.with_sightings else {}
            for row in rows:
                paper = _paper_from_row(row)
                paper.tags = tags.get(row[0], [])
                if selection.with_sightings:
                    paper.sightings = sightings.get(row[0], [])
                yield paper

    def count(self, selection: Selection = Selection()) -> int:
        """How many papers a selection holds (its limit aside)."""
        return int(self.execute(*count_statement(selection)).fetchone()[0])

    def statement(self, selection: Selection) -> tuple[str, list[Any]]:
        """The SQL ``select`` runs for a selection, and its parameters (``search --show-sql``)."""
        return statement(selection, PAPER_COLUMNS)

    def count_matches(self, match: str, index: FullTextIndex, cap: int) -> int:
        """Papers whose text matches the FTS5 expression ``match``, counted up to ``cap``."""
        return int(self.execute(*matches_statement(match, index, cap)).fetchone()[0])

    def match_ids(self, match: str, index: FullTextIndex, cap: int) -> list[str]:
        """Ids of the newest ``cap`` papers whose text matches ``match`` (unscored: cheap)."""
        return [row[0] for row in self.execute(*match_ids_statement(match, index, cap))]

    def _tags_for(self, pks: Sequence[int]) -> dict[int, list[str]]:
        tags: dict[int, list[str]] = {}
        for pk, tag in self.execute(
                f"SELECT paper, tag FROM tags WHERE paper IN ({marks(len(pks))})"
                " ORDER BY paper, tag COLLATE NOCASE", pks):
            tags.setdefault(pk, []).append(tag)
        return tags

    def _sightings_for(self, pks: Sequence[int]) -> dict[int, list[Sighting]]:
        out: dict[int, list[Sighting]] = {}
        for row in self.execute(
            f"SELECT s.paper, d.name, s.line, d.layout, {sighting_text.TITLE}, {sighting_text.ABSTRACT},"
            " s.authors_count, s.published, s.published_raw, s.upvotes, s.dump,"
            " x.arxiv_id, x.authors, x.links, d.seen_on, d.date_from"
            " FROM sightings s JOIN dumps d ON d.id = s.dump JOIN papers p ON p.pk = s.paper"
            " LEFT JOIN sighting_sources x ON x.dump = s.dump AND x.line = s.line"
            f" WHERE s.paper IN ({marks(len(pks))}) ORDER BY s.paper, s.dump, s.line", pks):
            out.setdefault(row[0], []).append(Sighting(
                file=row[1], line=row[2], layout=row[3], title=row[4], abstract=row[5],
                authors_count=row[6], published=to_date(row[7]), published_raw=row[8], upvotes=row[9],
                dump_id=row[10], arxiv_id=row[11], authors=load_authors(row[12]) if row[12] else None,
                links=load_links(row[13]) or None, seen_on=row[14], date_from=row[15]))
        return out

    # -- ids -----------------------------------------------------------------

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[tuple[int, str]]:
        """(pk, id) of the papers whose id starts with ``prefix`` (lower-case hex), at most ``limit``."""
        return [(pk, pid) for pk, pid in self.execute(
            "SELECT pk, id FROM papers WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "g", limit))]

    def pks_for_ids(self, ids: Iterable[str]) -> dict[str, int]:
        """Full paper ids -> pks (ids not in the library are left out)."""
        found: dict[str, int] = {}
        for chunk in chunks(list(ids)):
            found.update(self.execute(f"SELECT id, pk FROM papers WHERE id IN ({marks(len(chunk))})",
                                      chunk).fetchall())
        return found

    def paper_labels(self, pks: Iterable[int]) -> dict[int, tuple[str, str]]:
        """pk -> (id, title), for reporting what changed."""
        labels: dict[int, tuple[str, str]] = {}
        for chunk in chunks(list(pks)):
            for pk, pid, title in self.execute(
                    f"SELECT pk, id, title FROM papers WHERE pk IN ({marks(len(chunk))})", chunk):
                labels[pk] = (pid, title)
        return labels

    def ids_taken(self, ids: Iterable[str]) -> set[str]:
        """The ids among ``ids`` that papers already have."""
        taken: set[str] = set()
        for chunk in chunks(list(ids)):
            taken.update(r[0] for r in self.execute(
                f"SELECT id FROM papers WHERE id IN ({marks(len(chunk))})", chunk))
        return taken

    def newest_mark(self) -> int:
        """A mark of the newest paper now: ``Selection(added_after=mark)`` selects the papers added later."""
        return int(self.execute("SELECT coalesce(max(pk), 0) FROM papers").fetchone()[0])

    def stats(self) -> dict[str, int]:
        row = self.execute(
            "SELECT (SELECT count(*) FROM dumps), (SELECT count(*) FROM sightings),"
            " (SELECT count(*) FROM papers), (SELECT count(*) FROM papers WHERE sightings > 1),"
            " (SELECT count(DISTINCT tag) FROM tags)").fetchone()
        dumps, sightings, papers, merged, tags = row
        return {"dumps": dumps, "sightings": sightings, "papers": papers,
                "merged_papers": merged, "merges": sightings - papers, "tags": tags}
