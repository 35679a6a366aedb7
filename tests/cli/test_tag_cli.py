"""`tag …`, `mark`, `note`, `history`, `config` and the ingest rules hook,
through the real main() (exit codes, stdout/stderr, what ends up in the library)."""

from __future__ import annotations

import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def ids_of(lib, n: int) -> list[str]:
    return [p.id for p in select_papers(lib, limit=n)]


def state_of(lib, paper_id: str):
    p = get_paper(lib, paper_id)
    return p.status, p.tags, p.note


def snapshot(lib):
    return ([(p.id, p.status, p.note, tuple(p.tags)) for p in select_papers(lib)],
            lib.execute("SELECT count(*) FROM history").fetchone()[0])


# -- id sources ------------------------------------------------------------------

def test_tag_add_from_arguments(seeded, cli):
    a, b = ids_of(seeded, 2)
    r = cli("tag", "add", "llm,to-read", a, b[:5])
    assert r.code == 0, r.err
    assert "llm: added to 2 papers" in r.out and "to-read: added to 2 papers" in r.out
    assert state_of(seeded, a)[1] == state_of(seeded, b)[1] == ["llm", "to-read"]
    again = cli("tag", "add", "LLM", a, b)  # idempotent, and the first spelling stays
    assert again.code == 0 and "llm: nothing to do (2 already had it)" in again.out
    assert state_of(seeded, a)[1] == ["llm", "to-read"]


def test_tag_add_from_list_tsv_on_stdin(seeded, cli):
    tsv = cli("list", "--sort", "seen", "--limit", "5", "--format", "tsv")
    assert tsv.out.startswith("#")  # the header line is skipped as a comment
    r = cli("tag", "add", "popular", "-", input=tsv.out)
    assert r.code == 0, r.err
    assert "popular: added to 5 papers" in r.out
    listed = {line.split("\t")[0] for line in tsv.out.splitlines()[1:]}
    assert len(listed) == 5
    assert {p.id for p in select_papers(seeded) if p.tags == ["popular"]} == listed


def test_tag_add_from_ids_format_with_blank_lines_and_comments(seeded, cli):
    a, b, c = ids_of(seeded, 3)
    r = cli("tag", "add", "x", "-", c, input=f"# picked by hand\n{a}\n\n   {b}  \n")
    assert r.code == 0, r.err
    assert "x: added to 3 papers" in r.out


def test_tag_add_with_query(seeded, cli):
    r = cli("tag", "add", "method/kan", "--query", "kolmogorov")
    assert r.code == 0, r.err
    kan = [p for p in select_papers(seeded) if "kolmogorov" in (p.title + " " + p.abstract).lower()]
    assert kan and all("method/kan" in p.tags for p in kan)
    assert sum(1 for p in select_papers(seeded) if p.tags) == len(kan)
    none = cli("tag", "add", "x", "--query", "tag:nosuchtag")
    assert none.code == 1 and "no paper matches" in none.err


def test_unknown_ids_are_listed_and_nothing_changes(seeded, cli):
    a, b = ids_of(seeded, 2)
    before = snapshot(seeded)
    r = cli("tag", "add", "x", a, "zzzz", b, "00000000")
    assert r.code == 2
    assert r.err.startswith("papertriage: ") and "zzzz" in r.err and "00000000" in r.err
    assert "Traceback" not in r.err and r.out == ""
    assert cli("mark", "keep", "-", input=f"{a}\nnothere\n").code == 2
    assert snapshot(seeded) == before


def test_ambiguous_prefix_is_an_error(seeded, cli):
    ids = [p.id for p in select_papers(seeded)]
    prefix = next(i[0] for i in ids if sum(1 for j in ids if j[0] == i[0]) > 1)
    r = cli("tag", "add", "x", prefix)
    assert r.code == 2 and "ambiguous" in r.err
    candidates = sorted(i for i in ids if i.startswith(prefix))
    for candidate in candidates[:5]:  # the candidates are listed, so the user can pick one
        assert candidate in r.err
    if len(candidates) > 5:
        assert f"and {len(candidates) - 5} more" in r.err


@pytest.mark.parametrize("args, code, message", [
    (("tag", "add", "x"), 2, "no papers given"),
    (("tag", "add", "two words", "abcd"), 2, "bad tag name"),
    (("mark", "later", "abcd"), 2, "later"),
], ids=["no-ids", "bad-tag", "bad-status"])
def test_usage_errors(seeded, cli, args, code, message):
    r = cli(*args)
    assert r.code == code and message in r.err and "Traceback" not in r.err


