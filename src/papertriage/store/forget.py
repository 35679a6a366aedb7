"""Forgetting a dump (issue 12): the SQL of `papertriage dumps` and
`papertriage forget`, and of bringing a forgotten dump back.

A forgotten dump leaves a row in ``forgotten`` (migration m010_forget): the
dump as it was, each paper seen only there with its decisions (tags, status,
note, history, aliases, names, pk and id), and the dump's bytes when they
could still be read, so that ingesting the same content again, or `undo`,
puts everything back where it was.

Functions take an open ``Library`` and plain values, run inside the caller's
transaction and phrase no user messages.
"""

from __future__ import annotations

import json
import zlib
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from . import sighting_text
from .connection import chunks, marks

if TYPE_CHECKING:
    from . import Library

__all__ = ["M010", "dump_rows", "dump_counts", "dump_papers", "paper_archive", "save_forgotten", "delete_dump",
           "forgotten_for", "forgotten_of_step", "mark_restored", "dump_row", "sightings_in", "sighting_ids_in", "paper_at", "set_dump_origin", "step_undone", "restore_paper", "dump_content",
           "free_pks", "free_ids", "free_dump_id", "remaining_sources", "remaining_texts", "rescore_from"]

M010 = """
CREATE TABLE forgotten (
    id       INTEGER PRIMARY KEY,
    step     INTEGER REFERENCES steps(id),   -- the `forget` command's step (undo reads it)
    at       TEXT NOT NULL,
    sha256   TEXT NOT NULL,                  -- the dump's content: ingesting it again restores
    dump     TEXT NOT NULL,                  -- JSON: the dumps row as it was
    papers   TEXT NOT NULL,                  -- JSON: each paper seen only there, with its decisions
    removed  INTEGER NOT NULL,               -- how many papers went
    content  BLOB,                           -- the dump's bytes (zlib), when readable: what undo ingests
    restored TEXT                            -- when ingesting the dump again brought it back
);
CREATE INDEX forgotten_sha ON forgotten(sha256);
CREATE INDEX forgotten_step ON forgotten(step);
"""

_DUMP_COLUMNS = ("id", "name", "path", "sha256", "layout", "page_date", "page_date_raw", "seen_on", "ingested_at",
                 "records", "date_from")


# -- reading ---------------------------------------------------------------------------

def dump_rows(lib: "Library") -> list[dict[str, Any]]:
    """Every dump ingested, oldest first, as dicts of its columns."""
    cur = lib.execute(f"SELECT {', '.join(_DUMP_COLUMNS)} FROM dumps ORDER BY id")
    return [dict(zip(_DUMP_COLUMNS, row)) for row in cur]


def dump_row(lib: "Library", dump_id: int) -> dict[str, Any]:
    cur = lib.execute(f"SELECT {', '.join(_DUMP_COLUMNS)} FROM dumps WHERE id = ?", (dump_id,))
    return dict(zip(_DUMP_COLUMNS, cur.fetchone()))


def dump_counts(lib: "Library") -> dict[int, tuple[int, int, int]]:
    """dump id -> (sightings, papers first seen there, papers seen only there); one pass over sightings."""
    counts: dict[int, list[int]] = {}
    for dump, n in lib.execute("SELECT dump, count(*) FROM sightings GROUP BY dump"):
        counts[dump] = [n, 0, 0]
    for first, last in lib.execute("SELECT min(dump), max(dump) FROM sightings GROUP BY paper"):
        counts.setdefault(first, [0, 0, 0])[1] += 1
        if first == last:
            counts[first][2] += 1
    return {d: (c[0], c[1], c[2]) for d, c in counts.items()}


def sightings_in(lib: "Library", dump_id: int) -> int:
    return int(lib.execute("SELECT count(*) FROM sightings WHERE dump = ?", (dump_id,)).fetchone()[0])


def sighting_ids_in(lib: "Library", dump_id: int) -> list[int]:
    return [r[0] for r in lib.execute("SELECT id FROM sightings WHERE dump = ?", (dump_id,))]


def dump_papers(lib: "Library", dump_id: int) -> list[tuple[int, bool]]:
    """(pk, seen only in this dump) of the papers a dump has sightings of, in pk order."""
    return [(pk, not elsewhere) for pk, elsewhere in lib.execute(
        "SELECT s.paper, EXISTS (SELECT 1 FROM sightings o WHERE o.paper = s.paper AND o.dump != ?)"
        " FROM sightings s WHERE s.dump = ? GROUP BY s.paper ORDER BY s.paper", (dump_id, dump_id))]


