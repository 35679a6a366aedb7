"""What the commands that change decisions share: paper ids from arguments,
stdin or --query, --dry-run, and how changes are printed."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from ..core.changes import Report
    from ..core.rules import RuleResult

IdsArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="[ID...]", show_default=False,
    help="Paper ids or unique prefixes; - reads ids from stdin (the first word of each line; "
         "blank and # lines skipped, so `list`/`search` output in tsv or ids format pipes in).")]
QueryOpt = Annotated[Optional[str], typer.Option(
    "--query", metavar="QUERY", help="Select the papers with a query instead of ids (see `search --help`).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print what would change and change nothing.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


def given_ids(ids: list[str] | None, query: str | None) -> list[str]:
    """The ids of the arguments, with `-` replaced by the ids read from stdin."""
    from ..core.changes import read_ids
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
    return tokens


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


def n_papers(n: int) -> str:
    return f"{n} paper{'s' if n != 1 else ''}"


def print_rule_results(results: list["RuleResult"], *, dry_run: bool, out: IO[str] | None = None) -> None:
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


def query_with_stdin_ids(library, words: list[str] | None) -> tuple[str | None, list[str] | None]:
    """QUERY words for `list` and `export`, where a lone `-` means: only the
    papers whose ids come on stdin (as for `tag add`; issue 12). Returns (the
    query text of the other words, the full ids read, or None without `-`).

    Unknown ids are an error naming them all; no ids on stdin is NoMatch."""
    from ..core.changes import read_ids
    from ..core.select import full_ids
    from ..errors import NoMatch

    words = list(words or [])
    if "-" not in words:
        return (" ".join(words) or None), None
    tokens = read_ids(sys.stdin)
    if not tokens:
        raise NoMatch("no paper ids on stdin")
    rest = [w for w in words if w != "-"]
    return (" ".join(rest) or None), full_ids(library, tokens)
