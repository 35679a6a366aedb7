"""Memory that does not grow with the library (issue 17, hole 10).

The figures at 100k papers are printed by the README's commands; these tests
pin the mechanisms, by counting Python allocations (tracemalloc), never time.
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc

from papertriage.core.export import MANIFEST, _Manifest


def _manifest_with(folder, n: int) -> _Manifest:
    manifest = _Manifest(folder, 0o644)
    for i in range(n):
        name = f"a-paper-title-of-a-usual-length-number-{i:06d}-{i * 2654435761 % 2**32:08x}.md"
        manifest.record(name, hashlib.sha256(name.encode()).digest())
    return manifest


def test_the_split_manifest_is_written_without_holding_its_whole_text(tmp_path):
    # `export --split` of 100k papers built the manifest's whole JSON text, and
    # its bytes, before writing it: 80 MB on top of the export.
    manifest = _manifest_with(tmp_path, 5_000)
    tracemalloc.start()
    try:
        manifest.save()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (tmp_path / MANIFEST).stat().st_size
    assert peak < size / 4, (peak, size)


def test_the_split_manifest_reads_back_and_is_plain_json(tmp_path):
    manifest = _manifest_with(tmp_path, 3)
    manifest.record('odd "name" \\ é.md', hashlib.sha256(b"x").digest())
    manifest.save()
    data = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert data["files"]['odd "name" \\ é.md'] == hashlib.sha256(b"x").hexdigest()
    assert list(data["files"]) == sorted(data["files"])
    assert _Manifest(tmp_path, 0o644).files == manifest.files


def _dump_with_repeats() -> str:
    """One trending page of 40 papers, then 25 of them again (some retitled in
    lower case, some with a truncated card), in an order that spreads each
    paper's sightings over several parts of 7."""
    import corpus

    papers = corpus.load_real_papers(corpus.SAMPLE_DATA)[:40]
    again = []
    for i, p in enumerate(papers[:25]):
        q = dict(p)
        if i % 3 == 1:
            q["title"] = p["title"].lower()
        elif i % 3 == 2:
            q["abstract"] = " ".join(p["abstract"].split()[:45])
        again.append(q)
    return corpus.render_trending(papers + again[::-1])


def test_a_large_file_goes_in_part_by_part_with_the_same_result(tmp_path, cli, monkeypatch):
    # A 200k-record dump was deduped and written in one piece: 1.8 GB (hole 10).
    # Parts of a file find the papers of earlier parts, as a second file would.
    from papertriage.core import ingest

    dump = tmp_path / "page.txt"
    dump.write_text(_dump_with_repeats(), encoding="utf-8")
    exports = []
    for chunk in (10_000, 7):
        monkeypatch.setattr(ingest, "CHUNK_SIGHTINGS", chunk)
        monkeypatch.setenv("PAPERTRIAGE_LIBRARY", str(tmp_path / f"lib{chunk}.db"))
        done = cli("ingest", dump, "--page-date", "2025-03-01")
        assert done.code == 0 and "65 records, 40 new, 25 merged" in done.out, done.out
        exports.append(cli("export", "--format", "json").out)
    assert exports[0] == exports[1]


def test_a_file_written_in_parts_is_still_all_or_nothing(tmp_path, cli, monkeypatch):
    from papertriage.core import ingest
    from papertriage.errors import ParseError

    dump = tmp_path / "page.txt"
    dump.write_text(_dump_with_repeats(), encoding="utf-8")
    real, sizes = ingest.merge_sightings, []

    def third_part_fails(library, sightings, *args, **kwargs):
        sizes.append(len(sightings))
        if len(sizes) == 3:
            raise ParseError("a record this test refuses", line=sightings[0].line)
        return real(library, sightings, *args, **kwargs)

    monkeypatch.setattr(ingest, "CHUNK_SIGHTINGS", 7)
    monkeypatch.setattr(ingest, "merge_sightings", third_part_fails)
    done = cli("ingest", dump)
    assert done.code == 2 and "a record this test refuses" in done.err
    assert max(sizes) == 7
    assert "0 new papers" in done.out and cli("stats").out.split()[1] == "0"  # no dump half in
