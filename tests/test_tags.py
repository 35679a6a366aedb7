"""Tags, statuses, notes, history, rules and the YAML round trip, tested on the
core use cases (no CLI)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from papertriage.core import changes, decisions, roundtrip, tags
from papertriage.core import rules as rulesfiles
from papertriage.core.identity import abstract_opening
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.errors import NoMatch, UnknownIdError, UserError
from papertriage.model import Paper

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def first_ids(lib, n: int) -> list[str]:
    return [p.id for p in select_papers(lib, limit=n)]


def paper(lib, paper_id: str) -> Paper:
    return get_paper(lib, paper_id)


def snapshot(lib) -> list[tuple]:
    """Everything the user decided, to compare before and after."""
    state = [(p.id, p.status, p.note, tuple(p.tags)) for p in select_papers(lib)]
    history = lib.execute("SELECT paper, action, detail FROM history ORDER BY id").fetchall()
    return state + [("history", tuple(history))]


# -- names and ids -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("llm", ["llm"]),
    ("llm,to-read", ["llm", "to-read"]),
    (" llm , to-read ", ["llm", "to-read"]),
    ("llm,LLM,Llm", ["llm"]),
    ("method/kan", ["method/kan"]),
    ("a/b/c_d-2", ["a/b/c_d-2"]),
], ids=["one", "list", "spaces", "case-repeats", "hierarchy", "deep"])
def test_parse_tags_accepts(text, expected):
    assert tags.parse_tags(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "empty tag name"),
    ("llm,,x", "empty tag name"),
    ("two words", "bad tag name"),
    ("method//kan", "bad tag name"),
    ("/kan", "bad tag name"),
    ("kan/", "bad tag name"),
    ("café", "bad tag name"),
    ("[bold]x", "bad tag name"),
    ("x" * 65, "longer than 64"),
], ids=["empty", "empty-in-list", "space", "double-slash", "leading-slash", "trailing-slash",
        "non-ascii", "markup", "too-long"])
def test_parse_tags_refuses(text, message):
    with pytest.raises(UserError, match=message):
        tags.parse_tags(text)


@pytest.mark.parametrize("lines, expected", [
    (["3f2a1b2c\n", "9c1e\n"], ["3f2a1b2c", "9c1e"]),
    (["#id\ttitle\tpublished\n", "3f2a1b2c\tA title\t2024-01-01\n"], ["3f2a1b2c"]),
    (["\n", "   \n", "# a comment\n", "  9c1e  trailing words\n"], ["9c1e"]),
    ([], []),
], ids=["ids", "tsv-with-header", "blank-and-comments", "empty"])
def test_read_ids(lines, expected):
    assert changes.read_ids(lines) == expected


def test_unknown_ids_are_all_named(seeded):
    good = first_ids(seeded, 1)
    with pytest.raises(UnknownIdError) as info:
        changes.target_pks(seeded, [good[0], "zzzz", "00000000"])
    assert "zzzz" in str(info.value) and "00000000" in str(info.value)
    assert set(info.value.ids) == {"zzzz", "00000000"}


def test_select_pks_needs_ids_or_query(seeded):
    with pytest.raises(UserError, match="no papers given"):
        changes.target_pks(seeded, [])
    with pytest.raises(UserError, match="not both"):
        changes.target_pks(seeded, first_ids(seeded, 1), "tag:x")


# -- tags -------------------------------------------------------------------------

def test_add_tags_is_idempotent_and_recorded(seeded):
    ids = first_ids(seeded, 3)
    first = tags.add_tags(seeded, ids, ["llm", "to-read"])
    assert first.count("tag+") == 6 and first.papers_changed() == 3
    again = tags.add_tags(seeded, ids, ["llm", "to-read"])
    assert again.changes == [] and again.selected == 3
    for pid in ids:
        assert paper(seeded, pid).tags == ["llm", "to-read"]
    assert seeded.execute("SELECT count(*) FROM history WHERE action = 'tag+'").fetchone()[0] == 6


def test_tag_keeps_the_first_spelling_across_the_library(seeded):
    a, b = first_ids(seeded, 2)
    tags.add_tags(seeded, [a], ["LLM"])
    report = tags.add_tags(seeded, [a, b], ["llm"])
    assert report.tags == ["LLM"]
    assert [c.paper for c in report.changes] == [b]  # a already had it, in any case
    assert paper(seeded, b).tags == ["LLM"]
    assert tags.tag_counts(seeded) == [("LLM", 2)]


def test_remove_tags(seeded):
    a, b = first_ids(seeded, 2)
    tags.add_tags(seeded, [a, b], ["llm", "x"])
    report = tags.remove_tags(seeded, [a], ["LLM", "never-there"])
    assert [(c.paper, c.action, c.detail) for c in report.changes] == [(a, "tag-", "llm")]
    assert paper(seeded, a).tags == ["x"] and paper(seeded, b).tags == ["llm", "x"]


def test_dry_run_reports_exactly_and_changes_nothing(seeded):
    ids = first_ids(seeded, 4)
    tags.add_tags(seeded, ids[:1], ["llm"])
    before = snapshot(seeded)
    dry = tags.add_tags(seeded, ids, ["llm"], dry_run=True)
    assert snapshot(seeded) == before
    real = tags.add_tags(seeded, ids, ["llm"])
    assert dry.dry_run and not real.dry_run
    assert [(c.paper, c.detail) for c in dry.changes] == [(c.paper, c.detail) for c in real.changes]
    assert len(real.changes) == 3


def test_rename_merges_and_respells(seeded):
    a, b, c = first_ids(seeded, 3)
    tags.add_tags(seeded, [a, b], ["interp"])
    tags.add_tags(seeded, [b, c], ["Interpretability"])
    report = tags.rename_tag(seeded, "INTERP", "interpretability")
    # b had both: merged; a renamed; the target keeps its library spelling.
    assert report.tags == ["interp", "Interpretability"]
    assert report.count("tag+") == 1 and report.count("tag-") == 2
    assert tags.tag_counts(seeded) == [("Interpretability", 3)]
    tags.rename_tag(seeded, "interpretability", "interp/mech")
    assert tags.tag_counts(seeded) == [("interp/mech", 3)]
    tags.rename_tag(seeded, "interp/mech", "Interp/Mech")  # same tag, new spelling
    assert tags.tag_counts(seeded) == [("Interp/Mech", 3)]
    assert paper(seeded, b).tags == ["Interp/Mech"]


def test_delete_tag_and_missing_tags(seeded):
    a, b = first_ids(seeded, 2)
    tags.add_tags(seeded, [a, b], ["tmp", "keepme"])
    report = tags.delete_tag(seeded, "TMP")
    assert report.selected == 2
    assert tags.tag_counts(seeded) == [("keepme", 2)]
    with pytest.raises(NoMatch, match="no paper has the tag 'tmp'"):
        tags.delete_tag(seeded, "tmp")
    with pytest.raises(NoMatch):
        tags.rename_tag(seeded, "nothing", "other")
    with pytest.raises(UserError, match="bad tag name"):
        tags.rename_tag(seeded, "keepme", "two words")
    assert tags.tag_counts(seeded) == [("keepme", 2)]


# -- status, notes, history ---------------------------------------------------------

def test_mark_sets_status_once_and_records_it(seeded):
    a, b = first_ids(seeded, 2)
    report = decisions.mark(seeded, [a, b], "keep")
    assert [c.detail for c in report.changes] == ["new -> keep", "new -> keep"]
    assert decisions.mark(seeded, [a], "keep").changes == []
    decisions.mark(seeded, [a], "read")
    assert paper(seeded, a).status == "read" and paper(seeded, b).status == "keep"
    assert [(e.action, e.detail) for e in decisions.history(seeded, a)] == [
        ("status", "new -> keep"), ("status", "keep -> read")]
    with pytest.raises(UserError, match="unknown status 'later'"):
        decisions.mark(seeded, [a], "later")


def test_notes_and_history_with_times(seeded):
    (a,) = first_ids(seeded, 1)
    (pk,) = [a]
    assert decisions.set_note(seeded, pk, "  compare with KAT\nfig 3 \n") is True
    assert decisions.get_note(seeded, pk) == "compare with KAT\nfig 3"
    assert decisions.set_note(seeded, pk, "compare with KAT\nfig 3") is False
    assert decisions.set_note(seeded, pk, "   ") is True
    assert decisions.get_note(seeded, pk) is None
    tags.add_tags(seeded, [pk], ["llm"])
    entries = decisions.history(seeded, a[:5])
    assert [(e.action, e.detail) for e in entries] == [
        ("note", "compare with KAT\nfig 3"), ("note", "(cleared)"), ("tag+", "llm")]
    for e in entries:
        when = dt.datetime.fromisoformat(e.at)
        assert abs(dt.datetime.now(dt.timezone.utc) - when) < dt.timedelta(minutes=5)
        assert e.paper == a
    assert [e.action for e in decisions.history(seeded, limit=2)] == ["note", "tag+"]


# -- ingest never touches user state -----------------------------------------------

def test_a_paper_coming_back_in_a_new_dump_keeps_status_tags_and_note(seeded, tmp_path):
    from papertriage.core.ingest import ingest

    known = next(select_papers(seeded, "seen=1"))
    (pk,) = [known.id]
    tags.add_tags(seeded, [pk], ["llm"])
    decisions.mark(seeded, [pk], "keep")
    decisions.set_note(seeded, pk, "read it")
    dump = tmp_path / "later-trending.txt"
    dump.write_text("Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
                    f"Subscribe{known.title}\n{known.abstract}\nA Brand New Paper About Nothing\n"
                    "An abstract that no seed paper has, about nothing at all in particular.\n")
    report = ingest(seeded, [str(dump)])
    assert report.totals()["merged"] == 1 and report.totals()["new"] == 1
    back = paper(seeded, known.id)
    assert back.seen == 2
    assert (back.status, back.tags, back.note) == ("keep", ["llm"], "read it")


# -- YAML export and import ---------------------------------------------------------

def test_export_import_round_trip_into_a_fresh_library(seeded, tmp_path):
    import yaml

    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    a, b, c = first_ids(seeded, 3)
    tags.add_tags(seeded, [a, b], ["LLM", "method/kan"])
    decisions.mark(seeded, [a], "keep")
    decisions.mark(seeded, [c], "skip")
    decisions.set_note(seeded, b, "two lines:\n[bold]not markup[/bold]: x")
    text = roundtrip.export_decisions(seeded)
    data = yaml.safe_load(text)
    assert list(data) == sorted([a, b, c])
    assert data[a] == {"title": paper(seeded, a).title, "opening": abstract_opening(paper(seeded, a).abstract),
                       "status": "keep", "tags": ["LLM", "method/kan"]}

    fresh = Library(tmp_path / "fresh.db")
    assert not ingest(fresh, [str(SEEDS)]).errors
    export_file = tmp_path / "tags.yaml"
    export_file.write_text(text, encoding="utf-8")
    report = roundtrip.import_decisions(fresh, export_file)
    assert report.selected == 3 and report.papers_changed() == 3
    for pid in (a, b, c):
        mine, theirs = paper(seeded, pid), paper(fresh, pid)
        assert (mine.status, mine.tags, mine.note) == (theirs.status, theirs.tags, theirs.note)
    assert roundtrip.export_decisions(fresh) == text
    assert roundtrip.import_decisions(fresh, export_file).changes == []  # idempotent
    fresh.close()


def test_import_replace_makes_tags_exact(seeded, tmp_path):
    a, b = first_ids(seeded, 2)
    tags.add_tags(seeded, [a], ["old", "kept"])
    tags.add_tags(seeded, [b], ["untouched"])
    f = tmp_path / "t.yaml"
    f.write_text(f"{a}:\n  tags: [Kept, new]\n")
    roundtrip.import_decisions(seeded, f)
    assert paper(seeded, a).tags == ["kept", "new", "old"]
    roundtrip.import_decisions(seeded, f, replace=True)
    assert paper(seeded, a).tags == ["kept", "new"]
    assert paper(seeded, b).tags == ["untouched"]


def test_import_places_what_it_can_and_lists_the_rest(seeded, tmp_path):
    """Issue 12: an unknown id no longer loses every other paper's decisions."""
    a, b = first_ids(seeded, 2)
    f = tmp_path / "t.yaml"
    f.write_text(f"{a}:\n  status: keep\n  tags: [x]\nffffffff:\n  title: A paper this library never saw\n"
                 f"  status: read\n{b}:\n  note: hi\n'99999999': {{}}\n")
    report = roundtrip.import_decisions(seeded, f)
    assert [(u.token, u.line) for u in report.unplaced] == [("ffffffff", 4), ("99999999", 9)]
    assert report.unplaced[0].title == "A paper this library never saw"
    assert (paper(seeded, a).status, paper(seeded, a).tags, paper(seeded, b).note) == ("keep", ["x"], "hi")


