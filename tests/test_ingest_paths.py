"""The bulk ingest path (issue 16) gives the library the incremental path
gives: same papers, ids, sightings, full-text index and vocabulary; and a
bulk ingest killed before its final rebuild loses nothing."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

import corpus
from papertriage.core import ingest as ingest_mod
from papertriage.core import prefetch
from papertriage.core.search import search
from papertriage.core.select import select_papers
from papertriage.render.jsonfmt import render_json
from papertriage.store import Library, indexes

QUERIES = ["language models", "diffusion", "kolmogorov arnold", "learning", "transfomer"]


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    corpus.generate_corpus(folder, 300, seed=3)
    return [ingest_mod.DumpSource(p["file"], folder / p["file"], dt.date.fromisoformat(p["page_date"]))
            for p in corpus.read_pages(folder)]


def _state(lib: Library) -> dict:
    out = io.StringIO()
    render_json(select_papers(lib, with_sightings=True), out)
    papers = json.loads(out.getvalue())
    for p in papers:
        p.pop("added", None)  # when it was written
    db = lib.db
    return {
        "papers": papers,
        "stats": lib.stats(),
        "vocab": sorted(lib.vocabulary_counts().items()),  # pending changes added (m020)
        "search": {q: [p.id for p in search(lib, q, limit=20).papers] for q in QUERIES},
        "pending": indexes.pending(lib),
        "titles_stem": _stem_terms(lib),
    }


def _stem_terms(lib: Library) -> list:
    """Every term of the stemmed title index (issue 14) with its counts."""
    lib.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_terms USING fts5vocab(main, titles_stem, row)")
    return lib.db.execute("SELECT term, doc, cnt FROM temp.stem_terms ORDER BY term").fetchall()


def _fts_intact(lib: Library) -> None:
    for table in ("papers_fts", "titles_fts"):  # raises when the index and the papers disagree
        lib.db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def _ingest(path, sources, bulk: bool | None) -> Library:
    lib = Library(path)
    report = ingest_mod.ingest_sources(lib, sources, bulk=bulk)
    assert not report.errors
    return lib


def test_bulk_and_incremental_paths_give_the_same_library(tmp_path, dumps):
    incremental = _ingest(tmp_path / "a.db", dumps, bulk=False)
    bulk = _ingest(tmp_path / "b.db", dumps, bulk=True)
    one, other = _state(incremental), _state(bulk)
    assert one["stats"]["papers"] > 250 and one["stats"]["merges"] > 100
    assert sum(map(bool, one["search"].values())) >= 3
    assert one == other
    _fts_intact(incremental)
    _fts_intact(bulk)


def test_bulk_into_a_library_that_has_papers(tmp_path, dumps):
    half = len(dumps) // 2
    incremental = _ingest(tmp_path / "a.db", dumps[:half], bulk=False)
    ingest_mod.ingest_sources(incremental, dumps[half:], bulk=False)
    bulk = _ingest(tmp_path / "b.db", dumps[:half], bulk=False)
    ingest_mod.ingest_sources(bulk, dumps[half:], bulk=True)
    assert _state(incremental) == _state(bulk)
    _fts_intact(bulk)


def test_a_bulk_ingest_killed_before_its_rebuild_loses_nothing(tmp_path, dumps, monkeypatch):
    import sqlite3

    reference = _state(_ingest(tmp_path / "a.db", dumps, bulk=False))

    def killed(library, *args):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(indexes, "rebuild_pending", killed)
        lib = Library(tmp_path / "b.db")
        with pytest.raises(KeyboardInterrupt):
            ingest_mod.ingest_sources(lib, dumps, bulk=True)
        assert lib.stats() == reference["stats"]  # every row is in
        # Meanwhile, a paper is forgotten: its index rows were never written, and that is no error.
        lib.db.execute("DELETE FROM papers WHERE pk = (SELECT max(pk) FROM papers)")
        lib.close()
    raw = sqlite3.connect(tmp_path / "b.db")
    # The indexes are recorded as lagging, in the same commits as the rows.
    assert {r[0] for r in raw.execute("SELECT name FROM index_pending")} == {name for name, _ in indexes.REBUILDERS}
    raw.close()
    lib = Library(tmp_path / "b.db")  # opening it repairs: the process that was to rebuild is gone
    assert indexes.pending(lib) == {}
    _fts_intact(lib)
    assert len(list(search(lib, "learning", limit=5).papers)) == 5


def test_a_killed_bulk_ingest_then_the_same_ingest_gives_the_same_library(tmp_path, dumps, monkeypatch):
    reference = _state(_ingest(tmp_path / "a.db", dumps, bulk=False))
    half = len(dumps) // 2

    def killed(library, *args):
        raise KeyboardInterrupt

    lib = Library(tmp_path / "b.db")
    with monkeypatch.context() as m:
        m.setattr(indexes, "rebuild_pending", killed)
        with pytest.raises(KeyboardInterrupt):
            ingest_mod.ingest_sources(lib, dumps[:half], bulk=True)
    report = ingest_mod.ingest_sources(lib, dumps)  # same process: repairs, skips what is in, adds the rest
    assert sum(f.skipped for f in report.files) == half
    assert _state(lib) == reference
    _fts_intact(lib)


def test_the_path_is_chosen_from_the_sizes(tmp_path, dumps, monkeypatch):
    lib = Library(tmp_path / "a.db")
    monkeypatch.setattr(ingest_mod, "BULK_MIN_SIGHTINGS", 100)
    assert ingest_mod.use_bulk(lib, dumps)  # everything into an empty library
    ingest_mod.ingest_sources(lib, dumps)
    day = min(dumps, key=lambda d: d.path.stat().st_size)
    assert not ingest_mod.use_bulk(lib, [day])  # a day's dump into a full library
    assert indexes.pending(lib) == {}


@pytest.mark.parametrize("aside", [0, 7, 10_000], ids=["none-aside", "some-aside", "all-aside"])
def test_the_library_is_the_same_whoever_computed_the_titles_forms(tmp_path, dumps, monkeypatch, aside):
    # At the end of a bulk ingest a helper process computes the compound forms of the first
    # titles (up to ASIDE_TITLES) while this one rebuilds the full-text indexes (issue 16).
    from papertriage.store import search_index

    reference = _state(_ingest(tmp_path / "a.db", dumps, bulk=False))
    monkeypatch.setattr(search_index, "ASIDE_TITLES", aside)
    monkeypatch.setattr(prefetch, "MIN_FILES", 2)  # the helper process for this small corpus too
    asked = []
    forms_aside = prefetch.forms_aside
    monkeypatch.setattr(prefetch, "forms_aside", lambda titles: asked.append(len(titles)) or forms_aside(titles))
    lib = _ingest(tmp_path / "b.db", dumps, bulk=True)
    assert asked == ([min(aside, len(reference["papers"]))] if aside else [])
    assert _state(lib) == reference  # titles_stem among the rest; the helper's ids too
    assert lib.db.execute("SELECT count(*) FROM stem_forms").fetchone() == \
        Library(tmp_path / "a.db").db.execute("SELECT count(*) FROM stem_forms").fetchone()
