"""Where the triage screen stopped, per walk (issue 13: "it resumes where the user stopped").

One row per walk (its query and sort): the paper that was on screen when the
user left. ``core/triage.py`` puts that paper first again next time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Library

__all__ = ["save_position", "saved_position"]


def save_position(library: "Library", walk: str, pk: int | None, at: str) -> None:
    """Remember ``pk`` as the paper on screen for ``walk`` (None forgets it)."""
    with library.transaction():
        if pk is None:
            library.execute("DELETE FROM triage_positions WHERE walk = ?", (walk,))
        else:
            library.execute("INSERT OR REPLACE INTO triage_positions (walk, paper, at) VALUES (?, ?, ?)",
                            (walk, pk, at))


def saved_position(library: "Library", walk: str) -> int | None:
    row = library.execute("SELECT paper FROM triage_positions WHERE walk = ?", (walk,)).fetchone()
    return row[0] if row else None
