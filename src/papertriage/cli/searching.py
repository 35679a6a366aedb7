"""What `papertriage search` does, and its way past Typer (issue 16, start-up).

A search is the short command run most, and importing Typer and its Click
and building the command cost a quarter of the whole process (more than
the search itself at 100k papers). So ``cli.main`` hands the arguments of
a plain search (``[--library P] [--debug] search WORDS`` with any of
``--format``, ``--sort``, ``--reverse``, ``--limit``, ``--exact``,
``--show-sql``, in the forms Click takes) to ``fast_path`` here, which
runs ``run`` (the body the Typer command runs too) without Typer. Anything
else (``--help``, an unknown option, a value Click would refuse, no words)
goes to the Typer command, so every message stays Click's own.

Arguments are read as ``query_args.query_terms_last`` reads them: an
argument that is not one of search's options is a query term, also when it
starts with ``-`` (``search -survey kan``).
"""

from __future__ import annotations

import os
from typing import Callable

from . import common
from .commands import LIBRARY_ENV

# option -> its name in ``run``, for the options that take a value
_VALUED = {"--format": "fmt", "-f": "fmt", "--sort": "sort", "-s": "sort", "--limit": "limit", "-n": "limit"}
_FLAGS = {"--reverse": "reverse", "--exact": "exact", "--show-sql": "show_sql"}


def run(st: "common.State", query: list[str], fmt: str | None = None, sort: str = "relevance",
        reverse: bool = False, limit: int | None = None, exact: bool = False, show_sql: bool = False) -> None:
    """The search command: ``fmt`` a format name (None: table on a terminal, tsv
    when piped), ``limit`` None for the default (20 on a terminal, all when piped)."""
    from ..core.search import search as run_search
    from ..render import WITH_SIGHTINGS

    lib = st.library
    name = fmt if fmt is not None else common.pick_format(None)
    lim = common.pick_limit(limit, terminal_default=20)
    common.interest_note(lib, sort)
    result = run_search(lib, " ".join(query), sort=sort, limit=lim, fix_typos=not exact, reverse=reverse,
                        with_sightings=name in WITH_SIGHTINGS)
    if result.corrected:
        unknown = f" (no paper has: {' '.join(result.dropped)})" if result.dropped else ""
        common.err(f"searching for: {result.searched}{unknown}")
    if show_sql:
        print("\n".join(result.statements))
        return
    shown = common.write_papers(common.nonempty(result.papers, "no papers match"), name, highlight=result.highlight)
    if limit is None and lim is not None and shown == lim:
        total = result.total()
        if total > shown:
            common.err(f"showing {shown} of {total} matches; --limit 0 shows all")


def _value_ok(name: str, value: str) -> bool:
    """Whether Click takes ``value`` for the option ``name`` without a word."""
    if name == "fmt":
        from ..render import LIST_FORMATS

        return value in LIST_FORMATS
    if name == "sort":
        from ..model import SORTS

        return value in SORTS or (value.startswith("interest:") and len(value) > 9)
    return value.isascii() and value.isdigit()  # --limit: a whole number, 0 or more


def _attached(name: str, value: str) -> bool:
    """Whether ``-fVALUE`` is the option with its value, as ``query_args`` decides
    (``-n5`` is a limit, ``-nlp`` the exclusion of ``nlp``; ``-s`` takes none attached)."""
    if name == "fmt":
        from ..render import FORMATS

        return value in FORMATS
    return name == "limit" and value.isdigit()


def parse(args: list[str]) -> dict | None:
    """search's options and words from ``args`` (what follows ``search``), as
    keyword arguments of ``run``; None when the Typer command should read them."""
    options: dict = {"query": []}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            options["query"].extend(args[i + 1:])
            break
        if arg in _FLAGS:
            options[_FLAGS[arg]] = True
        elif arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name not in _VALUED or not eq:
                if name not in _VALUED or i + 1 >= len(args):
                    return None  # --help, an unknown option, --reverse=x, a value missing
                value = args[i + 1]
                i += 1
            if not _value_ok(_VALUED[name], value):
                return None
            options[_VALUED[name]] = value
        elif arg[:2] in _VALUED and (len(arg) == 2 or _attached(_VALUED[arg[:2]], arg[2:])):
            name, value = _VALUED[arg[:2]], arg[2:]
            if len(arg) == 2:
                if i + 1 >= len(args):
                    return None
                value = args[i + 1]
                i += 1
            if not _value_ok(name, value):
                return None
            options[name] = value
        elif arg[:2] == "-h":
            return None
        else:
            options["query"].append(arg)  # a word, or an exclusion (-survey)
        i += 1
    if not options["query"]:
        return None  # Click says the query is missing
    if "limit" in options:
        options["limit"] = int(options["limit"])
    return options


def fast_path(library: str | None, debug: bool, args: list[str],
              guarded: Callable[[Callable[[], None], bool], int]) -> int | None:
    """Run `papertriage search ARGS` without Typer, or return None to leave it
    to the Typer command. ``library``: the --library given, if any;
    ``guarded`` runs the search the way ``cli.main`` maps errors to exit codes."""
    options = parse(args)
    if options is None:
        return None
    if library is None:
        library = os.environ.get(LIBRARY_ENV)
        if library is not None and not library:
            return None  # an empty $PAPERTRIAGE_LIBRARY: as Click reads it
    st = common.State(library, debug)
    st.may_create = False  # only `ingest` makes a library

    def search() -> None:
        try:
            run(st, **options)
        finally:
            st.close()

    return guarded(search, debug)
