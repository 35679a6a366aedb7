"""Batch decisions and `undo` (issue 13): a batch is one step, undone as a whole."""

from __future__ import annotations

from papertriage.core import decisions
from papertriage.core.select import select_papers


def statuses(lib):
    return {p.id: p.status for p in select_papers(lib)}


def test_batch_mark_by_query_with_offset_and_undo(seeded, cli):
    before = statuses(seeded)
    order = cli("list", "status:new", "--sort", "seen", "--format", "ids", "--limit", "0").out.split()
    r = cli("mark", "skip", "status:new", "--sort", "seen", "--offset", "20", "--limit", "30")
    assert r.code == 0 and r.out.strip() == "skip: 30 papers marked"
    now = statuses(seeded)
    assert {i for i in now if now[i] != before[i]} == set(order[20:50])
    steps = cli("undo", "--list")
    assert steps.code == 0 and "30 changes  mark skip status:new --sort seen --offset 20 --limit 30" in steps.out
    u = cli("undo")
    assert u.code == 0 and "undone: step" in u.out and "(30 changes on 30 papers)" in u.out
    assert statuses(seeded) == before
    assert "(undone by step" in cli("undo", "--list").out
    assert cli("undo").code == 1  # nothing left to undo: undos are not undone


def test_a_large_batch_asks_first(seeded, cli):
    before = statuses(seeded)
    r = cli("mark", "skip", "--query", "status:new")
    assert r.code == 2 and "pass --yes" in r.err and statuses(seeded) == before
    assert cli("mark", "skip", "--query", "status:new", "--dry-run").code == 0 and statuses(seeded) == before
    r = cli("mark", "skip", "--query", "status:new", "--yes")
    assert r.code == 0 and f"skip: {len(before)} papers marked" in r.out
    assert cli("undo").code == 0 and statuses(seeded) == before


def test_undo_reverts_tags_and_notes(seeded, cli):
    a, b = [p.id for p in select_papers(seeded, limit=2)]
    cli("note", a, "first")
    cli("tag", "add", "x,y", a, b)
    cli("note", a, "second")
    assert cli("undo").code == 0
    paper = next(p for p in select_papers(seeded) if p.id == a)
    assert paper.note == "first" and paper.tags == ["x", "y"]
    assert cli("undo").code == 0
    paper = next(p for p in select_papers(seeded) if p.id == a)
    assert paper.note == "first" and paper.tags == []
    assert "history" and [e.action for e in decisions.history(seeded, a)][-2:] == ["tag-", "tag-"]


def test_nothing_to_undo(seeded, cli):
    r = cli("undo")
    assert r.code == 1 and "nothing to undo" in r.err
