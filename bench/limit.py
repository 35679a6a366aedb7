"""The limit: what a bare ``sqlite3`` program does with the same rows and the
same queries, measured on the same machine in the same run as papertriage.

Subcommands (each prints one JSON object on its last stdout line, so
``run.py`` can run it as a whole process and read its peak memory):

  write SRC DST      copy every row of the papertriage library SRC into
                     equivalent tables in a new file DST: executemany in one
                     transaction, indexes as in SRC, no triggers, the FTS5
                     index built once at the end with 'rebuild'. Only the
                     write is timed (the rows are read into memory first).
  search DB QUERY..  the queries straight against FTS5 (MATCH + bm25, titles
                     first, the full text only when titles find too few).
  export DB OUT      every paper with its sightings as JSON lines.
  list DB            every paper as a TSV line.
  tag DB TAG         ids on stdin -> tags, one transaction.

No papertriage import anywhere: this is the floor papertriage is compared to.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time

FTS_SHADOW = ("_data", "_idx", "_content", "_docsize", "_config")
# Contentless FTS5 tables (no 'rebuild'): what fills them. titles_stem holds each
# title and its compound forms (issue 14, store/search_index.py).
CONTENTLESS = {
    "titles_stem": "INSERT INTO titles_stem (rowid, title) SELECT p.pk, p.title || coalesce(' ' || f.forms, '')"
                   " FROM papers p LEFT JOIN stem_forms f ON f.paper = p.pk",
}
LIMIT = 20  # results a search returns
_WORD = re.compile(r"\w+\*?")


def _schema(src: sqlite3.Connection) -> tuple[list[tuple[str, str]], list[str], list[str], list[str]]:
    """Ordinary tables (name, sql), virtual tables (sql), FTS5 tables, indexes (sql) of SRC."""
    rows = src.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
    virtual = [(n, s) for t, n, s in rows if t == "table" and s.upper().startswith("CREATE VIRTUAL TABLE")]
    shadow = {v + suffix for v, _ in virtual for suffix in FTS_SHADOW}
    tables = [(n, s) for t, n, s in rows
              if t == "table" and not s.upper().startswith("CREATE VIRTUAL TABLE")
              and n not in shadow and not n.startswith("sqlite_") and n != "_migrations"]
    fts = [n for n, s in virtual if re.search(r"USING\s+fts5\s*\(", s, re.I)]
    indexes = [s for t, n, s in rows if t == "index"]
    return tables, [s for _, s in virtual], fts, indexes


def write(src_path: str, dst_path: str) -> dict:
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    tables, virtual, fts, indexes = _schema(src)
    page_size = src.execute("PRAGMA page_size").fetchone()[0]
    data = {}
    for name, _ in tables:
        cols = [r[1] for r in src.execute(f'PRAGMA table_info("{name}")')]
        data[name] = (cols, src.execute(f'SELECT {", ".join(cols)} FROM "{name}"').fetchall())
    src.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst_path + suffix):
            os.remove(dst_path + suffix)

    start = time.perf_counter()
    db = sqlite3.connect(dst_path, isolation_level=None)
    db.execute(f"PRAGMA page_size = {page_size}")  # as papertriage's library: the same rows, the same pages
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN")
    for name, sql in tables:
        db.execute(sql)
    for sql in indexes:
        db.execute(sql)
    for sql in virtual:
        db.execute(sql)
    for name, (cols, rows) in data.items():
        marks = ", ".join("?" * len(cols))
        db.executemany(f'INSERT INTO "{name}" ({", ".join(cols)}) VALUES ({marks})', rows)
    fts_start = time.perf_counter()
    for name in fts:
        if name in CONTENTLESS:  # no content table to rebuild from: the same text, inserted
            db.execute(CONTENTLESS[name])
        else:
            db.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
    fts_seconds = time.perf_counter() - fts_start
    db.execute("COMMIT")
    db.close()  # checkpoints the WAL into the file
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "fts_seconds": fts_seconds,
            "rows": {name: len(rows) for name, (_, rows) in data.items()},
            "size_bytes": _size(dst_path)}


def _size(path: str) -> int:
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def match_expr(words: list[str]) -> str:
    """Words -> an FTS5 expression: each word a quoted string, `*` kept as prefix."""
    parts = []
    for w in words:
        star = w.endswith("*")
        w = w.rstrip("*").replace('"', '""')
        parts.append(f'"{w}"' + ("*" if star else ""))
    return " ".join(parts)


def words_of(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query)]


class Searcher:
    """Titles first (bm25), the full text (title weighted 10x) when titles find fewer than LIMIT."""

    def __init__(self, db: sqlite3.Connection, fts: str = "papers_fts"):
        self.db = db
        self.fts = fts

    def search(self, query: str, limit: int = LIMIT) -> list[tuple]:
        expr = match_expr(words_of(query))
        if not expr:
            return []
        fts = self.fts
        pks = [r[0] for r in self.db.execute(
            f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}) LIMIT ?",
            (f"title : ({expr})", limit))]
        if len(pks) < limit:
            seen = set(pks)
            for (pk,) in self.db.execute(
                    f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY bm25({fts}, 10.0, 1.0) LIMIT ?",
                    (expr, limit)):
                if pk not in seen and len(pks) < limit:
                    seen.add(pk)
                    pks.append(pk)
        if not pks:
            return []
        marks = ",".join("?" * len(pks))
        rows = {r[0]: r for r in self.db.execute(
            f"SELECT pk, id, title, published, upvotes FROM papers WHERE pk IN ({marks})", pks)}
        return [rows[pk] for pk in pks]


def search_main(db_path: str, queries: list[str]) -> dict:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    searcher = Searcher(db)
    found = 0
    for q in queries:
        for pk, pid, title, *_ in searcher.search(q):
            sys.stdout.write(f"{pid}\t{title}\n")
            found += 1
    return {"found": found}


# A sighting's text, stored once where it is the paper's (src/papertriage/store/sighting_text.py).
SIGHTING_TITLE = "coalesce(s.title, p.title)"
SIGHTING_ABSTRACT = ("CASE WHEN s.abstract IS NULL THEN p.abstract WHEN s.abstract_head IS NULL THEN s.abstract"
                     " ELSE substr(p.abstract, 1, s.abstract_head) || s.abstract"
                     " || substr(p.abstract, length(p.abstract) - s.abstract_tail + 1) END")


def export_main(db_path: str, out_path: str) -> dict:
    """Every paper and its sightings as JSON lines, streamed in chunks."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        cur = db.execute("SELECT pk, id, title, abstract, authors_count, published, upvotes, seen, status,"
                         " note, first_seen, last_seen FROM papers ORDER BY pk")
        while True:
            rows = cur.fetchmany(500)
            if not rows:
                break
            pks = [r[0] for r in rows]
            marks = ",".join("?" * len(pks))
            sightings: dict[int, list] = {}
            for s in db.execute(
                    f"SELECT s.paper, d.name, s.line, d.layout, {SIGHTING_TITLE}, {SIGHTING_ABSTRACT},"
                    " s.authors_count, s.published, s.published_raw, s.upvotes FROM sightings s"
                    " JOIN dumps d ON d.id = s.dump JOIN papers p ON p.pk = s.paper"
                    f" WHERE s.paper IN ({marks}) ORDER BY s.paper, s.dump, s.line", pks):
                sightings.setdefault(s[0], []).append(dict(zip(
                    ("file", "line", "layout", "title", "abstract", "authors_count", "published",
                     "published_raw", "upvotes"), s[1:])))
            tags: dict[int, list] = {}
            for pk, tag in db.execute(f"SELECT paper, tag FROM tags WHERE paper IN ({marks})", pks):
                tags.setdefault(pk, []).append(tag)
            for r in rows:
                obj = dict(zip(("id", "title", "abstract", "authors_count", "published", "upvotes", "seen",
                                "status", "note", "first_seen", "last_seen"), r[1:]))
                obj["tags"] = tags.get(r[0], [])
                obj["sightings"] = sightings.get(r[0], [])
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
                n += 1
    return {"papers": n}