def test_empty_stdin_is_no_match(seeded, cli):
    r = cli("tag", "add", "x", "-", input="#id\ttitle\n\n")
    assert r.code == 1 and "no paper ids on stdin" in r.err


def test_ids_and_query_together_are_refused(seeded, cli):
    (a,) = ids_of(seeded, 1)
    r = cli("tag", "add", "x", a, "--query", "status:new")
    assert r.code == 2 and "not both" in r.err


# -- dry run, remove, list, rename, delete -------------------------------------------

def test_dry_run_prints_and_changes_nothing(seeded, cli):
    a, b = ids_of(seeded, 2)
    cli("tag", "add", "llm", a)
    before = snapshot(seeded)
    r = cli("tag", "add", "llm", a, b, "--dry-run")
    assert r.code == 0
    assert f"would add tag llm  {b}" in r.out and f"would add tag llm  {a}" not in r.out
    assert "llm: would be added to 1 paper (1 already have it)" in r.out
    r = cli("mark", "read", a, b, "--dry-run")
    assert f"would mark read (was new)  {a}" in r.out and "read: 2 papers would be marked" in r.out
    assert cli("tag", "remove", "llm", a, "--dry-run").code == 0
    assert snapshot(seeded) == before


def test_remove_list_rename_delete(seeded, cli):
    a, b, c = ids_of(seeded, 3)
    cli("tag", "add", "interp,llm", a, b)
    cli("tag", "add", "Interpretability", c, b)
    r = cli("tag", "remove", "LLM", a)
    assert r.code == 0 and "llm: removed from 1 paper" in r.out
    assert cli("tag", "list").out.splitlines() == ["2  interp", "2  Interpretability", "1  llm"]
    assert cli("tag", "list", "--format", "tsv").out.splitlines()[1:] == ["interp\t2", "Interpretability\t2", "llm\t1"]
    r = cli("tag", "rename", "interp", "interpretability")
    assert r.code == 0
    assert "renamed interp to Interpretability on 2 papers (1 already had Interpretability: merged)" in r.out
    assert cli("tag", "list", "--by-count").out.splitlines() == ["3  Interpretability", "1  llm"]
    r = cli("tag", "delete", "LLM")
    assert r.code == 0 and "deleted llm from 1 paper" in r.out
    missing = cli("tag", "delete", "llm")
    assert missing.code == 1 and "no paper has the tag 'llm'" in missing.err
    import json

    assert json.loads(cli("tag", "list", "--format", "json").out) == [{"tag": "Interpretability", "papers": 3}]


def test_mark_and_history(seeded, cli):
    a, b = ids_of(seeded, 2)
    r = cli("mark", "keep", a, b)
    assert r.code == 0 and "keep: 2 papers marked" in r.out
    assert cli("mark", "keep", a).out.strip() == "keep: nothing to do (1 already keep)"
    cli("mark", "skip", a)
    cli("tag", "add", "x", a)
    h = cli("history", a)
    assert h.code == 0
    lines = h.out.splitlines()
    assert lines[0].startswith(a)
    assert [ln.split("  ", 1)[1].split() for ln in lines[1:]] == [
        ["status", "new", "->", "keep", "[mark]"], ["status", "keep", "->", "skip", "[mark]"],
        ["tag+", "x", "[tag", "add]"]]  # [the command that made the change]
    for ln in lines[1:]:
        assert ln[:19].replace("-", "").replace(":", "").replace(" ", "").isdigit()  # YYYY-MM-DD HH:MM:SS
    everyone = cli("history", "--limit", "2").out.splitlines()
    assert len(everyone) == 2 and a in everyone[-1] and "tag+" in everyone[-1]
    assert cli("history", "zzzz").code == 2


# -- notes ----------------------------------------------------------------------------

def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-editor"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_note_with_text_stdin_and_clear(seeded, cli):
    (a,) = ids_of(seeded, 1)
    assert cli("note", a, "check [bold]fig 3[/bold]").out.strip() == "note saved"
    assert state_of(seeded, a)[2] == "check [bold]fig 3[/bold]"
    assert cli("note", a, "check [bold]fig 3[/bold]").out.strip() == "note unchanged"
    assert cli("note", a, "-", input="from\nstdin\n").code == 0
    assert state_of(seeded, a)[2] == "from\nstdin"
    assert cli("note", a, "").out.strip() == "note cleared"
    assert state_of(seeded, a)[2] is None
    assert cli("note", "zzzz", "x").code == 2


