"""Commands about the library itself and where its papers come from (issue 12):
`open`, `where`, `dumps`, `forget`."""

from __future__ import annotations

import os
import sys
from typing import Annotated

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
