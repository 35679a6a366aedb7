"""Markdown for notes: a heading per paper, a metadata line, ``#tags``, the
abstract and the user's note; optionally a YAML front-matter block, or the
user's own template.

The output is CommonMark that renders every piece of dump text literally;
the user's note is their own Markdown and is written as it is (``note_markdown``).
Escaping (``escape_inline``, ``escape_block``) backslash-escapes:

- always: ``\\ ` * [ ] < > # | ~ $ ^ { } @`` (code spans, emphasis, links,
  HTML, headings, Obsidian tags, GFM tables and strikethrough, math, Pandoc
  attributes and citations);
- ``_`` unless it sits between two letters or digits (``get_capital``, where
  CommonMark never reads it as emphasis);
- ``&`` only before an entity (``&amp;``), ``%`` and ``=`` only when doubled
  (Obsidian comments ``%%`` and highlights ``==``);
- at the start of a paragraph, anything that would open a block: ``- + : ( =
  %`` and list numbers such as ``1.`` or ``a)``.

Text is folded onto one line per paragraph (a title is one paragraph), so
indentation never makes a code block and trailing spaces never a line
break. Markdown is read by people: invisible bidi and zero-width controls
are shown as ``\\u202e``-style escapes, as on the terminal.
"""

from __future__ import annotations

import datetime as dt
import re
from string import Template
from typing import IO, Iterable

from ..errors import UserError
from ..links import page_url, paper_url, search_url
from ..model import Paper
from .fields import citation_key, fold, paragraphs
from .safe import terminal_safe
from .yamlfmt import block_mapping

__all__ = ["render", "escape_inline", "escape_block", "render_front_matter", "load_template",
           "compile_template", "TEMPLATE_FIELDS"]

# Escaped wherever they are (see the module docstring).
_ALWAYS_CHARS = "\\`*[]<>#|~$^{}@"
_ALWAYS = re.compile("[" + re.escape(_ALWAYS_CHARS) + "]")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_DOUBLED = re.compile(r"(?<=%)%|%(?=%)|(?<==)=|=(?==)")
_LIST_MARKER = re.compile(r"(?:\d{1,9}|[A-Za-z]|[ivxlcdmIVXLCDM]{1,8})(?=[.)](?:\s|$))")


def _visible(line: str) -> str:
    return line if line.isprintable() else terminal_safe(line)


def _underscore(m: re.Match) -> str:
    s, i = m.string, m.start()
    # Between two letters or digits `_` can neither open nor close emphasis.
    if 0 < i < len(s) - 1 and s[i - 1].isalnum() and s[i + 1].isalnum():
        return "_"
    return "\\_"


def _escape(line: str) -> str:
    """Escape one folded, terminal-safe line (the escapes only add backslashes
    before punctuation, so the letter/digit test for `_` still sees the text)."""
    if any(c in line for c in _ALWAYS_CHARS):  # most lines have none: skip the regex
        line = _ALWAYS.sub(lambda m: "\\" + m.group(), line)
    if "_" in line:
        line = re.sub("_", _underscore, line)
    if "&" in line:
        line = _ENTITY.sub(r"\\&", line)
    if "%%" in line or "==" in line:
        line = _DOUBLED.sub(lambda m: "\\" + m.group(), line)
    return line


def escape_inline(text: str | None) -> str:
    """One line of text that CommonMark renders literally, anywhere in a line.

    >>> escape_inline("*Not* [a](link) <b> get_capital x_")
    '\\\\*Not\\\\* \\\\[a\\\\](link) \\\\<b\\\\> get_capital x\\\\_'
    """
    return _escape(_visible(fold(text)))


def _guard(line: str) -> str:
    """Escape what would open a block at the start of a line."""
    if line[:1] in ("-", "+", ":", "(", "=", "%"):
        return "\\" + line
    m = _LIST_MARKER.match(line)
    if m:
        return line[:m.end()] + "\\" + line[m.end():]
    return line