def test_note_opens_editor_on_the_current_note(seeded, cli, tmp_path, monkeypatch):
    (a,) = ids_of(seeded, 1)
    cli("note", a, "old text")
    seen = tmp_path / "seen.txt"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, f"""
        import sys
        path = sys.argv[1]
        open({str(seen)!r}, "w").write(open(path).read())
        open(path, "a").write("added in the editor\\n")
    """))
    r = cli("note", a)
    assert r.code == 0 and "note saved" in r.out
    assert seen.read_text() == "old text\n"
    assert state_of(seeded, a)[2] == "old text\nadded in the editor"


def test_failing_editor_leaves_the_note(seeded, cli, tmp_path, monkeypatch):
    (a,) = ids_of(seeded, 1)
    cli("note", a, "keep me")
    monkeypatch.setenv("EDITOR", _editor(tmp_path, """
        import sys
        open(sys.argv[1], "w").write("half-written")
        sys.exit(3)
    """))
    r = cli("note", a)
    assert r.code == 2 and "exited with status 3" in r.err
    assert state_of(seeded, a)[2] == "keep me"
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    r = cli("note", a)
    assert r.code == 2 and "cannot run the editor" in r.err
    monkeypatch.delenv("EDITOR")
    monkeypatch.delenv("VISUAL", raising=False)
    r = cli("note", a)  # no editor and no terminal: an error, not a hang
    assert r.code == 2 and "no $VISUAL or $EDITOR set" in r.err
    assert state_of(seeded, a)[2] == "keep me"


# -- export / import --------------------------------------------------------------------

def test_export_import_round_trip(seeded, cli, tmp_path):
    a, b = ids_of(seeded, 2)
    cli("tag", "add", "llm,method/kan", a)
    cli("mark", "read", b)
    cli("note", b, "line one\nline two")
    exported = cli("tag", "export")
    assert exported.code == 0 and exported.out.startswith("# papertriage decisions")
    f = tmp_path / "tags.yaml"
    f.write_text(exported.out)
    # wipe the decisions, then bring them back
    cli("tag", "delete", "llm")
    cli("tag", "delete", "method/kan")
    cli("mark", "new", b)
    cli("note", b, "")
    wiped = snapshot(seeded)
    dry = cli("tag", "import", str(f), "--dry-run")
    assert dry.code == 0 and f"would add tag llm  {a}" in dry.out and f"would mark read (was new)  {b}" in dry.out
    assert "would change 2: 1 statuses, 2 tags added, 0 removed, 1 notes" in dry.out
    assert snapshot(seeded) == wiped
    r = cli("tag", "import", str(f))
    assert r.code == 0, r.err
    assert "2 papers in the file; changed 2: 1 statuses, 2 tags added, 0 removed, 1 notes" in r.out
    assert state_of(seeded, a) == ("new", ["llm", "method/kan"], None)
    assert state_of(seeded, b) == ("read", [], "line one\nline two")
    assert cli("tag", "export").out == exported.out
    assert cli("tag", "import", "-", input=exported.out).out.startswith("2 papers in the file; changed 0")


def test_import_errors(seeded, cli, tmp_path):
    (a,) = ids_of(seeded, 1)
    before = snapshot(seeded)
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"{a}:\n  status: keep\n  tags: [x\n")
    r = cli("tag", "import", str(bad))
    assert r.code == 2 and r.err.startswith(f"papertriage: {bad}:4: malformed YAML")
    assert cli("tag", "import", str(tmp_path / "missing.yaml")).code == 2
    assert snapshot(seeded) == before
    # An unknown id is listed and the rest is imported (issue 12), exit status 1.
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(f"{a}:\n  status: keep\ndeadbeef:\n  status: skip\n")
    r = cli("tag", "import", str(unknown))
    assert r.code == 1 and f"{unknown}:3: deadbeef" in r.err
    assert snapshot(seeded) != before


# -- rules and config -------------------------------------------------------------------

RULES = """\
rules:
  - name: KANs
    query: kolmogorov
    tag: method/kan
  - query: tag:method/kan
    status: keep
"""


