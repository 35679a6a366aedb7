"""`papertriage triage`: the interactive pass (issue 5).

One screen per paper, drawn with Rich (dump text always as ``Text``, never
markup), single keys read raw from the terminal with termios/tty. The logic
(order, saving, resuming) lives in ``core.triage``; this module only draws
and reads keys.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from . import app
from .common import state

if TYPE_CHECKING:
    from rich.console import Console

    from ..core.triage import TriageSession
    from ..model import Paper

KEYS_HELP = "k keep  s skip  r read  t add tags  n note  o next  b back  q quit"
RIGHT, LEFT, ESC, ENTER, BACKSPACE = "<right>", "<left>", "<esc>", "<enter>", "<backspace>"


class RawKeys:
    """Single keys from the terminal (cbreak mode: no echo, no Enter; Ctrl-C still interrupts)."""

    def __init__(self, fd: int):
        self.fd = fd
        self._saved: list[Any] | None = None

    def __enter__(self) -> "RawKeys":
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def _byte(self, timeout: float | None = None) -> bytes:
        import os
        import select

        if timeout is not None and not select.select([self.fd], [], [], timeout)[0]:
            return b""
        return os.read(self.fd, 1)

    def read(self) -> str:
        """One key: a character, or a name like ``<right>``; ``q`` at end of input."""
        first = self._byte()
        if not first or first == b"\x04":  # EOF, Ctrl-D
            return "q"
        if first == b"\x1b":
            if self._byte(0.05) != b"[":
                return ESC
            code = self._byte(0.05)
            return {b"C": RIGHT, b"D": LEFT}.get(code, ESC)
        if first in (b"\r", b"\n"):
            return ENTER
        if first in (b"\x7f", b"\x08"):
            return BACKSPACE
        data = first
        needed = 1 if first[0] >= 0xC0 else 0
        needed += first[0] >= 0xE0
        needed += first[0] >= 0xF0
        for _ in range(needed):  # the rest of a UTF-8 character
            data += self._byte(0.05)
        return data.decode("utf-8", "replace")

    def prompt(self, console: "Console", label: str, initial: str = "") -> str | None:
        """A one-line input with echo and backspace; Enter accepts, Esc cancels (None)."""
        from rich.text import Text

        text = initial
        console.print(Text(label, style="bold"), end="")
        console.file.write(text)
        console.file.flush()
        while True:
            key = self.read()
            if key == ENTER:
                console.file.write("\n")
                return text
            if key == ESC:
                console.file.write("\n")
                return None
            if key == BACKSPACE:
                if text:
                    text = text[:-1]
                    console.file.write("\b \b")
            elif key == "\x15":  # Ctrl-U: clear the line
                console.file.write("\b \b" * len(text))
                text = ""
            elif len(key) == 1 and key.isprintable():
                text += key
                console.file.write(key)
            console.file.flush()


def _draw(console: "Console", session: "TriageSession", paper: "Paper", message: str) -> None:
    from rich.text import Text

    from ..render.safe import one_line, terminal_safe

    console.clear()
    header = Text()
    header.append(f"triage {session.progress()}", style="bold")
    header.append(f"   {paper.id}", style="cyan")
    header.append(f"   status: {paper.status}", style="green" if paper.status != "new" else "")
    console.print(header)
    console.print()
    console.print(Text(one_line(paper.title), style="bold"))
    meta = [
        f"published {paper.published.isoformat()}" if paper.published else "date unknown",
        f"{paper.upvotes} upvotes" if paper.upvotes is not None else "upvotes unknown",
        f"seen in {paper.seen} dump{'s' if paper.seen != 1 else ''}",
    ]
    if paper.authors_count is not None:
        meta.append(f"{paper.authors_count} authors")
    console.print(Text(" · ".join(meta), style="dim"))
    console.print(Text("tags: " + (" ".join(one_line(t) for t in paper.tags) or "-"), style="magenta"))
    if paper.note:
        console.print(Text("note: " + one_line(paper.note), style="yellow"))
    console.print()
    console.print(Text(terminal_safe(paper.abstract)))
    console.print()
    console.print(Text(KEYS_HELP, style="dim"))
    if message:
        console.print(Text(message, style="yellow"))


def run_session(session: "TriageSession", console: "Console", keys: RawKeys) -> None:
    """The key loop: every decision is saved by the session as it is made."""
    from ..errors import PapertriageError

    message = ""
    while not session.done:
        paper = session.current()
        _draw(console, session, paper, message)
        message = ""
        key = keys.read().lower()
        if key in ("k", "s", "r"):
            from ..core.triage import DECISIONS

            session.decide(DECISIONS[key])
        elif key in ("o", RIGHT):
            session.next()
        elif key in ("b", LEFT):
            if session.position == 0:
                message = "this is the first paper"
            session.back()
        elif key == "t":
            text = keys.prompt(console, "add tags (comma-separated; Enter saves, Esc cancels): ")
            if text and text.strip():
                try:
                    added = session.add_tags(text)
                    message = f"added {', '.join(added)}" if added else "it has those tags already"
                except PapertriageError as exc:
                    message = str(exc)
        elif key == "n":
            text = keys.prompt(console, "note (Enter saves, empty clears, Esc cancels): ", paper.note or "")
            if text is not None:
                message = "note saved" if session.set_note(text) else "note unchanged"
        elif key in ("q", ESC):
            return
        else:
            message = f"unknown key: {key!r}"


@app.command()
def triage(
    ctx: typer.Context,
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="[QUERY]", show_default=False,
        help="Walk the papers matching this query (still-new ones first) instead of the new papers.")] = None,
) -> None:
    """Walk the new papers one screen at a time and decide: keep, skip or read.

    Most promising first: seen in the most dumps, then most upvoted, then
    newest. Keys: k keep, s skip, r read, t add tags, n note, o/b next/back
    (or the arrow keys), q quit. Every decision is saved as it is made, so
    quitting (or a crash) loses nothing, and the next run resumes with the
    papers still new. Needs a terminal; scripts use `mark` and `tag add`.
    """
    from ..errors import UserError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("triage is interactive and needs a terminal; in scripts use `mark` and `tag add`")
    from rich.console import Console
    from rich.text import Text

    from ..core.triage import TriageSession

    lib = state(ctx).library
    session = TriageSession.start(lib, " ".join(query) if query else None)
    console = Console(highlight=False, markup=False, emoji=False)
    interrupted = False
    with RawKeys(sys.stdin.fileno()) as keys:
        console.set_alt_screen(True)
        try:
            run_session(session, console, keys)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            console.set_alt_screen(False)
    counts = session.summary()
    decided = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    still_new = session.still_new()
    ending = "all papers walked" if session.done else f"stopped at {session.progress()}"
    console.print(Text(f"triage: {ending}; decisions saved: {decided}; {still_new} papers still new"
                       + (" (`papertriage triage` goes on with them)" if still_new else "")))
    if interrupted:
        raise KeyboardInterrupt
