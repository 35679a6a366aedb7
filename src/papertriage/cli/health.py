"""`papertriage check` and `papertriage backup`: is the library sound, and a copy of it."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import StoreError
from . import app
from .common import err, state


@app.command()
def check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option(
        "--repair", help="Rebuild what is derived from the papers (full-text index, vocabulary, blocking keys); "
                         "never touches tags, statuses, notes or history.")] = False,
) -> None:
    """Check that the library is sound; --repair rebuilds its derived indexes.

    Integrity, foreign keys, orphan rows, full-text index and vocabulary in
    step with the papers, unique ids and citation keys, blocking keys. Exit 0
    when sound, 3 when not."""
    from ..core.health import DERIVED, check as run_check, repair as run_repair

    lib = state(ctx).library
    if repair:
        done = run_repair(lib, on_step=lambda name: err(f"rebuilding {name}…"))
        print("rebuilt: " + ", ".join(f"{n} {what}" for what, n in done.items()))
    result = run_check(lib)
    for name, problems in result.problems.items():
        print(f"{name:<16} {'ok' if not problems else f'{len(problems)} problem' + ('s' if len(problems) > 1 else '')}")
        for problem in problems:
            print(f"  {problem}")
    if result.ok:
        return
    if result.repairable:
        raise StoreError("the library's derived data is out of step: `papertriage check --repair` rebuilds it")
    broken = [n for n, p in result.problems.items() if p and not DERIVED[n]]
    raise StoreError(f"the library has problems ({', '.join(broken)}): restore a backup, or export what "
                     "still reads (`papertriage export --format json`, `papertriage tag export`)")


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="Where to write the copy (a new file, or an "
                                                              "older backup it replaces).")],
) -> None:
    """Copy the library to FILE, consistent even while other papertriage commands write."""
    from ..core.health import backup as run_backup

    size = run_backup(state(ctx).library, file)
    print(f"backed up to {file} ({size / 1e6:.1f} MB)")
