"""Commands about the library itself and where its papers come from (issue 12):
`open`, `where`, `dumps`, `forget`."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from . import app
from .common import err, state


def _has_display() -> bool:
    """A browser can be shown: macOS, Windows, or a Linux/BSD desktop session."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@app.command("open")
def open_(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id or a unique prefix of one.")],
    print_only: Annotated[bool, typer.Option("--print", "-p", help="Only print the URL.")] = False,
) -> None:
    """Open a paper's page in the browser (arXiv page, or an arXiv title search).

    The arXiv page when the paper's arXiv id is known (from an API dump),
    else an arXiv search for its title. Without a display (or with --print)
    the URL is printed instead."""
    from ..core.papers import paper_url

    url = paper_url(state(ctx).library, paper_id)
    if print_only or not _has_display():
        print(url)
        return
    import webbrowser

    if not webbrowser.open(url):
        print(url)
        return
    err(f"opened {url}")


@app.command()
def where(ctx: typer.Context) -> None:
    """Print the library file in use (and whether it exists yet).

    The library is --library PATH, else $PAPERTRIAGE_LIBRARY, else library.db
    in the user data folder. On stderr: whether it exists; exit 1 when not.
    """
    from pathlib import Path

    from ..errors import NoMatch

    path = Path(state(ctx).path()).expanduser()
    print(path.resolve() if path.parent.is_dir() else path)
    if not path.exists():
        raise NoMatch("no library there yet: `papertriage ingest PATH...` creates it")


class DumpFormat(str, Enum):
    table = "table"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


@app.command()
def dumps(
    ctx: typer.Context,
    fmt: Annotated[Optional[DumpFormat], typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="table, tsv, json or jsonl [default: table on a terminal, tsv when piped].")] = None,
) -> None:
    """List the dumps ingested: name, layout, date, records, new papers.

    Oldest first. `new`: papers first seen in the dump; `only`: papers seen
    only there (what `forget` would remove); `sha256`: the start of its
    content's SHA-256, which `forget` takes too."""
    from ..core.forget import list_dumps
    from ..errors import NoMatch
    from ..render.dumps import render_dumps
    from .common import stdout_is_terminal

    found = list_dumps(state(ctx).library)
    if not found:
        raise NoMatch("no dumps ingested yet: `papertriage ingest PATH...` reads them")
    name = fmt.value if fmt is not None else ("table" if stdout_is_terminal() else "tsv")
    render_dumps(found, name, sys.stdout)


@app.command()
def forget(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(
        metavar="DUMP...", help="Dumps to forget: a file (matched by its content), a name or path as "
                                "`dumps` lists it, or the start of its SHA-256.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go and change nothing.")] = False,
) -> None:
    """Remove dumps from the library: their sightings and the papers seen only there.

    A paper also seen in another dump stays (same id, key and note name) and
    loses only that sighting. The decisions of the papers that go (tags,
    status, note, history) are listed and kept: ingesting the same dump again
    brings them back, and `undo` does it for you."""
    from ..core.forget import forget as run_forget
    from ..render.dumps import render_forget

    report = run_forget(state(ctx).library, names, dry_run=dry_run)
    render_forget(report, sys.stdout)
