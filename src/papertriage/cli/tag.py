"""`papertriage tag …`, `mark`, `note`, `history`, `config` (issue 5).

Thin commands over ``core.tags``: read the options, gather the paper ids
(arguments, ``-`` for stdin, or ``--query``), call one use case, print what
changed. Summaries go to stdout; with ``--dry-run`` every change is listed.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import app
from .common import err, state

if TYPE_CHECKING:
    from ..core.tags import Report, RuleResult
    from ..store import Library

tag_app = typer.Typer(
    name="tag",
    help="Add, remove, list, rename and delete tags; apply rules files; export and import decisions.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(tag_app, name="tag")

IdsArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="[ID...]", show_default=False,
    help="Paper ids or unique prefixes; - reads ids from stdin (the first word of each line; "
         "blank and # lines skipped, so `list`/`search` output in tsv or ids format pipes in).")]
QueryOpt = Annotated[Optional[str], typer.Option(
    "--query", metavar="QUERY", help="Select the papers with a query instead of ids (see `search --help`).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print what would change and change nothing.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


class StatusChoice(str, Enum):
    new = "new"
    keep = "keep"
    skip = "skip"
    read = "read"


class TagListFormat(str, Enum):
    text = "text"
    tsv = "tsv"
    json = "json"


def selected_pks(lib: "Library", ids: list[str] | None, query: str | None) -> list[int]:
    """Arguments, `-` (stdin) and --query -> paper pks; unknown ids: an error naming them all."""
    from ..core.tags import read_ids, select_pks
    from ..errors import NoMatch

    tokens: list[str] = []
    from_stdin = False
    for arg in ids or []:
        if arg == "-":
            if not from_stdin:
                tokens.extend(read_ids(sys.stdin))
            from_stdin = True
        else:
            tokens.append(arg)
    if from_stdin and not tokens and query is None:
        raise NoMatch("no paper ids on stdin; nothing changed")
    return select_pks(lib, tokens, query)


_VERBS = {"tag+": "add tag", "tag-": "remove tag", "status": "mark", "note": "set note"}


def print_changes(report: "Report") -> None:
    """One line per change: `would add tag llm  3f2a1b2c  Title`."""
    from ..render.safe import one_line

    for c in report.changes:
        detail = one_line(c.detail or "")
        if c.action == "status":
            detail = detail.split(" -> ")[-1] + f" (was {detail.split(' -> ')[0]})"
        elif c.action == "note":
            detail = (detail[:40] + "…") if len(detail) > 40 else detail
        print(f"{'would ' if report.dry_run else ''}{_VERBS.get(c.action, c.action)} {detail}  "
              f"{c.paper}  {one_line(c.title)}")


def _papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


def _print_tag_summary(report: "Report", action: str, quiet: bool) -> None:
    if report.dry_run:
        print_changes(report)
    if quiet:
        return
    for tag in report.tags:
        n = report.count(action, tag)
        rest = report.selected - n
        if action == "tag+":
            verb = "would be added to" if report.dry_run else "added to"
            other = f"{rest} already {'have' if report.dry_run else 'had'} it"
        else:
            verb = "would be removed from" if report.dry_run else "removed from"
            other = f"{rest} did not have it"
        if not n:
            print(f"{tag}: nothing to do ({other})")
            continue
        print(f"{tag}: {verb} {_papers(n)}" + (f" ({other})" if rest else ""))


@tag_app.command("add")
def tag_add(
    ctx: typer.Context,
    tags: Annotated[str, typer.Argument(metavar="TAGS", help="A tag, or a comma-separated list (llm,to-read).")],
    ids: IdsArg = None,
    query: QueryOpt = None,
    dry_run: DryRunOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Tag papers. Tags they already have are left alone.

    Examples: `papertriage tag add llm,to-read 3f2a 9c1e`;
    `papertriage search kan --format ids | papertriage tag add method/kan -`;
    `papertriage tag add sparsity --query 'sparse attention'`.
    """
    from ..core import tags as core

    names = core.parse_tags(tags)
    lib = state(ctx).library
    report = core.add_tags(lib, selected_pks(lib, ids, query), names, dry_run=dry_run)
    _print_tag_summary(report, "tag+", quiet)


