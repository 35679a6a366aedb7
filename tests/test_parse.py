"""The dump parsers: layouts detected without being told, every field read,
page furniture never a paper, and bad files refused with file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from papertriage.errors import ParseError
from papertriage.parse import parse_bytes, parse_text

from conftest import SEEDS

SEED_FILES = sorted(SEEDS.iterdir())
FURNITURE = {"new", "Subscribe", "Daily Papers", "byAK and the research community",
             "Get trending papers in your email inbox!", "Get trending papers in your email inbox once a day!"}

TRENDING = (
    "Get trending papers in your email inbox once a day!\n"
    "Get trending papers in your email inbox!\n"
    "SubscribeFirst Paper Title\n"
    "First abstract, long enough to be an abstract.\n"
    "Second Paper Title\n"
    "Second abstract.\n"
)
DAILY_META = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\nNov 24\n\n"
    "Undated Paper\n\nAn abstract.\n\n  • 2 authors\nJun 23 1\n\n"
    "Old Paper\n\nAnother abstract.\n\n  • 4 authors\nJan 10, 2023\n\n"
    "Voted Paper\n\nThird abstract.\n\n  • 1 authors\nSep 16, 2024 5\n"
)
DAILY_PLAIN = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\nMar 12\n\n"
    "Plain One\n\nAbstract one.\n\nPlain Two\n\nAbstract two.\n"
)


@pytest.mark.parametrize(
    "name, layout, count",
    [("000", "trending", 25), ("001", "trending", 37), ("002", "trending", 119),
     ("003", "daily-meta", 33), ("004", "daily-plain", 64)],
    ids=lambda v: str(v),
)
def test_each_seed_is_detected_and_fully_parsed(name, layout, count):
    path = next(p for p in SEED_FILES if p.name.startswith(name))
    result = parse_bytes(path.read_bytes(), path.name)
    assert result.layout == layout
    assert len(result.sightings) == count
    assert not {s.title for s in result.sightings} & FURNITURE
    assert all(s.abstract and s.title for s in result.sightings)


def test_seed_lines_point_at_the_title():
    path = next(p for p in SEED_FILES if p.name.startswith("003"))
    lines = path.read_text(encoding="utf-8").split("\n")
    for s in parse_bytes(path.read_bytes(), path.name).sightings:
        assert lines[s.line - 1].strip() == s.title


def test_trending_strips_subscribe_from_first_title():
    result = parse_text(TRENDING, "t.txt")
    assert [s.title for s in result.sightings] == ["First Paper Title", "Second Paper Title"]
    assert [s.line for s in result.sightings] == [3, 5]
    assert all(s.upvotes is None and s.authors_count is None and s.published is None
               for s in result.sightings)


def test_daily_meta_reads_authors_dates_and_upvotes():
    result = parse_text(DAILY_META, "d.txt")
    undated, old, voted = result.sightings
    # No year shown means the page's year, which is after every explicit year (2024).
    assert (undated.published, undated.published_raw, undated.upvotes) == (dt.date(2025, 6, 23), "Jun 23 1", 1)
    assert (old.published, old.upvotes, old.authors_count) == (dt.date(2023, 1, 10), None, 4)
    assert (voted.published, voted.upvotes, voted.authors_count) == (dt.date(2024, 9, 16), 5, 1)
    assert result.page_date == dt.date(2025, 11, 24)


def test_page_date_option_sets_the_year_of_undated_papers():
    result = parse_text(DAILY_META, "d.txt", page_date=dt.date(2026, 12, 1))
    assert result.sightings[0].published == dt.date(2026, 6, 23)


def test_daily_plain_has_no_metadata():
    result = parse_text(DAILY_PLAIN, "p.txt")
    assert result.layout == "daily-plain"
    assert [(s.title, s.line) for s in result.sightings] == [("Plain One", 11), ("Plain Two", 15)]


@pytest.mark.parametrize("variant", [
    pytest.param(lambda t: "\ufeff" + t, id="bom"),
    pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
    pytest.param(lambda t: t.rstrip("\n"), id="no-final-newline"),
    pytest.param(lambda t: t.replace("\n", "  \n").replace("Plain One", "Plain\u00a0One"), id="nbsp-and-trailing-spaces"),
])
def test_tolerates_encoding_and_whitespace_noise(variant):
    result = parse_bytes(variant(DAILY_PLAIN).encode("utf-8"), "p.txt")
    assert [s.title for s in result.sightings] == ["Plain One", "Plain Two"]


@pytest.mark.parametrize("data, line, words", [
    pytest.param(b"", 1, "empty", id="empty"),
    pytest.param(b"   \n\n  \n", 1, "empty", id="blank"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", 1, "binary", id="binary"),
    pytest.param("Caf\u00e9 au lait\n".encode("latin-1"), 1, "UTF-8", id="latin-1"),
    pytest.param(b"just some notes\nabout nothing\n", 1, "no known dump layout", id="no-layout"),
    pytest.param(TRENDING.encode() + b"Dangling Title\n", 7, "breaks off", id="trending-cut"),
    pytest.param(DAILY_META.encode().rsplit(b"\nSep 16", 1)[0], 31, "breaks off", id="meta-cut-before-date"),
    pytest.param(DAILY_PLAIN.encode() + b"\nOrphan Title\n", 19, "breaks off", id="plain-cut"),
    pytest.param(DAILY_META.encode().replace(b"An abstract.\n\n", b""), 15, "where an abstract was expected",
                 id="meta-missing-abstract"),
    pytest.param("\ufeffnew\n".encode("utf-16-le"), 1, "UTF-16", id="utf-16"),
])
def test_bad_files_raise_parse_error_with_line(data, line, words):
    with pytest.raises(ParseError) as info:
        parse_bytes(data, "bad.txt")
    assert info.value.file == "bad.txt"
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"bad.txt:{line}: ")


def test_control_and_bidi_characters_are_dropped_from_titles():
    hostile = TRENDING.replace("First Paper Title", "Evil\x1b[31m Title\u202e reversed")
    title = parse_text(hostile, "t.txt").sightings[0].title
    assert "\x1b" not in title and "\u202e" not in title
    assert title == "Evil[31m Title reversed"


def test_accented_titles_keep_every_letter_and_lose_only_invisible_characters():
    text = TRENDING.replace("First Paper Title", "Caf\u00e9 \u2014 \u6a21\u578b\u00a0Ma\u00dfst\u00e4be\u200b\u202e\x07 \u00fcber")
    assert parse_text(text, "t.txt").sightings[0].title == "Caf\u00e9 \u2014 \u6a21\u578b Ma\u00dfst\u00e4be \u00fcber"


def test_no_printable_character_is_ever_filtered():
    # The cleaner skips its filters for printable text: that is only right while every
    # character they change is unprintable, in this Python's Unicode database too.
    from papertriage.parse import _CONTROL, _SPACES

    changed = [hex(c) for c in range(0x110000) if chr(c).isprintable() and (c in _SPACES or _CONTROL.match(chr(c)))]
    assert changed == []


def test_trending_with_subscribe_on_its_own_line():
    text = TRENDING.replace("SubscribeFirst", "Subscribe\nFirst")
    result = parse_text(text, "t.txt")
    assert result.layout == "trending"
    assert [(s.title, s.line) for s in result.sightings] == [("First Paper Title", 4), ("Second Paper Title", 6)]


def test_saved_api_response_is_its_own_layout():
    path = SEEDS.parent / "tests" / "data" / "dumps" / "hf_api_2025-03-05.json"
    result = parse_bytes(path.read_bytes(), path.name)
    assert result.layout == "hf-api" and len(result.sightings) == 12
    first = result.sightings[0]
    assert first.title == "MPO: Boosting LLM Agents with Meta Plan Optimization"
    assert first.published == dt.date(2025, 3, 4) and first.upvotes == 12 and first.authors_count
    assert "\n" not in first.abstract
    assert path.read_text(encoding="utf-8").split("\n")[first.line - 1].strip() == "{"


def test_broken_api_json_names_the_line():
    with pytest.raises(ParseError) as info:
        parse_text('[\n  {"paper": {"title": "x",\n', "api.json")
    assert info.value.line == 3 and "JSON" in str(info.value)
