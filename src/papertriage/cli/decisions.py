"""`papertriage mark`, `note` and `history`: triage status and notes (issue 5)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ..model import STATUSES

from . import app
from .changes import DryRunOpt, IdsArg, QueryOpt, QuietOpt, given_ids, n_papers, print_changes
from .common import err, state

# `mark keep|skip|read|new`: the decisions first, back to new last.
STATUS_ORDER = (*STATUSES[1:], STATUSES[0])
StatusChoice = Enum("StatusChoice", {s: s for s in STATUSES}, type=str)  # type: ignore[misc]


@app.command()
def mark(
    ctx: typer.Context,
    status: Annotated[StatusChoice, typer.Argument(metavar="|".join(STATUS_ORDER), help="The triage status to set.")],
    ids: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ID...|QUERY]", show_default=False,
        help="Paper ids or unique prefixes; - reads ids from stdin (the first word of each line; blank and # "
             "lines skipped, so `list`/`search` output pipes in). A query (it holds a `field:`, or --sort, "
             "--offset or --limit is given) decides every paper it selects.")] = None,
    query: QueryOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", "-s", metavar="KEY", help="With a query: the order --offset and --limit count in "
        "(added, seen, date, upvotes, title, interest, interest:TAG), as `list` shows it.")] = "added",
    offset: Annotated[int, typer.Option("--offset", min=0, help="With a query: leave the first N alone.")] = 0,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help="With a query: at most N papers.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Decide a large batch without asking "
                                      "(the config's confirm_above, 50 by default).")] = False,
    dry_run: DryRunOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Set the triage status of papers: keep, skip, read (or back to new).

    Examples: `papertriage mark keep 3f2a 9c1e`;
    `papertriage list --format ids | papertriage mark skip -`;
    `papertriage mark skip 'status:new' --sort interest --offset 20` (the rest of the
    queue below the twentieth). `papertriage undo` reverts the whole batch.
    """
    from ..core.decisions import mark as mark_papers
    from ..errors import UserError

    lib = state(ctx).library
    batch = sort != "added" or offset or limit is not None
    if query is None and ids and "-" not in ids and (batch or any(":" in a or " " in a.strip() for a in ids)):
        query, ids = " ".join(ids), None
    if query is not None:
        from ..core.batch import select_batch
        from .common import check_sort, interest_note

        check_sort(sort)
        if ids:
            raise UserError("give paper ids or a query, not both")
        interest_note(lib, sort)
        chosen = select_batch(lib, query, sort=sort, offset=offset, limit=limit)
        if not dry_run and not yes:
            _confirm_batch(chosen, status.value)
    else:
        if batch:
            raise UserError("--sort, --offset and --limit go with a query, not with ids")
        chosen = given_ids(ids, None)
    report = mark_papers(lib, chosen, status.value, dry_run=dry_run)
    if dry_run:
        print_changes(report)
    if not quiet:
        n, rest = len(report.changes), report.selected - len(report.changes)
        verb = "would be marked" if dry_run else "marked"
        if not n:
            print(f"{status.value}: nothing to do ({rest} already {status.value})")
        else:
            print(f"{status.value}: {n_papers(n)} {verb}" + (f" ({rest} already {status.value})" if rest else ""))


def _confirm_batch(ids: list[str], status: str) -> None:
    """Above the config's confirm_above, ask on a terminal; refuse without one (unless --yes)."""
    from ..config import load_config
    from ..errors import UserError

    above = load_config().confirm_above
    if len(ids) <= above:
        return
    question = f"mark {n_papers(len(ids))} {status}? (more than confirm_above = {above}) [y/N] "
    if not sys.stdin.isatty():
        raise UserError(f"would mark {n_papers(len(ids))} {status}, more than confirm_above ({above}): "
                        "pass --yes, or --dry-run to see them; nothing changed")
    sys.stderr.write(question)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        from ..errors import NoMatch

        raise NoMatch("nothing changed")


def _edit(initial: str) -> str:
    """Open an editor on a temp file holding ``initial``; returns what was saved.

    Which editor, as git chooses: $VISUAL, then $EDITOR, then nano, then vi.
    """
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from ..errors import UserError

    editor = os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip()
    if not editor:
        import shutil

        if not sys.stdin.isatty():  # nano or vi with no terminal would hang or fail
            raise UserError("no TEXT given and no $VISUAL or $EDITOR set: pass the note text, or - to read it "
                            "from stdin")
        editor = next((name for name in ("nano", "vi") if shutil.which(name)), "")
        if not editor:
            raise UserError("no TEXT given, no $VISUAL or $EDITOR set, and neither nano nor vi found: "
                            "pass the note text, or - to read it from stdin")
    fd, name = tempfile.mkstemp(prefix="papertriage-note-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(initial)
        try:
            code = subprocess.call([*shlex.split(editor), name])
        except OSError as exc:
            raise UserError(f"cannot run the editor {editor!r}: {exc.strerror or exc}") from None
        if code != 0:
            raise UserError(f"the editor {editor!r} exited with status {code}; note unchanged")
        return Path(name).read_text(encoding="utf-8")
    finally:
        os.unlink(name)


@app.command()
def note(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id or a unique prefix of one.")],
    text: Annotated[Optional[str], typer.Argument(
        metavar="[TEXT]", show_default=False,
        help="The note; - reads it from stdin; \"\" clears it. Without TEXT, $EDITOR opens on the current note.")] = None,
) -> None:
    """Write the free-text note of a paper (replacing the old one)."""
    from ..core.decisions import get_note, set_note

    lib = state(ctx).library
    if text is None:
        old = get_note(lib, paper_id) or ""
        text = _edit(old + "\n" if old else "")
    elif text == "-":
        text = sys.stdin.read()
    changed = set_note(lib, paper_id, text)
    if not changed:
        print("note unchanged")
    else:
        print("note cleared" if not text.strip() else "note saved")


def _local_time(at: str) -> str:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


@app.command()
def history(
    ctx: typer.Context,
    paper_id: Annotated[Optional[str], typer.Argument(
        metavar="[ID]", show_default=False, help="A paper id or prefix; without it, the latest changes to any paper.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, help="At most N changes, the latest (0: all).")] = 50,
) -> None:
    """The changes to a paper's tags, status and note, with their times (local time)."""
    from ..core.decisions import history as load_history
    from ..render.safe import one_line

    entries = load_history(state(ctx).library, paper_id, limit=limit or None)
    if paper_id is not None and entries:
        print(f"{entries[0].paper}  {one_line(entries[0].title)}")
    if not entries:
        err("no changes recorded yet")
    for e in entries:
        detail = one_line(e.detail or "")
        if len(detail) > 100:
            detail = detail[:99] + "…"
        who = "" if paper_id is not None else f"{e.paper}  "
        via = f"  [{one_line(e.via)}]" if e.via else ""
        print(f"{_local_time(e.at)}  {who}{e.action:<6}  {detail}{via}")
