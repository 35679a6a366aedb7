"""Fixtures for the export tests: the seeds as a library whose every byte of
export is reproducible (fixed file times, a little triage state)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# The dumps' save time decides first/last seen and the year of dates shown
# without one; pin it so golden files do not depend on the checkout.
SAVED_AT = dt.datetime(2025, 11, 24, 12, 0, tzinfo=dt.timezone.utc).timestamp()

# (paper number in ingest order, tags, status, note): hostile on purpose.
TRIAGE = [
    (1, ["to-read", "interp"], "keep", "Compare with *KAN* [1] & <the MLP-Mixer> — 100% worth it\n\nSecond thought: `x_1`"),
    (2, ["method/kan"], "read", None),
    (4, [], "skip", "=not a formula"),
    (7, ["to-read"], "new", "Q&A: {braces} \\ backslash, \"quotes\", 'single'"),
]


def _apply_triage(library) -> None:
    now = "2025-11-24T12:00:00+00:00"
    with library.transaction() as db:
        pks = [row[0] for row in db.execute("SELECT pk FROM papers ORDER BY pk")]
        for number, tags, status, note in TRIAGE:
            pk = pks[number - 1]
            db.execute("UPDATE papers SET status = ?, note = ? WHERE pk = ?", (status, note, pk))
            for tag in tags:
                db.execute("INSERT INTO tags (paper, tag, added_at) VALUES (?, ?, ?)", (pk, tag, now))


@pytest.fixture(scope="session")
def seeds_library_path(tmp_path_factory) -> Path:
    """A library file: the five seed dumps (saved 2025-11-24) plus TRIAGE."""
    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    root = tmp_path_factory.mktemp("seeds-library")
    dumps = root / "seeds"
    dumps.mkdir()
    for source in sorted(SEEDS.iterdir()):
        if source.is_file():
            copy = dumps / source.name
            shutil.copyfile(source, copy)
            os.utime(copy, (SAVED_AT, SAVED_AT))
    path = root / "library.db"
    library = Library(path)
    try:
        report = ingest(library, [str(dumps)])
        assert not report.errors
        _apply_triage(library)
    finally:
        library.close()
    return path


@pytest.fixture
def seeds_library(seeds_library_path):
    from papertriage.store import Library

    library = Library(seeds_library_path)
    yield library
    library.close()


@pytest.fixture
def seed_papers(seeds_library) -> list:
    from papertriage.core.select import select_papers

    return list(select_papers(seeds_library, with_sightings=True, reverse=True))  # oldest first
