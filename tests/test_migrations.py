"""Every shipped schema version opens and is brought up to date (issue 10).

Each old version is built the way it shipped: its migrations run in order
(shipped migrations are frozen, so they build exactly what they built then),
then plain rows as any version holds them. Opening it with today's Library
must apply the rest, keep every paper and decision, and leave a library that
lists, searches and ingests like a new one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from papertriage import dedup
from papertriage.core.ingest import ingest
from papertriage.core.search import search
from papertriage.core.select import select_papers
from papertriage.errors import ExitCode, StoreError
from papertriage.store import Library
from papertriage.store.migrations import MIGRATIONS

from conftest import SEEDS
from old_versions import schema_of_version

KAT = ("Kolmogorov-Arnold Transformer",
       "Transformers stand as the cornerstone of mordern deep learning. Traditionally, these models rely on "
       "multi-layer perceptron (MLP) layers to mix the information between channels. In this paper, we "
       "introduce the Kolmogorov-Arnold Transformer (KAT), a novel architecture that replaces MLP layers "
       "with Kolmogorov-Arnold Network (KAN) layers to enhance the expressiveness and performance of the model.")
OTHER = ("A Survey of Quokka Recognition",
         "We survey methods that recognise quokkas in camera-trap images and compare them on three datasets.")


def _old_library(path, applied: int) -> None:
    """A library of the version that had the first ``applied`` migrations, holding two papers."""
    db = schema_of_version(path, applied)
    db.execute("INSERT INTO dumps (id, name, path, sha256, layout, seen_on, ingested_at, records)"
               " VALUES (1, 'old.txt', '/old.txt', ?, 'trending', '2025-01-01', '2025-01-01', 2)", ("0" * 64,))
    for pk, (title, abstract) in enumerate((KAT, OTHER), start=1):
        db.execute("INSERT INTO papers (pk, id, title, abstract, first_seen, last_seen, last_dump, added)"
                   " VALUES (?, ?, ?, ?, '2025-01-01', '2025-01-01', 1, '2025-01-01T00:00:00+00:00')",
                   (pk, f"{pk:08x}", title, abstract))
        db.execute("INSERT INTO sightings (paper, dump, line, title) VALUES (?, 1, ?, ?)", (pk, pk * 2, title))
        db.executemany("INSERT INTO dedup_keys (key, paper) VALUES (?, ?)",
                       [(key, pk) for key in dedup.fingerprint(title, abstract).keys()])
    db.execute("UPDATE papers SET status = 'keep', note = 'mine' WHERE pk = 1")
    db.execute("INSERT INTO tags (paper, tag, added_at) VALUES (1, 'method/kan', '2025-01-01')")
    db.execute("INSERT INTO history (paper, at, action, detail) VALUES (1, '2025-01-01', 'tag+', 'method/kan')")
    for table in ("papers_fts", "titles_fts"):  # the full-text indexes of this version, filled from papers
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    db.close()


@pytest.mark.parametrize("applied", range(1, len(MIGRATIONS) + 1),
                         ids=[m.__name__ for m in MIGRATIONS])
def test_every_shipped_version_opens_and_upgrades(tmp_path, applied):
    path = tmp_path / "old.db"
    _old_library(path, applied)
    lib = Library(path)
    names = [row[0] for row in lib.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [m.__name__ for m in MIGRATIONS]

    papers = {p.title: p for p in select_papers(lib)}
    assert set(papers) == {KAT[0], OTHER[0]}
    kat = papers[KAT[0]]
    assert (kat.id, kat.status, kat.note, kat.tags) == ("00000001", "keep", "mine", ["method/kan"])
    assert [p.title for p in search(lib, "kolmogorov arnold").papers] == [KAT[0]]
    assert [p.title for p in search(lib, "quokka").papers] == [OTHER[0]]

    # A dump that holds KAT again merges into the old paper; its decisions stay.
    report = ingest(lib, [str(SEEDS / "000_2967eebb8705e551.txt")], page_date=dt.date(2025, 11, 24))
    assert not report.errors and report.files[0].merged >= 1
    kat = next(p for p in select_papers(lib) if p.id == "00000001")
    assert (kat.seen, kat.status, kat.tags) == (2, "keep", ["method/kan"])
    assert [p.id for p in search(lib, "kolmogorov arnold transformer").papers][0] == "00000001"
    lib.close()


def test_a_library_from_a_newer_papertriage_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    Library(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        Library(path)
    assert info.value.exit_code == ExitCode.LIBRARY_ERROR
    assert "newer papertriage" in str(info.value) and "m999_from_the_future" in str(info.value)
    assert path.read_bytes() == before