def list_main(db_path: str) -> dict:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    n = 0
    write = sys.stdout.write
    for pid, title, published, upvotes, seen in db.execute(
            "SELECT id, title, published, upvotes, seen FROM papers ORDER BY pk"):
        write(f"{pid}\t{title}\t{published or ''}\t{'' if upvotes is None else upvotes}\t{seen}\n")
        n += 1
    return {"papers": n}


def tag_main(db_path: str, tag: str) -> dict:
    ids = [line.strip() for line in sys.stdin if line.strip()]
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    pks = []
    for pid in ids:
        rows = db.execute("SELECT pk FROM papers WHERE id >= ? AND id < ? LIMIT 2", (pid, pid + "g")).fetchall()
        if len(rows) == 1:
            pks.append(rows[0][0])
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    db.executemany("INSERT OR IGNORE INTO tags (paper, tag, added_at) VALUES (?, ?, ?)",
                   [(pk, tag, stamp) for pk in pks])
    db.executemany("INSERT INTO history (paper, at, action, detail) VALUES (?, ?, 'tag+', ?)",
                   [(pk, stamp, tag) for pk in pks])
    db.execute("COMMIT")
    return {"tagged": len(pks)}


def main(argv: list[str]) -> int:
    cmd, args = argv[0], argv[1:]
    if cmd == "write":
        result = write(args[0], args[1])
    elif cmd == "search":
        result = search_main(args[0], args[1:])
    elif cmd == "export":
        result = export_main(args[0], args[1])
    elif cmd == "list":
        result = list_main(args[0])
    elif cmd == "tag":
        result = tag_main(args[0], args[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
