"""SQL for reviewing and correcting dedup (issue 11): the rule each sighting
was placed by, near-miss pairs, aliases of merged-away ids, pins of user
decisions, and the merges/splits log that `unmerge` reads.

Functions take an open ``Library`` and plain values; they run inside the
caller's transaction and phrase no user messages.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable, Sequence

from . import sighting_text

if TYPE_CHECKING:
    from . import Library

_CHUNK = 500


def _chunks(items: Sequence, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- ingest ------------------------------------------------------------------

def pinned_papers(lib: "Library", contents: Iterable[int]) -> dict[int, int]:
    """Content key -> the paper a user decision put that text in."""
    found: dict[int, int] = {}
    keys = list(set(contents))
    for chunk in _chunks(keys):
        marks = ",".join("?" * len(chunk))
        found.update(lib.execute(f"SELECT content, paper FROM dedup_pins WHERE content IN ({marks})", chunk))
    return found


def add_near_misses(lib: "Library", rows: Iterable[tuple[int, int, float, str, str]]) -> None:
    """(paper, paper, score, rule, scores) pairs kept apart; the closest reason per pair is kept."""
    ordered = [(min(a, b), max(a, b), score, rule, scores) for a, b, score, rule, scores in rows if a != b]
    lib.db.executemany(
        "INSERT INTO near_misses (a, b, score, rule, scores) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(a, b) DO UPDATE SET score = excluded.score, rule = excluded.rule, scores = excluded.scores"
        " WHERE excluded.score > near_misses.score", ordered)


# -- reading -----------------------------------------------------------------

def sighting_rows(lib: "Library", pk: int) -> list[dict]:
    """The sightings of one paper in `show` order, with their rule and text."""
    cur = lib.execute(
        f"SELECT s.id, d.name, s.line, {sighting_text.TITLE}, {sighting_text.ABSTRACT}, s.rule, s.scores, s.dump,"
        " d.ingested_at, s.abstract IS NULL"
        " FROM sightings s JOIN dumps d ON d.id = s.dump JOIN papers p ON p.pk = s.paper"
        " WHERE s.paper = ? ORDER BY s.dump, s.line", (pk,))
    return [dict(id=r[0], file=r[1], line=r[2], title=r[3], abstract=r[4], rule=r[5], scores=r[6], dump=r[7],
                 ingested_at=r[8], abstract_is_paper=bool(r[9])) for r in cur]


def dump_sightings(lib: "Library", dump_ids: Sequence[int]) -> list[tuple]:
    """(file, line, sighting title, paper id, paper title, rule, scores) of the sightings of some dumps."""
    rows: list[tuple] = []
    for chunk in _chunks(list(dump_ids)):
        marks = ",".join("?" * len(chunk))
        rows += lib.execute(
            f"SELECT d.name, s.line, {sighting_text.TITLE}, p.id, p.title, s.rule, s.scores FROM sightings s"
            " JOIN dumps d ON d.id = s.dump JOIN papers p ON p.pk = s.paper"
            f" WHERE s.dump IN ({marks}) ORDER BY s.dump, s.line", chunk).fetchall()
    return rows


def papers_with_variation(lib: "Library") -> list[int]:
    """Papers whose sightings carry more than one title, or an abstract of their own."""
    return [r[0] for r in lib.execute(
        "SELECT s.paper FROM sightings s JOIN papers p ON p.pk = s.paper GROUP BY s.paper"
        f" HAVING count(*) > 1 AND (count(DISTINCT {sighting_text.TITLE}) > 1 OR count(s.abstract) > 0)"
        " ORDER BY s.paper")]


def near_misses(lib: "Library", limit: int | None = None) -> list[tuple]:
    """(score, rule, scores, id a, title a, id b, title b), closest first."""
    sql = ("SELECT n.score, n.rule, n.scores, pa.id, pa.title, pb.id, pb.title FROM near_misses n"
           " JOIN papers pa ON pa.pk = n.a JOIN papers pb ON pb.pk = n.b ORDER BY n.score DESC, n.a, n.b")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return lib.execute(sql).fetchall()


def paper_row(lib: "Library", pk: int) -> dict | None:
    cur = lib.execute("SELECT * FROM papers WHERE pk = ?", (pk,))
    row = cur.fetchone()
    return dict(zip([c[0] for c in cur.description], row)) if row else None


def tags_of(lib: "Library", pk: int) -> list[tuple[str, str]]:
    return lib.execute("SELECT tag, added_at FROM tags WHERE paper = ? ORDER BY tag", (pk,)).fetchall()


def resolve_alias(lib: "Library", prefix: str) -> list[int]:
    """Papers a merged-away id (or a prefix of one) now resolves to (at most two)."""
    return [r[0] for r in lib.execute(
        "SELECT DISTINCT paper FROM paper_aliases WHERE id >= ? AND id < ? LIMIT 2", (prefix, prefix + "g"))]


def aliases_of(lib: "Library", pk: int) -> list[str]:
    return [r[0] for r in lib.execute("SELECT id FROM paper_aliases WHERE paper = ? ORDER BY id", (pk,))]


def last_merge(lib: "Library", pk: int, kind: str | None = None) -> tuple[int, str, str, dict] | None:
    """(merge id, at, kind, state) of the paper's newest merge or split not undone."""
    where, params = ("AND kind = ?", (pk, kind)) if kind else ("", (pk,))
    row = lib.execute(f"SELECT id, at, kind, state FROM merges WHERE paper = ? AND undone IS NULL {where}"
                      " ORDER BY id DESC LIMIT 1", params).fetchone()
    return (row[0], row[1], row[2], json.loads(row[3])) if row else None


