"""Renderers: papers in, text out. None of them touches the library.

Each format is a module with ``render(papers, out, **options)``; the registry
maps names to modules and imports them only when used, so start-up stays fast.
"""

from __future__ import annotations

import importlib

from ..errors import UserError

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)

if TYPE_CHECKING:
    from typing import IO, Iterable

    from ..model import Paper

# format name -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("table", "render"),
    "json": ("jsonfmt", "render_json"),
    "jsonl": ("jsonfmt", "render_jsonl"),
    "tsv": ("text", "render_tsv"),
    "ids": ("text", "render_ids"),
    "markdown": ("markdown", "render"),
    "csv": ("csvfmt", "render_csv"),
    "tsv-full": ("csvfmt", "render_tsv"),
    "yaml": ("yamlfmt", "render"),
    "bibtex": ("bibtex", "render"),
    "csl-json": ("csl", "render"),
    "ris": ("ris", "render"),
}

# What every listing command (list, search, similar, export) takes for --format.
LIST_FORMATS = ("table", "tsv", "ids", "json", "jsonl", "markdown", "csv", "yaml", "bibtex", "csl-json", "ris")
# Formats that carry every sighting of a paper.
WITH_SIGHTINGS = frozenset({"json", "jsonl", "yaml"})

# `export` writes whole records for other programs; list and search write
# lines for pipes. The one name where that changes the output is tsv: for
# export it means the csv columns tab-separated (csvfmt.py, registered as
# tsv-full), for list and search the short pipe form (text.py: id first, `#`
# header, no abstract).
EXPORT_FORMATS: dict[str, str] = {
    "markdown": "markdown", "csv": "csv", "tsv": "tsv-full", "json": "json", "jsonl": "jsonl",
    "yaml": "yaml", "bibtex": "bibtex", "csl-json": "csl-json", "ris": "ris", "table": "table", "ids": "ids",
}
SHOW_FORMATS = ("text", "json")  # show: render/detail.py, or the JSON paper object


def render(name: str, papers: Iterable["Paper"], out: IO[str], **options) -> int:
    """Write papers in format ``name``; returns how many were written."""
    try:
        module_name, func = FORMATS[name]
    except KeyError:
        raise UserError(f"unknown format {name!r}; choose from {', '.join(FORMATS)}") from None
    module = importlib.import_module(f"{__name__}.{module_name}")
    if name in _DROP_UNSAFE:
        from .safe import data_safe_paper

        papers = map(data_safe_paper, papers)
    return getattr(module, func)(papers, out, **options)


# Formats whose readers have no escape for controls and bidi marks: those are
# dropped (issue 17). json, jsonl, csl-json and yaml escape them instead;
# table, tsv (list), markdown and show make them visible (render/safe.py).
_DROP_UNSAFE = frozenset({"csv", "tsv-full", "bibtex", "ris"})
