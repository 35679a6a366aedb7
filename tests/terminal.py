"""A papertriage process in a pseudo-terminal, read through a VT100 screen emulator.

``Terminal`` runs a command under pexpect and feeds everything it writes to
a pyte screen, so a test asserts what a user sees (which rows hold the title,
the progress, the key bar) rather than raw escape sequences. It waits for
text to appear on the screen (up to a generous timeout) instead of sleeping,
so a slow machine only makes it slower.
"""

from __future__ import annotations

import os
import sys
import time

import pexpect
import pyte

TIMEOUT = 180.0  # seconds; a loaded machine can take many seconds to start Python, and a match returns at once

KEYS = {
    "up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
    "pageup": "\x1b[5~", "pagedown": "\x1b[6~", "home": "\x1b[H", "end": "\x1b[F",
    "f1": "\x1bOP", "f5": "\x1b[15~", "f12": "\x1b[24~", "insert": "\x1b[2~", "delete": "\x1b[3~",
    "esc": "\x1b", "tab": "\t", "enter": "\r", "backspace": "\x7f", "shift-tab": "\x1b[Z",
    "ctrl-left": "\x1b[1;5D", "alt-x": "\x1bx", "ctrl-z": "\x1a", "ctrl-s": "\x13", "ctrl-q": "\x11",
}


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str], rows: int = 24, cols: int = 80):
        self.rows, self.cols = rows, cols
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(sys.executable, args, env=env, dimensions=(rows, cols), encoding="utf-8",
                                   codec_errors="replace", timeout=TIMEOUT)
        self.output = ""  # everything written, for checks on raw bytes

    def _pump(self, wait: float) -> bool:
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.output += data
        self.stream.feed(data)
        return True

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        """Wait until every one of ``texts`` is on the screen; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if all(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"not on the screen after {timeout:.0f} s: {texts!r}\n{screen}")
            if not self._pump(0.2) and not all(t in self.text() for t in texts):
                raise AssertionError(f"the program ended before showing {texts!r}\n{self.text()}")

    def settle(self, quiet: float = 0.5, timeout: float = TIMEOUT) -> str:
        """Read until the program has been quiet for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        before = len(self.output)
        while time.monotonic() < deadline:
            if not self._pump(quiet) or len(self.output) == before:
                break
            before = len(self.output)
        return self.text()

    def send(self, keys: str) -> None:
        self.child.send(KEYS.get(keys, keys))

    def resize(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while self._pump(0.2):
            if time.monotonic() > deadline:
                raise AssertionError("the program did not end\n" + self.text())
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + (self.child.signalstatus or 0)


def papertriage_env(library_path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRIAGE")}
    env.update(PAPERTRIAGE_LIBRARY=library_path, TERM="xterm-256color", PAPERTRIAGE_NO_BROWSER="1")
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env
