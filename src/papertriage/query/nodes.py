"""The query AST: what a parsed query means, and the SQL each part compiles to.

Every node is a frozen dataclass (so trees compare with ``==`` and print with
``repr`` in tests) and compiles itself to ``(sql, params)``: a boolean
expression over ``papers p``. Free text also compiles to an FTS5 expression
(``match``) so the planner (``plan.py``) can hand all of a query's words to
one ``MATCH``. Values are always bound with ``?``; the only strings put into
SQL text are column and table names from the whitelists here.

FTS5's own syntax never leaks to the user: every word or phrase becomes an
FTS5 *string* (``"..."`` with ``"`` doubled), which FTS5 splits with the same
tokenizer it indexed with. So ``x-ray`` is the phrase ``x ray``, ``GPT-2`` is
``gpt 2``, ``e(3)`` is ``e 3`` and ``AND``/``NEAR``/``*``/``:`` inside a word
are just characters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import STATUSES
from ..words import fts_words

Clause = tuple[str, list]

TEXT_FIELDS = ("title", "abstract")  # FTS5 columns, by name
_FTS_IN = "p.pk IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
# Characters FTS5 drops that change what a word means: C++ is not C, C# is
# not C, E(3) is not "i.e. 3". (A hyphen or an apostrophe is only a space:
# x-ray, X ray; chile's, Chile’s; those are left to FTS5 alone.)
_LITERAL_SYMBOLS = frozenset("+#()[]{}")
_PAIRS = {"(": ")", "[": "]", "{": "}"}


def fts_string(text: str) -> str:
    """``text`` as one FTS5 string: tokenized by FTS5, never parsed as syntax."""
    return '"' + text.replace('"', '""') + '"'


def like_escape(text: str) -> str:
    """Escape ``%``, ``_`` and the escape character itself for ``LIKE … ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Node:
    """Base class: a boolean condition on one paper."""

    def sql(self) -> Clause:  # pragma: no cover - every node overrides it
        raise NotImplementedError

    def is_fts(self) -> bool:
        """True when FTS5 alone decides this node (no SQL refinement needed)."""
        return False

    def terms(self) -> list["Text"]:
        """The positive text terms, for highlighting and typo correction."""
        return []


# -- free text ---------------------------------------------------------------


@dataclass(frozen=True)
class Text(Node):
    """Shared by Word, Phrase and Prefix: some text, in both columns or one."""

    text: str
    field: str | None = None  # "title", "abstract", or None for both

    def tokens(self) -> list[str]:
        return fts_words(self.text)

    def match(self, default: str | None = None) -> str:
        """The FTS5 expression; ``default`` restricts an unfielded term to a column."""
        column = self.field or default
        expr = self._fts()
        return f"{{{column}}} : {expr}" if column else expr

    def _fts(self) -> str:
        return fts_string(self.text)

    def literals(self) -> list[str]:
        """Pieces that must appear as written (``C++``, ``e(3)``), checked with LIKE after FTS5.

        Wrapping punctuation is not part of a piece: ``(C++),`` is ``C++``, ``(LLMs)`` is none.
        """
        pieces = []
        for piece in self.text.split():
            piece = piece.strip(".,;:!?'\"*")
            while len(piece) > 1 and _PAIRS.get(piece[0]) == piece[-1]:
                piece = piece[1:-1].strip(".,;:!?'\"")
            if any(c in _LITERAL_SYMBOLS for c in piece):
                pieces.append(piece)
        return pieces

    def refine(self) -> Clause | None:
        pieces = self.literals()
        if not pieces:
            return None
        columns = [self.field] if self.field else list(TEXT_FIELDS)
        sql, params = [], []
        for piece in pieces:
            one = " OR ".join(f"p.{c} LIKE ? ESCAPE '\\'" for c in columns)
            sql.append(f"({one})" if len(columns) > 1 else one)
            params += [f"%{like_escape(piece)}%"] * len(columns)
        return " AND ".join(sql), params

    def is_fts(self) -> bool:
        return not self.literals()

    def sql(self) -> Clause:
        refine = self.refine()
        if refine is None:
            return _FTS_IN, [self.match()]
        return f"({_FTS_IN} AND {refine[0]})", [self.match(), *refine[1]]

    def terms(self) -> list["Text"]:
        return [self]

    def _field_prefix(self) -> str:
        return f"{self.field}:" if self.field else ""