def escape_block(text: str | None) -> str:
    """Like ``escape_inline``, and safe at the start of a line too.

    >>> escape_block("1. Introduction - a #1 result")
    '1\\\\. Introduction - a \\\\#1 result'
    """
    return _guard(escape_inline(text))


def _paragraphs(text: str | None) -> list[str]:
    return [_guard(_escape(_visible(p))) for p in paragraphs(text)]


def _tag_words(paper: Paper) -> str:
    words = []
    for tag in paper.tags:
        word = escape_inline(re.sub(r"\s+", "-", fold(tag)))
        if word:
            words.append("#" + word)
    return " ".join(words)


def _meta_line(paper: Paper) -> str:
    parts = [f"id {paper.id}"]
    if paper.published:
        parts.append(f"published {paper.published.isoformat()}")
    if paper.upvotes is not None:
        parts.append(f"{paper.upvotes} upvote{'' if paper.upvotes == 1 else 's'}")
    if paper.authors_count is not None:
        parts.append(f"{paper.authors_count} author{'' if paper.authors_count == 1 else 's'}")
    parts.append(f"seen in {paper.seen} dump{'' if paper.seen == 1 else 's'}")
    parts.append(f"status {paper.status}")
    return escape_block(" · ".join(parts))


def _link(paper: Paper) -> str:
    """The paper's page, or an arXiv search for its title. Our URLs hold no
    spaces, parentheses or angle brackets (ids checked, queries quoted)."""
    url = page_url(paper)
    if url:
        return f"[arXiv:{paper.arxiv_id}]({url})"
    return f"[search arXiv for the title]({search_url(paper.title)})"


def note_markdown(note: str | None) -> str:
    """The user's note as they wrote it: it is their Markdown (links, lists,
    emphasis kept), unlike dump text, which is always escaped. Only invisible
    bidi and control characters are made visible, and line ends normalised."""
    if not note or not note.strip():
        return ""
    lines = [_visible(line.rstrip()) for line in note.replace("\r\n", "\n").strip("\n").split("\n")]
    return "\n".join(lines)


def _note_block(paper: Paper) -> str:
    text = note_markdown(paper.note)
    if not text:
        return ""
    lines = text.split("\n")
    lines[0] = "**Note:** " + lines[0]
    return "\n".join(f"> {line}" if line else ">" for line in lines) + "\n"


def paper_block(paper: Paper, *, heading_level: int = 2) -> str:
    """The default shape of one paper, ending with a newline."""
    blocks = ["#" * heading_level + " " + escape_block(paper.title), _meta_line(paper)]
    if paper.authors:
        blocks.append(escape_block(", ".join(fold(n) for n in paper.authors if fold(n))))
    blocks.append(_link(paper))
    tags = _tag_words(paper)
    if tags:
        blocks.append(tags)
    blocks.extend(_paragraphs(paper.abstract))
    text = "\n\n".join(blocks) + "\n"
    note = _note_block(paper)
    return text + "\n" + note if note else text


def _date(value: str | None) -> object:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return value


def render_front_matter(paper: Paper) -> str:
    """A YAML front-matter block (Obsidian properties), ``---`` to ``---``.

    Written by yamlfmt's emitter: strings always double-quoted, on one line,
    so no value can close the block early."""
    data = {
        "id": paper.id,
        "title": paper.title,
        "published": paper.published,  # a YAML date, so Obsidian and Dataview see a date
        "upvotes": paper.upvotes,
        "authors": paper.authors_count,
        "seen": paper.seen,
        "status": paper.status,
        "tags": list(paper.tags),
        "first_seen": _date(paper.first_seen),
        "last_seen": _date(paper.last_seen),
        "citekey": citation_key(paper),
        "author": list(paper.authors) or None,
        "arxiv": paper.arxiv_id,
        "url": page_url(paper),
    }
    body = block_mapping({k: v for k, v in data.items() if v is not None})  # unknown: no property
    return f"---\n{body}---\n\n"


