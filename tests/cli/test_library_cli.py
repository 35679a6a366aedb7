"""Which library, and which papers (issue 12): `where`, a --library in a
folder that does not exist, and `-` (ids on stdin) for `list` and `export`."""

from __future__ import annotations

import json


def test_where_prints_the_library_in_use_and_whether_it_exists(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("PAPERTRIAGE_LIBRARY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = cli("where")
    assert default.out.strip() == str(tmp_path / "data" / "papertriage" / "library.db")
    assert default.code == 1 and "no library there yet" in default.err
    cli("--library", tmp_path / "demo.db", "ingest", "-", input="Daily Papers\n\nA Title\n\nAn abstract.\n")
    given = cli("--library", tmp_path / "demo.db", "where")
    assert (given.code, given.out.strip(), given.err) == (0, str(tmp_path / "demo.db"), "")
    monkeypatch.setenv("PAPERTRIAGE_LIBRARY", str(tmp_path / "demo.db"))
    assert cli("where").out.strip() == str(tmp_path / "demo.db")


def test_a_library_in_a_missing_folder_is_an_error_except_for_ingest(cli, tmp_path):
    typo = tmp_path / "no-such-folder" / "library.db"
    for args in (["list"], ["stats"], ["search", "kan"], ["tag", "list"], ["export"], ["check"]):
        result = cli("--library", typo, *args)
        assert result.code == 2, args
        assert result.err.count("\n") == 1 and "no folder" in result.err and "ingest" in result.err
    assert not typo.parent.exists()  # nothing was created
    made = cli("--library", typo, "ingest", "-", input="Daily Papers\n\nA Title\n\nAn abstract.\n")
    assert made.code == 0 and typo.exists()
    assert cli("--library", typo, "list", "--format", "ids").code == 0


def test_export_dash_exports_exactly_the_papers_whose_ids_come_on_stdin(seeded, cli):
    lib = ("--library", seeded.path)
    ids = cli(*lib, "search", "kolmogorov", "arnold", "--format", "ids").out
    assert len(ids.split()) == 5
    bib = cli(*lib, "export", "-", "--format", "bibtex", input=ids).out
    assert bib.count("@misc{") == 5
    assert sorted(p["id"] for p in json.loads(cli(*lib, "export", "-", input=ids).out)) == sorted(ids.split())
    # the tsv of `list` pipes in too, prefixes work, and other query words narrow further
    tsv = cli(*lib, "list", "kolmogorov", "--format", "tsv").out
    listed = cli(*lib, "list", "-", "--format", "ids", input=tsv).out.split()
    assert sorted(listed) == sorted(ids.split())
    assert cli(*lib, "list", "-", "year:2024", "--format", "ids", input=ids).out.split() == ["3d381b5e", "e92269d6"]
    assert cli(*lib, "list", "-", "--format", "ids", input="e922\n").out.split() == ["e92269d6"]


def test_dash_with_nothing_or_unknown_ids_on_stdin(seeded, cli):
    lib = ("--library", seeded.path)
    empty = cli(*lib, "export", "-", input="")
    assert (empty.code, empty.out) == (1, "") and "no paper ids on stdin" in empty.err
    assert cli(*lib, "list", "-", input="# only a header\n").code == 1
    unknown = cli(*lib, "export", "-", "--format", "bibtex", input="e92269d6\nzzzz\n")
    assert unknown.code == 2 and "unknown paper id: zzzz" in unknown.err and unknown.out == ""
