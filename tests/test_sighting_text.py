"""A sighting's title and abstract are stored once where they are the paper's
(issue 16, ``store/sighting_text.py``), and every sighting still reads back
exactly what its dump printed: after ingest replaced the paper's text, after
merge, split and unmerge, after any writer changed a paper, and in a library
made before (migration m018)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import corpus
from old_versions import schema_of_version
from papertriage import parse
from papertriage.core import dedupe
from papertriage.core import health
from papertriage.core import ingest as ingest_mod
from papertriage.core.select import select_papers
from papertriage.store import Library, sighting_text
from papertriage.store.migrations import MIGRATIONS, m018_sighting_text


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    corpus.generate_corpus(folder, 300, seed=3)  # repeats with truncated, revised, retitled text
    return folder


def _ingest(path, folder) -> Library:
    lib = Library(path)
    sources = [ingest_mod.DumpSource(p["file"], folder / p["file"], dt.date.fromisoformat(p["page_date"]))
               for p in corpus.read_pages(folder)]
    report = ingest_mod.ingest_sources(lib, sources)
    assert not report.errors
    return lib


def _printed(folder) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, line) -> (title, abstract) as each dump printed them."""
    out = {}
    for page in corpus.read_pages(folder):
        result = parse.parse_bytes((folder / page["file"]).read_bytes(), page["file"])
        for s in result.sightings:
            out[(page["file"], s.line)] = (s.title, s.abstract)
    return out


def _read_back(lib: Library) -> dict[tuple[str, int], tuple[str, str]]:
    return {(s.file, s.line): (s.title, s.abstract)
            for p in select_papers(lib, with_sightings=True) for s in p.sightings}


def _stored_chars(lib: Library) -> int:
    return lib.db.execute("SELECT sum(coalesce(length(title), 0) + coalesce(length(abstract), 0))"
                          " FROM sightings").fetchone()[0]


def test_every_sighting_reads_back_what_its_dump_printed_and_shared_text_is_stored_once(tmp_path, corpus_dir):
    lib = _ingest(tmp_path / "lib.db", corpus_dir)
    printed = _printed(corpus_dir)
    assert _read_back(lib) == printed
    whole = sum(len(t) + len(a) for t, a in printed.values())
    assert _stored_chars(lib) < whole / 10  # titles and abstracts repeat the paper's, or differ in a stretch
    assert health.check(lib).ok
    lib.close()


def test_merge_split_and_unmerge_keep_every_sightings_text(tmp_path, corpus_dir):
    lib = _ingest(tmp_path / "lib.db", corpus_dir)
    before = _read_back(lib)
    papers = [p for p in select_papers(lib, with_sightings=True)
              if len(p.sightings) >= 2 and len({s.abstract for s in p.sightings}) >= 2][:2]
    assert len(papers) == 2
    a, b = papers
    dedupe.merge(lib, [a.id, b.id])
    assert _read_back(lib) == before
    survivor = next(p for p in select_papers(lib, with_sightings=True)
                    if {(s.file, s.line) for s in a.sightings} <= {(s.file, s.line) for s in p.sightings})
    first = survivor.sightings[0]
    dedupe.split(lib, survivor.id, [f"{first.file}:{first.line}"])
    assert _read_back(lib) == before
    dedupe.unmerge(lib, b.id if b.id != survivor.id else a.id)
    assert _read_back(lib) == before
    assert health.check(lib).ok
    lib.close()


def test_any_writer_changing_a_paper_or_moving_a_sighting_keeps_the_sightings_text(tmp_path, corpus_dir):
    lib = _ingest(tmp_path / "lib.db", corpus_dir)
    before = _read_back(lib)
    db = lib.db
    # Raw SQL, as another tool (or a future command) might write: the triggers of m018 hold.
    db.execute("UPDATE papers SET title = title || ' (revised)', abstract = 'Nothing like it.' || abstract"
               " WHERE pk % 3 = 0")
    assert _read_back(lib) == before
    db.execute("UPDATE sightings SET paper = (SELECT min(pk) FROM papers) WHERE id % 5 = 0")
    assert _read_back(lib) == before
    sighting_text.share(db, [r[0] for r in db.execute("SELECT pk FROM papers")])
    assert _read_back(lib) == before
    lib.close()


