"""Errors papertriage raises, and the exit code each one maps to.

Only ``cli.main()`` turns these into exit statuses; core, store and parsers
raise them and never exit.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit statuses, grep-style: 0 ok, 1 nothing matched, 2 user error."""

    OK = 0
    NO_MATCH = 1
    USER_ERROR = 2
    LIBRARY_ERROR = 3
    INTERRUPTED = 130


class PapertriageError(Exception):
    """Base class: a one-line message for the user, plus an exit code."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 reported: bool = False):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        # Already told to the user, line by line, as it happened: main() only exits.
        self.reported = reported

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        return f"{where}{self.message}"


class UserError(PapertriageError):
    """Bad usage: an unknown option value, a missing file, and the like."""


class ParseError(PapertriageError):
    """A dump that fits no layout, is empty or binary, or breaks off mid-record."""


class QuerySyntaxError(PapertriageError):
    """A malformed query; ``position`` is the offset of the offending term."""

    def __init__(self, message: str, *, query: str = "", position: int = 0):
        super().__init__(message)
        self.query = query
        self.position = position

    def __str__(self) -> str:
        return f"bad query: {self.message}"


class UnknownIdError(PapertriageError):
    """One or more paper ids (or prefixes) that match nothing, or too much."""

    def __init__(self, message: str, ids: list[str] | None = None):
        super().__init__(message)
        self.ids = ids or []


class NoMatch(PapertriageError):
    """A search or selection that found nothing (exit 1, like grep)."""

    exit_code = ExitCode.NO_MATCH


class StoreError(PapertriageError):
    """The library file cannot be opened, read or written."""

    exit_code = ExitCode.LIBRARY_ERROR
