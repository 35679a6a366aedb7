"""The benchmark harness runs end to end at a tiny size: corpus generator,
ingest through the real API, the bare-SQLite limit, whole-process commands,
the JSON result and the plot. No timing is asserted (speed belongs to the
benchmark itself); what is checked is that every figure is there and sane."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

pytest.importorskip("matplotlib")
pytest.importorskip("psutil")


def test_limit_searcher_ranks_title_hits_first(tmp_path):
    import sqlite3

    import limit

    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("CREATE TABLE papers (pk INTEGER PRIMARY KEY, id TEXT, title TEXT, abstract TEXT,"
               " published TEXT, upvotes INTEGER)")
    db.execute("CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, content='papers', content_rowid='pk')")
    db.executemany("INSERT INTO papers (pk, id, title, abstract) VALUES (?, ?, ?, ?)", [
        (1, "a1", "A study of cats", "Transformers for vision."),
        (2, "b2", "Transformers everywhere", "We study cats."),
        (3, "c3", "Dogs", "Nothing here."),
    ])
    db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    hits = limit.Searcher(db).search("transformers")
    assert [h[1] for h in hits] == ["b2", "a1"]
    assert limit.Searcher(db).search("x-ray C++ chile's") == []  # punctuation never an FTS5 syntax error
    assert limit.match_expr(["quantiz*", 'a"b']) == '"quantiz"* "a""b"'


def test_measure_summary_and_percentile():
    import measure

    s = measure.summary([1.0, 2.0, 3.0])
    assert (s["median"], s["runs"], s["noise"]) == (2.0, 3, 1.0)
    assert measure.percentile(list(range(1, 101)), 95) == 95
    assert measure.percentile([5.0], 95) == 5.0


def test_process_peak_memory_is_the_childs_own():
    import measure

    small = measure.run_process([sys.executable, "-c", "pass"])
    big = measure.run_process([sys.executable, "-c", "x = bytearray(200 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"])
    assert small.returncode == 0 and big.returncode == 0
    assert small.peak_mb < 60  # not the test process's memory
    assert big.peak_mb > small.peak_mb + 150


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="Linux's per-process I/O counters")
def test_bytes_written_are_what_the_child_wrote_not_the_folios_it_dirtied(tmp_path):
    import measure

    target = tmp_path / "out.bin"
    # 100 scattered 8 KB writes into a 64 MB file read first: whole large folios get dirtied.
    code = (f"import os; f = open({str(target)!r}, 'wb+'); f.truncate(64 << 20); f.read();"
            " [os.pwrite(f.fileno(), b'x' * 8192, i * 655360) for i in range(100)]; f.close()")
    r = measure.run_process([sys.executable, "-c", code])
    assert r.returncode == 0
    assert 100 * 8192 <= r.written_bytes < 100 * 8192 + 64 * 1024  # the pages, plus a little stdout/pyc
    assert r.dirtied_bytes >= 0  # the kernel's figure is kept beside it


def test_harness_runs_at_a_tiny_size(tmp_path):
    import run

    work, results = tmp_path / "work", tmp_path / "results"
    code = run.main(["--sizes", "300", "--runs", "1", "--work", str(work), "--results", str(results)])
    assert code == 0
    data = json.loads((results / "latest.json").read_text())
    (size,) = data["sizes"]
    rows = size["rows"]
    assert size["papers"] == 300
    assert size["sightings"] == data["sizes"][0]["raw"]["corpus"]["sightings"] == 500
    # Every sighting of the corpus went in, and dedup quality was measured against the truth.
    assert size["raw"]["quality"]["unmatched_lines"] == 0
    assert size["raw"]["quality"]["sightings"] == 500
    assert 0.9 <= rows["dedup_recall"]["papertriage"] <= 1.0
    assert rows["dedup_precision"]["papertriage"] == 1.0
    # papertriage's figure beside the limit's, and their ratio.
    ingest = rows["ingest_seconds"]
    assert ingest["papertriage"] > 0 and ingest["limit"] > 0
    assert ingest["ratio"] == pytest.approx(ingest["papertriage"] / ingest["limit"])
    assert rows["db_kb_per_paper"]["papertriage"] > 0
    assert rows["help_ms"]["papertriage"] > 0
    assert rows["export_seconds"]["note"].startswith(f"{size['raw']['quality']['papers']} lines")
    assert rows["search_median_ms"]["limit"] > 0
    # The daily ingest: every repeat merged into the library, every new paper kept apart.
    day = size["raw"]["daily"]
    assert {(r["returncode"], r["new"] + r["merged"]) for r in day["runs"]} == {(0, day["day"]["sightings"])}
    assert rows["daily_seconds"]["papertriage"] > 0 and rows["daily_cpu_seconds"]["papertriage"] > 0
    # Outputs: a result per run plus latest, and the plot beside them.
    assert len(list(results.glob("2*.json"))) == 1
    png = results / "latest.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The corpus is cached: a second run reuses it.
    marker = work / "corpus-300-s0" / "corpus.done.json"
    assert marker.exists()
    assert run.ensure_corpus(300, 0, work)[1] == json.loads(marker.read_text())


def test_table_shows_both_figures_and_the_ratio():
    import run

    result = {"label": "10k", "sightings": 16667, "dumps": 229, "rows": {
        "ingest_seconds": run.metric(10.0, 2.0, "s", target="<=1.5x limit", ok=False),
        "search_median_ms": run.metric(run.NA, 0.4, "ms"),
    }}
    text = run.table(result)
    assert "10.0 s" in text and "2.00 s" in text and "5.0x" in text and "MISS" in text
    assert "n/a (not available)" in text


def test_size_lists_where_the_bytes_are(tmp_path, capsys):
    import size

    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    lib = Library(tmp_path / "lib.db")
    assert not ingest(lib, [str(ROOT / "seeds")]).errors
    lib.close()
    assert size.main([str(tmp_path / "lib.db"), "--json", str(tmp_path / "size.json")]) == 0
    out = capsys.readouterr().out
    assert "198 papers" in out and "KB a paper" in out and "sightings" in out
    result = json.loads((tmp_path / "size.json").read_text())
    assert result["papers"] == 198 and result["page_size"] == 8192
    assert sum(o["bytes"] for o in result["objects"]) <= result["file_bytes"]