# -- templates -------------------------------------------------------------

TEMPLATE_FIELDS = {
    "id": "the paper id",
    "title": "the title, escaped, on one line",
    "abstract": "the abstract, escaped, paragraphs separated by a blank line",
    "note": "your note, as you wrote it (it is Markdown; empty if none)",
    "tags": "the tags as #tag words",
    "tag_list": "the tags, comma-separated",
    "status": "triage status",
    "published": "publication date YYYY-MM-DD (empty if unknown)",
    "year": "publication year (empty if unknown)",
    "upvotes": "upvotes (empty if unknown)",
    "authors": "number of authors (empty if unknown)",
    "seen": "number of dumps the paper appeared in",
    "first_seen": "date first seen",
    "last_seen": "date last seen",
    "meta": "the default metadata line",
    "key": "the citation key, as in the bibtex and csl-json exports",
    "author_names": "the author names, comma-separated (empty if unknown)",
    "arxiv": "the arXiv id (empty if unknown)",
    "url": "the paper's page, or an arXiv search for its title",
}


def _template_values(paper: Paper) -> dict[str, str]:
    def opt(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "id": escape_inline(paper.id),
        "title": escape_block(paper.title),
        "abstract": "\n\n".join(_paragraphs(paper.abstract)),
        "note": note_markdown(paper.note),
        "tags": _tag_words(paper),
        "tag_list": escape_inline(", ".join(paper.tags)),
        "status": escape_inline(paper.status),
        "published": paper.published.isoformat() if paper.published else "",
        "year": str(paper.published.year) if paper.published else "",
        "upvotes": opt(paper.upvotes),
        "authors": opt(paper.authors_count),
        "seen": str(paper.seen),
        "first_seen": escape_inline(paper.first_seen),
        "last_seen": escape_inline(paper.last_seen),
        "meta": _meta_line(paper),
        "key": citation_key(paper),
        "author_names": escape_inline(", ".join(fold(n) for n in paper.authors)),
        "arxiv": escape_inline(paper.arxiv_id or ""),
        "url": paper_url(paper),
    }


def compile_template(text: str, source: str = "template") -> Template:
    """A checked ``string.Template``: every ``$name`` known, no stray ``$``.

    Raises UserError naming the line of the first problem.
    """
    template = Template(text)
    for m in template.pattern.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group("invalid") is not None:
            raise UserError("a $ that starts no placeholder; write $$ for a dollar sign, "
                            "$name or ${name} for a field", file=source, line=line)
        name = m.group("named") or m.group("braced")
        if name is not None and name not in TEMPLATE_FIELDS:
            raise UserError(f"unknown placeholder ${name}; known: {', '.join('$' + f for f in TEMPLATE_FIELDS)}",
                            file=source, line=line)
    return template


def load_template(path: str) -> Template:
    """Read and check a template file (UTF-8)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise UserError("template file not found", file=path) from None
    except IsADirectoryError:
        raise UserError("template is a folder, not a file", file=path) from None
    except UnicodeDecodeError:
        raise UserError("template is not UTF-8 text", file=path) from None
    except OSError as exc:
        raise UserError(f"cannot read template: {exc.strerror}", file=path) from None
    return compile_template(text, path)


def render(papers: Iterable[Paper], out: IO[str], *, front_matter: bool = False,
           template: Template | None = None, heading_level: int | None = None, **_: object) -> int:
    """Write papers as Markdown, separated by a blank line."""
    level = heading_level or (1 if front_matter else 2)
    n = 0
    for paper in papers:
        if n:
            out.write("\n")
        if front_matter:
            out.write(render_front_matter(paper))
        if template is not None:
            # Trailing blank lines (an empty $note at the end) dropped: papers are
            # separated by exactly one blank line.
            out.write(template.substitute(_template_values(paper)).rstrip("\n") + "\n")
        else:
            out.write(paper_block(paper, heading_level=level))
        n += 1
    return n
