"""`papertriage triage`: the interactive pass, full screen on prompt_toolkit (issue 13).

prompt_toolkit reads the keys (every escape sequence a terminal sends,
resizes, Ctrl-C) and restores the terminal on exit, so no key ends the
session by accident or leaves characters on the shell prompt. It is imported
only by this command.

The screen is drawn line by line to fit the terminal, whatever its size from
80x24 up: the progress line, the title (at most three lines), the metadata
and the key bar are always there; the abstract takes the rest and scrolls
(arrows, PageUp/PageDown, Home/End, space). The logic (order, saving,
learning, resuming, undo) lives in ``core.triage``; this module only draws
and reads keys. Dump text is shown through ``render.safe``, never as markup.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import app
from .common import state

if TYPE_CHECKING:
    from prompt_toolkit.formatted_text import StyleAndTextTuples

    from ..core.triage import TriageSession
    from ..model import Paper

KEY_BAR = "k keep  s skip  r read  n note  t tag  o open  u undo  m more like this  ←/→ back/next  ? help  q quit"
KEY_BAR_SHORT = "k keep  s skip  r read  n note  t tag  o open  u undo  m more  ? help  q quit"
HELP = [
    ("k", "keep: interested, worth keeping"),
    ("s", "skip: not interested"),
    ("r", "read: interested, read it now"),
    ("n", "write a note (Enter saves, empty clears, Esc cancels)"),
    ("t", "add tags, comma-separated (Tab completes existing tags; Enter saves, Esc cancels)"),
    ("o", "open the paper's page in the browser (or show its address)"),
    ("u", "undo the last change (decision, tag or note) and go back to its paper"),
    ("m", "more like this: the papers most like this one come next"),
    ("→  Enter", "next paper without deciding;  ←  b  the paper before"),
    ("↑ ↓ PgUp PgDn Home End", "scroll a long abstract (space scrolls a page too)"),
    ("?", "this help (any key closes it)"),
    ("q  Ctrl-C  Ctrl-D", "quit; every decision is already saved"),
]
TITLE_LINES = 3


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells (wide characters count two), with … when cut."""
    from prompt_toolkit.utils import get_cwidth

    if get_cwidth(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = get_cwidth(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _wrap(text: str, width: int) -> list[str]:
    """Word-wrap by terminal cells; paragraph breaks kept; a word longer than the line is cut."""
    from prompt_toolkit.utils import get_cwidth

    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for word in para.split():
            w = get_cwidth(word)
            while w > width:  # a very long word (a URL): split it
                if line:
                    lines.append(line)
                    line, used = "", 0
                head = _fit(word, width + 1)[:-1] or word[:1]
                lines.append(head)
                word = word[len(head):]
                w = get_cwidth(word)
            if line and used + 1 + w > width:
                lines.append(line)
                line, used = word, w
            else:
                line, used = (f"{line} {word}", used + 1 + w) if line else (word, w)
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


class TriageScreen:
    """The full-screen application: state of the screen, drawing, and key bindings."""

    def __init__(self, session: "TriageSession"):
        self.session = session
        self.scroll = 0
        self.message = ""
        self.help = False
        self.prompt: str | None = None  # "tag" or "note" while the input line is open
        self.interrupted = False
        self._paper: "Paper | None" = None
        self._abstract_rows = 10
        self.app = self._build()

    # -- state ---------------------------------------------------------------

    def paper(self) -> "Paper":
        if self._paper is None:
            self._paper = self.session.current()
        return self._paper

    def moved(self) -> None:
        """After any change of paper or of its data: reload it, scroll to the top."""
        self._paper = None
        self.scroll = 0
        if self.session.done:
            self.app.exit()

    # -- drawing ---------------------------------------------------------------

    def _size(self) -> tuple[int, int]:
        from prompt_toolkit.application import get_app

        size = get_app().output.get_size()
        return max(20, size.columns), max(8, size.rows)

    def render(self) -> "StyleAndTextTuples":
        from ..render.safe import one_line, terminal_safe

        width, rows = self._size()
        rows -= 1 if self.prompt else 0
        usable = width - 1  # never write into the last column (some terminals wrap there)
        out: "StyleAndTextTuples" = []

        def line(parts: list[tuple[str, str]]) -> None:
            room = usable
            for style, text in parts:
                text = _fit(text, room) if room > 0 else ""
                out.append((style, text))
                from prompt_toolkit.utils import get_cwidth

                room -= get_cwidth(text)
            out.append(("", "\n"))

        s = self.session
        if s.done:
            line([("class:head", "all papers walked")])
            return out
        p = self.paper()
        head = [("class:head", f"triage {s.progress()}"), ("", "   "), ("class:id", p.id),
                ("", "   status "), ("class:status" if p.status != "new" else "", p.status)]
        score = s.interest()
        if score is not None:
            head += [("", "   interest "), ("class:score", f"{score:+.2f}")]
        else:
            head += [("class:dim", "   no interest yet: most seen, upvoted, newest first")]
        line(head)
        title = _wrap(one_line(p.title), usable) or [""]
        if len(title) > TITLE_LINES:
            title = title[:TITLE_LINES - 1] + [_fit(" ".join(title[TITLE_LINES - 1:]), usable)]
        for t in title:
            line([("class:title", t)])
        meta = [f"published {p.published.isoformat()}" if p.published else "date unknown",
                f"{p.upvotes} upvotes" if p.upvotes is not None else "upvotes unknown",
                f"seen in {p.seen} dump{'s' if p.seen != 1 else ''}"]
        if p.authors_count is not None:
            meta.append(f"{p.authors_count} authors")
        line([("class:dim", " · ".join(meta))])
        extra = [("class:tags", "tags: " + (" ".join(one_line(t) for t in p.tags) or "-"))]
        if p.note:
            extra += [("", "   "), ("class:note", "note: " + one_line(p.note))]
        line(extra)
        fixed = 1 + len(title) + 2 + 1 + 2  # head, title, meta+tags, rule, message+keys
        space = max(1, rows - fixed)
        if self.help:
            body = [f"{k:<24} {v}" for k, v in HELP]
        else:
            body = _wrap(terminal_safe(p.abstract) or "(no abstract)", usable)
        self._abstract_rows = space
        self.scroll = max(0, min(self.scroll, len(body) - space))
        shown = body[self.scroll:self.scroll + space]
        more_below = self.scroll + space < len(body)
        rule = "─" * usable
        if self.scroll or more_below:
            where = f" {self.scroll + 1}-{self.scroll + len(shown)} of {len(body)} lines (↑↓ scroll) "
            rule = _fit("──" + where + "─" * usable, usable)
        line([("class:dim", rule)])
        for text in shown:
            line([("class:help" if self.help else "", text)])
        for _ in range(space - len(shown)):
            line([("", "")])
        line([("class:message", self.message or (s.status_line() if s.position == 0 else ""))])
        out.append(("class:keys", _fit(KEY_BAR if len(KEY_BAR) <= usable else KEY_BAR_SHORT, usable)))
        return out

    # -- the application --------------------------------------------------------

    def _build(self):
        from prompt_toolkit.application import Application
        from prompt_toolkit.buffer import Buffer
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
        from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
        from prompt_toolkit.layout.processors import BeforeInput
        from prompt_toolkit.styles import Style

        self.input = Buffer(multiline=False, completer=_TagCompleter(self), complete_while_typing=True,
                            accept_handler=self._accept)
        prompting = Condition(lambda: self.prompt is not None)
        label = lambda: "add tags (comma-separated, Tab completes): " if self.prompt == "tag" else "note: "  # noqa: E731
        main = Window(FormattedTextControl(self.render, show_cursor=False), wrap_lines=False,
                      always_hide_cursor=True)
        entry = ConditionalContainer(
            Window(BufferControl(self.input, input_processors=[BeforeInput(label, style="class:prompt")]),
                   height=1, wrap_lines=False),
            filter=prompting)
        from prompt_toolkit.layout import Float, FloatContainer
        from prompt_toolkit.layout.menus import CompletionsMenu

        root = FloatContainer(HSplit([main, entry]), floats=[
            Float(xcursor=True, ycursor=True, content=CompletionsMenu(max_height=6, scroll_offset=1))])
        style = Style.from_dict({
            "head": "bold", "id": "ansicyan", "status": "ansigreen", "score": "ansiyellow bold",
            "title": "bold", "dim": "ansibrightblack", "tags": "ansimagenta", "note": "ansiyellow",
            "message": "ansiyellow", "keys": "reverse", "prompt": "bold", "help": "",
        })
        return Application(layout=Layout(root, focused_element=main), key_bindings=self._keys(prompting),
                           style=style, full_screen=True, mouse_support=False, erase_when_done=True)

    def _keys(self, prompting):
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.keys import Keys

        kb = KeyBindings()
        browsing = ~prompting
        helping = Condition(lambda: self.help)

        @kb.add(Keys.Any, filter=browsing & helping, eager=True)
        @kb.add("escape", filter=browsing & helping, eager=True)
        def _close_help(event) -> None:
            self.help = False
            self.scroll = 0

        not_help = browsing & ~helping

        # First, so that every binding added later wins over it: an unknown key only says where the help is.
        @kb.add(Keys.Any, filter=not_help)
        @kb.add("escape", filter=not_help, eager=True)
        def _unknown(event) -> None:
            self.message = "? shows the keys"

        def decide(status: str):
            def handler(event) -> None:
                self.guard(lambda: self._decide(status))
            return handler

        for key, status in (("k", "keep"), ("s", "skip"), ("r", "read")):
            kb.add(key, filter=not_help)(decide(status))
            kb.add(key.upper(), filter=not_help)(decide(status))

        @kb.add("right", filter=not_help)
        @kb.add("enter", filter=not_help)
        def _next(event) -> None:
            self.session.next()
            self.message = ""
            self.moved()

        @kb.add("left", filter=not_help)
        @kb.add("b", filter=not_help)
        def _back(event) -> None:
            self.message = "this is the first paper" if self.session.position == 0 else ""
            self.session.back()
            self.moved()

        def scroller(delta: int | None, page: bool = False):
            def handler(event) -> None:
                if delta is None:  # End
                    self.scroll = 10 ** 6
                else:
                    self.scroll = max(0, self.scroll + (delta * max(1, self._abstract_rows - 1) if page else delta))
            return handler

        kb.add("down", filter=not_help)(scroller(1))
        kb.add("up", filter=not_help)(scroller(-1))
        kb.add("pagedown", filter=not_help)(scroller(1, page=True))
        kb.add("space", filter=not_help)(scroller(1, page=True))
        kb.add("pageup", filter=not_help)(scroller(-1, page=True))
        kb.add("home", filter=not_help)(scroller(-10 ** 6))
        kb.add("end", filter=not_help)(scroller(None))

        @kb.add("?", filter=not_help)
        @kb.add("f1", filter=not_help)
        @kb.add("h", filter=not_help)
        def _help(event) -> None:
            self.help = True
            self.scroll = 0

        @kb.add("t", filter=not_help)
        def _tag(event) -> None:
            self._open_prompt("tag", "")

        @kb.add("n", filter=not_help)
        def _note(event) -> None:
            self._open_prompt("note", self.paper().note or "")

        @kb.add("o", filter=not_help)
        def _open(event) -> None:
            self.guard(self._open_page)

        @kb.add("u", filter=not_help)
        def _undo(event) -> None:
            self.guard(self._undo)

        @kb.add("m", filter=not_help)
        def _more(event) -> None:
            self.guard(self._more)

        @kb.add("q", filter=not_help)
        @kb.add("Q", filter=not_help)
        @kb.add("c-d", filter=browsing)
        def _quit(event) -> None:
            event.app.exit()

        @kb.add("c-c")
        def _interrupt(event) -> None:
            self.interrupted = True
            event.app.exit()

        @kb.add("escape", filter=prompting, eager=True)
        @kb.add("c-g", filter=prompting)
        def _cancel(event) -> None:
            self.prompt = None
            self.message = "cancelled"
            self.input.reset()
            event.app.layout.focus_previous()

        return kb

    # -- actions --------------------------------------------------------------------

    def guard(self, action) -> None:
        """Run an action; a papertriage error becomes the message line, never a crash."""
        from ..errors import PapertriageError

        try:
            action()
        except PapertriageError as exc:
            self.message = str(exc)

    def _decide(self, status: str) -> None:
        paper = self.paper()
        self.session.decide(status)
        self.message = f"{status}: {paper.id}"
        self.moved()

    def _open_prompt(self, kind: str, initial: str) -> None:
        self.prompt = kind
        self.input.reset()
        self.input.insert_text(initial)
        self.app.layout.focus(self.input)

    def _accept(self, buffer) -> bool:
        kind, text = self.prompt, buffer.text
        self.prompt = None
        self.app.layout.focus_previous()

        def save() -> None:
            if kind == "tag":
                if text.strip():
                    added = self.session.add_tags(text)
                    self.message = f"added {', '.join(added)}" if added else "it has those tags already"
                else:
                    self.message = "no tags given"
            else:
                self.message = "note saved" if self.session.set_note(text) else "note unchanged"

        self.guard(save)
        self._paper = None
        return False  # do not keep the text

    def _open_page(self) -> None:
        url = self.session.page_url()
        opened = _open_in_browser(url)
        self.message = ("opened " if opened else "page: ") + url

    def _undo(self) -> None:
        message = self.session.undo()
        self.message = message or "nothing to undo"
        self.moved()

    def _more(self) -> None:
        n = self.session.more_like_this()
        self.message = f"next: {n} paper{'s' if n != 1 else ''} like this one" if n else "no paper ahead is like this one"


class _TagCompleter:
    """Completes the tag being typed (after the last comma) from the library's tags."""

    def __init__(self, screen: TriageScreen):
        self.screen = screen
        self._tags: list[str] | None = None

    def get_completions(self, document, complete_event):
        from prompt_toolkit.completion import Completion

        if self.screen.prompt != "tag":
            return
        if self._tags is None:
            self._tags = self.screen.session.known_tags()
        word = document.text_before_cursor.split(",")[-1].lstrip()
        for tag in self._tags:
            if tag.casefold().startswith(word.casefold()) and tag.casefold() != word.casefold():
                yield Completion(tag, start_position=-len(word))

    async def get_completions_async(self, document, complete_event):
        for completion in self.get_completions(document, complete_event):
            yield completion


def _open_in_browser(url: str) -> bool:
    """Open a graphical browser when there is one; a text browser would fight the screen for the terminal."""
    import os

    if os.environ.get("PAPERTRIAGE_NO_BROWSER"):
        return False
    if not (sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if isinstance(browser, getattr(webbrowser, "GenericBrowser", ())) and not getattr(browser, "background", True):
        return False
    try:
        return bool(browser.open(url))
    except Exception:  # noqa: BLE001 - a browser that fails to start is not our error
        return False


@app.command()
def triage(
    ctx: typer.Context,
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="[QUERY]", show_default=False,
        help="Walk the papers matching this query (still-new ones first) instead of the new papers.")] = None,
    sort: Annotated[str, typer.Option(
        "--sort", "-s", metavar="KEY",
        help="interest (default: learned from your decisions), interest:TAG, or any list order.")] = "interest",
) -> None:
    """Walk the new papers one screen at a time and decide: keep, skip or read.

    Ranked by what you keep (learned from your decisions as you make them);
    until there are enough, most promising first: seen in the most dumps, then
    most upvoted, then newest. Keys: k keep, s skip, r read, n note, t tag,
    o open, u undo, m more like this, arrows and PageUp/PageDown scroll,
    ? help, q quit. Every decision is saved as it is made, so quitting (or a
    crash) loses nothing, and the next run resumes with the papers still new.
    Needs a terminal; scripts use `mark` and `tag add`.
    """
    from ..errors import UserError
    from .common import check_sort

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("triage is interactive and needs a terminal; in scripts use `mark` and `tag add`")
    check_sort(sort)
    from ..core.triage import TriageSession

    lib = state(ctx).library
    session = TriageSession.start(lib, " ".join(query) if query else None, sort)
    screen = TriageScreen(session)
    if session.resumed:
        screen.message = "resumed where you stopped"
    try:
        screen.app.run()
    finally:
        session.save_position()
    counts = session.summary()
    decided = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    still_new = session.still_new()
    ending = "all papers walked" if session.done else f"stopped at {session.progress()}"
    from ..render.safe import terminal_safe

    print(terminal_safe(f"triage: {ending}; decisions saved: {decided}; {still_new} papers still new"
                        + (" (`papertriage triage` goes on with them)" if still_new else "")))
    if screen.interrupted:
        raise KeyboardInterrupt