BAD_IMPORTS = [
    ("a: [unclosed\n", 2, "malformed YAML"),
    ("{ID}:\n  status: keep\n   tags: [x]\n", 3, "malformed YAML"),
    ("- just\n- a list\n", 1, "expected papers keyed by id"),
    ("{ID}:\n  status: later\n", 2, "unknown status 'later'"),
    ("{ID}:\n  tags: [ok, 'two words']\n", 2, "bad tag name 'two words'"),
    ("{ID}:\n  colour: red\n", 2, "unknown field 'colour'"),
    ("{ID}:\n  status: keep\n{ID}:\n  status: skip\n", 3, "appears twice"),
    ("{ID}: keep\n", 1, "expected title, status, tags and note"),
    ("{ID}:\n  note: [a, b]\n", 2, "expected the note text"),
]


@pytest.mark.parametrize("body, line, message", BAD_IMPORTS,
                         ids=["unclosed", "bad-indent", "not-a-mapping", "bad-status", "bad-tag",
                              "unknown-field", "duplicate-id", "scalar-entry", "note-not-text"])
def test_malformed_import_names_file_and_line(seeded, tmp_path, body, line, message):
    (a,) = first_ids(seeded, 1)
    f = tmp_path / "bad.yaml"
    f.write_text(body.replace("{ID}", a))
    before = snapshot(seeded)
    with pytest.raises(UserError) as info:
        roundtrip.import_decisions(seeded, f)
    assert (info.value.file, info.value.line) == (str(f), line)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{f}:{line}: ")
    assert snapshot(seeded) == before