def paper_archive(lib: "Library", pks: Sequence[int], dump_id: int) -> list[dict[str, Any]]:
    """What is needed to bring papers back as they were: their row's identity
    and decisions, history, aliases, and the lines of their sightings in the dump."""
    out: list[dict[str, Any]] = []
    for chunk in chunks(list(pks)):
        q = marks(len(chunk))
        rows = {r[0]: {"pk": r[0], "id": r[1], "title": r[2], "added": r[3], "status": r[4], "note": r[5],
                       "citation_key": r[6], "note_name": r[7], "tags": [], "history": [], "aliases": [],
                       "lines": []}
                for r in lib.execute(f"SELECT pk, id, title, added, status, note, citation_key, note_name"
                                     f" FROM papers WHERE pk IN ({q}) ORDER BY pk", chunk)}
        for pk, tag, added_at in lib.execute(
                f"SELECT paper, tag, added_at FROM tags WHERE paper IN ({q}) ORDER BY paper, tag", chunk):
            rows[pk]["tags"].append([tag, added_at])
        for pk, *h in lib.execute(
                f"SELECT paper, at, action, detail, before, step, via FROM history WHERE paper IN ({q})"
                " ORDER BY id", chunk):
            rows[pk]["history"].append(h)
        for pk, alias in lib.execute(f"SELECT paper, id FROM paper_aliases WHERE paper IN ({q}) ORDER BY id", chunk):
            rows[pk]["aliases"].append(alias)
        for pk, line in lib.execute(f"SELECT paper, line FROM sightings WHERE dump = ? AND paper IN ({q})"
                                    " ORDER BY line", (dump_id, *chunk)):
            rows[pk]["lines"].append(line)
        out += rows.values()
    return out


def remaining_texts(lib: "Library", pk: int) -> list[tuple[str, str]]:
    """(title, abstract) of each sighting of a paper (the paper's abstract where the sighting shares it)."""
    return lib.execute(f"SELECT {sighting_text.TITLE}, {sighting_text.ABSTRACT} FROM sightings s"
                       " JOIN papers p ON p.pk = s.paper WHERE s.paper = ?", (pk,)).fetchall()


def remaining_sources(lib: "Library", pk: int) -> list[tuple[str | None, str | None, str | None]]:
    """(arxiv id, authors JSON, links JSON) of the API sightings a paper has left."""
    return lib.execute("SELECT x.arxiv_id, x.authors, x.links FROM sightings s JOIN sighting_sources x"
                       " ON x.dump = s.dump AND x.line = s.line WHERE s.paper = ?", (pk,)).fetchall()


# -- forgetting ------------------------------------------------------------------------

def save_forgotten(lib: "Library", *, step: int | None, at: str, dump: dict[str, Any],
                   papers: list[dict[str, Any]], content: bytes | None) -> int:
    row = lib.execute(
        "INSERT INTO forgotten (step, at, sha256, dump, papers, removed, content) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (step, at, dump["sha256"], json.dumps(dump, ensure_ascii=False), json.dumps(papers, ensure_ascii=False),
         len(papers), zlib.compress(content) if content is not None else None)).lastrowid
    assert row is not None
    return row


def delete_dump(lib: "Library", dump_id: int, pks: Sequence[int]) -> None:
    """Remove a dump, its sightings, and the papers ``pks`` (seen only there).

    Their tags, history, blocking keys, near misses, aliases, pins and merge
    log go by cascade, their full-text rows by trigger. (The learned
    ranking's cached features and scores skip a paper that is gone.)
    """
    lib.execute("DELETE FROM sightings WHERE dump = ?", (dump_id,))
    for chunk in chunks(list(pks)):
        lib.execute(f"DELETE FROM papers WHERE pk IN ({marks(len(chunk))})", chunk)
    lib.execute("DELETE FROM dumps WHERE id = ?", (dump_id,))


# -- bringing back ---------------------------------------------------------------------

def forgotten_for(lib: "Library", sha256: str) -> dict[str, Any] | None:
    """The newest forget of this content not yet restored: id, step, dump, papers."""
    row = lib.execute("SELECT id, step, dump, papers FROM forgotten WHERE sha256 = ? AND restored IS NULL"
                      " ORDER BY id DESC LIMIT 1", (sha256,)).fetchone()
    if row is None:
        return None
    return {"id": row[0], "step": row[1], "dump": json.loads(row[2]), "papers": json.loads(row[3])}