@pytest.mark.parametrize("text, paper", [
    ("We study cats.", "We study cats."),
    ("We study cats in the wild...", "We study cats in the wild and at home, on 40 farms and in 3 cities."),
    ("Cats purr. We measure why, in 40 cats.", "Cats purr. We measure how, in 40 cats."),
    ("Cats purr. Code: https://example.org/cats", "Cats purr."),
    ("Cats purr.", "Cats purr. Code: https://example.org/cats and more, with data"),
    ("Zebras stripe in the Serengeti, a long way from here.", "Cats purr."),
    ("Cats purr é\u0301 ünïcode — “quoted” text, then more text to keep.",
     "Cats purr é ünïcode — “quoted” text, then more text to keep."),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ("Nul \x00 inside, and a long enough tail to be worth a stretch.",
     "Nul inside, and a long enough tail to be worth a stretch."),
])
def test_a_stored_stretch_reads_back_whole_in_sql(text, paper):
    stored, head, tail = sighting_text.stored_abstract(text, paper)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE papers (pk INTEGER PRIMARY KEY, title TEXT, abstract TEXT)")
    db.execute("CREATE TABLE sightings (paper INTEGER, title TEXT, abstract TEXT,"
               " abstract_head INTEGER, abstract_tail INTEGER)")
    db.execute("INSERT INTO papers VALUES (1, 't', ?)", (paper,))
    db.execute("INSERT INTO sightings VALUES (1, NULL, ?, ?, ?)", (stored, head, tail))
    (back,) = db.execute(f"SELECT {sighting_text.ABSTRACT} FROM sightings s JOIN papers p ON p.pk = s.paper"
                         ).fetchone()
    assert back == text
    assert stored is None or len(stored) <= len(text)


def test_a_library_made_before_m018_reads_back_the_same_and_stores_shared_text_once(tmp_path, corpus_dir):
    path = tmp_path / "old.db"
    old = _ingest(path, corpus_dir)
    before, fresh = _read_back(old), _stored_chars(old)
    old.close()
    # The same rows as a library before m018 held them: every title whole, abstracts whole or NULL.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for trigger in ("sightings_keep_title", "sightings_keep_abstract", "sightings_keep_text_moved"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute(f"CREATE TABLE old_sightings AS SELECT s.id, s.paper, s.dump, s.line, {sighting_text.TITLE} AS title,"
               f" CASE WHEN s.abstract IS NULL THEN NULL ELSE {sighting_text.ABSTRACT} END AS abstract,"
               " s.authors_count, s.published, s.published_raw, s.upvotes, s.rule, s.scores"
               " FROM sightings s JOIN papers p ON p.pk = s.paper")
    db.execute("DROP TABLE sightings")
    db.execute(OLD_SIGHTINGS)
    db.execute("INSERT INTO sightings SELECT * FROM old_sightings")
    db.execute("DROP TABLE old_sightings")
    db.execute("CREATE INDEX sightings_paper ON sightings(paper)")
    db.execute("CREATE INDEX sightings_dump ON sightings(dump)")
    db.execute("DELETE FROM _migrations WHERE name = 'm018_sighting_text'")
    db.execute("COMMIT")
    db.close()

    lib = Library(path)
    assert "m018_sighting_text" in {r[0] for r in lib.execute("SELECT name FROM _migrations")}
    assert _read_back(lib) == before
    assert _stored_chars(lib) <= fresh  # as compact as a library ingested today
    assert health.check(lib).ok
    lib.close()


def test_a_failing_m018_leaves_the_old_library_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    db = schema_of_version(path, MIGRATIONS.index(m018_sighting_text))
    db.execute("INSERT INTO dumps (id, name, path, sha256, layout, seen_on, ingested_at, records)"
               " VALUES (1, 'old.txt', '/old.txt', ?, 'trending', '2025-01-01', '2025-01-01', 2)", ("0" * 64,))
    db.execute("INSERT INTO papers (pk, id, title, abstract, added) VALUES (1, '00000001', 'Cats', ?, '2025')",
               ("Cats purr, and we measure how loudly in forty cats.",))
    db.execute("INSERT INTO sightings (paper, dump, line, title, abstract) VALUES (1, 1, 1, 'Cats', NULL),"
               " (1, 1, 5, 'Cats', 'Cats purr, and we measure how loudly in forty cats. Code: example.org')")
    db.close()

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sighting_text, "stored_abstract", broken)
    with pytest.raises(Exception):
        Library(path)
    db = sqlite3.connect(path)
    assert db.execute("SELECT title, abstract FROM sightings ORDER BY id").fetchall() == [
        ("Cats", None), ("Cats", "Cats purr, and we measure how loudly in forty cats. Code: example.org")]
    assert not db.execute("SELECT 1 FROM _migrations WHERE name = 'm018_sighting_text'").fetchone()
    db.close()
    monkeypatch.undo()
    lib = Library(path)
    assert [s.abstract for s in next(select_papers(lib, with_sightings=True)).sightings] == [
        "Cats purr, and we measure how loudly in forty cats.",
        "Cats purr, and we measure how loudly in forty cats. Code: example.org"]
    assert lib.execute("SELECT title, abstract, abstract_head FROM sightings ORDER BY id").fetchall() == [
        (None, None, None), (None, " Code: example.org", 51)]
    lib.close()


OLD_SIGHTINGS = """
CREATE TABLE sightings (
    id            INTEGER PRIMARY KEY,
    paper         INTEGER NOT NULL REFERENCES papers(pk) ON DELETE CASCADE,
    dump          INTEGER NOT NULL REFERENCES dumps(id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    abstract      TEXT,
    authors_count INTEGER,
    published     TEXT,
    published_raw TEXT,
    upvotes       INTEGER,
    rule          TEXT,
    scores        TEXT
)"""
