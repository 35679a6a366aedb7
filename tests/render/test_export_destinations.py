"""Where exports go: atomic -o files, --split folders (safe names, edited
files kept), and the selection shorthands. Core functions, no CLI."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertriage.core.export import (MANIFEST, build_query, export_papers, split_file_name, write_atomic,
                                     write_split)
from papertriage.errors import NoMatch, UserError
from papertriage.model import Paper
from papertriage.render import render


def md(papers, out, **options) -> int:
    return render("markdown", papers, out, **options)


def paper(n: int, title: str = "A title", **kw) -> Paper:
    return Paper(id=f"{n:08x}", title=title, abstract=kw.pop("abstract", "Abstract."), **kw)


# -- -o FILE, atomically -------------------------------------------------------

def test_atomic_write_replaces_only_when_complete(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("old notes\n")

    def fail_halfway(out):
        out.write("half of the new")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_atomic(target, fail_halfway)
    assert target.read_text() == "old notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"], "temporary file left behind"

    def interrupted(out):
        out.write("x" * 100_000)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, interrupted)
    assert target.read_text() == "old notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]

    assert write_atomic(target, lambda out: out.write("new\r\n") and 1) == 1
    assert target.read_bytes() == b"new\r\n", "no newline translation"


def test_atomic_write_keeps_mode_and_writes_through_symlinks(tmp_path):
    real = tmp_path / "real.bib"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    write_atomic(link, lambda out: out.write("new"))
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o640


def test_atomic_write_into_a_pipe(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, lambda out: out.write("through the pipe\n"))
    reader.join(5)
    assert got == ["through the pipe\n"]
    assert fifo.is_fifo(), "a device or pipe is written into, never replaced"


@pytest.mark.parametrize("where, message", [
    ("missing/notes.md", "does not exist"),
    (".", "is a folder"),
])
def test_atomic_write_errors_are_one_line(tmp_path, where, message):
    with pytest.raises(UserError, match=message):
        write_atomic(tmp_path / where, lambda out: out.write("x"))


# -- --split DIR ----------------------------------------------------------------

NASTY_TITLES = ["../../../etc/passwd", "/etc/shadow", "C:\\Windows\\system32", "..", ".", "", "   ",
                "CON", "nul", ".hidden", "-rf", "a/b\\c:d*e?f\"g<h>i|j", "\x00\x1b[31m", "x" * 500,
                "中文" * 200, "😀" * 100, "\u202eevil\u202c", "COM1"]


@pytest.mark.parametrize("title", NASTY_TITLES)
def test_split_names_never_leave_the_folder(tmp_path, title):
    name = split_file_name(title, "c9df0562", ".md")
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert name.endswith("c9df0562.md") and not name.startswith((".", "-"))
    assert len(name.encode()) <= 255


@settings(max_examples=300, deadline=None)
@given(title=st.text(), ident=st.text(min_size=1, max_size=60), ext=st.sampled_from([".md", ".json", ".bib"]))
def test_split_names_are_safe_for_any_text(title, ident, ext):
    name = split_file_name(title, ident, ext)
    assert name == split_file_name(title, ident, ext), "stable"
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert name not in (".", "..") and not name.startswith((".", "-"))
    assert len(name.encode()) <= 255
    stem = name[:-len(ext)]
    assert stem and all(c.isalnum() or c == "-" for c in stem)
    assert stem.upper() not in {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}


def test_split_names_differ_by_id():
    assert split_file_name("Same title", "aaaa0001", ".md") != split_file_name("Same title", "aaaa0002", ".md")


def test_split_writes_one_note_per_paper_and_keeps_edits(tmp_path):
    import yaml

    notes = tmp_path / "notes"
    papers = [paper(1, "Bilinear MLPs", tags=["to-read"]), paper(2, "../../escape attempt")]
    write = lambda ps, out: md(ps, out, front_matter=True)  # noqa: E731

    result = write_split(papers, write, str(notes), extension=".md")
    assert (result.count, result.written, result.unchanged, result.kept) == (2, 2, 0, [])
    names = sorted(p.name for p in notes.iterdir())
    assert names == [MANIFEST, "bilinear-mlps-00000001.md", "escape-attempt-00000002.md"]
    assert list(tmp_path.iterdir()) == [notes], "nothing written outside the folder"
    text = (notes / "bilinear-mlps-00000001.md").read_text()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "Bilinear MLPs" and meta["tags"] == ["to-read"]
    assert "\n# Bilinear MLPs\n" in text

    # Again, unchanged: nothing is rewritten.
    before = {p.name: p.stat().st_mtime_ns for p in notes.iterdir()}
    result = write_split(papers, write, str(notes), extension=".md")
    assert (result.written, result.unchanged, result.kept) == (0, 2, [])
    assert {p.name: p.stat().st_mtime_ns for p in notes.iterdir()} == before

    # The user edits one note; the library changes both papers.
    edited = notes / "bilinear-mlps-00000001.md"
    edited.write_text(text + "\nMy own thoughts.\n")
    papers = [paper(1, "Bilinear MLPs", tags=["to-read"], note="new note"),
              paper(2, "../../escape attempt", note="new note")]
    result = write_split(papers, write, str(notes), extension=".md")
    assert (result.written, result.kept) == (1, ["bilinear-mlps-00000001.md"])
    assert edited.read_text().endswith("My own thoughts.\n"), "an edited note is never overwritten"
    assert "new note" in (notes / "escape-attempt-00000002.md").read_text(), "an unedited note follows the library"

    # --force overwrites it.
    result = write_split(papers, write, str(notes), extension=".md", force=True)
    assert (result.written, result.kept) == (1, [])
    assert "My own thoughts" not in edited.read_text() and "new note" in edited.read_text()


def test_split_keeps_files_it_did_not_write(tmp_path):
    (tmp_path / "bilinear-mlps-00000001.md").write_text("the user's own file\n")
    result = write_split([paper(1, "Bilinear MLPs")], md, str(tmp_path), extension=".md")
    assert result.kept == ["bilinear-mlps-00000001.md"]
    assert (tmp_path / "bilinear-mlps-00000001.md").read_text() == "the user's own file\n"


def test_split_never_follows_a_symlink_out(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bilinear-mlps-00000001.md").symlink_to(outside)
    for force in (False, True):
        write_split([paper(1, "Bilinear MLPs")], md, str(notes), extension=".md", force=force)
        assert outside.read_text() == "precious\n"
    assert not (notes / "bilinear-mlps-00000001.md").is_symlink(), "--force replaces the link, not its target"


def test_split_into_a_file_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="needs a folder"):
        write_split([paper(1)], md, str(tmp_path / "file"), extension=".md")


def test_corrupt_manifest_means_every_file_is_the_users(tmp_path):
    write_split([paper(1, "T")], md, str(tmp_path), extension=".md")
    (tmp_path / MANIFEST).write_text("{not json")
    (tmp_path / "t-00000001.md").write_text("edited\n")
    result = write_split([paper(1, "T")], md, str(tmp_path), extension=".md")
    assert result.kept == ["t-00000001.md"]


# -- selection --------------------------------------------------------------------

@pytest.mark.parametrize("query, tags, status, expected", [
    (None, [], None, None),
    ("  ", [], None, None),
    ("kan", [], None, "kan"),
    (None, ["to-read"], None, "tag:to-read"),
    ("kan -survey", ["to-read", "method/kan"], "keep", "kan -survey tag:to-read tag:method/kan status:keep"),
    (None, [], "skip", "status:skip"),
], ids=["nothing", "blank", "query", "tag", "all", "status"])
def test_build_query(query, tags, status, expected):
    assert build_query(query, tags, status) == expected


@pytest.mark.parametrize("tags, status, message", [
    (["to read"], None, "bad tag name"),
    (['x"y'], None, "bad tag name"),
    ([], "maybe", "unknown status"),
])
def test_build_query_rejects(tags, status, message):
    with pytest.raises(UserError, match=message):
        build_query(None, tags, status)


def test_export_selects_streams_and_reports_no_match(seeds_library):
    out = io.StringIO()
    result = export_papers(seeds_library, write=md, tags=["to-read"], out=out)
    assert result.count == 2
    assert out.getvalue().count("\n## ") == 1 and out.getvalue().startswith("## Bilinear MLPs")

    out = io.StringIO()
    with pytest.raises(NoMatch):
        export_papers(seeds_library, "tag:to-read status:skip", write=lambda ps, o: render("json", ps, o), out=out)
    assert out.getvalue() == "[]\n", "the empty export is still valid JSON"


def test_front_matter_needs_one_paper_per_file(seeds_library, tmp_path):
    target = tmp_path / "note.md"
    with pytest.raises(UserError, match="--split"):
        export_papers(seeds_library, write=md, output=str(target), one_per_file=True)
    assert not target.exists(), "refused before anything was written"
    result = export_papers(seeds_library, write=lambda ps, o: md(ps, o, front_matter=True), status="read",
                           output=str(target), one_per_file=True)
    assert result.count == 1 and target.read_text().startswith("---\n")


def test_output_and_split_together_is_an_error(seeds_library, tmp_path):
    with pytest.raises(UserError, match="-o and --split"):
        export_papers(seeds_library, write=md, output=str(tmp_path / "a.md"), split_dir=str(tmp_path / "d"))
    assert not Path(tmp_path / "a.md").exists() and not Path(tmp_path / "d").exists()
