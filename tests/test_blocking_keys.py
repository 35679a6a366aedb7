"""A day's new blocking keys wait in a small pending table (issue 16): an
ingest into a big library no longer writes a page of the key index for each
new key. The papers they lead to are found at once, whichever table holds
them, and folding them in changes no placement and no decision."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import corpus
from papertriage.core import health
from papertriage.core.dedupe import merge
from papertriage.core.ingest import ingest
from papertriage.core.select import select_papers
from papertriage.render.jsonfmt import render_json
from papertriage.store import Library, blocking

SEEDS = sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))


def _outcome(lib: Library) -> tuple[list, list, list]:
    """Every paper, every sighting's placement and recorded decision, every near miss."""
    papers = lib.execute("SELECT pk, id, title, abstract, seen, sightings, upvotes, published FROM papers"
                         " ORDER BY pk").fetchall()
    sightings = lib.execute("SELECT id, paper, dump, line, rule, scores FROM sightings ORDER BY id").fetchall()
    near = lib.execute("SELECT * FROM near_misses ORDER BY 1, 2").fetchall()
    return papers, sightings, near


def _pending(lib: Library) -> int:
    return lib.execute("SELECT count(*) FROM dedup_keys_pending").fetchone()[0]


@pytest.fixture(scope="module")
def days(tmp_path_factory):
    """Dumps of a labelled corpus (repeats with real-world variations), one a day."""
    folder = tmp_path_factory.mktemp("corpus")
    corpus.generate_corpus(folder, 300, seed=5)
    return [(str(folder / p["file"]), dt.date.fromisoformat(p["page_date"])) for p in corpus.read_pages(folder)]


def _ingest_days(path: Path, days: list) -> Library:
    lib = Library(path)
    for dump, day in days:  # each day finds the papers of the days before, through pending keys
        ingest(lib, [dump], page_date=day)
    return lib


def _export(lib: Library) -> list[dict]:
    out = io.StringIO()
    render_json(select_papers(lib, with_sightings=True), out)
    papers = json.loads(out.getvalue())
    for p in papers:
        p.pop("added", None)  # when it was written
    return papers


def test_ingests_give_the_same_papers_and_decisions_whether_keys_wait_or_go_straight_in(tmp_path, monkeypatch,
                                                                                         days):
    waiting = _ingest_days(tmp_path / "waiting.db", days)
    assert _pending(waiting) > 0
    rules = {r[0] for r in waiting.execute("SELECT DISTINCT rule FROM sightings")}
    assert len(rules - {"new", "same"}) >= 2  # fuzzy decisions, not only exact repeats

    monkeypatch.setattr(blocking, "FOLD_AT", 0)  # every write folds: the keys go straight in, as before
    direct = _ingest_days(tmp_path / "direct.db", days)
    assert _pending(direct) == 0
    assert _outcome(waiting) == _outcome(direct)
    assert _export(waiting) == _export(direct)
    assert health.check(waiting).ok and health.check(direct).ok
    waiting.close()
    direct.close()


def test_a_repeat_is_merged_the_next_day_through_a_key_still_pending(tmp_path):
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS[0])])
    keys = lib.execute("SELECT count(*) FROM dedup_keys").fetchone()[0]
    assert keys == 0 and _pending(lib) > 0
    again = tmp_path / "again.txt"
    again.write_text(SEEDS[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")  # other bytes, same papers
    papers = lib.execute("SELECT count(*) FROM papers").fetchone()[0]
    report = ingest(lib, [str(again)])
    assert report.totals()["new"] == 0 and report.totals()["merged"] > 0
    assert lib.execute("SELECT count(*) FROM papers").fetchone()[0] == papers
    lib.close()


def test_pending_keys_are_folded_in_once_they_pass_the_limit_and_matching_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(blocking, "FOLD_AT", 50)
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS[0])])
    assert _pending(lib) == 0  # the ingest that crossed the limit folded them
    assert lib.execute("SELECT count(*) FROM dedup_keys").fetchone()[0] > 50
    for seed in SEEDS[1:]:
        ingest(lib, [str(seed)])
    assert health.check(lib).ok
    lib.close()


def test_a_paper_merged_away_takes_its_pending_keys_with_it(tmp_path):
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS[0])])
    first, second = [r[0] for r in lib.execute("SELECT id FROM papers ORDER BY pk LIMIT 2")]
    gone = lib.execute("SELECT pk FROM papers WHERE id = ?", (second,)).fetchone()[0]
    assert lib.execute("SELECT count(*) FROM dedup_keys_pending WHERE paper = ?", (gone,)).fetchone()[0] > 0
    merge(lib, [first, second])
    assert lib.execute("SELECT count(*) FROM dedup_keys_pending WHERE paper = ?", (gone,)).fetchone()[0] == 0
    assert health.check(lib).ok
    lib.close()


def test_check_counts_a_paper_whose_keys_are_pending_as_keyed_and_repair_rebuilds_them(tmp_path):
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS[0])])
    assert health.check(lib).problems["blocking keys"] == []
    with lib.transaction() as db:
        db.execute("DELETE FROM dedup_keys_pending WHERE paper = (SELECT min(paper) FROM dedup_keys_pending)")
    assert health.check(lib).problems["blocking keys"] == ["1 papers have no blocking keys (repeats of them "
                                                            "would not be merged)"]
    health.repair(lib)
    assert health.check(lib).ok
    lib.close()
