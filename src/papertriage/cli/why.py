"""`papertriage why ID`: why a paper ranks where it does under `--sort interest` (issue 13)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app
from .common import check_sort, state


@app.command()
def why(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id or a unique prefix of one.")],
    sort: Annotated[str, typer.Option(
        "--sort", "-s", metavar="KEY", callback=check_sort,
        help="The learned ranking to explain: interest (default) or interest:TAG.")] = "interest",
    terms: Annotated[int, typer.Option("--terms", min=1, help="How many words to show each way.")] = 8,
) -> None:
    """Why a paper ranks where it does under --sort interest.

    The words that pushed it up or down, and the decided papers most like it.

    The ranking (`--sort interest`) learns from your decisions: keep and read
    count as interested, skip as not; `--sort interest:TAG` learns from the
    papers tagged TAG instead.
    """
    from ..core.interest import why as explain
    from ..render.safe import one_line

    w = explain(state(ctx).library, paper_id, sort, terms=terms)
    p = w.paper
    print(f"{p.id}  {one_line(p.title)}")
    print(f"  status {p.status}")
    print(f"  {w.ranking.message}")
    if w.ranking.cold:
        return
    place = f", {w.rank} of {w.of} new papers" if w.rank is not None else ""
    print(f"  interest {w.score:+.4f}{place}: {w.bias:+.4f} plus each word's part (weight x tf-idf)")
    for label, items in (("pushed up by", w.up), ("pushed down by", w.down)):
        if items:
            print(f"  {label}: " + ", ".join(f"{one_line(t)} ({v:+.4f})" for t, v in items))
        else:
            print(f"  {label}: nothing the model learned")
    if w.similar:
        print("  most like these decided papers:")
        for q, sim in w.similar:
            mark = q.status if w.ranking.tag is None else ("tagged" if any(
                t.casefold() == w.ranking.tag.casefold() or t.casefold().startswith(w.ranking.tag.casefold() + "/")
                for t in q.tags) else "not tagged")
            print(f"    {q.id}  {mark:<10}  {sim:.2f}  {one_line(q.title)}")
