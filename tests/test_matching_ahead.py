"""Matching ahead (issue 16): on a first import the helper process places the
sightings and this process follows its plans. The library is the one this
process would have built alone, table by table; and the plans stop, with the
library still right, as soon as it could differ: another writer, a file that
fails while written, the helper's memory cap."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

import corpus
import hard_corpus
from papertriage.core import ahead, prefetch
from papertriage.core import ingest as ingest_mod
from papertriage.errors import UserError
from papertriage.store import Library

TABLES = {  # what matching decides, row by row (not ``added``: when it was written)
    "papers": "SELECT pk, id, title, abstract, authors_count, published, upvotes, seen, sightings, first_seen,"
              " last_seen, last_dump, citation_key, note_name FROM papers",
    "sightings": "SELECT * FROM sightings",
    # A day's keys may still wait in the pending table (store/blocking.py): the same keys.
    "dedup_keys": "SELECT key, paper FROM dedup_keys UNION SELECT key, paper FROM dedup_keys_pending",
    "near_misses": "SELECT * FROM near_misses",
}


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    """Pages of the hard corpus (look-alikes kept apart, near misses, every rule), then
    pages of the ordinary generator (exact repeats across files, all layouts)."""
    folder = tmp_path_factory.mktemp("corpus")
    real = corpus.load_real_papers(corpus.SAMPLE_DATA)
    papers = real[:200] + corpus.synthetic_papers(200, seed=5, vocabulary_source=real)
    fresh = corpus.synthetic_papers(600, seed=77, vocabulary_source=real)
    records = hard_corpus.build(papers, fresh, seed=3, per_kind=15)
    page_date = dt.date(2026, 9, 1)
    sources = []
    for n, start in enumerate(range(0, len(records), 40)):
        path = folder / f"hard-{n:04d}.txt"
        path.write_text(corpus.render(corpus.LAYOUTS[n % 3], records[start:start + 40], page_date))
        sources.append(ingest_mod.DumpSource(path.name, path, page_date))
    corpus.generate_corpus(folder / "generated", 300, seed=5, papers_per_dump=(10, 40))
    return sources + [ingest_mod.DumpSource(p["file"], folder / "generated" / p["file"],
                                            dt.date.fromisoformat(p["page_date"]))
                      for p in corpus.read_pages(folder / "generated")]


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch):
    monkeypatch.setattr(prefetch, "MIN_FILES", 2)  # the helper process for this small corpus too
    monkeypatch.setattr(ingest_mod, "CHUNK_SIGHTINGS", 15)  # files written in several chunks
    monkeypatch.setattr(ingest_mod, "BATCH_SIGHTINGS", 200)  # and several transactions,
    monkeypatch.setattr(ingest_mod, "FIRST_BATCH_SIGHTINGS", 50)  # the first ones shorter


@pytest.fixture
def followed(monkeypatch):
    """Sightings placed from the helper's plans, counted."""
    count = [0]
    follow = ingest_mod._follow

    def counting(library, sightings, *args):
        count[0] += len(sightings)
        return follow(library, sightings, *args)

    monkeypatch.setattr(ingest_mod, "_follow", counting)
    return count


def _tables(path) -> dict[str, list]:
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f"{sql} ORDER BY 1, 2").fetchall() for t, sql in TABLES.items()}
    finally:
        db.close()


def _import(path, sources, on_file=None) -> ingest_mod.IngestReport:
    lib = Library(path)
    try:
        return ingest_mod.ingest_sources(lib, sources, bulk=True, on_file=on_file)
    finally:
        lib.close()


def _without_plans(monkeypatch, path, sources, on_file=None) -> ingest_mod.IngestReport:
    with monkeypatch.context() as m:
        m.setattr(ahead, "MAX_PAPERS", -1)  # the helper's mirror is full at once: it never plans
        return _import(path, sources, on_file)


def test_a_first_import_follows_the_helpers_plans_and_gives_the_same_library(tmp_path, dumps, monkeypatch,
                                                                             followed):
    alone = _without_plans(monkeypatch, tmp_path / "alone.db", dumps)
    assert followed[0] == 0
    ahead_report = _import(tmp_path / "ahead.db", dumps)
    records = alone.totals()["records"]
    assert followed[0] == records  # every sighting placed by the helper
    assert ahead_report.totals() == alone.totals()
    one, other = _tables(tmp_path / "alone.db"), _tables(tmp_path / "ahead.db")
    assert len(one["papers"]) > 500 and len(one["sightings"]) == records and len(one["near_misses"]) > 10
    assert one == other


def test_a_library_that_holds_papers_is_matched_here(tmp_path, dumps, followed):
    _import(tmp_path / "lib.db", dumps[:3])
    followed[0] = 0
    _import(tmp_path / "lib.db", dumps[3:])
    assert followed[0] == 0  # the helper knows nothing of the papers already in


def test_the_helpers_memory_cap_hands_the_rest_back_and_the_library_is_the_same(tmp_path, dumps, monkeypatch,
                                                                                 followed):
    _without_plans(monkeypatch, tmp_path / "alone.db", dumps)
    monkeypatch.setattr(ahead, "MAX_PAPERS", 200)
    _import(tmp_path / "ahead.db", dumps)
    assert 0 < followed[0] < sum(1 for _ in _tables(tmp_path / "alone.db")["sightings"])
    assert _tables(tmp_path / "alone.db") == _tables(tmp_path / "ahead.db")


