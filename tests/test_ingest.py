"""Ingest through the core (no CLI): seeds become 198 papers, repeats merge,
re-ingest is a no-op, a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import json

from papertriage.core.ingest import ingest
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.render.jsonfmt import render_json

from conftest import SEEDS


def _export(lib) -> list[dict]:
    import io

    out = io.StringIO()
    render_json(select_papers(lib, with_sightings=True, reverse=True), out)
    return json.loads(out.getvalue())


def test_seeds_become_198_papers_from_278_sightings(seeded):
    papers = _export(seeded)
    assert len(papers) == 198
    assert sum(len(p["sightings"]) for p in papers) == 278
    per_file = {}
    for p in papers:
        for s in p["sightings"]:
            per_file[s["file"][:3]] = per_file.get(s["file"][:3], 0) + 1
    assert per_file == {"000": 25, "001": 37, "002": 119, "003": 33, "004": 64}


def test_kolmogorov_arnold_transformer_keeps_what_each_sighting_knew(seeded):
    (kat,) = [p for p in _export(seeded) if p["title"] == "Kolmogorov-Arnold Transformer"]
    assert (kat["authors_count"], kat["published"], kat["upvotes"]) == (2, "2024-09-16", 5)
    assert len(kat["sightings"]) == 4 and kat["seen"] == 4
    assert {s["layout"] for s in kat["sightings"]} == {"trending", "daily-meta", "daily-plain"}


def test_look_alikes_in_the_seeds_stay_apart(seeded):
    titles = {p["title"] for p in _export(seeded)}
    assert {"KAN: Kolmogorov-Arnold Networks", "Kolmogorov-Arnold Transformer"} <= titles
    assert any(t.startswith("Activation Space Selectable Kolmogorov-Arnold") for t in titles)
    assert any(t.startswith("Does Localization Inform Editing?") for t in titles)
    assert any(t.startswith("Does Knowledge Localization Hold True?") for t in titles)
    assert any(t.startswith("LLaNA: Large Language and NeRF Assistant") for t in titles)
    assert any(t.startswith("Scaling LLaNA") for t in titles)


def test_reingest_changes_nothing(seeded):
    before = _export(seeded)
    report = ingest(seeded, [str(SEEDS)])
    assert all(f.skipped for f in report.files)
    assert _export(seeded) == before


def test_ids_are_the_same_on_every_run(tmp_path, library):
    from papertriage.store import Library

    other = Library(tmp_path / "other.db")
    ingest(library, [str(SEEDS)])
    ingest(other, [str(SEEDS)])
    assert [p.id for p in select_papers(library)] == [p.id for p in select_papers(other)]


def test_unique_prefix_finds_the_paper(seeded):
    paper = next(select_papers(seeded))
    assert get_paper(seeded, paper.id[:6]).id == paper.id


def test_bad_file_is_reported_and_others_still_go_in(tmp_path, library):
    good = tmp_path / "good.txt"
    good.write_bytes((SEEDS / "000_2967eebb8705e551.txt").read_bytes())
    bad = tmp_path / "bad.txt"
    bad.write_bytes((SEEDS / "001_01088ffb7e7fac53.txt").read_bytes() + b"\nA title with no abstract")
    report = ingest(library, [str(bad), str(good)])
    (error,) = report.errors
    assert error.error.startswith(f"{bad}:78: record breaks off")
    assert library.stats()["papers"] == 25 and library.stats()["dumps"] == 1


def test_truncated_card_and_recased_title_merge_into_the_known_paper(seeded, tmp_path):
    kat = get_paper(seeded, next(p.id for p in select_papers(seeded) if p.title == "Kolmogorov-Arnold Transformer"))
    card = kat.abstract[:300].rsplit(" ", 1)[0] + "…"
    dump = tmp_path / "later.txt"
    dump.write_text(
        "new\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\nDec 1\n\n"
        f"KOLMOGOROV–ARNOLD TRANSFORMER\n\n{card}\n\n  • 2 authors\nSep 16, 2024 9\n", encoding="utf-8")
    report = ingest(seeded, [str(dump)])
    assert (report.files[0].new, report.files[0].merged) == (0, 1)
    again = get_paper(seeded, kat.id)
    assert again.upvotes == 9 and again.seen == 5
    assert again.abstract == kat.abstract  # the fuller abstract is kept
    assert again.title == kat.title


def test_user_state_survives_a_new_sighting(seeded, tmp_path):
    paper = next(select_papers(seeded))
    seeded.execute("UPDATE papers SET status = 'keep', note = 'mine' WHERE id = ?", (paper.id,))
    dump = tmp_path / "again.txt"
    dump.write_text(
        "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
        f"Subscribe{paper.title}\n{paper.abstract}\n", encoding="utf-8")
    ingest(seeded, [str(dump)])
    again = get_paper(seeded, paper.id)
    assert (again.status, again.note, again.seen) == ("keep", "mine", paper.seen + 1)


def test_stdin_dump(library, monkeypatch):
    import io
    import sys

    data = (SEEDS / "000_2967eebb8705e551.txt").read_bytes()
    report = ingest(library, ["-"], stdin=io.BytesIO(data))
    assert report.files[0].name == "<stdin>" and report.files[0].new == 25
    assert library.stats()["papers"] == 25
    del sys, monkeypatch


def test_page_date_gives_first_seen(library, tmp_path):
    ingest(library, [str(SEEDS / "003_2565c5b66cf8255e.txt")], page_date=dt.date(2025, 11, 24))
    paper = next(select_papers(library))
    assert paper.first_seen == "2025-11-24"
