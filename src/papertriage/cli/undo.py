"""`papertriage undo`: revert the last command that changed decisions; `undo --list` (issue 13)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app
from .common import state


@app.command()
def undo(
    ctx: typer.Context,
    list_steps: Annotated[bool, typer.Option("--list", "-l", help="Show the recent steps instead.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="With --list: how many steps.")] = 10,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be undone and change nothing.")] = False,
) -> None:
    """Revert the last command that changed tags, statuses or notes, as a whole.

    A batch (`mark skip --query ...`, `tag add`, a rules file) is one step; each
    decision on the triage screen is one. Run it again to go further back.
    `undo --list` shows the recent steps, newest first.
    """
    from ..core.undo import recent_steps, undo as undo_step
    from ..render.safe import one_line
    from .decisions import _local_time

    lib = state(ctx).library
    if list_steps:
        steps = recent_steps(lib, limit)
        if not steps:
            from ..errors import NoMatch

            raise NoMatch("no changes recorded yet")
        for s in steps:
            undone = f"  (undone by step {s.undone_by})" if s.undone_by else ""
            print(f"{s.id:>5}  {_local_time(s.at)}  {s.changes:>4} change{'s' if s.changes != 1 else ' '}"
                  f"  {one_line(s.command)}{undone}")
        return
    report = undo_step(lib, dry_run=dry_run)
    s = report.step
    verb = "would undo" if dry_run else "undone"
    papers = f"{s.papers} paper{'s' if s.papers != 1 else ''}"
    print(f"{verb}: step {s.id}, {one_line(s.command)} ({report.reverted} change{'s' if report.reverted != 1 else ''}"
          f" on {papers})")
    if report.skipped:
        print(f"left as they are (no inverse known): {', '.join(sorted(set(report.skipped)))}")
