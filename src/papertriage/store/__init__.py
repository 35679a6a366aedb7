"""The library: one SQLite file. Only this package talks to sqlite3.

One module per concern, each a class over the shared ``Connection``:

- ``connection.py``: open, migrate, ``transaction()`` (WAL, busy timeout,
  BEGIN IMMEDIATE, so parallel taggers wait instead of failing), and the
  translation of sqlite3 errors into StoreError;
- ``selection.py`` and ``papers.py``: a typed ``Selection`` in, ``Paper``
  objects out; the one place where a SELECT over papers is written;
- ``dumps.py``: the files ingested; ``forget.py``: `dumps`, `forget`, and a
  forgotten dump's papers and decisions until it comes back; ``writer.py``: what ingest reads and
  writes (blocking keys, ``PaperWriter``);
- ``decisions.py``: tags, status, notes, history rows; ``steps.py``: history
  grouped in the steps ``undo`` reverts;
- ``interest.py``: the learned ranking's models and scores;
- ``names.py``: citation keys and note names, fixed at a paper's birth;
- ``sources.py``: arXiv ids, author names and links from API dumps;
- ``indexes.py``: derived indexes kept in step, or rebuilt after a bulk load;
- ``vocab.py``: the vocabulary for typo correction and ``similar``;
- ``schema.py``, ``migrations.py``: the schema and its ordered migrations.

The store takes objects, phrases no messages for the user (beyond saying
what went wrong with the file) and decides no business rules: ``core`` does.
A new concern gets a new module and a new base class of ``Library``.
"""

from __future__ import annotations

from .connection import Connection, now
from .decisions import Decisions
from .dumps import Dumps
from .names import Names
from .papers import Papers
from .selection import Ranking, Selection
from .sources import Sources
from .vocab import Vocabulary
from .writer import IngestReads, PaperWriter

__all__ = ["Library", "PaperWriter", "Ranking", "Selection", "now"]


class Library(Papers, Dumps, IngestReads, Decisions, Vocabulary, Names, Sources, Connection):
    """An open papertriage library. ``Library(":memory:")`` works for tests."""
