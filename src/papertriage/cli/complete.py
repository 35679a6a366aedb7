"""Shell completion (bash, zsh, fish), fast because it runs on every Tab.

The scripts `papertriage completion SHELL` prints call back
``papertriage __complete SHELL ...``, which ``cli.main`` routes here before
Typer is imported. What each command takes comes from the Click commands
themselves, read once and cached (``_spec``) until the package changes; the
values come from the library (tag names, paper ids, opened read-only) and
from the query language (field names, statuses).

Protocol: bash passes the command line up to the cursor (bash splits words
at ``:`` and ``=``, so the line is split here); zsh and fish pass the words,
the last one being the word under the cursor. The answer is one candidate a
line (``value<TAB>description`` for fish and zsh); ``__files__`` alone asks
the shell to complete file names.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable

FILES = "__files__"
_ID_LIMIT = 50


# -- what the commands take (from Click, cached) ------------------------------------


def _stamp() -> str:
    """Changes whenever a file of the CLI package (or the version) changes."""
    from .. import __version__

    here = os.path.dirname(os.path.abspath(__file__))
    parts = [__version__]
    for entry in sorted(os.scandir(here), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            st = entry.stat()
            parts.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}")
    import zlib

    return f"{zlib.crc32('|'.join(parts).encode()):08x}"


def _cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "papertriage")


_POSITIONAL_KINDS = {
    "ids": "ids", "paper_id": "ids", "paper_ids": "ids",
    "tags": "tags", "tag": "tags", "old": "tags",
    "query": "query",
    "paths": "files", "path": "files", "rules_files": "files", "file": "files",
}
_OPTION_KINDS = {"library": "files", "output": "files", "template": "files", "split": "files",
                 "tag": "tags", "status": "statuses", "query": "query"}


def _param_kind(param, table: dict[str, str]) -> object:
    choices = getattr(param.type, "choices", None)
    if choices:
        return [str(c.value if hasattr(c, "value") else c) for c in choices]
    return table.get(param.name or "", "")


def _describe(command) -> dict:
    """What completion needs to know of one Click command (or group)."""
    options: dict[str, object] = {}
    flags: list[tuple[str, str]] = []
    positionals: list[object] = []
    nargs_last = False
    for param in command.params:
        if param.param_type_name == "option":
            names = [*param.opts, *param.secondary_opts]
            if param.hidden if hasattr(param, "hidden") else False:
                continue
            help_text = (param.help or "").split(". ")[0]
            for name in names:
                flags.append((name, help_text))
                if not param.is_flag:
                    options[name] = _param_kind(param, _OPTION_KINDS)
        else:
            positionals.append(_param_kind(param, _POSITIONAL_KINDS))
            nargs_last = param.nargs == -1
    flags.append(("--help", "Show the help and exit."))
    spec: dict = {"options": options, "flags": flags, "positionals": positionals, "repeat_last": nargs_last}
    sub = getattr(command, "commands", None)
    if sub is not None:
        spec["commands"] = {name: {"help": (c.get_short_help_str(80)), **_describe(c)} for name, c in sub.items()}
    return spec


def build_spec() -> dict:
    """Every command's options and arguments, read from the Click commands (imports them all)."""
    from .commands import COMMANDS
    from .lazy import root_group

    group = root_group()
    spec = _describe(group)
    spec["commands"] = {}
    for name, (_, summary) in COMMANDS.items():
        command = group.get_command(None, name)
        if command is not None:
            spec["commands"][name] = {"help": summary, **_describe(command)}
    return spec


def _spec() -> dict:
    import json

    path = os.path.join(_cache_dir(), f"completion-{_stamp()}.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    spec = build_spec()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        for old in os.listdir(os.path.dirname(path)):
            if old.startswith("completion-") and old.endswith(".json"):
                os.unlink(os.path.join(os.path.dirname(path), old))
        from pathlib import Path

        from ..atomic import replace_file  # only when the cache is rebuilt

        replace_file(Path(path), lambda f: json.dump(spec, f), mode=0o644, sync=False)
    except OSError:
        pass  # a read-only home: completion still works, only slower
    return spec


# -- values from the library ---------------------------------------------------------


def _library_path(words: list[str]) -> str:
    for i, word in enumerate(words):
        if word in ("-L", "--library") and i + 1 < len(words):
            return os.path.expanduser(words[i + 1])
        if word.startswith("--library="):
            return os.path.expanduser(word.split("=", 1)[1])
    from .commands import LIBRARY_ENV, default_library_path

    if os.environ.get(LIBRARY_ENV):
        return os.environ[LIBRARY_ENV]

    return default_library_path()


def _query(words: list[str], sql: str, params: tuple = ()) -> list[tuple]:
    path = _library_path(words)
    if not os.path.isfile(path):
        return []
    import sqlite3
    from urllib.parse import quote

    try:
        db = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=0.5)
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def tag_values(words: list[str], prefix: str) -> list[tuple[str, str]]:
    """Tags starting with ``prefix``, and the parents of hierarchical ones."""
    rows = _query(words, "SELECT tag, count(*) FROM tags WHERE tag LIKE ? ESCAPE '\\' GROUP BY tag ORDER BY tag",
                  (_like(prefix),))
    found: dict[str, int] = {}
    for tag, n in rows:
        parts = tag.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent.lower().startswith(prefix.lower()):
                found.setdefault(parent, 0)
        found[tag] = n
    return [(t, f"{n} paper{'s' if n != 1 else ''}" if n else "parent tag") for t, n in sorted(found.items())]