@dataclass(frozen=True)
class Word(Text):
    """A free word: ``kan``, ``x-ray``, ``C++``, ``title:kan``. Typos may be corrected."""

    def __str__(self) -> str:
        return self._field_prefix() + self.text


@dataclass(frozen=True)
class Phrase(Text):
    """``"exact phrase"``: the words in this order, never corrected."""

    def __str__(self) -> str:
        return f'{self._field_prefix()}"{self.text}"'


@dataclass(frozen=True)
class Prefix(Text):
    """``transfo*``: words starting so (the last word, for ``"gpt 4"*``)."""

    def _fts(self) -> str:
        return fts_string(self.text) + " *"

    def __str__(self) -> str:
        text = f'"{self.text}"' if " " in self.text else self.text
        return f"{self._field_prefix()}{text}*"


# -- boolean structure -----------------------------------------------------


@dataclass(frozen=True)
class Not(Node):
    """``-word``, ``-tag:skip``, ``NOT x``: papers the inner condition does not hold for."""

    item: Node

    def sql(self) -> Clause:
        sql, params = self.item.sql()
        # coalesce: `-upvotes>=5` keeps papers whose upvotes are unknown.
        return f"NOT coalesce({sql}, 0)", params

    def __str__(self) -> str:
        return f"-({self.item})" if isinstance(self.item, (And, Or)) else f"-{self.item}"


@dataclass(frozen=True)
class Or(Node):
    """``a OR b``: either holds."""

    items: tuple[Node, ...]

    def sql(self) -> Clause:
        parts = [item.sql() for item in self.items]
        return "(" + " OR ".join(s for s, _ in parts) + ")", [p for _, ps in parts for p in ps]

    def is_fts(self) -> bool:
        return all(isinstance(i, (Text, And, Or)) and i.is_fts() for i in self.items)

    def match(self, default: str | None = None) -> str:
        return "(" + " OR ".join(i.match(default) for i in self.items) + ")"  # type: ignore[attr-defined]

    def terms(self) -> list[Text]:
        return [t for i in self.items for t in i.terms()]

    def __str__(self) -> str:
        return " OR ".join(f"({i})" if isinstance(i, And) else str(i) for i in self.items)


@dataclass(frozen=True)
class And(Node):
    """Terms side by side: all must hold."""

    items: tuple[Node, ...]

    def sql(self) -> Clause:
        parts = [item.sql() for item in self.items]
        return "(" + " AND ".join(s for s, _ in parts) + ")", [p for _, ps in parts for p in ps]

    def is_fts(self) -> bool:
        """A group FTS5 alone decides (inside an OR or a -(…)): words and groups,
        and exclusions of them beside at least one of them."""
        positives = [i for i in self.items if not isinstance(i, Not)]
        negatives = [i.item for i in self.items if isinstance(i, Not)]
        return bool(positives) and all(isinstance(i, (Text, And, Or)) and i.is_fts()
                                       for i in positives + negatives)

    def match(self, default: str | None = None) -> str:
        positives = [i for i in self.items if not isinstance(i, Not)]
        negatives = [i.item for i in self.items if isinstance(i, Not)]
        expr = "(" + " AND ".join(i.match(default) for i in positives) + ")"  # type: ignore[attr-defined]
        if negatives:  # exclusions apply to the whole text, whatever the default column
            expr = f"({expr} NOT (" + " OR ".join(i.match() for i in negatives) + "))"  # type: ignore[attr-defined]
        return expr

    def terms(self) -> list[Text]:
        return [t for i in self.items for t in i.terms()]

    def __str__(self) -> str:
        return " ".join(str(i) for i in self.items)  # a OR b c is (a OR b) c: no parentheses needed


# -- field filters -----------------------------------------------------------

