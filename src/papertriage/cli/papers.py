"""Reading commands: list, show, stats."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..render import SHOW_FORMATS, WITH_SIGHTINGS
from . import app
from .common import (FormatOpt, LimitOpt, ReverseOpt, SortOpt, err, interest_note, nonempty, pick_format, pick_limit,
                     state, write_papers)


EMPTY_LIBRARY = "the library is empty: `papertriage ingest PATH...` reads dumps into it (files, folders or - for stdin)"


@app.command("list")
def list_(
    ctx: typer.Context,
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="[QUERY]", show_default=False,
        help="Only papers matching this query, e.g. 'tag:to-read -tag:done' (see `search --help`); "
             "- reads paper ids from stdin (the first word of each line) and lists only those.")] = None,
    fmt: FormatOpt = None,
    sort: SortOpt = "added",
    reverse: ReverseOpt = False,
    limit: LimitOpt = None,
) -> None:
    """List papers: id, title, date, upvotes, times seen.

    Newest first (--sort added); --reverse for oldest first.
    """
    from ..core.select import count_papers, select_papers
    from .changes import query_with_stdin_ids

    lib = state(ctx).library
    lim = pick_limit(limit)
    text, ids = query_with_stdin_ids(lib, query)
    if lim is None:
        lib.prepare_for_scan()  # the whole library, read once
    name = pick_format(fmt)
    interest_note(lib, sort)
    papers = select_papers(lib, text, sort=sort, limit=lim, reverse=reverse,
                           with_sightings=name in WITH_SIGHTINGS, ids=ids)
    selective = bool(text) or ids is not None
    shown = write_papers(nonempty(papers) if selective else papers, name)
    if not shown and not selective:
        err(EMPTY_LIBRARY)
    if limit is None and lim is not None and shown == lim and ids is None:
        total = count_papers(lib, text)
        if total > shown:
            err(f"showing {shown} of {total} papers; --limit 0 shows all")


@app.command()
def show(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id or a unique prefix of one.")],
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help=" (default) or ".join(SHOW_FORMATS) + ".")]
    = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Number the sightings and say which dedup rule joined each one, with its scores.")] = False,
) -> None:
    """Every field of one paper, and every sighting of it."""
    from ..core.papers import get_paper
    from ..errors import UserError

    if fmt is not None and fmt not in SHOW_FORMATS:
        raise UserError(f"unknown format {fmt!r} for show; choose from {', '.join(SHOW_FORMATS)}")
    explained = None
    if explain:
        from ..core.dedupe import explain_paper

        explained = explain_paper(state(ctx).library, paper_id)
        paper = explained.paper
    else:
        paper = get_paper(state(ctx).library, paper_id)
    if fmt == "json":
        from ..render.jsonfmt import dumps, paper_object

        data = paper_object(paper)
        if explained is not None:
            data["explain"] = [s.to_dict() for s in explained.sightings]
        print(dumps(data, indent=2))
        return
    from ..render.detail import render_detail

    render_detail(paper, sys.stdout, terminal=sys.stdout.isatty())
    if explained is not None:
        from ..render.dupes import render_explanations

        render_explanations(explained.sightings, sys.stdout)


@app.command()
def stats(ctx: typer.Context) -> None:
    """Counts of dumps, sightings, papers and merges."""
    from ..core.papers import stats as library_stats

    s = library_stats(state(ctx).library)
    print(f"dumps      {s['dumps']}\nsightings  {s['sightings']}\npapers     {s['papers']}\n"
          f"merged     {s['merges']} sightings into {s['merged_papers']} papers\ntags       {s['tags']}")
    if not s["papers"]:
        err(EMPTY_LIBRARY)
