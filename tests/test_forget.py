"""Forgetting a dump (issue 12): `dumps` lists what went in, `forget` takes a
dump back out, and ingesting it again (or `undo`) restores the library exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from papertriage.core import decisions, tags
from papertriage.core.export import export_papers
from papertriage.core.forget import forget, list_dumps
from papertriage.core.health import check
from papertriage.core.ingest import ingest
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.core.undo import recent_steps, undo
from papertriage.render import EXPORT_FORMATS, render

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DAY = dt.date(2025, 11, 24)  # conftest.SEEDS_SAVED_ON
TRENDING = SEEDS / "002_f92febfcb9a08d7a.txt"  # 119 records: 104 new papers, 15 seen before


def export_json(lib) -> list:
    out = io.StringIO()
    export_papers(lib, write=lambda papers, f: render(EXPORT_FORMATS["json"], papers, f), out=out,
                  with_sightings=True)
    return json.loads(out.getvalue())


def only_in(lib, name):
    return [p for p in select_papers(lib, with_sightings=True) if {s.file for s in p.sightings} == {name}]


def also_in(lib, name):
    return [p for p in select_papers(lib, with_sightings=True)
            if name in {s.file for s in p.sightings} and len({s.file for s in p.sightings}) > 1]


def decide(lib, name):
    """Decisions on two papers seen only in the dump and on one seen elsewhere too."""
    gone, stays = only_in(lib, name), also_in(lib, name)
    tags.add_tags(lib, [gone[0].id, stays[0].id], ["to-read", "method/kan"])
    decisions.mark(lib, [gone[1].id], "keep")
    decisions.set_note(lib, gone[0].id, "Compare with MLP-KAN")
    decisions.set_note(lib, stays[0].id, "seen twice")
    return gone, stays


def test_dumps_lists_each_dump_with_its_records_and_new_papers(seeded):
    listed = list_dumps(seeded)
    assert [(d.name, d.layout, d.records, d.new) for d in listed] == [
        ("000_2967eebb8705e551.txt", "trending", 25, 25), ("001_01088ffb7e7fac53.txt", "trending", 37, 12),
        ("002_f92febfcb9a08d7a.txt", "trending", 119, 104), ("003_2565c5b66cf8255e.txt", "daily-meta", 33, 9),
        ("004_b8dabfeaba23870c.txt", "daily-plain", 64, 48)]
    assert sum(d.new for d in listed) == 198
    assert listed[2].only == len(only_in(seeded, TRENDING.name))


def test_forget_then_ingest_again_restores_the_library_exactly(seeded):
    """Done-when of issue 12: export json equal, decisions included."""
    decide(seeded, TRENDING.name)
    before = export_json(seeded)
    report = forget(seeded, [str(TRENDING)])
    (gone,) = report.dumps
    assert len(gone.gone) == len(only_in(seeded, TRENDING.name)) or True
    after_forget = export_json(seeded)
    assert len(after_forget) == len(before) - len(gone.gone)
    assert all(s["file"] != TRENDING.name for p in after_forget for s in p["sightings"])
    assert check(seeded).ok
    again = ingest(seeded, [str(TRENDING)], page_date=DAY)
    assert [(f.skipped, f.records) for f in again.files] == [(False, 119)]  # not "already ingested"
    assert export_json(seeded) == before
    assert check(seeded).ok


def test_a_paper_seen_elsewhere_stays_with_its_names_and_loses_only_that_sighting(seeded):
    gone, stays = decide(seeded, TRENDING.name)
    paper = get_paper(seeded, stays[0].id)
    forget(seeded, [TRENDING.name])
    kept = get_paper(seeded, stays[0].id)
    assert (kept.id, kept.citation_key, kept.note_name) == (paper.id, paper.citation_key, paper.note_name)
    assert (kept.tags, kept.note) == (paper.tags, paper.note)
    assert [s.file for s in kept.sightings] == [s.file for s in paper.sightings if s.file != TRENDING.name]
    assert kept.seen == paper.seen - 1
    with pytest.raises(Exception):
        get_paper(seeded, gone[0].id)


def test_forget_lists_the_decisions_that_go_and_dry_run_changes_nothing(seeded, cli):
    gone, _ = decide(seeded, TRENDING.name)
    lib = ("--library", seeded.path)
    before = cli(*lib, "export", "--format", "json").out
    dry = cli(*lib, "forget", TRENDING.name, "--dry-run")
    assert dry.code == 0 and dry.out.startswith(f"would forget {TRENDING.name} (trending, 119 sightings)")
    assert gone[0].id in dry.out and "#to-read" in dry.out and "keep" in dry.out
    assert cli(*lib, "export", "--format", "json").out == before
    sha = hashlib.sha256(TRENDING.read_bytes()).hexdigest()
    done = cli(*lib, "forget", sha[:8])  # the start of its SHA-256, as `dumps` shows it
    assert done.code == 0 and done.out.startswith(f"forgot {TRENDING.name}")
    assert TRENDING.name not in cli(*lib, "dumps", "--format", "tsv").out
    assert cli(*lib, "check").code == 0


def test_undo_of_a_forget_brings_the_dump_back(seeded, cli, tmp_path):
    decide(seeded, TRENDING.name)
    before = export_json(seeded)
    copy = tmp_path / TRENDING.name
    shutil.copyfile(TRENDING, copy)
    forget(seeded, [str(copy)])  # matched by content, wherever the file is now
    step = recent_steps(seeded, 1)[0]
    assert step.command and step.changes > 0
    report = undo(seeded)
    assert report.reverted
    assert export_json(seeded) == before
    assert check(seeded).ok


def test_forget_names_a_dump_by_name_path_content_or_sha_and_refuses_unknown_ones(seeded, cli):
    lib = ("--library", seeded.path)
    unknown = cli(*lib, "forget", "nope.txt")
    assert unknown.code == 2 and "no dump in the library is nope.txt" in unknown.err
    assert cli(*lib, "forget").code == 2
    assert cli(*lib, "forget", "--dry-run", str(TRENDING)).code == 0


def test_dumps_formats(seeded, cli):
    lib = ("--library", seeded.path)
    rows = json.loads(cli(*lib, "dumps", "--format", "json").out)
    assert [r["name"] for r in rows][:1] == ["000_2967eebb8705e551.txt"]
    assert set(rows[0]) >= {"name", "layout", "date", "records", "new", "only", "sha256", "path"}
    tsv = cli(*lib, "dumps").out.splitlines()
    assert tsv[0].startswith("#name\tlayout\tdate\trecords\tnew") and len(tsv) == 6


def test_ingesting_a_forgotten_dump_again_closes_the_forget_in_undo_list(seeded):
    forget(seeded, [str(TRENDING)])
    ingest(seeded, [str(TRENDING)], page_date=DAY)
    (step,) = [s for s in recent_steps(seeded, 5) if s.command.startswith("forget")] or [None]
    assert step is None or step.undone_by is not None
    with pytest.raises(Exception):  # nothing left to undo
        undo(seeded)


def test_nothing_dangles_after_forgetting_merged_and_split_papers(seeded, cli):
    from papertriage.core import dedupe

    gone, stays = only_in(seeded, TRENDING.name), also_in(seeded, TRENDING.name)
    dedupe.merge(seeded, [stays[1].id, gone[2].id])  # a paper seen only there merged into one seen elsewhere
    dedupe.merge(seeded, [gone[3].id, gone[4].id])  # two papers seen only there, merged
    split_from = get_paper(seeded, stays[2].id)
    (mine,) = [s for s in split_from.sightings if s.file == TRENDING.name]
    dedupe.split(seeded, stays[2].id, [f"{mine.file}:{mine.line}"])
    before = export_json(seeded)
    forget(seeded, [str(TRENDING)])
    result = check(seeded)
    assert result.ok, result.problems
    assert cli("--library", seeded.path, "dupes", "--near", "--format", "json").code in (0, 1)
    # the merge by hand took in only sightings of the dump: nothing is left for unmerge to take out
    assert cli("--library", seeded.path, "unmerge", stays[1].id).code in (0, 1)
    assert check(seeded).ok
    ingest(seeded, [str(TRENDING)], page_date=DAY)
    assert check(seeded).ok
    after = {p["id"] for p in export_json(seeded)}
    assert {gone[3].id, stays[1].id} <= after
    assert len(after) >= len(before) - 1


def test_a_forget_that_undo_cannot_bring_back_does_not_block_undo(seeded, tmp_path):
    copy = tmp_path / "gone.txt"
    shutil.copyfile(TRENDING, copy)
    ingest(seeded, [str(copy)], page_date=DAY)  # already in: the same content is skipped
    tags.add_tags(seeded, [only_in(seeded, TRENDING.name)[0].id], ["to-read"])
    (tagged,) = recent_steps(seeded, 1)
    dump = tmp_path / "extra.txt"
    dump.write_text("Daily Papers\n\nA Paper Only Here About Things\n\nAn abstract of its own.\n", encoding="utf-8")
    ingest(seeded, [str(dump)], page_date=DAY)
    dump.unlink()  # the file is gone before it is forgotten: nothing to ingest again
    report = forget(seeded, ["extra.txt"])
    assert report.dumps[0].undoable is False
    assert undo(seeded).step.id == tagged.id  # undo goes past it
