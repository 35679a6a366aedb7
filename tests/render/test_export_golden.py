"""Golden files: `papertriage export` of the seeds, byte for byte.

tests/data/golden/<format>/seeds.<ext> holds the export of the first 30
seed papers (with the triage state from conftest) in each format. After a
deliberate change of output, regenerate them with

    python -m pytest tests/render/test_export_golden.py --update-golden

and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papertriage.core.export import EXTENSIONS

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
LIMIT = 30


def golden_path(fmt: str) -> Path:
    return GOLDEN / fmt / f"seeds{EXTENSIONS[fmt]}"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_export_matches_golden(fmt, cli, seeds_library_path, tmp_path, request):
    out = tmp_path / f"out{EXTENSIONS[fmt]}"
    result = cli("-L", seeds_library_path, "export", "--format", fmt, "--limit", LIMIT, "-o", out)
    assert result.code == 0, result.err
    data = out.read_bytes()
    path = golden_path(fmt)
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}; run with --update-golden"
    assert data == path.read_bytes(), f"{fmt} export changed; if on purpose, rerun with --update-golden"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_exporting_twice_gives_the_same_bytes(fmt, cli, seeds_library_path):
    """Stable output: diff-friendly notes. (stdout this time, the whole library.)"""
    first = cli("-L", seeds_library_path, "export", "--format", fmt)
    second = cli("-L", seeds_library_path, "export", "--format", fmt)
    assert first.code == second.code == 0
    assert first.out and first.out == second.out
