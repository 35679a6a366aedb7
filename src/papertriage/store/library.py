"""``Library``: every concern of the store (``store/__init__.py`` lists them) on one connection."""

from __future__ import annotations

from .connection import Connection
from .decisions import Decisions
from .dumps import Dumps
from .names import Names
from .papers import Papers
from .sources import Sources
from .vocab import Vocabulary
from .writer import IngestReads

__all__ = ["Library"]


class Library(Papers, Dumps, IngestReads, Decisions, Vocabulary, Names, Sources, Connection):
    """An open papertriage library. ``Library(":memory:")`` works for tests."""
