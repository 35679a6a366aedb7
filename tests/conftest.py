"""Shared fixtures: an in-memory library, a library with the seeds in it, and
a `cli` runner that calls papertriage's real main() in-process."""

from __future__ import annotations

import datetime as dt
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT.parent / "shared" / "data"  # the real corpus, present on dev machines and CI
# Dumps without a date of their own are "seen" on the day they are ingested;
# a fixed day keeps first_seen/last_seen (and golden files) the same on every run.
SEEDS_SAVED_ON = "2025-11-24"

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/corpus.py is importable


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files in tests/data/golden/ from the current output")


@pytest.fixture(autouse=True)
def _library_env(tmp_path, monkeypatch):
    # Never touch the user's real library from a test.
    monkeypatch.setenv("PAPERTRIAGE_LIBRARY", str(tmp_path / "library.db"))
    monkeypatch.delenv("PAPERTRIAGE_CONFIG", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)  # a developer's editor never opens in a test
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def library():
    from papertriage.store import Library

    lib = Library(":memory:")
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def _seeded_file(tmp_path_factory):
    """The seeds ingested once per test process; each test gets its own copy."""
    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    path = tmp_path_factory.mktemp("seeded") / "library.db"
    lib = Library(path)
    report = ingest(lib, [str(SEEDS)], page_date=dt.date.fromisoformat(SEEDS_SAVED_ON))
    assert not report.errors
    lib.close()  # the last connection: SQLite folds the write-ahead log into the file
    return path


@pytest.fixture
def seeded(tmp_path, _seeded_file):
    """A library file holding the five seed dumps (a copy, for this test alone)."""
    import shutil

    from papertriage.store import Library

    shutil.copyfile(_seeded_file, tmp_path / "library.db")
    lib = Library(tmp_path / "library.db")
    yield lib
    lib.close()


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `papertriage ARGS` in-process through main(), as a shell would."""
    from papertriage.cli import main

    def run(*args: str, input: str | bytes | None = None) -> Result:
        data = input.encode() if isinstance(input, str) else (input or b"")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(int(exit_info.value.code or 0), captured.out, captured.err)

    return run
