"""`papertriage tag …` (issue 5).

Thin commands over ``core.tags``, ``core.rules`` and ``core.roundtrip``:
read the options, gather the paper ids (arguments, ``-`` for stdin, or
``--query``), call one use case, print what changed. Summaries go to stdout; with ``--dry-run`` every change is listed.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import app
from .changes import DryRunOpt, IdsArg, QueryOpt, QuietOpt, given_ids, n_papers, print_changes, print_rule_results
from .common import err, state

if TYPE_CHECKING:
    from ..core.changes import Report

tag_app = typer.Typer(
    name="tag",
    help="Add, remove, list, rename and delete tags; apply rules files; export and import decisions.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(tag_app, name="tag")


class TagListFormat(str, Enum):
    text = "text"
    tsv = "tsv"
    json = "json"


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
        print(f"{tag}: {verb} {n_papers(n)}" + (f" ({other})" if rest else ""))


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
    report = core.add_tags(state(ctx).library, given_ids(ids, query), names, query=query, dry_run=dry_run)
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
    report = core.remove_tags(state(ctx).library, given_ids(ids, query), names, query=query, dry_run=dry_run)
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
    """Rename a tag on every paper (merging into NEW if it exists already).

    The tags under it move along: `tag rename method approach` also renames
    method/kan to approach/kan.
    """
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
    below = {c.detail for c in report.changes if c.action == "tag-" and c.detail != old_name}
    extra = f" ({merged} already had {new_name if not below else 'the new name'}: merged)" if merged else ""
    what = f"{old_name} and {len(below)} tag{'s' if len(below) != 1 else ''} under it" if below else old_name
    print(f"{verb} {what} to {new_name} on {n_papers(report.selected)}{extra}")


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
    print(f"{'would delete' if dry_run else 'deleted'} {report.changes[0].detail} from {n_papers(report.selected)}")


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
    from ..core.changes import Report
    from ..core.rules import apply_rules, load_rules

    rules = [rule for path in rules_files for rule in load_rules(path)]
    results = apply_rules(state(ctx).library, rules, dry_run=dry_run)
    if verbose:  # --dry-run alone prints the counts per rule, as its help says
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
    from ..core.roundtrip import export_decisions

    sys.stdout.write(export_decisions(state(ctx).library, everything=everything))


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
    from ..core.roundtrip import import_decisions as import_state

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
        from ..errors import NoMatch
        from ..render.safe import one_line

        err(f"papertriage: could not place {n_papers(len(report.unplaced))} (no paper here has the id, "
            f"title or abstract); {'nothing would be' if dry_run else 'nothing was'} imported for:")
        for u in report.unplaced:
            err(f"  {u.source}:{u.line}: {one_line(u.token)}  {one_line(u.title or '(no title in the file)')}")
        raise NoMatch("entries not placed", reported=True)

