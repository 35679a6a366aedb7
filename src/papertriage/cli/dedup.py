"""Review and correct dedup: `dupes`, `merge`, `split`, `unmerge` (issue 11)."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from . import app
from .common import FormatOpt, err, pick_format, pick_limit, state

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]


@app.command()
def dupes(
    ctx: typer.Context,
    near: Annotated[bool, typer.Option(
        "--near", help="Pairs NOT merged that came close, most similar first, with the reason they were kept apart.")] = False,
    rules: Annotated[bool, typer.Option(
        "--rules", help="List the dedup rules and thresholds (with the config file's values) and exit.")] = False,
    fmt: FormatOpt = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, help="At most N (0: all) [default: 20 on a terminal, all when piped].")] = None,
) -> None:
    """Merged papers whose sightings differ, and pairs kept apart that came close (--near).

    Without --near: merged papers seen under more than one title or with a
    notably different abstract, sightings side by side with the rule that
    joined each one."""
    from ..errors import NoMatch

    if rules:
        _print_rules()
        return
    from ..core.dedupe import find_dupes, find_near
    from ..render.dupes import render_dupes, render_near

    lib = state(ctx).library
    lim = pick_limit(limit, terminal_default=20)
    form = pick_format(fmt)
    if near:
        pairs = find_near(lib, lim)
        if not pairs:
            raise NoMatch("no near-misses recorded: no two papers came close without being merged")
        render_near(pairs, form, sys.stdout)
        return
    groups = find_dupes(lib, lim)
    if not groups:
        raise NoMatch("no merged paper has sightings with different titles or abstracts")
    render_dupes(groups, form, sys.stdout)


def _print_rules() -> None:
    from .. import dedup
    from ..config import load_config

    t = load_config().dedup_thresholds()
    print("rules (code, name: why)")
    for rule in dedup.RULES.values():
        print(f"  {'joins' if rule.joins else 'apart'}  {rule.code:<11} {rule.name}: {rule.why}")
    print("\nthresholds (set them under `dedup:` in the config file)")
    for name, why in dedup.THRESHOLD_REASONS.items():
        value = getattr(t, name)
        mark = "" if value == getattr(dedup.DEFAULT_THRESHOLDS, name) else " (config)"
        print(f"  {name:<24} {value:>6g}{mark}  {why}")


def _sightings(n: int) -> str:
    return f"{n} sighting{'s' * (n != 1)}"


def _print_report(report, verb: str) -> None:
    from ..render.safe import one_line

    would = "would " if report.dry_run else ""
    for change in report.changes:
        print(f"{would}{'settle' if report.dry_run else 'settled'}: {change}")
    if report.action == "merge":
        print(f"{would}merge {', '.join(report.others)} into {report.paper}  {one_line(report.title)} "
              f"({_sightings(report.moved)} moved)")
        if not report.dry_run:
            print(report.paper)
    elif report.action == "split":
        print(f"{would}split {_sightings(report.moved)} off {report.paper} into {report.others[0]}")
        if not report.dry_run:
            print(report.others[0])
    else:
        print(f"{would}unmerge {report.others[0]} from {report.paper}  {one_line(report.title)} "
              f"({_sightings(report.moved)} moved)")
        if not report.dry_run:
            print(report.others[0])


@app.command()
def merge(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID ID...", help="Paper ids; the first one survives.")],
    dry_run: DryRunOpt = False,
) -> None:
    """Merge papers by hand; the first id survives and the others resolve to it.

    Tags, sightings, status and notes combine (the most decided status wins,
    notes are joined); later ingests keep the sightings together."""
    from ..core.dedupe import merge as merge_papers

    _print_report(merge_papers(state(ctx).library, ids, dry_run=dry_run), "merge")


@app.command()
def split(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="The paper to take sightings out of.")],
    sightings: Annotated[list[str], typer.Argument(
        metavar="SIGHTING...", help="file:line, or the number `show ID --explain` gives the sighting.")],
    dry_run: DryRunOpt = False,
) -> None:
    """Take sightings out of a wrong merge into a paper of their own.

    The new paper gets its own id; later ingests keep the sightings apart."""
    from ..core.dedupe import split as split_paper

    _print_report(split_paper(state(ctx).library, paper_id, sightings, dry_run=dry_run), "split")


@app.command()
def unmerge(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="A paper id (or an id merged into it).")],
    dry_run: DryRunOpt = False,
) -> None:
    """Undo the newest merge of a paper, made by hand or by ingest."""
    from ..core.dedupe import unmerge as unmerge_paper

    _print_report(unmerge_paper(state(ctx).library, paper_id, dry_run=dry_run), "unmerge")
