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
