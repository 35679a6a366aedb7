"""Atomic file writes: the one place that writes a file through a temporary
file in the same folder and renames it into place.

On any failure (or Ctrl-C) the target is untouched and the temporary file
removed. Errors are left to the caller, which knows what to tell the user.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any, Callable, TypeVar

T = TypeVar("T")


def replace_file(target: Path, produce: Callable[[IO[Any]], T], *, mode: int, binary: bool = False,
                 encoding: str = "utf-8", sync: bool = True) -> T:
    """Write ``target`` with ``produce(stream)`` through a temporary file, then
    rename it into place with permissions ``mode``; returns what ``produce``
    returns. ``sync`` flushes the data to disk before the rename (one fsync a
    file: leave it off for many small files that can be written again)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with (open(fd, "wb") if binary else open(fd, "w", encoding=encoding, newline="")) as f:
            result = produce(f)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return result