def id_values(words: list[str], prefix: str) -> list[tuple[str, str]]:
    prefix = prefix.lower()
    if prefix and any(c not in "0123456789abcdef" for c in prefix):
        return []
    rows = _query(words, "SELECT id, title FROM papers WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                  (prefix, prefix + "g", _ID_LIMIT)) if prefix else \
        _query(words, "SELECT id, title FROM papers ORDER BY pk DESC LIMIT ?", (_ID_LIMIT,))
    from ..render.safe import one_line

    return [(pid, one_line(title)[:60]) for pid, title in rows]


def _statuses() -> list[str]:
    from ..model import STATUSES

    return list(STATUSES)


def query_values(words: list[str], current: str) -> list[tuple[str, str]]:
    """A word of the query language: field names, then a field's values."""
    neg = "-" if current.startswith("-") else ""
    body = current[len(neg):]
    if ":" in body:
        field, value = body.split(":", 1)
        field_key = field.lower()
        if field_key in ("tag", "tags"):
            return [(f"{neg}{field}:{t}", h) for t, h in tag_values(words, value)]
        if field_key == "status":
            return [(f"{neg}{field}:{s}", "") for s in _statuses() if s.startswith(value.lower())]
        return []
    from ..query.nodes import FIELDS

    names = {"title": "words in the title", "abstract": "words in the abstract"}
    names.update({name: field.help for name, field in FIELDS.items()})
    return [(f"{neg}{name}:", text) for name, text in names.items() if name.startswith(body.lower())]


def values(kind: object, words: list[str], current: str) -> list[tuple[str, str]] | str:
    if isinstance(kind, list):
        return [(c, "") for c in kind if c.startswith(current)]
    if kind == "files":
        return FILES
    if kind == "tags":
        # `tag add a,b<Tab>`: complete the last name of a comma-separated list.
        head, _, last = current.rpartition(",")
        head = head + "," if head else ""
        return [(head + t, h) for t, h in tag_values(words, last)]
    if kind == "ids":
        return [("-", "read ids from stdin")] if current == "-" else id_values(words, current)
    if kind == "statuses":
        return [(s, "") for s in _statuses() if s.startswith(current)]
    if kind == "query":
        return query_values(words, current)
    return []


# -- the walk over the command line ----------------------------------------------------


def complete(words: list[str], current: str) -> list[tuple[str, str]] | str:
    """Candidates for ``current``, given the words before it (without `papertriage`)."""
    spec = _spec()
    node = spec
    positional = 0
    i = 0
    only_positionals = False
    while i < len(words):
        word = words[i]
        if not only_positionals and word == "--":
            only_positionals = True
        elif not only_positionals and word.startswith("-") and word != "-":
            if "=" not in word and word in node["options"]:
                i += 1  # its value
        elif "commands" in node and word in node["commands"]:
            node = node["commands"][word]
            positional = 0
        else:
            positional += 1
        i += 1
    if words and not only_positionals and words[-1] in node["options"]:
        return values(node["options"][words[-1]], words, current)
    if current.startswith("-") and current != "-" and not only_positionals:
        flags = [(name, text) for name, text in node["flags"] if name.startswith(current)]
        if flags or "commands" in node or not node["positionals"]:
            return flags
    if "commands" in node:
        return [(name, sub.get("help", "")) for name, sub in node["commands"].items() if name.startswith(current)]
    kinds = node["positionals"]
    if not kinds:
        return []
    kind = kinds[positional] if positional < len(kinds) else (kinds[-1] if node["repeat_last"] else None)
    if kind is None:
        return []
    return values(kind, words, current)


def _split_line(line: str) -> tuple[list[str], str]:
    """bash: the line up to the cursor -> (words before, word under the cursor)."""
    import shlex

    for closing in ("", '"', "'"):
        try:
            words = shlex.split(line + closing)
            break
        except ValueError:
            continue
    else:
        words = line.split()
    if not line or line[-1].isspace():
        words.append("")
    return words[1:-1], words[-1] if words else ""


def _fish_zsh_line(value: str, text: str) -> str:
    text = " ".join(text.split())
    return f"{value}\t{text}" if text else value


def run(args: list[str]) -> int:
    """`papertriage __complete SHELL ...`: print the candidates, one a line."""
    if not args or args[0] not in ("bash", "zsh", "fish"):
        sys.stderr.write("usage: papertriage __complete bash LINE | zsh|fish WORD... CURRENT\n")
        return 2
    shell = args[0]
    if shell == "bash":
        words, current = _split_line(args[1] if len(args) > 1 else "")
    else:
        rest = args[1:] or [""]
        words, current = rest[:-1], rest[-1]
        if words and os.path.basename(words[0]) == "papertriage":
            words = words[1:]
    try:
        found = complete(words, current)
    except Exception:  # never a traceback in the middle of someone's command line
        if os.environ.get("PAPERTRIAGE_DEBUG_COMPLETION"):
            raise
        return 0
    out = sys.stdout
    if isinstance(found, str):
        out.write(found + "\n")
        return 0
    for value, text in _unique(found):
        out.write((value if shell == "bash" else _fish_zsh_line(value, text)) + "\n")
    return 0


def _unique(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for value, text in items:
        if value not in seen:
            seen.add(value)
            out.append((value, text))
    return out