def test_tag_apply_dry_run_and_real(seeded, cli, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    kan = sum(1 for p in select_papers(seeded) if "kolmogorov" in (p.title + " " + p.abstract).lower())
    before = snapshot(seeded)
    dry = cli("tag", "apply", str(rules), "--dry-run")
    assert dry.code == 0, dry.err
    assert f"rule 'KANs' ({rules}:2): {kan} match, {kan} would be tagged method/kan" in dry.out
    assert f"rule 'mark keep' ({rules}:5): {kan} match, {kan} would be marked keep" in dry.out
    assert snapshot(seeded) == before
    real = cli("tag", "apply", str(rules))
    assert f"{kan} match, {kan} tagged method/kan" in real.out and f"{kan} marked keep" in real.out
    assert cli("tag", "list").out.strip() == f"{kan}  method/kan"
    bad = tmp_path / "bad-rules.yaml"
    bad.write_text("rules:\n  - query: x\n")
    r = cli("tag", "apply", str(bad))
    assert r.code == 2 and f"{bad}:2:" in r.err


def test_config_shows_path_and_contents(cli, tmp_path, monkeypatch):
    r = cli("config")
    assert r.code == 0
    assert f"config file: {tmp_path / 'config' / 'papertriage' / 'config.yaml'}" in r.out
    assert "no config file yet" in r.out
    cfg = tmp_path / "my-config.yaml"
    (tmp_path / "rules.yaml").write_text(RULES)
    cfg.write_text("# mine\nrules:\n  - rules.yaml\n")
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(cfg))
    r = cli("config")
    assert r.code == 0
    assert f"config file: {cfg}" in r.out and "# mine\nrules:\n  - rules.yaml" in r.out
    assert f"rules file {tmp_path / 'rules.yaml'}: 2 rules" in r.out
    assert cli("config", "--path").out.strip() == str(cfg)
    cfg.write_text("rules:\n  - rules.yaml\ncolour: blue\n")
    r = cli("config")
    assert r.code == 2 and f"{cfg}:3: unknown setting 'colour'" in r.err and "colour: blue" in r.out


def test_ingest_applies_configured_rules_to_new_papers(cli, tmp_path, monkeypatch):
    (tmp_path / "rules.yaml").write_text(RULES)
    cfg = tmp_path / "config.yaml"
    cfg.write_text("rules: [rules.yaml]\n")
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(cfg))
    first = sorted(SEEDS.iterdir())[0]
    r = cli("ingest", str(first))
    assert r.code == 0, r.err
    assert "rule 'KANs'" in r.out and "tagged method/kan" in r.out
    tagged = {line.split("\t")[0] for line in cli("list", "--format", "tsv").out.splitlines()[1:]
              if "method/kan" in line}
    assert tagged
    # A decision made by hand survives the next ingest, even where a rule would say otherwise.
    some = sorted(tagged)[0]
    cli("tag", "remove", "method/kan", some)
    cli("mark", "skip", some)
    r = cli("ingest", str(SEEDS))
    assert r.code == 0, r.err
    rows = {line.split("\t")[0]: line.split("\t") for line in cli("list", "--format", "tsv").out.splitlines()[1:]}
    assert rows[some][5] == "skip" and "method/kan" not in rows[some][6]


def test_ingest_with_a_broken_rules_file_changes_nothing(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("rules: [missing.yaml]\n")
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(cfg))
    r = cli("ingest", str(SEEDS))
    assert r.code == 2 and "missing.yaml" in r.err and "no such file" in r.err
    monkeypatch.delenv("PAPERTRIAGE_CONFIG")
    assert cli("stats").out.splitlines()[2].split() == ["papers", "0"]


# -- help ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ("tag",), ("tag", "add"), ("tag", "remove"), ("tag", "list"), ("tag", "rename"), ("tag", "delete"),
    ("tag", "apply"), ("tag", "export"), ("tag", "import"), ("mark",), ("note",), ("history",), ("config",),
    ("triage",),
])
def test_every_command_has_help(cli, command):
    r = cli(*command, "--help")
    assert r.code == 0 and "Usage:" in r.out
    body = r.out.split("\n\n", 2)[1].strip()
    assert len(body) > 20


def test_batch_tag_example_script_runs(seeded, tmp_path):
    """examples/batch-tag.sh, for real, against the seeded library."""
    import subprocess

    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               PAPERTRIAGE_LIBRARY=seeded.path)
    done = subprocess.run(["sh", str(ROOT / "examples" / "batch-tag.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    tags = dict(seeded.tag_counts())
    assert tags.get("method/kan", 0) > 0 and tags.get("to-read", 0) > 0
    assert (tmp_path / "decisions.yaml").read_text().startswith("# papertriage decisions")
