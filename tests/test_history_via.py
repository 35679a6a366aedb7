"""History says which command or rule made each change (issue 13: `history.via`)."""

from __future__ import annotations

from papertriage.core import decisions
from papertriage.core.select import select_papers


def vias(lib, paper_id):
    return [(e.action, e.via) for e in decisions.history(lib, paper_id)]


def test_each_command_is_named_in_the_history(seeded, cli):
    a, b = [p.id for p in select_papers(seeded, limit=2)]
    assert cli("mark", "keep", a).code == 0
    assert cli("tag", "add", "x", a).code == 0
    assert cli("note", a, "worth a read").code == 0
    assert cli("undo").code == 0
    assert vias(seeded, a) == [("status", "mark"), ("tag+", "tag add"), ("note", "note"), ("note", "undo")]
    assert "[tag add]" in cli("history", a).out


def test_a_batch_mark_by_query_is_named_too(seeded, cli):
    assert cli("mark", "skip", "status:new", "--sort", "seen", "--limit", "3").code == 0
    top = [p.id for p in select_papers(seeded, "status:skip")]
    assert len(top) == 3 and all(vias(seeded, pid) == [("status", "mark")] for pid in top)


def test_rules_name_the_rule_that_made_the_change(seeded, cli, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: KAN papers\n    query: kolmogorov\n    tag: method/kan\n")
    assert cli("tag", "apply", str(rules)).code == 0
    kan = [p.id for p in select_papers(seeded, "tag:method/kan")]
    assert kan
    ((action, via),) = vias(seeded, kan[0])
    assert action == "tag+" and via.startswith("rule KAN papers (") and "rules.yaml:" in via
