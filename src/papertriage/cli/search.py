"""`papertriage search` and `similar` (issue 4): thin commands over ``core.search``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..render import WITH_SIGHTINGS
from . import app
from .common import FormatOpt, ReverseOpt, SortOpt, err, nonempty, pick_format, pick_limit, state, write_papers
from .query_args import QueryCommand

SEARCH_HELP = """Find papers: words, "phrases", prefix*, OR, -exclusions and field filters.

\b
  kolmogorov arnold            all the words, in title or abstract (title hits first)
  "exact phrase"               these words in this order
  transfo*                     words starting so
  diffusion OR flow            either; -survey or NOT survey excludes
  (kan OR mlp) transformer     parentheses group; -(survey OR review)
  x-ray GPT-2 C++ e(3)         punctuation is searched as written, never an error
  title:kan  abstract:"graph neural"
  tag:interp  -tag:skip  tag:inter*  status:new
  upvotes>=5  authors<=3  seen>=2  (also > < <= =)
  year:2024  date:2024-06  after:2024-06-01  before:2024-07-01
  file:003                     seen in a dump whose file name contains 003

\b
Misspelt words are corrected against the library's own words and the query
searched instead is shown on stderr ("searching for: ..."); quote a word or
use --exact to search it as typed. A query may start with an exclusion
(papertriage search -survey kan); quote it when it holds "phrases" or
parentheses:  papertriage search 'kan -survey "neural network"'

\b
Exit status: 0 when papers matched, 1 when none did, 2 on a bad query.
"""


SearchLimitOpt = Annotated[Optional[int], typer.Option(
    "--limit", "-n", min=0, help="Show at most N papers (0: all) [default: 20 on a terminal, all when piped].")]


@app.command(help=SEARCH_HELP, cls=QueryCommand)
def search(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(
        metavar="QUERY", show_default=False, help="The query; several arguments are joined with spaces.")],
    fmt: FormatOpt = None,
    sort: SortOpt = "relevance",
    reverse: ReverseOpt = False,
    limit: SearchLimitOpt = None,
    exact: Annotated[bool, typer.Option("--exact", help="No typo correction: search the words as typed.")] = False,
    show_sql: Annotated[bool, typer.Option(
        "--show-sql", help="Print the SQL the search would run, with its parameters, and stop.")] = False,
) -> None:
    # Usually run without Typer (cli.main's fast path); here when Click reads the arguments.
    from .searching import run

    run(state(ctx), query, fmt.value if fmt is not None else None, sort, reverse, limit, exact, show_sql)


@app.command()
def similar(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id or a unique prefix of one.")],
    fmt: FormatOpt = None,
    limit: SearchLimitOpt = None,
) -> None:
    """Papers most like a given one: "more like this" during triage.

    Ranks papers by the distinctive words of the paper's title and abstract
    they share (rarer words and title words weigh more). Exit status 1 when
    no other paper shares any.
    """
    from ..core.search import similar as find_similar
    from ..render.safe import one_line

    lib = state(ctx).library
    name = pick_format(fmt)
    lim = pick_limit(limit, terminal_default=20)
    paper, words, papers = find_similar(lib, paper_id, limit=lim, with_sightings=name in WITH_SIGHTINGS)
    err(f"like {paper.id} {one_line(paper.title)}" + (f" (sharing: {' '.join(words)})" if words else ""))
    write_papers(nonempty(papers, "no similar papers"), name, highlight=words)
