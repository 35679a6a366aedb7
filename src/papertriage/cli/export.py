"""`papertriage export`: the library, or a selection of it, in a format other tools read."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import app
from .common import SortKey, SortOpt, state, write_papers


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, jsonl, tsv, ids or table.")] = "json",
    sort: SortOpt = SortKey.added,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="At most N papers.")] = None,
) -> None:
    """Export the library (with every sighting) to stdout."""
    from ..core.papers import list_papers

    papers = list_papers(state(ctx).library, sort=sort.value, limit=limit, with_sightings=fmt in ("json", "jsonl"))
    write_papers(papers, fmt)
