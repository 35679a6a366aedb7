"""The table of commands, and the root help, readable without importing Typer.

Start-up (issue 16): importing Typer and turning every command's signature
into a Click command cost most of every short command. So the root group
loads lazily: this table says which module defines each command, and only
the invoked command's module is imported and converted (``cli/lazy.py``).
`papertriage --help`, `--version` and shell completion read this table and
never import Typer at all.

To add a command: define it in a module of this package with
``@app.command()`` (``from . import app``) or ``app.add_typer(...)``, and add
one line here. A test checks that every line's summary is the first line of
the command's help, and that every registered command is listed.

This module imports nothing, so keep it that way.
"""

from __future__ import annotations

# command name -> (module in papertriage.cli, one-line summary for the root help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("ingest", "Read dumps into the library, merging papers seen before."),
    "list": ("papers", "List papers: id, title, date, upvotes, times seen."),
    "show": ("papers", "Every field of one paper, and every sighting of it."),
    "stats": ("papers", "Counts of dumps, sightings, papers and merges."),
    "search": ("search", 'Find papers: words, "phrases", prefix*, OR, -exclusions and field filters.'),
    "similar": ("search", 'Papers most like a given one: "more like this" during triage.'),
    "mark": ("decisions", "Set the triage status of papers: keep, skip, read (or back to new)."),
    "note": ("decisions", "Write the free-text note of a paper (replacing the old one)."),
    "history": ("decisions", "The changes to a paper's tags, status and note, with their times (local time)."),
    "dupes": ("dedup", "Merged papers whose sightings differ, and pairs kept apart that came close (--near)."),
    "merge": ("dedup", "Merge papers by hand; the first id survives and the others resolve to it."),
    "split": ("dedup", "Take sightings out of a wrong merge into a paper of their own."),
    "unmerge": ("dedup", "Undo the newest merge of a paper, made by hand or by ingest."),
    "config": ("config", "Show where the config file is (env PAPERTRIAGE_CONFIG moves it) and what it says."),
    "triage": ("triage", "Walk the new papers one screen at a time and decide: keep, skip or read."),
    "export": ("export", "Export the library, or the papers QUERY selects, for notes and other tools."),
    "where": ("library", "Print the library file in use (and whether it exists yet)."),
    "dumps": ("library", "List the dumps ingested: name, layout, date, records, new papers."),
    "forget": ("library", "Remove dumps from the library: their sightings and the papers seen only there."),
    "open": ("library", "Open a paper's page in the browser (arXiv page, or an arXiv title search)."),
    "tag": ("tag", "Add, remove, list, rename and delete tags; apply rules files; export and import decisions."),
    "undo": ("undo", "Revert the last command that changed tags, statuses or notes, as a whole."),
    "why": ("why", "Why a paper ranks where it does under --sort interest."),
    "completion": ("completion", "Print the shell completion script for bash, zsh or fish."),
    "check": ("health", "Check that the library is sound; --repair rebuilds its derived indexes."),
    "backup": ("health", "Copy the library to FILE, consistent even while other papertriage commands write."),
}

PROG = "papertriage"
LIBRARY_ENV = "PAPERTRIAGE_LIBRARY"
DESCRIPTION = "Turn a pile of Hugging Face paper-page dumps into a library you can search, tag and triage."
LIBRARY_HELP = f"Library file [env: {LIBRARY_ENV}; default: the user data folder]."
DEBUG_HELP = "Show tracebacks on errors."
VERSION_HELP = "Print the version and exit."
HELP_HELP = "Show this message and exit."

# The root options, as (flags, metavar, help): the root callback (lazy.py)
# declares the same ones; a test compares.
ROOT_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("-L, --library", "PATH", LIBRARY_HELP),
    ("--debug", "", DEBUG_HELP),
    ("--version", "", VERSION_HELP),
    ("-h, --help", "", HELP_HELP),
)


def default_library_path() -> str:
    """The library when neither --library nor $PAPERTRIAGE_LIBRARY says: the user data folder."""
    import os
    import sys

    if sys.platform.startswith("linux"):  # what platformdirs says there, without its 30 ms import
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(base, "papertriage", "library.db")
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("papertriage", appauthor=False), "library.db")


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def _shorten(text: str, limit: int) -> str:
    """Click's rule for short help: the first sentence, cut at a word with '...'."""
    if len(text) <= limit:
        return text
    words, out = text.split(), ""
    for word in words:
        if len(out) + len(word) + 1 + 3 > limit:
            break
        out = f"{out} {word}" if out else word
    return out.rstrip(",;:") + "..."


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    first = min(max(len(name) for name, _ in rows), 30)
    lines = []
    for name, text in rows:
        wrapped = _wrap(text, max(width - first - 4, 20)) or [""]
        if len(name) > first:
            lines.append(f"  {name}")
            lines.extend(" " * (first + 4) + w for w in wrapped)
            continue
        lines.append(f"  {name:<{first}}  {wrapped[0]}".rstrip())
        lines.extend(" " * (first + 4) + w for w in wrapped[1:])
    return lines


def root_help(width: int = 80) -> str:
    """`papertriage --help`, in Click's layout, from this table alone."""
    width = max(min(width, 80), 40)
    options = [(f"{flags} {metavar}".strip(), text) for flags, metavar, text in ROOT_OPTIONS]
    names = list(COMMANDS)
    limit = width - 6 - max(len(n) for n in names)
    commands = [(name, _shorten(COMMANDS[name][1], limit)) for name in names]
    lines = [f"Usage: {PROG} [OPTIONS] COMMAND [ARGS]...", ""]
    lines += ["  " + w for w in _wrap(DESCRIPTION, width - 2)]
    lines += ["", "Options:", *_definitions(options, width), "", "Commands:", *_definitions(commands, width)]
    lines += ["", *_wrap(f"Run `{PROG} COMMAND --help` for a command's options and "
                         f"`{PROG} completion --help` to set up Tab completion.", width)]
    return "\n".join(lines) + "\n"