_SQL_OPS = {":": "=", "=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
ALL_OPS = tuple(_SQL_OPS)


class FieldType:
    """How one filter field reads its value and compiles (beets' types -> query)."""

    ops: tuple[str, ...] = (":",)
    help: str = ""

    def read(self, op: str, raw: str) -> object:
        """The value as this field means it; ValueError (a message) when it is not one."""
        if not raw:
            raise ValueError("needs a value")
        return raw

    def sql(self, op: str, value) -> Clause:  # pragma: no cover
        raise NotImplementedError


class NumberField(FieldType):
    ops = ALL_OPS

    def __init__(self, column: str, help: str):
        self.column, self.help = column, help

    def read(self, op: str, raw: str) -> int:
        if not raw.isdigit() or not raw.isascii():
            raise ValueError(f"wants a whole number, not {raw!r}")
        if len(raw.lstrip("0")) > len(str(MAX_NUMBER)) or int(raw) > MAX_NUMBER:
            # SQLite integers are 64-bit; a bigger number would overflow in the driver (issue 17).
            raise ValueError(f"wants a whole number up to {MAX_NUMBER}, not {raw[:30]!r}")
        return int(raw)

    def sql(self, op: str, value: int) -> Clause:
        return f"p.{self.column} {_SQL_OPS[op]} ?", [value]


MAX_NUMBER = 2**63 - 1  # the largest SQLite integer
_END_OF_TIME = "9999-99"  # after every ISO date: the end of a period that runs to the end of 9999


def _iso_after(year: int, month: int = 1, day: int = 1) -> str:
    """The ISO date a period ends before; past 9999 (no such date) a sentinel that
    compares after every date, so ``date:9999-12`` works like ``date:9999-11``."""
    if year > 9999:
        return _END_OF_TIME
    return dt.date(year, month, day).isoformat()


def _period(raw: str) -> tuple[str, str]:
    """``2024``, ``2024-06`` or ``2024-06-01`` -> [start, end) as ISO dates."""
    parts = raw.split("-")
    try:
        if len(parts) == 1 and len(raw) == 4:
            year = int(raw)
            return dt.date(year, 1, 1).isoformat(), _iso_after(year + 1)
        if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
            year, month = int(parts[0]), int(parts[1])
            start = dt.date(year, month, 1)
            return start.isoformat(), _iso_after(year + month // 12, month % 12 + 1)
        if len(parts) == 3 and len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            if day == dt.date.max:
                return day.isoformat(), _END_OF_TIME
            return day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):
        pass
    raise ValueError(f"wants a date as YYYY-MM-DD (or YYYY-MM, YYYY), not {raw!r}")


def _period_sql(op: str, start: str, end: str) -> Clause:
    # Half-open periods on the ISO text, so the published index is used.
    if op in (":", "="):
        return "(p.published >= ? AND p.published < ?)", [start, end]
    return {
        ">=": ("p.published >= ?", [start]),
        ">": ("p.published >= ?", [end]),
        "<": ("p.published < ?", [start]),
        "<=": ("p.published < ?", [end]),
    }[op]


class DateField(FieldType):
    """``date:2024-06``, ``date>=2024-06-01``; ``after:`` (on or after) and ``before:`` (strictly before)."""

    def __init__(self, ops: tuple[str, ...], fixed_op: str | None, help: str):
        self.ops, self.fixed_op, self.help = ops, fixed_op, help

    def read(self, op: str, raw: str) -> str:
        _period(raw)
        return raw

    def sql(self, op: str, value: str) -> Clause:
        return _period_sql(self.fixed_op or op, *_period(value))


class YearField(FieldType):
    ops = ALL_OPS
    help = "year published: year:2024, year>=2023"

    def read(self, op: str, raw: str) -> int:
        if not (len(raw) == 4 and raw.isdigit() and raw.isascii()) or int(raw) < 1:
            raise ValueError(f"wants a year like 2024, not {raw!r}")
        return int(raw)

    def sql(self, op: str, value: int) -> Clause:
        return _period_sql(op, f"{value:04d}-01-01", _iso_after(value + 1))


class TagField(FieldType):
    """Tags with ``/`` are a hierarchy: ``tag:method`` is ``method`` and every
    tag under it (``method/kan``), ``tag:method/`` only the tags under it."""

    help = "tagged so (any case), or under it: tag:method is method and method/kan; tag:method/ only below"

    def sql(self, op: str, value: str) -> Clause:
        if value.endswith("*") and len(value) > 1:
            return ("p.pk IN (SELECT paper FROM tags WHERE tag LIKE ? ESCAPE '\\')",
                    [like_escape(value[:-1]) + "%"])
        if value.endswith("/"):
            return ("p.pk IN (SELECT paper FROM tags WHERE tag LIKE ? ESCAPE '\\')",
                    [like_escape(value) + "_%"])
        return ("p.pk IN (SELECT paper FROM tags WHERE tag = ? OR tag LIKE ? ESCAPE '\\')",
                [value, like_escape(value) + "/_%"])


class StatusField(FieldType):
    help = f"triage status: {', '.join(STATUSES)}"

    def read(self, op: str, raw: str) -> str:
        value = raw.lower()
        if value not in STATUSES:
            raise ValueError(f"is one of {', '.join(STATUSES)}, not {raw!r}")
        return value

    def sql(self, op: str, value: str) -> Clause:
        return "p.status = ?", [value]


class FileField(FieldType):
    help = "seen in a dump whose file name contains this"

    def sql(self, op: str, value: str) -> Clause:
        return ("p.pk IN (SELECT s.paper FROM sightings s JOIN dumps d ON d.id = s.dump"
                " WHERE d.name LIKE ? ESCAPE '\\')", [f"%{like_escape(value)}%"])


class AuthorField(FieldType):
    help = "an author's name contains this (any case): author:hinton, author:\"geoffrey hinton\""

    def sql(self, op: str, value: str) -> Clause:
        # authors is a JSON array of names; LIKE ignores ASCII case.
        return "p.authors LIKE ? ESCAPE '\\'", [f"%{like_escape(value)}%"]


class ArxivField(FieldType):
    help = "arXiv id: arxiv:2406.07550 (a version or arXiv: prefix is ignored), arxiv:2406* for a month"

    def read(self, op: str, raw: str) -> str:
        from ..links import clean_arxiv_id

        if raw.endswith("*") and len(raw) > 1 and raw[:-1].replace(".", "").isdigit():
            return raw
        value = clean_arxiv_id(raw)
        if value is None:
            raise ValueError(f"wants an arXiv id like 2406.07550, not {raw!r}")
        return value

    def sql(self, op: str, value: str) -> Clause:
        if value.endswith("*"):
            return "p.arxiv_id LIKE ? ESCAPE '\\'", [like_escape(value[:-1]) + "%"]
        return "p.arxiv_id = ?", [value]


class IdField(FieldType):
    help = "paper id or a prefix of one: id:e922"

    def read(self, op: str, raw: str) -> str:
        value = raw.lower().rstrip("*")
        if not value or any(c not in "0123456789abcdef" for c in value):
            raise ValueError(f"wants a paper id (hex digits), not {raw!r}")
        return value

    def sql(self, op: str, value: str) -> Clause:
        return "p.id >= ? AND p.id < ?", [value, value + "g"]


# The whitelist of filter fields. title: and abstract: are text fields (FTS5
# columns), handled by the parser as Word/Phrase/Prefix with a field.
FIELDS: dict[str, FieldType] = {
    "tag": TagField(),
    "status": StatusField(),
    "upvotes": NumberField("upvotes", "upvotes: upvotes>=10"),
    "authors": NumberField("authors_count", "number of authors: authors<=3"),
    "seen": NumberField("seen", "number of dumps it appeared in: seen>=2"),
    "year": YearField(),
    "date": DateField(ALL_OPS, None, "date published: date:2024-06, date>=2024-06-01"),
    "after": DateField((":",), ">=", "published on or after: after:2024-06-01"),
    "before": DateField((":",), "<", "published before: before:2024-07-01"),
    "file": FileField(),
    "author": AuthorField(),
    "arxiv": ArxivField(),
    "id": IdField(),
}
ALIASES = {"upvote": "upvotes", "tags": "tag", "published": "date"}


@dataclass(frozen=True)
class Filter(Node):
    """``field op value`` on a paper's metadata: ``upvotes>=5``, ``tag:interp``."""

    field: str
    op: str
    value: object

    def sql(self) -> Clause:
        return FIELDS[self.field].sql(self.op, self.value)

    def __str__(self) -> str:
        value = str(self.value)
        if not value or any(c.isspace() or c == '"' for c in value):
            value = '"' + value.replace('"', "") + '"'
        return f"{self.field}{self.op}{value}"
