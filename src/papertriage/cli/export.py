"""`papertriage export`: the library, or a selection of it, in a format other tools read."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..render import WITH_SIGHTINGS
from . import app
from .common import SORT_HELP, ListFormat, ReverseOpt, check_sort, err, interest_note, state, stdout_is_terminal


# Kept in step with render.markdown.TEMPLATE_FIELDS (a test checks), so --help never imports it.
TEMPLATE_FIELD_NAMES = ("title", "abstract", "note", "tags", "tag_list", "meta", "id", "status", "published", "year",
                        "upvotes", "authors", "seen", "first_seen", "last_seen", "key",
                        "author_names", "arxiv", "url")

_HELP = """Export the library, or the papers QUERY selects, for notes and other tools.

QUERY is the search query language (tag:to-read -tag:done upvotes>=5 …);
`-` reads paper ids from stdin and exports exactly those (`search X
--format ids | papertriage export - --format bibtex`);
with no QUERY, --tag or --status, the whole library is exported, oldest
first (--sort and --reverse change that). Output goes to stdout (so `>> notes.md` works), to FILE with -o
(written atomically: an interrupted export leaves the old file), or to one
file per paper with --split DIR.

Formats: markdown (notes: heading, metadata, #tags, abstract, your note),
csv and tsv (spreadsheets; same columns, formula-safe), json, jsonl and
yaml (every field and sighting), bibtex, csl-json and ris (reference
managers: tags, status and note travel along), table (a look first),
ids (one id a line).
Without --format: guessed from -o's extension, markdown for --split, else
json.

Examples:

  papertriage export 'tag:to-read -tag:done' --format markdown >> notes.md

  papertriage export --status keep -o reading.bib

  papertriage export --tag interp --split notes/ --front-matter
"""


@app.command(help=_HELP)
def export(
    ctx: typer.Context,
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="[QUERY]...", help="Papers to export, in the search query language; quote it or put it "
                                   "after -- when it starts with -. A lone - reads paper ids from stdin "
                                   "and exports only those.", show_default=False)] = None,
    fmt: Annotated[Optional[ListFormat], typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="markdown, csv, tsv, json, jsonl, yaml, bibtex, csl-json, ris, table or ids "
             "[default: from -o's extension; markdown for --split; json].")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE atomically instead of stdout.")] = None,
    split: Annotated[Optional[str], typer.Option(
        "--split", metavar="DIR", help="Write one file per paper into DIR (created if needed), named "
                                       "from title and id; files you edited are kept unless --force.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --split: overwrite files edited since the last export.")] = False,
    rename_notes: Annotated[bool, typer.Option(
        "--rename-notes", help="With --split: give notes whose paper was retitled the name its title gives "
                               "now, moving the file with your edits (never over another file).")] = False,
    tag: Annotated[Optional[list[str]], typer.Option(
        "--tag", "-t", metavar="TAG", help="Only papers with this tag (repeat: all of them).")] = None,
    status: Annotated[Optional[str], typer.Option(
        "--status", metavar="STATUS", help="Only papers with this triage status: new, keep, skip or read.")] = None,
    sort: Annotated[Optional[str], typer.Option(
        "--sort", "-s", metavar="KEY", show_default=False, callback=check_sort,
        help=SORT_HELP + " [default: the order papers came in, oldest first].")] = None,
    reverse: ReverseOpt = False,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, help="At most N papers (0: all).")] = None,
    front_matter: Annotated[bool, typer.Option(
        "--front-matter", help="markdown: start each note with a YAML block (Obsidian properties); "
                               "one paper per file, so with --split or a single paper.")] = False,
    bom: Annotated[bool, typer.Option(
        "--bom", help="csv, tsv: start with a byte order mark, so Excel reads non-ASCII titles right.")] = False,
    template: Annotated[Optional[str], typer.Option(
        "--template", metavar="FILE", help="markdown: shape each paper with this template (Python "
                                           "string.Template; $$ for a dollar sign). Fields (dump text Markdown-escaped, your note as "
                                           "written): "
                                           + ", ".join("$" + f for f in TEMPLATE_FIELD_NAMES) + ".")] = None,
) -> None:
    from ..core.export import EXTENSIONS, export_papers, format_for_path
    from ..errors import UserError
    from ..render import EXPORT_FORMATS, render

    by_path = format_for_path(output) if output and output != "-" else None
    if fmt is not None:
        name = fmt.value
    elif by_path is not None:
        name = by_path
    elif split or front_matter or template:
        name = "markdown"
    else:
        name = "json"
    options: dict = {}
    if bom:
        if name not in ("csv", "tsv"):
            raise UserError(f"--bom is for csv and tsv (spreadsheets), not {name}")
        options["bom"] = True
    if front_matter or template:
        if name != "markdown":
            raise UserError(f"--front-matter and --template shape markdown, not {name}")
        if template:
            from ..render.markdown import load_template

            options["template"] = load_template(template)
        options["front_matter"] = front_matter
    to_stdout = split is None and (output is None or output == "-")
    options["terminal"] = to_stdout and stdout_is_terminal()
    renderer = EXPORT_FORMATS[name]

    def write(papers, out) -> int:
        return render(renderer, papers, out, **options)

    from .changes import query_with_stdin_ids

    text, ids = query_with_stdin_ids(state(ctx).library, query)
    interest_note(state(ctx).library, sort)
    result = export_papers(
        state(ctx).library, text, ids=ids, write=write, tags=tag or (),
        status=status, sort=sort, reverse=reverse, limit=limit or None,
        with_sightings=name in WITH_SIGHTINGS,
        out=sys.stdout, output=output, split_dir=split, extension=EXTENSIONS[name], force=force,
        one_per_file=front_matter, rename_notes=rename_notes)
    if split is not None:
        done = f"{result.count} papers: {result.written} files written to {split}"
        if result.unchanged:
            done += f", {result.unchanged} unchanged"
        err(done)
        for old, new in result.renamed:
            err(f"renamed {old} -> {new}")
        for old, new in result.not_renamed:
            err(f"not renamed {old}: {new} is another file")
        if result.kept:
            shown = ", ".join(result.kept[:5]) + (", …" if len(result.kept) > 5 else "")
            err(f"kept {len(result.kept)} file{'s' if len(result.kept) > 1 else ''} edited since the last "
                f"export (--force overwrites): {shown}")