def merges_of(lib: "Library", pk: int, kind: str) -> list[tuple[int, str, str, dict]]:
    """(merge id, at, kind, state) of a paper's merges or splits not undone, newest first."""
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in lib.execute(
        "SELECT id, at, kind, state FROM merges WHERE paper = ? AND kind = ? AND undone IS NULL ORDER BY id DESC",
        (pk, kind))]


def active_decisions(lib: "Library") -> list[tuple[int, str, str, dict]]:
    """(paper pk, kind, at, state) of every merge and split not undone, oldest first."""
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in lib.execute(
        "SELECT paper, kind, at, state FROM merges WHERE undone IS NULL ORDER BY id")]


# -- writing: merge, split, unmerge ----------------------------------------------

def log_merge(lib: "Library", pk: int, at: str, kind: str, state: dict) -> int:
    merge_id = lib.execute("INSERT INTO merges (paper, at, kind, state) VALUES (?, ?, ?, ?)",
                           (pk, at, kind, json.dumps(state))).lastrowid
    assert merge_id is not None
    return merge_id


def mark_undone(lib: "Library", merge_id: int, at: str) -> None:
    lib.execute("UPDATE merges SET undone = ? WHERE id = ?", (at, merge_id))


def move_merges(lib: "Library", ids: Sequence[int], to_pk: int) -> None:
    lib.db.executemany("UPDATE merges SET paper = ? WHERE id = ?", [(to_pk, i) for i in ids])


def merge_ids_of(lib: "Library", pk: int) -> list[int]:
    return [r[0] for r in lib.execute("SELECT id FROM merges WHERE paper = ?", (pk,))]


def materialise_abstracts(lib: "Library", pk: int, sighting_ids: Sequence[int] | None = None) -> None:
    """Sightings that said the paper's abstract keep their own copy (before it changes or they move)."""
    if sighting_ids is None:
        lib.execute("UPDATE sightings SET abstract = (SELECT abstract FROM papers WHERE pk = ?)"
                    " WHERE paper = ? AND abstract IS NULL", (pk, pk))
        return
    for chunk in _chunks(list(sighting_ids)):
        marks = ",".join("?" * len(chunk))
        lib.execute(f"UPDATE sightings SET abstract = (SELECT abstract FROM papers WHERE pk = ?)"
                    f" WHERE paper = ? AND abstract IS NULL AND id IN ({marks})", (pk, pk, *chunk))


