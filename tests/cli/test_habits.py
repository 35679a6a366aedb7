"""Habits people bring from other tools (issue 15): tag hierarchies, Markdown
notes, the editor fallback, folders with other files in them, plurals,
counts per rule, exports for spreadsheets and reference managers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def ids(cli, *args: str) -> set[str]:
    r = cli("list", "--format", "ids", "--limit", "0", *args)
    assert r.code in (0, 1), r.err
    return set(r.out.split())


@pytest.fixture
def hierarchy(seeded, cli):
    cli("tag", "add", "method", "2d3b")
    cli("tag", "add", "method/kan", "e922")
    cli("tag", "add", "method/transformer/attention", "166c")
    cli("tag", "add", "methodology", "1d99")  # a sibling whose name only starts the same
    return seeded


def test_tag_query_matches_the_subtree(hierarchy, cli):
    kan, attention, method = "e92269d6", "166c5d5b", "2d3b1a4b"
    assert ids(cli, "tag:method") == {method, kan, attention}  # not methodology
    assert ids(cli, "tag:method/") == {kan, attention}  # only below method
    assert ids(cli, "tag:method/transformer") == {attention}
    assert ids(cli, "tag:METHOD/KAN") == {kan}
    assert len(ids(cli, "--", "-tag:method")) == 198 - 3


def test_tag_rename_moves_the_subtree(hierarchy, cli):
    r = cli("tag", "rename", "method", "approach")
    assert r.code == 0 and "and 2 tags under it" in r.out
    listed = cli("tag", "list").out
    assert "approach/kan" in listed and "approach/transformer/attention" in listed
    assert "method/" not in listed and "methodology" in listed
    assert len(ids(cli, "tag:approach")) == 3
    assert cli("tag", "rename", "approach", "approach/sub").code == 2  # not under itself
    history = cli("history", "e922").out
    assert "method/kan" in history and "approach/kan" in history


def _fake_editor(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[1], 'w').write({text!r})\n")
    script.chmod(0o755)


def test_note_editor_falls_back_like_git(seeded, cli, tmp_path, monkeypatch):
    """$VISUAL, then $EDITOR, then nano, then vi."""
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    bin_dir = tmp_path / "bin"
    _fake_editor(bin_dir, "nano", "from nano")
    _fake_editor(bin_dir, "vi", "from vi")
    _fake_editor(bin_dir, "visual", "from visual")
    _fake_editor(bin_dir, "editor", "from editor")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(sys, "stdin", Terminal())

    def note_via_editor() -> str:
        from papertriage.cli.decisions import _edit

        return _edit("")

    assert note_via_editor() == "from nano"
    (bin_dir / "nano").unlink()
    assert note_via_editor() == "from vi"
    monkeypatch.setenv("EDITOR", str(bin_dir / "editor"))
    assert note_via_editor() == "from editor"
    monkeypatch.setenv("VISUAL", str(bin_dir / "visual"))
    assert note_via_editor() == "from visual"


def test_note_is_markdown_in_show_and_export(seeded, cli):
    note = "Compare with [MLP-KAN](https://example.org) and *KAT*\n\n- one\n- two"
    assert cli("note", "e922", note).code == 0
    shown = cli("show", "e922").out
    assert "  note        Compare with [MLP-KAN](https://example.org) and *KAT*\n" in shown
    assert "              - one\n              - two\n" in shown
    md = cli("export", "title:kolmogorov-arnold title:transformer", "--format", "markdown").out
    assert "> **Note:** Compare with [MLP-KAN](https://example.org) and *KAT*\n>\n> - one\n> - two\n" in md
    assert md.startswith("## Kolmogorov-Arnold Transformer")


def test_folder_skips_files_that_are_not_dumps(cli, tmp_path):
    from conftest import SEEDS

    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "001.txt").write_bytes(next(iter(sorted(SEEDS.glob("*.txt")))).read_bytes())
    (folder / "README.md").write_text("# my dumps\n")
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (folder / "blob").write_bytes(b"a\0b")
    r = cli("ingest", folder)
    assert r.code == 0, r.err
    assert "1 file: 25 records, 25 new papers" in r.out
    for name in ("README.md", "screenshot.png", "blob"):
        assert f"{name}: skipped, not a dump" in r.err
    named = cli("ingest", folder / "README.md")  # named explicitly: it must be a dump
    assert named.code == 2 and "fits no known dump layout" in named.err


def test_plurals_and_the_empty_library(cli, tmp_path):
    empty = cli("list")
    assert empty.code == 0 and "papertriage ingest" in empty.err
    assert "papertriage ingest" in cli("stats").err
    from conftest import SEEDS

    r = cli("ingest", sorted(SEEDS.glob("*.txt"))[0])
    assert "1 file: 25 records" in r.out and "0 errors" in r.out
    shown = cli("show", cli("list", "--format", "ids", "--limit", "1").out.strip()).out
    assert "seen        1 dump, 1 sighting" in shown


def test_tag_apply_dry_run_prints_counts_per_rule(seeded, cli):
    from conftest import SEEDS

    rules = SEEDS.parent / "examples" / "rules.yaml"
    r = cli("tag", "apply", rules, "--dry-run")
    assert r.code == 0
    assert all(line.startswith("rule ") for line in r.out.splitlines())
    verbose = cli("tag", "apply", rules, "--dry-run", "--verbose")
    assert any(line.startswith("would add tag") for line in verbose.out.splitlines())


def test_ris_says_unpublished_and_csv_can_carry_a_bom(seeded, cli):
    ris = cli("export", "--format", "ris", "--limit", "1").out
    assert ris.startswith("TY  - UNPB")
    csv_bom = cli("export", "--format", "csv", "--limit", "1", "--bom").out
    assert csv_bom.startswith("\ufeffid,title,")
    assert not cli("export", "--format", "csv", "--limit", "1").out.startswith("\ufeff")
    assert cli("export", "--format", "json", "--bom").code == 2