@tag_app.command("remove")
def tag_remove(
    ctx: typer.Context,
    tags: Annotated[str, typer.Argument(metavar="TAGS", help="A tag, or a comma-separated list.")],
    ids: IdsArg = None,
    query: QueryOpt = None,
    dry_run: DryRunOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Remove tags from papers. Papers without them are left alone."""
    from ..core import tags as core

    names = core.parse_tags(tags)
    lib = state(ctx).library
    report = core.remove_tags(lib, selected_pks(lib, ids, query), names, dry_run=dry_run)
    _print_tag_summary(report, "tag-", quiet)


@tag_app.command("list")
def tag_list(
    ctx: typer.Context,
    fmt: Annotated[TagListFormat, typer.Option("--format", "-f", help="text, tsv (tag, count) or json.")]
    = TagListFormat.text,
    by_count: Annotated[bool, typer.Option("--by-count", help="Most used tags first.")] = False,
) -> None:
    """Every tag, with the number of papers that carry it."""
    from ..core.tags import tag_counts

    counts = tag_counts(state(ctx).library)
    if by_count:
        counts.sort(key=lambda tc: -tc[1])
    if fmt is TagListFormat.json:
        import json

        print(json.dumps([{"tag": t, "papers": n} for t, n in counts], ensure_ascii=False, indent=2))
    elif fmt is TagListFormat.tsv:
        print("#tag\tpapers")
        for t, n in counts:
            print(f"{t}\t{n}")
    else:
        if not counts:
            err("no tags yet: `papertriage tag add TAG ID...` adds some")
        width = max((len(str(n)) for _, n in counts), default=1)
        for t, n in counts:
            print(f"{n:>{width}}  {t}")


@tag_app.command("rename")
def tag_rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", help="The tag to rename.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new name; if NEW exists, OLD is merged into it.")],
    dry_run: DryRunOpt = False,
) -> None:
    """Rename a tag on every paper (merging into NEW if it exists already)."""
    from ..core.tags import rename_tag

    report = rename_tag(state(ctx).library, old, new, dry_run=dry_run)
    if dry_run:
        print_changes(report)
    old_name, new_name = report.tags
    if not report.changes:
        print(f"{old_name} is already spelled {new_name}; nothing changed")
        return
    renamed = report.count("tag+")
    merged = report.count("tag-") - renamed
    verb = "would rename" if dry_run else "renamed"
    extra = f" ({merged} already had {new_name}: merged)" if merged else ""
    print(f"{verb} {old_name} to {new_name} on {_papers(renamed + merged)}{extra}")


@tag_app.command("delete")
def tag_delete(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(metavar="TAG", help="The tag to remove from every paper.")],
    dry_run: DryRunOpt = False,
) -> None:
    """Remove a tag from every paper (the history keeps a record)."""
    from ..core.tags import delete_tag

    report = delete_tag(state(ctx).library, tag, dry_run=dry_run)
    if dry_run:
        print_changes(report)
    print(f"{'would delete' if dry_run else 'deleted'} {report.changes[0].detail} from {_papers(report.selected)}")


def print_rule_results(results: list["RuleResult"], *, dry_run: bool, out=None) -> None:
    """Per rule: how many papers it matched and what it did (shared with `ingest`)."""
    from ..render.safe import one_line

    out = out or sys.stdout
    would = "would be " if dry_run else ""
    for r in results:
        did = []
        if r.rule.tags:
            did.append(f"{r.tagged()} {would}tagged {','.join(r.rule.tags)}")
        if r.rule.status:
            did.append(f"{r.marked()} {would}marked {r.rule.status}")
        out.write(f"rule {one_line(r.rule.describe())!r} ({r.rule.source}:{r.rule.line}): "
                  f"{r.matched} match, {', '.join(did)}\n")


def configured_rules(lib: "Library") -> tuple[list, int]:
    """For `ingest`: the rules the config lists, checked before anything is written,
    and the newest paper's pk now (papers above it will be the new ones)."""
    from ..config import load_config
    from ..core.tags import check_rules, load_rules

    rules = [rule for path in load_config().rules for rule in load_rules(path)]
    if not rules:
        return [], 0
    check_rules(lib, rules)
    return rules, lib.max_paper_pk()


def apply_configured_rules(lib: "Library", rules: list, newest: int, *, quiet: bool = False) -> None:
    """For `ingest`: run the config's rules on the papers it just added, and say what they did."""
    from ..core.tags import apply_rules, papers_added_after

    if not rules:
        return
    added = papers_added_after(lib, newest)
    if not added:
        return
    results = apply_rules(lib, rules, only_ids=added)
    if not quiet:
        print_rule_results(results, dry_run=False)


@tag_app.command("apply")
def tag_apply(
    ctx: typer.Context,
    rules_files: Annotated[list[str], typer.Argument(metavar="RULES.yaml...", help="Rules files (see examples/rules.yaml).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show per rule how many papers it would touch; change nothing.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every change.")] = False,
) -> None:
    """Tag (or mark) the papers each rule's query matches, all rules in one go.

    A rules file is YAML: a list of rules, each a `query` and a `tag`/`tags`
    and/or a `status` (keep, skip, read). Tags are only added; a status rule
    changes only papers still `new`, never a decision made by hand. Rules
    files listed in the config file (`papertriage config`) also run on the new
    papers of every ingest.
    """
    from ..core.tags import Report, apply_rules, load_rules

    rules = [rule for path in rules_files for rule in load_rules(path)]
    results = apply_rules(state(ctx).library, rules, dry_run=dry_run)
    if verbose or dry_run:
        for r in results:
            print_changes(Report(changes=r.changes, dry_run=dry_run))
    print_rule_results(results, dry_run=dry_run)


@tag_app.command("export")
def tag_export(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Every paper, not only those with tags, a note or a status other than new.")] = False,
) -> None:
    """Write tags, statuses and notes as YAML keyed by paper id (with titles for humans).

    `papertriage tag export > decisions.yaml` on one machine and
    `papertriage tag import decisions.yaml` on another (or after a fresh
    ingest) bring every decision back.
    """
    from ..core.tags import export_state

    sys.stdout.write(export_state(state(ctx).library, everything=everything))


@tag_app.command("import")
def tag_import(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="FILE", help="A file written by `tag export`, or - for stdin.")],
    replace: Annotated[bool, typer.Option("--replace", help="Make each listed paper's tags exactly the file's (default: add them).")] = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Read tags, statuses and notes back from a `tag export` file.

    Statuses and notes are set as written; tags are added (`--replace`
    removes the ones the file does not list). Papers not in the file are left
    alone. Each entry goes to the paper with its id, or, when this library
    knows the paper under another id (dumps ingested in another order), to
    the paper with its title and abstract. Entries that fit no paper are
    listed on stderr and the rest is imported (exit status 1). A mistake in
    the file's YAML changes nothing.
    """
    from ..core.tags import import_state

    lib = state(ctx).library
    if path == "-":
        report = import_state(lib, text=sys.stdin.read(), source="<stdin>", replace=replace, dry_run=dry_run)
    else:
        report = import_state(lib, path, replace=replace, dry_run=dry_run)
    if dry_run:
        print_changes(report)
    would = "would change" if dry_run else "changed"
    print(f"{report.selected} papers in the file; {would} {report.papers_changed()}: "
          f"{report.count('status')} statuses, {report.count('tag+')} tags added, "
          f"{report.count('tag-')} removed, {report.count('note')} notes")
    if report.by_content:
        err(f"{report.by_content} of them found by title and abstract (known here under another id)")
    if report.unplaced:
        from ..errors import ExitCode
        from ..render.safe import one_line

        err(f"papertriage: could not place {_papers(len(report.unplaced))} (no paper here has the id, "
            f"title or abstract); {'nothing would be' if dry_run else 'nothing was'} imported for:")
        for u in report.unplaced:
            err(f"  {u.source}:{u.line}: {one_line(u.token)}  {one_line(u.title or '(no title in the file)')}")
        raise typer.Exit(ExitCode.NO_MATCH)


# -- top-level commands -------------------------------------------------------

@app.command()
def mark(
    ctx: typer.Context,
    status: Annotated[StatusChoice, typer.Argument(metavar="keep|skip|read|new", help="The triage status to set.")],
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
    from ..core.tags import mark as mark_papers

    lib = state(ctx).library
    batch = sort != "added" or offset or limit is not None
    if query is None and ids and "-" not in ids and (batch or any(":" in a or " " in a.strip() for a in ids)):
        query, ids = " ".join(ids), None
    if query is not None:
        from ..core.batch import select_batch
        from .common import check_sort, interest_note

        check_sort(sort)
        if ids:
            from ..errors import UserError

            raise UserError("give paper ids or a query, not both")
        interest_note(lib, sort)
        pks = select_batch(lib, query, sort=sort, offset=offset, limit=limit)
        if not dry_run and not yes:
            _confirm_batch(lib, pks, status.value)
    else:
        if batch:
            from ..errors import UserError

            raise UserError("--sort, --offset and --limit go with a query, not with ids")
        pks = selected_pks(lib, ids, query)
    report = mark_papers(lib, pks, status.value, dry_run=dry_run)
    if dry_run:
        print_changes(report)
    if not quiet:
        n, rest = len(report.changes), report.selected - len(report.changes)
        verb = "would be marked" if dry_run else "marked"
        if not n:
            print(f"{status.value}: nothing to do ({rest} already {status.value})")
        else:
            print(f"{status.value}: {_papers(n)} {verb}" + (f" ({rest} already {status.value})" if rest else ""))


def _confirm_batch(lib: "Library", pks: list[int], status: str) -> None:
    """Above the config's confirm_above, ask on a terminal; refuse without one (unless --yes)."""
    from ..config import load_config
    from ..errors import UserError

    above = load_config().confirm_above
    if len(pks) <= above:
        return
    question = f"mark {_papers(len(pks))} {status}? (more than confirm_above = {above}) [y/N] "
    if not sys.stdin.isatty():
        raise UserError(f"would mark {_papers(len(pks))} {status}, more than confirm_above ({above}): "
                        "pass --yes, or --dry-run to see them; nothing changed")
    sys.stderr.write(question)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        from ..errors import NoMatch

        raise NoMatch("nothing changed")


