"""Properties of every parser and of the query parser (issue 17, hostile input).

For any input:

- each dump layout's parser (trending, daily-meta, daily-plain, hf-api), the
  detection in front of them, and the byte decoding either return sightings
  or raise ``ParseError``: never another exception, and the message is one
  line naming ``file:line`` with the line inside the file;
- hf-api records written as a saved API response read back as they were
  (the text layouts' round trips are in ``tests/test_parse_roundtrip.py``,
  through ``corpus``'s renderers);
- the query parser returns a tree or raises ``QueryError``; the message is
  ``bad query: ...`` with the query and a caret under a position inside it;
  and the work a query can ask for is bounded by the limits in
  ``query/parse.py`` (characters, terms, nesting), whatever it is made of.

Examples are kept few enough (``max_examples``) that this file runs in a few
seconds; the campaign (``bench/campaign.py --areas hostile``) runs thousands
of mutated files and queries through the whole command.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpus
from papertriage import parse
from papertriage.errors import ParseError
from papertriage.parse import parse_bytes, parse_text, split_lines
from papertriage.parse.base import DumpText
from papertriage.query import QueryError, compile_query, parse_query
from papertriage.query.parse import MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCE = "some dump.txt"

# Lines a dump is made of: page furniture, date and authors lines, words of any
# script, control characters and escapes, JSON punctuation.
_LINES = st.one_of(
    st.sampled_from([
        "", "new", "Subscribe", "Daily Papers", "Trending Papers", "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!", "byAK and the research community",
        "\u2022 3 authors", "* 0 authors", "99999 authors", "Jun 23", "Jun 23 1", "Feb 29", "Feb 30, 2023",
        "Jan 10, 2023", "Sep 16, 2024 5", "Dec 31, 9999 99999999999999999999", "Jan 1, 0000", "[", "]", "{", "}",
        "[{", '{"paper": {', '"title": "x",', '"summary": 1e999,', '"upvotes": 123456789012345678901234567890',
        "\x1b]52;c;ZXZpbA==\x07", "\x1b[2J", "\u202e", "\x9b31m", "\ufeff", "\u2028", "\x00",
    ]),
    st.text(max_size=60),
)
_DUMPS = st.lists(_LINES, max_size=30).flatmap(
    lambda lines: st.sampled_from(("\n", "\r\n", "\r")).map(lambda sep: sep.join(lines)))
_OPTIONS = st.fixed_dictionaries({}, optional={"page_date": st.dates(), "saved_year": st.integers(1, 9999)})


def _assert_one_line_naming_the_place(exc: ParseError, text: str) -> None:
    message = str(exc)
    assert "\n" not in message and "\r" not in message, message
    assert exc.file == SOURCE and message.startswith(f"{SOURCE}:{exc.line}: "), message
    lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert exc.line is not None and 1 <= exc.line <= max(lines, 1), (exc.line, lines)


def _parse_or_refuse(text: str, **options) -> parse.ParseResult | None:
    try:
        return parse_text(text, SOURCE, **options)
    except ParseError as exc:
        _assert_one_line_naming_the_place(exc, text)
        return None


# ---------------------------------------------------------------------------
# Each layout on its own, and the detection in front of them


@pytest.mark.parametrize("layout", sorted(parse.LAYOUTS))
@SETTINGS
@given(text=_DUMPS, options=_OPTIONS)
def test_each_layout_parses_or_raises_a_one_line_parse_error(layout, text, options):
    # Called directly, even on text its detect() would not pick: a layout must
    # still refuse it cleanly (detection is a heuristic over the first lines).
    dump = DumpText(source=SOURCE, lines=split_lines(text), **options)
    try:
        result = parse.get(layout).parse(dump)
    except ParseError as exc:
        _assert_one_line_naming_the_place(exc, text)
    else:
        assert result.layout == layout
        for s in result.sightings:
            assert 1 <= s.line <= len(dump.lines)


@SETTINGS
@given(text=_DUMPS)
def test_detection_picks_a_registered_layout_or_refuses(text):
    dump = DumpText(source=SOURCE, lines=split_lines(text))
    try:
        layout = parse.detect(dump)
    except ParseError as exc:
        _assert_one_line_naming_the_place(exc, text)
    else:
        assert parse.LAYOUTS[layout.name] is layout


@pytest.mark.parametrize("layout", corpus.LAYOUTS)
@SETTINGS
@given(prefix=st.lists(st.sampled_from(["", " ", "\ufeff"]), max_size=2).map("".join))
def test_a_rendered_page_is_detected_as_its_layout(layout, prefix):
    papers = corpus.load_real_papers(corpus.SAMPLE_DATA)[:3]
    text = prefix + corpus.render(layout, papers, dt.date(2025, 3, 1))
    assert parse_text(text, SOURCE).layout == layout


@SETTINGS
@given(text=_DUMPS, options=_OPTIONS)
def test_whole_dumps_parse_or_raise_a_one_line_parse_error(text, options):
    result = _parse_or_refuse(text, **options)
    if result is not None:
        for s in result.sightings:  # the one filter: nothing that can steer a terminal
            for value in (s.title, s.abstract, s.published_raw or ""):
                assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in "\u202e\u2066" for c in value)
            assert s.upvotes is None or 0 <= s.upvotes <= parse.MAX_COUNT


_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])


@SETTINGS
@given(text=_DUMPS, encoding=_ENCODINGS, cut=st.integers(0, 2000), flips=st.lists(st.integers(0, 4000), max_size=4))
def test_any_bytes_parse_or_raise_a_one_line_parse_error(text, encoding, cut, flips):
    data = bytearray(text.encode(encoding, "replace"))
    for at in flips:
        if data:
            data[at % len(data)] ^= 0x80
    data = bytes(data[:cut] if cut < len(data) else data)
    try:
        parse_bytes(data, SOURCE)
    except ParseError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(f"{SOURCE}:{exc.line}: "), message
        assert 1 <= exc.line <= data.count(b"\n") + data.count(b"\r") + 1


# ---------------------------------------------------------------------------
# hf-api: a saved API response round trip

_TEXT = st.lists(st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=10),
                 min_size=1, max_size=8).map(" ".join)
_ARXIV = st.builds(lambda y, m, n: f"{y:02d}{m:02d}.{n:05d}", st.integers(7, 99), st.integers(1, 12),
                   st.integers(0, 99999))
_RECORDS = st.lists(st.fixed_dictionaries({
    "id": _ARXIV,
    "title": _TEXT,
    "summary": _TEXT,
    "publishedAt": st.datetimes(min_value=dt.datetime(1991, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
    "upvotes": st.integers(0, parse.MAX_COUNT),
    "authors": st.lists(st.fixed_dictionaries({"name": _TEXT}), max_size=4),
}), min_size=1, max_size=5)


@SETTINGS
@given(records=_RECORDS, nested=st.booleans(), indent=st.sampled_from([None, 1, 2]))
def test_api_records_read_back_as_written(records, nested, indent):
    response = [{"paper": r, "title": r["title"]} if nested else r for r in records]
    result = parse_text(json.dumps(response, indent=indent, ensure_ascii=False), SOURCE)
    assert result.layout == "hf-api"
    got = [(s.arxiv_id, s.title, s.abstract, s.published_raw, s.upvotes, s.authors_count, s.authors)
           for s in result.sightings]
    want = [(r["id"], r["title"], r["summary"], r["publishedAt"], r["upvotes"], len(r["authors"]),
             [a["name"] for a in r["authors"]]) for r in records]
    assert got == want
    assert [s.published for s in result.sightings] == [dt.date.fromisoformat(r["publishedAt"][:10]) for r in records]


# ---------------------------------------------------------------------------
# The query parser

_QUERY_PIECES = st.sampled_from([
    "kan", "transformer*", "a*", '"graph neural"', '"', "“", "”", "OR", "AND", "NOT", "-", "(", ")", "-(", "tag:x",
    "tag:", "tag:inter*", "status:new", "status:maybe", "title:", "abstract:\"", "upvotes>=", "upvotes>=5",
    "upvotes>=99999999999999999999999", "upvotes:>=-1", "authors<=3", "seen>=2", "year:9999", "year:0",
    "date:9999-12", "date:2024-02-30", "after:2024-06-01", "before:x", "file:003", "id:", "arxiv:2401.12345",
    "C++", "e(3)", "x-ray", "tga:x", "titel:y", ":", "::", "a:b:c", "\\", "%", "_", "'", "NEAR(a b)", "^", "{",
    "\x00", "\x1b[31m", "\u202e", "é", "日本語", "\n", "\t",
])
_QUERIES = st.one_of(
    st.lists(_QUERY_PIECES, max_size=20).map(" ".join),
    st.lists(_QUERY_PIECES, max_size=20).map("".join),
    st.text(max_size=200),
)


def _parse_query_or_refuse(query: str):
    try:
        return parse_query(query)
    except QueryError as exc:
        first, shown, caret = str(exc).split("\n")  # the message, the query, the caret
        assert first.startswith("bad query: ") and "\x1b" not in first
        assert caret.strip() and set(caret.strip()) == {"^"}
        assert 0 <= exc.position <= len(query)
        return None


@SETTINGS
@given(query=_QUERIES)
def test_any_query_parses_or_raises_a_query_error(query):
    node = _parse_query_or_refuse(query)
    if node is not None:
        plan = compile_query(query)
        sql, params = plan.clause()
        assert sql.count("?") == len(params)  # values are bound, never pasted into SQL
        assert len(node.terms()) <= MAX_TERMS


@SETTINGS
@given(words=st.lists(st.sampled_from(["kan", "mlp", "a", "zz", "learning", "tag:x", "-b", '"c d"']),
                      min_size=MAX_TERMS + 1, max_size=4 * MAX_TERMS),
       joiner=st.sampled_from([" ", " OR ", " AND "]))
def test_more_words_than_the_limit_are_refused_or_folded(words, joiner):
    # 48 distinct searched words at most; repeats fold (a OR a is a), so the
    # work stays bounded by the limit whatever the length of the query.
    query = joiner.join(words)
    if len(query) > MAX_QUERY_CHARS:
        with pytest.raises(QueryError, match="too long"):
            parse_query(query)
        return
    node = _parse_query_or_refuse(query)
    assert node is None or len(node.terms()) <= MAX_TERMS


@SETTINGS
@given(depth=st.integers(1, 3 * MAX_DEPTH), closed=st.booleans())
def test_nesting_beyond_the_limit_is_refused(depth, closed):
    # A space after the word: "((kan))" closed within one word is text, like "(LLMs)".
    query = "(" * depth + "kan " + (")" * depth if closed else "")
    if depth > MAX_DEPTH:
        with pytest.raises(QueryError, match="nested"):
            parse_query(query)
    elif closed:
        assert parse_query(query) is not None
    else:
        with pytest.raises(QueryError):
            parse_query(query)


@SETTINGS
@given(piece=_QUERY_PIECES, extra=st.integers(1, 50))
def test_queries_longer_than_the_limit_are_refused_whatever_they_hold(piece, extra):
    query = (piece + " ") * (MAX_QUERY_CHARS // (len(piece) + 1) + extra)
    query = query[:MAX_QUERY_CHARS + extra]
    with pytest.raises(QueryError, match="too long"):
        parse_query(query)


@SETTINGS
@given(records=_RECORDS, gaps=st.lists(st.integers(0, 3), min_size=5, max_size=5))
def test_api_records_are_placed_on_the_line_their_object_starts(records, gaps):
    # The line of each record is counted once over the file (issue 17: counting
    # from the top for every record made a 200k-record response take minutes).
    parts, line, want = ["["], 1, []
    for record, gap in zip(records, gaps):
        line += gap + 1
        want.append(line)
        parts.append("\n" * gap + json.dumps(record, ensure_ascii=False) + ",")
    text = "\n".join(parts).rstrip(",") + "\n]\n"
    assert [s.line for s in parse_text(text, SOURCE).sightings] == want


def test_the_api_layout_asked_for_by_name_refuses_text_that_is_no_json_array():
    dump = DumpText(source=SOURCE, lines=split_lines("Title\n\nAbstract\n"))
    with pytest.raises(ParseError, match="not a JSON array"):
        parse.get("hf-api").parse(dump)