def test_another_writer_mid_import_ends_the_plans_and_its_papers_are_matched(tmp_path, dumps, monkeypatch,
                                                                             followed):
    # After the first batch, another papertriage ingests a dump of this import:
    # the rest must find its papers, which the helper never saw.
    other_dump = dumps[-1]

    def other_process(path):
        def on_file(report, done, total):
            if done == 1:
                lib = Library(path)
                ingest_mod.ingest_sources(lib, [other_dump], bulk=False)
                lib.close()
        return on_file

    _without_plans(monkeypatch, tmp_path / "alone.db", dumps, other_process(tmp_path / "alone.db"))
    report = _import(tmp_path / "ahead.db", dumps, other_process(tmp_path / "ahead.db"))
    assert report.files[-1].skipped  # it was in already
    sightings = len(_tables(tmp_path / "ahead.db")["sightings"])
    assert 0 < followed[0] < sightings  # the first batch came from plans, the rest not
    assert _tables(tmp_path / "alone.db") == _tables(tmp_path / "ahead.db")


def test_a_file_that_fails_while_written_ends_the_plans(tmp_path, dumps, monkeypatch, followed):
    # The helper placed the file's sightings; the library rolled them back.
    from papertriage.core import sources

    failing = dumps[4].display
    record = sources.record_sources

    def fails_once(library, sightings, pks, dump_id):
        if sightings and sightings[0].file == failing:
            raise UserError("cannot record its sources")
        return record(library, sightings, pks, dump_id)

    monkeypatch.setattr(sources, "record_sources", fails_once)
    alone = _without_plans(monkeypatch, tmp_path / "alone.db", dumps)
    report = _import(tmp_path / "ahead.db", dumps)
    assert [f.name for f in report.errors] == [f.name for f in alone.errors] == [dumps[4].display]
    assert 0 < followed[0] < len(_tables(tmp_path / "ahead.db")["sightings"])
    assert _tables(tmp_path / "alone.db") == _tables(tmp_path / "ahead.db")


def test_any_commit_by_another_process_ends_the_plans_and_tells_the_helper(tmp_path, dumps):
    lib = Library(tmp_path / "lib.db")
    speculation = ahead.Speculation(lib, None, ingest_mod.CHUNK_SIGHTINGS)
    start = speculation.start()
    assert start is not None
    with lib.transaction():
        speculation.check_others(lib)
    assert speculation.active  # its own transactions are no other writer
    other = Library(tmp_path / "lib.db")
    ingest_mod.ingest_sources(other, dumps[:1], bulk=False)
    other.close()
    with lib.transaction():
        speculation.check_others(lib)
    assert not speculation.active and speculation.start() is None
    assert start.stop[0] == 1  # the helper drops its mirror at its next file
    lib.close()


def test_no_plans_for_a_library_that_holds_a_forgotten_dump(tmp_path, dumps):
    lib = Library(tmp_path / "lib.db")
    ingest_mod.ingest_sources(lib, dumps[:1], bulk=False)
    from papertriage.core.forget import forget

    forget(lib, [dumps[0].display])
    assert lib.stats()["papers"] == 0
    assert ahead.Speculation(lib, None, ingest_mod.CHUNK_SIGHTINGS).start() is None
    lib.close()


def test_the_incremental_path_gives_the_library_the_plans_give(tmp_path, dumps, followed):
    lib = Library(tmp_path / "incremental.db")
    ingest_mod.ingest_sources(lib, dumps, bulk=False)
    lib.close()
    assert followed[0] == 0
    _import(tmp_path / "ahead.db", dumps)
    assert followed[0] > 0
    assert _tables(tmp_path / "incremental.db") == _tables(tmp_path / "ahead.db")  # names too


def test_a_dump_saved_twice_under_two_names_is_skipped_and_the_plans_go_on(tmp_path, dumps, monkeypatch, followed):
    copy = tmp_path / "copy-of-a-dump.txt"
    copy.write_bytes(dumps[2].path.read_bytes())
    sources = [*dumps[:5], ingest_mod.DumpSource(copy.name, copy, dumps[2].page_date), *dumps[5:]]
    alone = _without_plans(monkeypatch, tmp_path / "alone.db", sources)
    report = _import(tmp_path / "ahead.db", sources)
    assert report.files[5].skipped and alone.files[5].skipped
    assert followed[0] == report.totals()["records"] - report.files[5].records  # every other sighting planned
    assert _tables(tmp_path / "alone.db") == _tables(tmp_path / "ahead.db")


def test_a_dump_changed_after_the_helper_read_it_is_read_again_and_the_plans_end(tmp_path, dumps, monkeypatch,
                                                                                 followed):
    # The helper sends a plan without the sightings, and this process parses the file again:
    # a file edited in between is not what was planned.
    changed = tmp_path / "edited-while-importing.txt"
    changed.write_bytes(dumps[3].path.read_bytes() + b"\n")
    later = dumps[9].path.read_bytes() + b"\n\n"
    sources = [*dumps[:6], ingest_mod.DumpSource(changed.name, changed, dumps[3].page_date), *dumps[6:]]
    parse_dump, importer = ingest_mod.parse_dump, os.getpid()

    def edited_once_the_helper_has_read_it(data, source, *args):
        if os.getpid() != importer and source.path == changed and data != later:
            changed.write_bytes(later)
        return parse_dump(data, source, *args)

    monkeypatch.setattr(ingest_mod, "parse_dump", edited_once_the_helper_has_read_it)
    report = _import(tmp_path / "ahead.db", sources)
    assert changed.read_bytes() == later
    assert report.files[6].records == len(ingest_mod.parse_dump(later, sources[6], None, dt.date.today()).sightings)
    assert 0 < followed[0] < report.totals()["records"]  # planned up to the edited file, matched here after
    _without_plans(monkeypatch, tmp_path / "alone.db", sources)
    assert _tables(tmp_path / "alone.db") == _tables(tmp_path / "ahead.db")