def share_abstract(lib: "Library", pk: int) -> None:
    """Sightings store once again what they share with the paper's title and abstract
    (NULL, or the stretch that differs: ``sighting_text``)."""
    sighting_text.share(lib.db, [pk])


def move_sightings(lib: "Library", ids: Sequence[int], from_pk: int, to_pk: int) -> list[int]:
    """Move sightings still in ``from_pk``; returns the ids moved."""
    moved: list[int] = []
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        moved += [r[0] for r in lib.execute(
            f"SELECT id FROM sightings WHERE paper = ? AND id IN ({marks})", (from_pk, *chunk))]
    lib.db.executemany("UPDATE sightings SET paper = ? WHERE id = ?", [(to_pk, i) for i in moved])
    return moved


def sighting_ids(lib: "Library", pk: int) -> list[int]:
    return [r[0] for r in lib.execute("SELECT id FROM sightings WHERE paper = ? ORDER BY id", (pk,))]


def move_history(lib: "Library", from_pk: int, to_pk: int, ids: Sequence[int] | None = None) -> list[int]:
    if ids is None:
        ids = [r[0] for r in lib.execute("SELECT id FROM history WHERE paper = ?", (from_pk,))]
    lib.db.executemany("UPDATE history SET paper = ? WHERE id = ? AND paper = ?", [(to_pk, i, from_pk) for i in ids])
    return list(ids)


