"""Renderers: papers in, text out. None of them touches the library.

Each format is a module with ``render(papers, out, **options)``; the registry
maps names to modules and imports them only when used, so start-up stays fast.
"""

from __future__ import annotations

import importlib
from typing import IO, Iterable

from ..errors import UserError
from ..model import Paper

# format name -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("table", "render"),
    "json": ("jsonfmt", "render_json"),
    "jsonl": ("jsonfmt", "render_jsonl"),
    "tsv": ("text", "render_tsv"),
    "ids": ("text", "render_ids"),
}

LIST_FORMATS = ("table", "json", "jsonl", "tsv", "ids")


def render(name: str, papers: Iterable[Paper], out: IO[str], **options) -> int:
    """Write papers in format ``name``; returns how many were written."""
    try:
        module_name, func = FORMATS[name]
    except KeyError:
        raise UserError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, func)(papers, out, **options)