def test_import_missing_file(seeded, tmp_path):
    with pytest.raises(UserError, match="no such file"):
        roundtrip.import_decisions(seeded, tmp_path / "nope.yaml")


# -- rules files ---------------------------------------------------------------------

RULES = textwrap.dedent("""\
    # a comment
    rules:
      - name: KANs
        query: kolmogorov
        tags: [method/kan, to-read]
      - query: tag:method/kan
        status: keep
      - query: status:new
        tag: inbox
""")


def test_parse_rules():
    rules = rulesfiles.parse_rules(RULES, "rules.yaml")
    assert [(r.name, r.query, r.tags, r.status, r.line) for r in rules] == [
        ("KANs", "kolmogorov", ["method/kan", "to-read"], None, 3),
        (None, "tag:method/kan", [], "keep", 6),
        (None, "status:new", ["inbox"], None, 8),
    ]
    assert rulesfiles.parse_rules("- query: x\n  tag: a, b\n", "r") [0].tags == ["a", "b"]  # a bare list works too
    assert rulesfiles.parse_rules("", "r") == [] and rulesfiles.parse_rules("rules:\n", "r") == []


@pytest.mark.parametrize("text, line, message", [
    ("rules:\n  - query: x\n    tag: 'a b'\n", 3, "bad tag name"),
    ("rules:\n  - query: x\n", 2, "nothing to do"),
    ("rules:\n  - tag: x\n", 2, "without a query"),
    ("rules:\n  - query: x\n    status: new\n", 3, "keep, skip or read"),
    ("rules:\n  - query: x\n    tag: a\n    colour: red\n", 4, "unknown rule key 'colour'"),
    ("rules:\n  - query: x\n  tag: a\n", 3, "malformed YAML"),
    ("rules: {a: 1}\n", 1, "expected a list of rules"),
    ("rules: []\nother: 1\n", 2, "holds `rules:` and nothing else"),
], ids=["bad-tag", "no-action", "no-query", "status-new", "unknown-key", "bad-yaml", "not-a-list", "extra-key"])
def test_bad_rules_name_the_line(text, line, message):
    with pytest.raises(UserError) as info:
        rulesfiles.parse_rules(text, "rules.yaml")
    assert (info.value.file, info.value.line) == ("rules.yaml", line)
    assert message in str(info.value)


