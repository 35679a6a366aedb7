"""Making untrusted dump text safe to show in a terminal or a one-line field."""

from __future__ import annotations

import re

# C0/C1 controls, DEL, and the bidi/format characters that can make a terminal lie.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def terminal_safe(text: str | None) -> str:
    """Control and bidi-override characters shown as visible escapes; newlines kept."""
    if not text:
        return text or ""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str | None) -> str:
    """Terminal-safe, on a single line (tabs and newlines become spaces)."""
    return " ".join(terminal_safe(text).split()) if text else ""


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 dump``, ``2 dumps``, ``0 dumps``.

    >>> counted(1, "upvote"), counted(3, "entry", "entries")
    ('1 upvote', '3 entries')
    """
    return f"{n} {word if n == 1 else (plural or word + 's')}"
