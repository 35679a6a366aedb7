"""An ingest leaves the checkpoint of its write-ahead log to a helper process
(issue 16: a day's ingest into a big library returns before its pages are
copied into the library file). Nothing is lost and the library file ends up
whole on its own."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEEDS_SAVED_ON = "2025-11-24"  # as conftest.py: a fixed day


def _ingest_seeds(path: Path):
    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    lib = Library(path)
    report = ingest(lib, [str(SEEDS)], page_date=dt.date.fromisoformat(SEEDS_SAVED_ON))
    assert not report.errors
    return lib


def _wait_until_gone(path: Path, seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while path.exists() and time.monotonic() < end:
        time.sleep(0.02)
    return not path.exists()


def _papers_in_file_alone(path: Path, tmp_path: Path) -> int:
    """Papers in a copy of the library file without its log: what is checkpointed."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(path, alone)
    db = sqlite3.connect(alone)
    try:
        return db.execute("SELECT count(*) FROM papers").fetchone()[0]
    finally:
        db.close()


def test_the_ingests_last_commit_is_left_in_the_log(tmp_path):
    lib = _ingest_seeds(tmp_path / "lib.db")
    try:
        assert lib.log_pages() > 0  # committed, not yet copied into the library file
        assert lib.execute("SELECT count(*) FROM papers").fetchone()[0] == 198
    finally:
        lib.close()


def test_a_helper_checkpoints_after_the_ingest_closes(tmp_path):
    path = tmp_path / "lib.db"
    lib = _ingest_seeds(path)
    assert lib.close_in_background(min_pages=1)  # the seeds' log is small: force the helper
    assert _wait_until_gone(Path(str(path) + "-wal"))  # the helper, last out, removed the log
    assert _papers_in_file_alone(path, tmp_path) == 198


def test_a_small_log_is_checkpointed_by_the_close_itself(tmp_path):
    path = tmp_path / "lib.db"
    lib = _ingest_seeds(path)
    assert not lib.close_in_background(min_pages=10**9)
    assert not Path(str(path) + "-wal").exists()
    assert _papers_in_file_alone(path, tmp_path) == 198


def test_a_reader_opened_meanwhile_sees_the_ingest(tmp_path):
    from papertriage.store import Library

    path = tmp_path / "lib.db"
    lib = _ingest_seeds(path)
    lib.close_in_background(min_pages=1)
    reader = Library(path)  # whether or not the helper is done
    try:
        assert reader.execute("SELECT count(*) FROM papers").fetchone()[0] == 198
    finally:
        reader.close()
    _wait_until_gone(Path(str(path) + "-wal"))


def test_the_ingest_command_leaves_a_whole_library(tmp_path, cli):
    path = tmp_path / "lib.db"
    result = cli("--library", str(path), "ingest", "--quiet", "--page-date", SEEDS_SAVED_ON, str(SEEDS))
    assert result.code == 0
    _wait_until_gone(Path(str(path) + "-wal"))
    assert _papers_in_file_alone(path, tmp_path) == 198