def test_apply_rules(seeded):
    # Uses the query language (issue 4): `kolmogorov`, `tag:`, `status:`.
    a = next(p.id for p in select_papers(seeded) if "kolmogorov" not in (p.title + p.abstract).lower())
    decisions.mark(seeded, [a], "skip")
    kan = [p.id for p in select_papers(seeded) if "kolmogorov" in (p.title + p.abstract).lower()]
    assert kan
    decisions.mark(seeded, kan[:1], "read")  # decided by hand: a rule must not override it
    rules = rulesfiles.parse_rules(RULES, "rules.yaml")
    before = snapshot(seeded)
    dry = rulesfiles.apply_rules(seeded, rules, dry_run=True)
    assert snapshot(seeded) == before
    results = rulesfiles.apply_rules(seeded, rules)
    assert [(r.matched, r.tagged(), r.marked()) for r in results] == [(r.matched, r.tagged(), r.marked()) for r in dry]
    assert results[0].matched == len(kan) and results[0].tagged() == len(kan)
    assert results[1].marked() == len(kan) - 1
    assert paper(seeded, kan[0]).status == "read"
    assert all(paper(seeded, k).status == "keep" for k in kan[1:])
    assert "inbox" not in paper(seeded, a).tags
    again = rulesfiles.apply_rules(seeded, rules)
    assert [r.changes for r in again] == [[], [], []]