def _edit(initial: str) -> str:
    """Open $EDITOR on a temp file holding ``initial``; returns what was saved."""
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from ..errors import UserError

    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        if not sys.stdin.isatty():
            raise UserError("no TEXT given and no $EDITOR set: pass the note text, or - to read it from stdin")
        editor = "vi"
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
    from ..core.tags import get_note, set_note

    lib = state(ctx).library
    (pk,) = lib.resolve_ids([paper_id])
    if text is None:
        old = get_note(lib, pk) or ""
        text = _edit(old + "\n" if old else "")
    elif text == "-":
        text = sys.stdin.read()
    changed = set_note(lib, pk, text)
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
    from ..core.tags import history as load_history
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
        print(f"{_local_time(e.at)}  {who}{e.action:<6}  {detail}")


@app.command()
def config(
    path_only: Annotated[bool, typer.Option("--path", help="Print only the config file's path.")] = False,
) -> None:
    """Show where the config file is (env PAPERTRIAGE_CONFIG moves it) and what it says.

    The config lists rules files applied to the new papers of every ingest:

        rules:
          - rules.yaml       # relative to the config file's folder
    """
    from ..config import EXAMPLE, config_path, load_config
    from ..core.tags import load_rules
    from ..errors import UserError
    from ..render.safe import terminal_safe

    path = config_path()
    if path_only:
        print(path)
        return
    print(f"config file: {path}")
    if not path.exists():
        print("(no config file yet; it could say, for example:)\n")
        sys.stdout.write(EXAMPLE)
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"cannot read the config file: {exc.strerror or exc}", file=str(path)) from None
    print()
    print(terminal_safe(text.rstrip("\n")))
    sys.stdout.flush()
    cfg = load_config(path)  # the contents are shown first, then any mistake in them
    if cfg.rules:
        print()
    for rules_path in cfg.rules:
        rules = load_rules(rules_path)
        print(f"rules file {rules_path}: {len(rules)} rule{'s' if len(rules) != 1 else ''}")
