"""`papertriage ingest`: read dumps into the library."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import app
from .common import state


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(
        help="Dump files, folders of dumps, or - for standard input.", metavar="PATH...")],
    page_date: Annotated[Optional[str], typer.Option(
        "--page-date", metavar="YYYY-MM-DD",
        help="The day the pages were saved; dates shown without a year get its year.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="After ingesting, say for each sighting that joined a paper which rule joined it.")] = False,
) -> None:
    """Read dumps into the library, merging papers seen before.

    Files already ingested (same content) are skipped; a file that fails to
    parse is reported and leaves the library untouched.
    """
    from .ingest_run import run_ingest

    run_ingest(state(ctx).library, paths, page_date, quiet, explain)
