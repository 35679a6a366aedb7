"""Helpers for the reliability tests and the fault campaign (bench/campaign.py):
damaging a library page, generating dumps, and a small tmpfs to fill."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

PAGE = 4096


def damage_page(path: Path, page: int, seed: int = 0) -> bytes:
    """Overwrite page ``page`` (0-based) of a library with random bytes; returns the file as it was."""
    original = path.read_bytes()
    rng = random.Random(seed * 1_000_003 + page)
    with open(path, "r+b") as f:
        f.seek(page * PAGE)
        f.write(bytes(rng.randrange(256) for _ in range(PAGE)))
    return original


def make_dump(n: int, seed: int = 0) -> str:
    """A trending-page dump of ``n`` distinct synthetic papers."""
    from corpus import render_trending, synthetic_papers

    return render_trending(synthetic_papers(n, seed=seed))


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``2m``) mounted at ``where``; the test is skipped when
    this machine cannot mount one (not root)."""
    if not can_mount():
        pytest.skip("needs root to mount a small tmpfs")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
