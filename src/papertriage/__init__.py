"""papertriage: a library of Hugging Face paper-page dumps, in SQLite.

Use it from Python without the CLI::

    from papertriage import Library, ingest
    lib = Library("papers.db")
    ingest(lib, ["seeds/"])
"""

from __future__ import annotations

__all__ = ["Library", "Paper", "Sighting", "ingest", "parse_dump"]
__version__ = "0.1.0"

# Imported on first use: `papertriage --help` must not pay for rapidfuzz and sqlite.
_LAZY = {
    "Library": ("papertriage.store", "Library"),
    "Paper": ("papertriage.model", "Paper"),
    "Sighting": ("papertriage.model", "Sighting"),
    "ingest": ("papertriage.core.ingest", "ingest"),
    "parse_dump": ("papertriage.parse", "parse_bytes"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'papertriage' has no attribute {name!r}")
