"""Atomic file writes: the one place that writes a file through a temporary
file in the same folder and renames it into place.

On any failure (or Ctrl-C) the target is untouched and the temporary file
removed. Errors are left to the caller, which knows what to tell the user.

A process killed midway (``kill -9``, a power cut) cannot remove its
temporary file; it holds a lock on it while it writes, so the next write to
that folder can tell such a leftover from a live writer's file and remove it
(``remove_stale_parts``, issue 17).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import IO, Any, Callable, TypeVar

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: stale temporary files stay
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

# `.NAME.xxxxxxxx.part`: what ``_temporary`` names (tempfile's 8 random characters).
_PART = re.compile(r"\..+\.[a-z0-9_]{8}\.part")


def _temporary(target: Path) -> tuple[int, str]:
    """A temporary file beside ``target``, locked while this process writes it."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass
    return fd, tmp


def remove_stale_parts(folder: Path) -> int:
    """Remove the temporary files that writes killed midway left in ``folder``:
    papertriage's own ``.NAME.xxxxxxxx.part`` files that no live writer holds
    locked. Returns how many went."""
    if fcntl is None:
        return 0
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".part") and _PART.fullmatch(n)]
    except OSError:
        return 0
    removed = 0
    for name in names:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
            os.unlink(path)
            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def replace_path(target: Path, fill: Callable[[int, str], T], *, clean: bool = True) -> T:
    """``fill(fd, temporary_path)`` writes the new content beside ``target``,
    which is then renamed over it; returns what ``fill`` returns. Stale
    temporary files of killed writes in that folder go first (``clean``: a
    caller writing many files cleans once itself)."""
    if clean:
        remove_stale_parts(target.parent)
    fd, tmp = _temporary(target)
    try:
        result = fill(fd, tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        os.close(fd)  # the lock goes with it; ``fill`` works on duplicates
    return result


def replace_file(target: Path, produce: Callable[[IO[Any]], T], *, mode: int, binary: bool = False,
                 encoding: str = "utf-8", sync: bool = True, clean: bool = True) -> T:
    """Write ``target`` with ``produce(stream)`` through a temporary file, then
    rename it into place with permissions ``mode``; returns what ``produce``
    returns. ``sync`` flushes the data to disk before the rename (one fsync a
    file: leave it off for many small files that can be written again)."""

    def fill(fd: int, tmp: str) -> T:
        with (open(os.dup(fd), "wb") if binary else open(os.dup(fd), "w", encoding=encoding, newline="")) as f:
            result = produce(f)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
        return result

    return replace_path(target, fill, clean=clean)
