"""`papertriage export` end to end: selection, destination, exit codes,
one-line errors. Format details are in test_export_formats.py."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def run(cli, seeds_library_path):
    def go(*args):
        return cli("-L", seeds_library_path, *args)

    return go


def test_whole_library_as_json_by_default(run):
    result = run("export")
    assert result.code == 0, result.err
    papers = json.loads(result.out)
    assert len(papers) == 198
    assert all("sightings" in p for p in papers)


def test_query_tag_and_status_select(run):
    result = run("export", "tag:to-read", "-f", "markdown")
    assert result.code == 0, result.err
    assert result.out.count("## ") == 2 and "#to-read" in result.out
    both = run("export", "--tag", "to-read", "--status", "keep", "-f", "jsonl")
    assert both.code == 0, both.err
    assert [json.loads(line)["title"] for line in both.out.splitlines()] == [
        "Bilinear MLPs enable weight-based mechanistic interpretability"]
    quoted = run("export", "tag:to-read -status:keep", "-f", "jsonl")
    assert len(quoted.out.splitlines()) == 1


def test_no_match_exits_1_with_a_valid_empty_export(run):
    result = run("export", "tag:nothing-has-this")
    assert (result.code, result.out, result.err) == (1, "[]\n", "papertriage: no papers match\n")


@pytest.mark.parametrize("args, message", [
    (["--status", "maybe"], "unknown status 'maybe'"),
    (["--tag", "two words"], "bad tag name"),
    (["-f", "csv", "--front-matter"], "--front-matter and --template shape markdown"),
    (["--front-matter"], "add --split DIR, or select a single paper"),
    (["--template", "/nonexistent/template.md"], "template file not found"),
    (["-o", "a.md", "--split", "d"], "-o and --split do not go together"),
    (["-o", "/nonexistent/dir/a.md"], "does not exist"),
    (["upvotes>=x"], "bad query"),
], ids=["status", "tag", "front-matter-csv", "front-matter-many", "template", "o-and-split", "o-missing-dir", "query"])
def test_bad_input_is_one_line_exit_2(run, args, message):
    result = run("export", *args)
    assert result.code == 2
    assert result.err.startswith("papertriage: ") and message in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_template_errors_name_the_line(run, tmp_path):
    template = tmp_path / "t.md"
    template.write_text("# $title\n\n$abstrakt\n")
    result = run("export", "--template", template, "-n", "1")
    assert result.code == 2 and f"{template}:3: unknown placeholder $abstrakt" in result.err
    template.write_text("costs $5\n")
    result = run("export", "--template", template, "-n", "1")
    assert result.code == 2 and f"{template}:1: a $ that starts no placeholder" in result.err


def test_template_shapes_each_paper(run, tmp_path):
    template = tmp_path / "t.md"
    template.write_text("- [ ] $title ($year, $$$upvotes) $tags\n")
    result = run("export", "--template", template, "--tag", "to-read")
    assert result.code == 0, result.err
    assert result.out == (
        "- [ ] Bilinear MLPs enable weight-based mechanistic interpretability (, $) #interp #to-read\n\n"
        "- [ ] Branchformer: Parallel MLP-Attention Architectures to Capture Local and Global Context for "
        "Speech Recognition and Understanding (, $) #to-read\n")


@pytest.mark.parametrize("name, first_line", [
    ("out.md", "## Bilinear MLPs enable weight-based mechanistic interpretability"),
    ("out.bib", "@misc{bilinear-c9df0562,"),
    ("out.ris", "TY  - UNPB"),
    ("out.csv", "id,title,published,upvotes,authors_count,seen,status,tags,note,first_seen,last_seen,abstract"),
    ("out.yaml", '- id: "c9df0562"'),
    ("out.unknown", "["),
])
def test_format_follows_the_output_name(run, tmp_path, name, first_line):
    result = run("export", "-n", "2", "-o", tmp_path / name)
    assert result.code == 0 and result.out == ""
    assert (tmp_path / name).read_text(encoding="utf-8").splitlines()[0] == first_line


def test_split_reports_what_it_did(run, tmp_path):
    notes = tmp_path / "notes"
    result = run("export", "--split", notes, "--tag", "to-read", "--front-matter")
    assert result.code == 0, result.err
    assert (result.out, result.err) == ("", f"2 papers: 2 files written to {notes}\n")
    edited = notes / "bilinear-mlps-enable-weight-based-mechanistic-interpretability-c9df0562.md"
    edited.write_text("mine\n")
    result = run("export", "--split", notes, "--tag", "to-read", "--front-matter")
    assert result.code == 0
    assert "1 unchanged" in result.err and "kept 1 file edited since the last export (--force overwrites)" in result.err
    assert edited.read_text() == "mine\n"


def test_appending_to_notes_with_shell_redirection(run, tmp_path):
    """`>> notes.md` twice still parses as two sets of notes."""
    from export_support import markdown_parser

    first = run("export", "--tag", "to-read", "-f", "markdown").out
    second = run("export", "--status", "skip", "-f", "markdown").out
    tokens = markdown_parser().parse("# My notes\n\n" + first + "\n" + second)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2", "h2"]


def test_search_reaches_the_export_formats(run):
    result = run("search", "kolmogorov arnold", "--format", "markdown", "--limit", "3")
    assert result.code == 0, result.err
    assert result.out.startswith("## ") and result.out.count("\n## ") == 2
    bib = run("search", "kolmogorov arnold", "--format", "bibtex", "--limit", "3")
    assert bib.code == 0 and bib.out.count("@misc{") == 3


def test_help_lists_every_option(cli):
    result = cli("export", "--help")
    assert result.code == 0
    for option in ("--format", "--output", "--split", "--force", "--tag", "--status", "--sort", "--limit",
                   "--front-matter", "--template"):
        assert option in result.out


def test_help_names_every_template_field():
    from papertriage.cli.export import TEMPLATE_FIELD_NAMES
    from papertriage.render.markdown import TEMPLATE_FIELDS

    assert sorted(TEMPLATE_FIELD_NAMES) == sorted(TEMPLATE_FIELDS)