def copy_tags(lib: "Library", tags: Sequence[tuple[str, str]], to_pk: int) -> list[str]:
    """Add (tag, added_at) to a paper; returns the tags it did not have."""
    added = []
    for tag, added_at in tags:
        if lib.execute("INSERT OR IGNORE INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                       (to_pk, tag, added_at)).rowcount:
            added.append(tag)
    return added


def remove_tags(lib: "Library", pk: int, tags: Sequence[str]) -> None:
    lib.db.executemany("DELETE FROM tags WHERE paper = ? AND tag = ?", [(pk, t) for t in tags])


def set_status_note(lib: "Library", pk: int, status: str, note: str | None) -> None:
    lib.execute("UPDATE papers SET status = ?, note = ? WHERE pk = ?", (status, note, pk))


def add_keys(lib: "Library", pk: int, keys: Iterable[int]) -> None:
    lib.db.executemany("INSERT OR IGNORE INTO dedup_keys (key, paper) VALUES (?, ?)", [(k, pk) for k in keys])


def pins_of(lib: "Library", contents: Iterable[int]) -> dict[int, int]:
    return pinned_papers(lib, contents)


def set_pins(lib: "Library", pins: dict[int, int | None]) -> None:
    """content -> paper (None removes the pin)."""
    lib.db.executemany("DELETE FROM dedup_pins WHERE content = ?", [(c,) for c, p in pins.items() if p is None])
    lib.db.executemany("INSERT OR REPLACE INTO dedup_pins (content, paper) VALUES (?, ?)",
                       [(c, p) for c, p in pins.items() if p is not None])


def repoint(lib: "Library", from_pk: int, to_pk: int) -> tuple[list[str], list[int]]:
    """Aliases and pins of a paper about to be merged away now name the survivor.
    Returns (alias ids, pinned contents) that were repointed."""
    aliases = aliases_of(lib, from_pk)
    contents = [r[0] for r in lib.execute("SELECT content FROM dedup_pins WHERE paper = ?", (from_pk,))]
    lib.execute("UPDATE paper_aliases SET paper = ? WHERE paper = ?", (to_pk, from_pk))
    lib.execute("UPDATE dedup_pins SET paper = ? WHERE paper = ?", (to_pk, from_pk))
    return aliases, contents


def add_alias(lib: "Library", paper_id: str, pk: int) -> None:
    lib.execute("INSERT OR REPLACE INTO paper_aliases (id, paper) VALUES (?, ?)", (paper_id, pk))


def set_aliases(lib: "Library", ids: Sequence[str], pk: int) -> None:
    lib.db.executemany("UPDATE paper_aliases SET paper = ? WHERE id = ?", [(pk, i) for i in ids])


def drop_alias(lib: "Library", paper_id: str) -> None:
    lib.execute("DELETE FROM paper_aliases WHERE id = ?", (paper_id,))


def delete_paper(lib: "Library", pk: int) -> None:
    """Remove a paper whose sightings, tags and history were moved (FTS rows
    and blocking keys go by trigger and cascade)."""
    lib.execute("DELETE FROM papers WHERE pk = ?", (pk,))


def insert_paper(lib: "Library", row: dict) -> int:
    """A paper restored or split off, full-text rows included; returns its pk."""
    from . import PaperWriter

    writer = PaperWriter(lib)
    pk = row.get("pk")
    if pk is None or lib.execute("SELECT 1 FROM papers WHERE pk = ?", (pk,)).fetchone():
        pk = writer.next_pk()
    full = {"authors_count": None, "published": None, "upvotes": None, "seen": 1, "sightings": 1,
            "first_seen": None, "last_seen": None, "last_dump": None, **row, "pk": pk}
    writer.insert_papers([full])
    lib.execute("UPDATE papers SET status = ?, note = ?, citation_key = ?, note_name = ? WHERE pk = ?",
                (row.get("status") or "new", row.get("note"), row.get("citation_key"), row.get("note_name"), pk))
    lib.name_papers([pk])  # a paper restored keeps its names; a new one gets them now (issue 12)
    return pk


def replace_text(lib: "Library", pk: int, title: str, abstract: str) -> None:
    """New title/abstract for a paper, full-text index kept in step."""
    old_title, old_abstract = lib.execute("SELECT title, abstract FROM papers WHERE pk = ?", (pk,)).fetchone()
    # As values, not `INSERT ... SELECT FROM papers`: that form reads ~1000 pages at 100k (issue 16).
    lib.execute("INSERT INTO papers_fts (papers_fts, rowid, title, abstract) VALUES ('delete', ?, ?, ?)",
                (pk, old_title, old_abstract))
    lib.execute("UPDATE papers SET title = ?, abstract = ? WHERE pk = ?", (title, abstract, pk))
    lib.execute("INSERT INTO papers_fts (rowid, title, abstract) VALUES (?, ?, ?)", (pk, title, abstract))
    from . import search_index

    search_index.refresh(lib.db, [pk])  # the stemmed titles' compound forms (issue 14)


def refresh_counts(lib: "Library", pk: int) -> None:
    """Recompute what a paper's sightings say: times seen, dates, upvotes, authors, published."""
    lib.execute(
        "UPDATE papers SET"
        " seen = (SELECT count(DISTINCT dump) FROM sightings WHERE paper = :pk),"
        " sightings = (SELECT count(*) FROM sightings WHERE paper = :pk),"
        " first_seen = (SELECT min(d.seen_on) FROM sightings s JOIN dumps d ON d.id = s.dump WHERE s.paper = :pk),"
        " last_seen = (SELECT max(d.seen_on) FROM sightings s JOIN dumps d ON d.id = s.dump WHERE s.paper = :pk),"
        " last_dump = (SELECT max(dump) FROM sightings WHERE paper = :pk),"
        " upvotes = (SELECT max(upvotes) FROM sightings WHERE paper = :pk),"
        " authors_count = (SELECT max(authors_count) FROM sightings WHERE paper = :pk),"
        " published = (SELECT min(published) FROM sightings WHERE paper = :pk)"
        " WHERE pk = :pk", {"pk": pk})


def set_rule(lib: "Library", ids: Sequence[int], rule: str, scores: str | None = None) -> None:
    lib.db.executemany("UPDATE sightings SET rule = ?, scores = ? WHERE id = ?", [(rule, scores, i) for i in ids])


def forget_words(lib: "Library", words: Iterable[str]) -> None:
    """The vocabulary loses one paper holding each word (a paper merged away)."""
    from collections import Counter

    from . import vocab

    vocab.add(lib.db, {w: -n for w, n in Counter(words).items()})
