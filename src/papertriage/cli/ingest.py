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
    page_date: Annotated[Optional[list[str]], typer.Option(
        "--page-date", metavar="[FILE=]YYYY-MM-DD",
        help="The day the pages were saved: dates shown without a year get its year, and the papers count "
             "as seen that day. FILE=DATE for one file (repeat for several). Without it: the page's own "
             "date, else a YYYY-MM-DD in the file name, else the file's modification time.")] = None,
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
