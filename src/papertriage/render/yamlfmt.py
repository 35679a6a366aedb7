"""YAML: one list of the same paper objects as ``json`` (README, "JSON schema").

Streamed: each paper is written as one item of a block sequence, so a big
library is never held in memory, and ``yaml.safe_load`` of the output equals
``json.loads`` of the json export.

The emitter is ours, not ``yaml.dump`` (which costs about a millisecond a
paper): block mappings and sequences, and every string double-quoted. A
JSON string is a valid YAML double-quoted scalar except for the characters
YAML reads as line breaks or forbids (NEL, DEL, C1 controls, U+2028/9, BOM,
U+FFFE/F), which are written as ``\\uXXXX`` escapes. Quoting every string
means no title is ever read as a number, a date, ``null`` or ``yes``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from json.encoder import encode_basestring  # the C quoter json.dumps uses
from typing import IO, Iterable

from ..model import Paper
from .jsonfmt import paper_object

__all__ = ["render", "scalar", "block_mapping"]

# ... and the bidi controls, kept but never raw (issue 17).
_NOT_YAML = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                       "\ufeff\ufffe\uffff\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def scalar(value: object) -> str:
    """One YAML scalar (flow): null, a number, a date, or a double-quoted string.

    >>> scalar(None), scalar(3), scalar("yes"), scalar("a\\u2028b"), scalar(dt.date(2025, 1, 2))
    ('null', '3', '"yes"', '"a\\\\u2028b"', '2025-01-02')
    """
    if type(value) is str:  # the common case first
        text = encode_basestring(value)
        # isprintable() is a fast C scan; only text that fails it can hold a
        # character YAML needs escaped.
        if not text.isprintable() and _NOT_YAML.search(text):
            text = _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        return text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, dt.date):  # unquoted on purpose: a YAML date (front matter)
        return value.isoformat()
    return scalar(str(value))


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else scalar(key)


def block_mapping(data: dict, indent: str = "") -> str:
    """A mapping in block style; the first line carries no indent (the caller
    writes ``- `` or nothing before it), the others ``indent``."""
    if not data:
        return "{}\n"
    lines = []
    for i, (key, value) in enumerate(data.items()):
        lead = indent if i else ""
        if isinstance(value, dict):
            if value:
                lines.append(f"{lead}{_key(key)}:\n{indent}  " + block_mapping(value, indent + "  "))
            else:
                lines.append(f"{lead}{_key(key)}: {{}}\n")
        elif isinstance(value, (list, tuple)):
            if value and any(isinstance(v, dict) for v in value):
                items = "".join(
                    f"{indent}  - " + (block_mapping(v, indent + "    ") if isinstance(v, dict) else scalar(v) + "\n")
                    for v in value)
                lines.append(f"{lead}{_key(key)}:\n{items}")
            else:
                lines.append(f"{lead}{_key(key)}: [{', '.join(scalar(v) for v in value)}]\n")
        else:
            lines.append(f"{lead}{_key(key)}: {scalar(value)}\n")
    return "".join(lines)


def render(papers: Iterable[Paper], out: IO[str], **_: object) -> int:
    n = 0
    for paper in papers:
        out.write("- " + block_mapping(paper_object(paper), "  "))
        n += 1
    if not n:
        out.write("[]\n")
    return n
