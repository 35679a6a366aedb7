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
- ``blocking.py``: which papers carry a blocking key (a day's new keys wait in a
  small table until folded in);
- ``schema.py``, ``migrations.py``: the schema and its ordered migrations;
- ``library.py``: ``Library``, all of them put together.

The store takes objects, phrases no messages for the user (beyond saying
what went wrong with the file) and decides no business rules: ``core`` does.
A new concern gets a new module and a new base class of ``Library``.

The names below are imported on first use (issue 16, start-up): a command
that needs one concern (``dumps.Dumps``: is this file in already?) does not
pay for the papers, the model and its dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)


if TYPE_CHECKING:
    from typing import Any

    from .connection import now
    from .library import Library
    from .selection import Ranking, Selection
    from .writer import PaperWriter

__all__ = ["Library", "PaperWriter", "Ranking", "Selection", "now"]

_LAZY = {"Library": "library", "PaperWriter": "writer", "Ranking": "selection", "Selection": "selection",
         "now": "connection"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:  # a submodule (``from ..store import indexes``) is imported by the import system
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
