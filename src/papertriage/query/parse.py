"""Query text -> AST.

The language (one expression means the same in search, list, export and tag)::

    kolmogorov arnold          free words, all required, in title or abstract
    "exact phrase"             these words in this order (never typo-corrected)
    transfo*                   words starting so (at least 2 letters before *)
    diffusion OR flow          either (OR binds tighter than the space: a OR b c = (a OR b) c)
    (kan OR mlp) transformer   parentheses group, nested too; -(survey OR review) excludes a group
    -survey   NOT survey       exclude
    x-ray GPT-2 C++ chile's e(3)
                               words with punctuation mean what they say; never a syntax error
    title:kan  abstract:"graph neural"  title:transfo*
    tag:interp  -tag:skip  tag:inter*   status:new
    upvotes>=5  authors<=3  seen>=2     (also > < <= = and upvotes:5, upvotes:>=5)
    year:2024  year>=2023  date:2024-06  after:2024-06-01  before:2024-07-01
    file:003                   seen in a dump whose file name contains 003

Examples, as the tests check them::

    parse_query("kan -survey")      -> And((Word('kan'), Not(Word('survey'))))
    parse_query('a OR "b c"')       -> Or((Word('a'), Phrase('b c')))
    parse_query("upvotes>=5")       -> Filter('upvotes', '>=', 5)

Decisions:

- Only ``"`` (and typographic “ ”) quotes, and only at the start of a term
  (or of a field's value): ``chile's`` and ``5"`` are plain words.
- ``name:value`` with a name that is not a field is a plain word
  (``arXiv:2401.12345``, ``Mistral:7B``), except when the name is one typo
  away from a field (``tga:x``, ``titel:x``, ``years:2024``): that is an
  error saying which field was probably meant, since silently searching the
  text for it would find nothing and not say why.
- Terms with no searchable character (``&``, ``—``) are dropped.
- ``OR``, ``AND`` and ``NOT`` are operators only in capitals.
- ``(`` opening a term and ``)`` ending one group; inside a word they are text
  (``e(3)``, and ``NEAR(a b)``, whose ``)`` closes the word's ``(``). A ``(``
  left open or a ``)`` closing nothing is an error with a caret under it.

Errors are ``QueryError`` (a ``QuerySyntaxError``, exit 2): a one-line
message naming the bad term, then the query with a caret under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import QuerySyntaxError
from .nodes import ALIASES, FIELDS, TEXT_FIELDS, And, Filter, Node, Not, Or, Phrase, Prefix, Text, Word
from ..words import fts_words

_OPEN_QUOTES = '"“'
_CLOSE_QUOTES = '"”'
_FIELD = re.compile(r"([A-Za-z_]+)(:(?:>=|<=|>|<|=)?|>=|<=|>|<|=)")
MIN_PREFIX = 2  # letters before `*`: a one-letter prefix matches half of a big library
# The work one query may cause (issue 17): each term is a full-text lookup and
# a bm25 term for every matching row, so hundreds of `OR a` took minutes.
# Generous for a person, refused clearly for a generated query gone wrong.
MAX_QUERY_CHARS = 2000
MAX_TERMS = 48
MAX_DEPTH = 16


class QueryError(QuerySyntaxError):
    """A malformed query, shown with a caret under the bad part."""

    def __init__(self, message: str, *, query: str, position: int, length: int = 1):
        super().__init__(message, query=query, position=position)
        self.length = max(1, length)

    def __str__(self) -> str:
        line = " ".join(self.query.split("\n"))
        line = "".join(" " if c.isspace() else c for c in line)
        start, pos = 0, self.position
        if len(line) > 100:  # show a window around the bad part
            start = max(0, pos - 40)
            line = ("…" if start else "") + line[start:start + 100]
            pos = pos - start + (1 if start else 0)
        return f"bad query: {self.message}\n  {line}\n  {' ' * pos}{'^' * min(self.length, 100)}"


@dataclass
class _Term:
    start: int
    end: int
    text: str
    quoted: bool  # the (value) part is a quoted phrase
    star: bool  # quoted phrase followed by *
    kind: str = "term"  # "term", "(" (opens a group; text "-(" when negated) or ")"


def _opens_group(query: str, i: int) -> bool:
    """Whether the ``(`` at ``i`` (or after the ``-`` at ``i``) opens a group: it
    is not closed within its own word (``(LLMs),`` and ``(C++)`` are words)."""
    depth = 0
    for c in query[i:]:
        if c.isspace():
            return True
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return False
    return True


def _scan(query: str) -> list[_Term]:
    """Split into terms at whitespace; a quote opening a term (or a field's value)
    runs to its close. ``(`` and ``-(`` opening a term and ``)`` ending one
    are groups (``(kan OR mlp)``); parentheses inside a word are text (``e(3)``)."""
    terms: list[_Term] = []
    i, n = 0, len(query)
    literal_open = 0  # "(" inside words not closed yet: the ")" that matches them is text
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        if (query[i] == "(" or (query[i] == "-" and query.startswith("(", i + 1))) and _opens_group(query, i):
            width = 1 if query[i] == "(" else 2
            terms.append(_Term(i, i + width, query[i:i + width], False, False, "("))
            i += width
            continue
        start = i
        j = i + 1 if query[i] == "-" else i
        m = _FIELD.match(query, j)
        k = m.end() if m else j
        if k < n and query[k] in _OPEN_QUOTES:
            close = next((x for x in range(k + 1, n) if query[x] in _CLOSE_QUOTES), -1)
            if close < 0:
                raise QueryError("unclosed quote", query=query, position=k, length=n - k)
            end = close + 1
            star = end < n and query[end] == "*"
            terms.append(_Term(start, end + star, query[start:end], True, star))
            i = end + star
            continue
        while i < n and not query[i].isspace():
            i += 1
        chunk = query[start:i]
        depth, word_end = 0, len(chunk)
        for x, c in enumerate(chunk):
            if c == "(":
                depth += 1
            elif c == ")":
                if depth:  # closes this word's own "(": e(3)
                    depth -= 1
                elif literal_open:  # closes an earlier word's "(": NEAR(a b)
                    literal_open -= 1
                elif chunk[x:] == ")" * (len(chunk) - x):  # only ")" left: they close groups
                    word_end = x
                    break
        literal_open += depth
        word = chunk[:word_end]
        if word:
            terms.append(_Term(start, start + len(word), word, False, False))
        for x in range(start + len(word), i):
            terms.append(_Term(x, x + 1, ")", False, False, ")"))
    return terms


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _meant_field(name: str) -> str | None:
    """The field a near-miss name probably meant (``tga`` -> ``tag``), or None."""
    if len(name) < 3:
        return None
    for known in (*FIELDS, *TEXT_FIELDS):
        if _edit_distance_at_most_one(name, known) or (len(name) >= 3 and known.startswith(name)):
            return known
    return None


class _Parser:
    def __init__(self, query: str):
        self.query = query

    def error(self, message: str, start: int, end: int) -> QueryError:
        return QueryError(message, query=self.query, position=start, length=end - start)

    def parse(self) -> Node | None:
        if len(self.query) > MAX_QUERY_CHARS:
            raise self.error(f"query too long ({len(self.query)} characters; at most {MAX_QUERY_CHARS})",
                             MAX_QUERY_CHARS, len(self.query))
        self.terms = _scan(self.query)
        depth = 0
        for t in self.terms:
            depth += (t.kind == "(") - (t.kind == ")")
            if depth > MAX_DEPTH:
                raise self.error(f"parentheses nested more than {MAX_DEPTH} deep", t.start, t.end)
        self.at = 0
        node = self.sequence(None)
        if self.at < len(self.terms):  # a ")" with no "(" before it
            stray = self.terms[self.at]
            raise self.error("unbalanced parenthesis: this ) closes no (", stray.start, stray.end)
        searched = len(node.terms()) if node is not None else 0  # after `a OR a` became `a`
        if searched > MAX_TERMS:
            words = [t for t in self.terms if t.kind == "term" and (t.quoted or t.text not in ("OR", "AND", "NOT"))]
            start = words[MAX_TERMS].start if len(words) > MAX_TERMS else 0
            raise self.error(f"too many words to search for ({searched}; at most {MAX_TERMS}): split the query, "
                             "or use tags to group papers", start, len(self.query))
        return node

    def sequence(self, opened: _Term | None) -> Node | None:
        """Terms up to the ``)`` closing ``opened`` (or the end): OR-groups side by side."""
        groups: list[list[Node]] = []
        pending_or: _Term | None = None
        negate_next: _Term | None = None
        last_was_term = False
        while self.at < len(self.terms):
            term = self.terms[self.at]
            if term.kind == ")":
                if opened is None:
                    break  # parse() reports it
                self.at += 1
                opened = None
                break
            self.at += 1
            if not term.quoted and term.kind == "term" and term.text in ("OR", "AND", "NOT"):
                if term.text == "OR":
                    if not last_was_term or pending_or or negate_next:
                        raise self.error("OR needs a term before it", term.start, term.end)
                    pending_or = term
                elif term.text == "NOT":
                    if negate_next:
                        raise self.error("NOT needs a term after it", negate_next.start, negate_next.end)
                    negate_next = term
                continue  # AND: terms side by side are all required anyway
            if term.kind == "(":
                node = self.sequence(term)
                if node is not None and term.text == "-(":
                    node = node.item if isinstance(node, Not) else Not(node)
            else:
                node = self.term(term)
            if node is None:  # nothing searchable in it: dropped
                continue
            if negate_next is not None:
                node = node.item if isinstance(node, Not) else Not(node)
                negate_next = None
            if pending_or is not None:
                if node not in groups[-1]:  # `a OR a` is `a`: no work twice
                    groups[-1].append(node)
                pending_or = None
            else:
                groups.append([node])
            last_was_term = True
        if opened is not None:
            raise self.error("unclosed parenthesis: this ( has no )", opened.start, opened.end)
        if pending_or is not None:
            raise self.error("OR needs a term after it", pending_or.start, pending_or.end)
        if negate_next is not None:
            raise self.error("NOT needs a term after it", negate_next.start, negate_next.end)
        items = [_or(g) for g in groups]
        if not items:
            return None
        flat: list[Node] = []
        for item in items:  # (a b) c is a b c
            flat.extend(item.items if isinstance(item, And) else (item,))
        return flat[0] if len(flat) == 1 else And(tuple(flat))

    def term(self, term: _Term) -> Node | None:
        text, start = term.text, term.start
        negated = text.startswith("-") and len(text) > 1
        if negated:
            text, start = text[1:], start + 1
        node: Node | None
        m = _FIELD.match(text)
        name = m.group(1).lower() if m else None
        name = ALIASES.get(name, name) if name else None
        if m and (name in FIELDS or name in TEXT_FIELDS):
            node = self.field(term, name, m.group(2), text[m.end():], start, start + m.end())
        elif m and name is not None and (meant := _meant_field(name)) is not None:
            raise self.error(f"unknown field {m.group(1)}: (did you mean {meant}:? put the term in quotes"
                             " to search for it as text)", start, start + len(m.group(1)))
        else:
            node = self.text(term, text, start, field=None)
        if node is None:
            return None
        return Not(node) if negated else node

    def text(self, term: _Term, text: str, start: int, field: str | None) -> Text | None:
        if term.quoted and text[0] in _OPEN_QUOTES:
            node: Text = (Prefix if term.star else Phrase)(text[1:-1], field)
        elif text.endswith("*") and len(text) > 1:
            node = Prefix(text.rstrip("*"), field)
        else:
            node = Word(text, field)
        words = fts_words(node.text)
        if not words:
            return None
        if isinstance(node, Prefix) and len(words) == 1 and len(words[0]) < MIN_PREFIX:
            raise self.error(f"a prefix needs at least {MIN_PREFIX} letters before *", start,
                             start + len(text))
        return node

    def field(self, term: _Term, name: str, op: str, value: str, start: int, value_start: int) -> Node | None:
        if len(op) > 1 and op.startswith(":"):  # upvotes:>=5, as GitHub writes it
            op = op[1:]
        end = term.end
        if name in TEXT_FIELDS:
            if op != ":":
                raise self.error(f"{name} takes {name}:word, not {name}{op}", start, value_start)
            if not value:
                raise self.error(f"{name}: needs a word or a \"phrase\" after it", start, value_start)
            node = self.text(term, value, value_start, field=name)
            if node is None:
                raise self.error(f"nothing to search for in {name}:{value}", start, end)
            return node
        kind = FIELDS[name]
        if op not in kind.ops:
            raise self.error(f"{name} takes {name}:VALUE, not {name}{op}", start, value_start)
        if term.quoted:
            value = value[1:-1]
        if not value:
            raise self.error(f"{name}: needs a value after it", start, value_start)
        try:
            parsed = kind.read(op, value)
        except ValueError as exc:
            raise self.error(f"{name} {exc}", value_start, end) from None
        return Filter(name, op, parsed)


def _or(group: list[Node]) -> Node:
    """One OR-group; (a OR b) OR c is a OR b OR c."""
    if len(group) == 1:
        return group[0]
    items: list[Node] = []
    for node in group:
        items.extend(node.items if isinstance(node, Or) else (node,))
    return Or(tuple(items))


def parse_query(query: str | None) -> Node | None:
    """Parse a query; None when it holds nothing to search for (blank, only punctuation)."""
    if query is None:
        return None
    return _Parser(query).parse()
