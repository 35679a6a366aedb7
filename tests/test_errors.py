"""Errors reach the user at one boundary (cli.main), with the right exit code
(issue 10): a library error during ingest stops it with exit 3 and leaves the
library as it was; bad input files are exit 2 and the others still go in."""

from __future__ import annotations

import pytest

from papertriage.core.ingest import ingest
from papertriage.core.select import select_papers
from papertriage.errors import StoreError
from papertriage.store import Library
from papertriage.store.connection import Connection

from conftest import SEEDS


def _contents(lib: Library) -> tuple:
    return lib.stats(), [(p.id, p.title, p.seen, tuple(p.tags)) for p in select_papers(lib)]


def _fill_the_disk(lib: Library) -> None:
    """No page more for this connection: the next write that needs one fails
    as a full disk does (SQLITE_FULL)."""
    pages = lib.execute("PRAGMA page_count").fetchone()[0]
    lib.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_during_ingest_stops_it_and_changes_nothing(tmp_path):
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS / "000_2967eebb8705e551.txt")])
    before = _contents(lib)
    _fill_the_disk(lib)
    with pytest.raises(StoreError, match="disk full"):
        ingest(lib, [str(SEEDS)])
    assert _contents(lib) == before
    lib.close()


def test_full_disk_is_exit_3_with_one_line_and_no_file_blamed(cli, tmp_path, monkeypatch):
    library = tmp_path / "library.db"
    assert cli("--library", library, "ingest", SEEDS / "000_2967eebb8705e551.txt").code == 0
    lib = Library(library)
    before = _contents(lib)
    opened = Connection.__init__

    def open_on_a_full_disk(self, path):
        opened(self, path)
        _fill_the_disk(self)  # type: ignore[arg-type]

    monkeypatch.setattr(Connection, "__init__", open_on_a_full_disk)
    result = cli("--library", library, "ingest", SEEDS)
    assert result.code == 3
    assert result.err.count("\n") == 1 and "disk full" in result.err
    assert "001_" not in result.err, "a library error is not a bad file"
    monkeypatch.setattr(Connection, "__init__", opened)
    assert _contents(lib) == before
    lib.close()


def test_bad_files_are_exit_2_and_the_others_go_in(cli, tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "a-bad.txt").write_text("not a dump\n")
    (tmp_path / "dumps" / "b-good.txt").write_text((SEEDS / "000_2967eebb8705e551.txt").read_text())
    result = cli("ingest", tmp_path / "dumps")
    assert result.code == 2
    assert result.err.startswith("papertriage: ") and "a-bad.txt" in result.err
    assert result.err.count("\n") == 1, "each bad file once, no summary error on top"
    assert "25 new" in result.out


@pytest.mark.parametrize("args", [["show", "e922", "--format", "yaml"], ["search", "kan", "-f", "tsv-full"]])
def test_formats_a_command_does_not_offer_are_user_errors(cli, args):
    assert cli("ingest", SEEDS, "--quiet").code == 0
    result = cli(*args)
    assert result.code == 2 and result.out == ""
    assert "unknown format" in result.err or "Invalid value for '--format'" in result.err


def test_a_damaged_vocabulary_is_a_library_error_not_a_traceback(cli, tmp_path):
    import sqlite3

    library = tmp_path / "library.db"
    assert cli("--library", library, "ingest", "-q", SEEDS).code == 0
    db = sqlite3.connect(library)
    db.execute("DROP TABLE vocab")
    db.commit()
    db.close()
    result = cli("--library", library, "search", "kolmogorv")  # a typo: the vocabulary is read
    assert result.code == 3 and result.err.startswith("papertriage: ") and "Traceback" not in result.err