def test_apply_rules_only_to_given_papers(seeded):
    kan = [p.id for p in select_papers(seeded) if "kolmogorov" in (p.title + p.abstract).lower()]
    results = rulesfiles.apply_rules(seeded, rulesfiles.parse_rules(RULES, "r")[:1], only_ids=set(kan[:1]))
    assert results[0].matched == 1
    assert tags.tag_counts(seeded) == [("method/kan", 1), ("to-read", 1)]


def test_bad_query_in_a_rule_changes_nothing(seeded):
    rules = rulesfiles.parse_rules('- query: status:new\n  tag: a\n- query: \'"unclosed\'\n  tag: b\n', "r.yaml")
    before = snapshot(seeded)
    with pytest.raises(UserError) as info:
        rulesfiles.apply_rules(seeded, rules)
    assert (info.value.file, info.value.line) == ("r.yaml", 3)
    assert snapshot(seeded) == before


# -- config ------------------------------------------------------------------------

def test_config_location_and_rules(tmp_path, monkeypatch):
    from papertriage.config import config_path, load_config

    # conftest points XDG_CONFIG_HOME at the test's folder
    assert config_path() == tmp_path / "config" / "papertriage" / "config.yaml"
    assert load_config().exists is False and load_config().rules == []
    f = tmp_path / "elsewhere" / "pt.yaml"
    f.parent.mkdir()
    f.write_text("rules:\n  - rules.yaml\n  - /abs/more.yaml\n  - ~/home.yaml\n")
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(f))
    assert config_path() == f
    cfg = load_config()
    assert cfg.exists and cfg.text.startswith("rules:")
    assert cfg.rules == [f.parent / "rules.yaml", Path("/abs/more.yaml"), Path("~/home.yaml").expanduser()]


@pytest.mark.parametrize("text, line, message", [
    ("rule:\n  - a.yaml\n", 1, "unknown setting 'rule'"),
    ("rules: a.yaml\n", 1, "list of rules files"),
    ("rules:\n  - [a]\n", 2, "expected a plain value"),
    ("rules: [a.yaml\n", 2, "malformed YAML"),
    ("- a\n", 1, "must be a mapping"),
])
def test_bad_config(tmp_path, monkeypatch, text, line, message):
    from papertriage.config import load_config

    f = tmp_path / "c.yaml"
    f.write_text(text)
    with pytest.raises(UserError) as info:
        load_config(f)
    assert (info.value.file, info.value.line) == (str(f), line)
    assert message in str(info.value)