def forgotten_of_step(lib: "Library", step: int) -> list[tuple[int, str, str | None, bool]]:
    """(id, sha256, dump name, restored) of the forgets a step made."""
    return [(r[0], r[1], json.loads(r[2]).get("name"), r[3] is not None) for r in lib.execute(
        "SELECT id, sha256, dump, restored FROM forgotten WHERE step = ? ORDER BY id", (step,))]


def dump_content(lib: "Library", forgotten_id: int) -> bytes | None:
    row = lib.execute("SELECT content FROM forgotten WHERE id = ?", (forgotten_id,)).fetchone()
    return zlib.decompress(row[0]) if row and row[0] is not None else None


def paper_at(lib: "Library", dump_id: int, line: int) -> int | None:
    """The paper holding a dump's sighting at ``line``."""
    row = lib.execute("SELECT paper FROM sightings WHERE dump = ? AND line = ?", (dump_id, line)).fetchone()
    return row[0] if row else None


def set_dump_origin(lib: "Library", dump_id: int, dump: dict[str, Any]) -> None:
    """A dump ingested again from the bytes kept with it gets back its name, path and dates."""
    lib.execute("UPDATE dumps SET name = ?, path = ?, page_date = ?, page_date_raw = ?, seen_on = ?, ingested_at = ?,"
                " date_from = ? WHERE id = ?", (dump["name"], dump["path"], dump["page_date"], dump["page_date_raw"],
                                                dump["seen_on"], dump["ingested_at"], dump.get("date_from"), dump_id))


def step_undone(lib: "Library", step: int) -> bool:
    row = lib.execute("SELECT undone_by FROM steps WHERE id = ?", (step,)).fetchone()
    return row is None or row[0] is not None


def mark_restored(lib: "Library", forgotten_id: int, at: str) -> None:
    lib.execute("UPDATE forgotten SET restored = ? WHERE id = ?", (at, forgotten_id))


def free_dump_id(lib: "Library", dump_id: int) -> bool:
    return lib.execute("SELECT 1 FROM dumps WHERE id = ?", (dump_id,)).fetchone() is None


def free_pks(lib: "Library", pks: Iterable[int]) -> set[int]:
    """The pks among ``pks`` that no paper has."""
    pks = list(pks)
    taken: set[int] = set()
    for chunk in chunks(pks):
        taken.update(r[0] for r in lib.execute(f"SELECT pk FROM papers WHERE pk IN ({marks(len(chunk))})", chunk))
    return set(pks) - taken


def free_ids(lib: "Library", ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` that neither a paper nor an alias has."""
    ids = list(ids)
    taken: set[str] = set()
    for chunk in chunks(ids):
        q = marks(len(chunk))
        taken.update(r[0] for r in lib.execute(f"SELECT id FROM papers WHERE id IN ({q})"
                                               f" UNION SELECT id FROM paper_aliases WHERE id IN ({q})", [*chunk, *chunk]))
    return set(ids) - taken


def restore_paper(lib: "Library", pk: int, paper: dict[str, Any], *, whole: bool) -> None:
    """Put a forgotten paper's decisions back on paper ``pk``: ``whole`` when it
    is the paper itself, born again (names, status and note as they were);
    otherwise only its history, aliases and names that are free (the caller
    settles tags, status and note with the paper's own)."""
    if whole:
        lib.execute("UPDATE papers SET status = ?, note = ?, citation_key = ?, note_name = ? WHERE pk = ?",
                    (paper["status"], paper["note"], paper["citation_key"], paper["note_name"], pk))
        lib.db.executemany("INSERT OR IGNORE INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                           [(pk, tag, added_at) for tag, added_at in paper["tags"]])
    wanted = sorted({h[4] for h in paper["history"] if h[4] is not None})
    steps = {r[0] for r in lib.execute(f"SELECT id FROM steps WHERE id IN ({marks(len(wanted))})", wanted)} \
        if wanted else set()
    lib.db.executemany(
        "INSERT INTO history (paper, at, action, detail, before, step, via) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(pk, at, action, detail, before, step if step in steps else None, via)
         for at, action, detail, before, step, via in paper["history"]])
    aliases = list(paper["aliases"]) + ([] if whole else [paper["id"]])
    lib.db.executemany("INSERT OR IGNORE INTO paper_aliases (id, paper) VALUES (?, ?)", [(a, pk) for a in aliases])


def rescore_from(lib: "Library", pk: int) -> None:
    """Cached interest scores cover papers up to ``scored_to``: a paper back
    under an older pk makes them score again from there."""
    lib.execute("UPDATE interest_models SET scored_to = min(scored_to, ?)", (pk - 1,))
