"""The parsers against dumps written by ``corpus``'s renderers: the seeds parse
as expected and render back byte for byte; generated papers survive a round
trip through every layout; and no text, however odd, makes ``parse_text``
raise anything but ``ParseError``."""

from __future__ import annotations

import datetime as dt
import doctest
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpus
from papertriage.errors import ParseError
from papertriage.parse import parse_text
from papertriage.parse.base import AUTHORS_LINE, DATE_LINE, is_furniture

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

SEED_CASES = [
    ("000_2967eebb8705e551.txt", "trending", 25),
    ("001_01088ffb7e7fac53.txt", "trending", 37),
    ("002_f92febfcb9a08d7a.txt", "trending", 119),
    ("003_2565c5b66cf8255e.txt", "daily-meta", 33),
    ("004_b8dabfeaba23870c.txt", "daily-plain", 64),
]
SEED_IDS = [f"{name[:3]}-{layout}" for name, layout, _ in SEED_CASES]

DAILY_HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _paper_dict(s) -> dict:
    return {
        "title": s.title,
        "abstract": s.abstract,
        "published": s.published.isoformat() if s.published else None,
        "upvotes": s.upvotes,
        "authors_count": s.authors_count,
    }


# ---------------------------------------------------------------------------
# Seeds


@pytest.mark.parametrize("name, layout, count", SEED_CASES, ids=SEED_IDS)
def test_seed_parses_to_its_layout_and_count(name, layout, count):
    result = parse_text((SEEDS / name).read_text(encoding="utf-8"), name)
    assert (result.layout, len(result.sightings)) == (layout, count)


@pytest.mark.parametrize("name, layout, count", SEED_CASES, ids=SEED_IDS)
def test_seed_renders_back_byte_for_byte(name, layout, count):
    # The renderers write what Hugging Face pages write: parsing a seed and
    # rendering its records again gives the seed (seeds differ in whether
    # the last line ends in a newline; the renderers always end with one).
    text = (SEEDS / name).read_text(encoding="utf-8")
    result = parse_text(text, name)
    rendered = corpus.render(result.layout, [_paper_dict(s) for s in result.sightings], result.page_date)
    assert rendered.rstrip("\n") == text.rstrip("\n")


def test_corpus_docstring_examples_hold():
    # The renderer example in corpus's docstring is the shape of a daily-meta page.
    assert doctest.testmod(corpus).failed == 0


# ---------------------------------------------------------------------------
# Round trip


def _is_plain_text(text: str) -> bool:
    """Text that can only be read as a title or an abstract: not a date line,
    an authors line or page furniture, and (in the first lines of a daily
    page) not starting with "Subscribe"."""
    return not (
        DATE_LINE.match(text) or AUTHORS_LINE.match(text) or is_furniture(text)
        or text.casefold().startswith("subscribe")
    )


# Letters, digits, punctuation and symbols of any script; a field is words
# joined by single spaces, which is how a page shows it.
_WORD = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=10)
_FIELD = st.lists(_WORD, min_size=1, max_size=12).map(" ".join).filter(_is_plain_text)
_PAGE_DATES = st.dates(min_value=dt.date(1992, 1, 1), max_value=dt.date(2099, 12, 31))


@st.composite
def _pages(draw, papers_max: int = 5) -> tuple[dt.date, list[dict]]:
    page_date = draw(_PAGE_DATES)
    papers = draw(st.lists(st.fixed_dictionaries({
        "title": _FIELD,
        "abstract": _FIELD,
        "published": st.dates(min_value=dt.date(1991, 1, 1), max_value=page_date),
        "upvotes": st.one_of(st.none(), st.integers(0, 9_999_999)),
        "authors_count": st.integers(1, 99_999),
    }), min_size=1, max_size=papers_max))
    return page_date, papers


@pytest.mark.parametrize("layout", corpus.LAYOUTS)
@PROPERTY_SETTINGS
@given(page=_pages())
def test_rendered_papers_parse_back_the_same(layout, page):
    page_date, papers = page
    lines, title_lines = corpus._render_lines(layout, papers, page_date)
    result = parse_text("\n".join(lines) + "\n", "page.txt", page_date=page_date)
    assert result.layout == layout
    assert [s.line for s in result.sightings] == title_lines
    got = [(s.title, s.abstract, s.authors_count, s.published, s.upvotes) for s in result.sightings]
    if layout == corpus.DAILY_META:
        # A page shows no upvote count of 0.
        want = [(p["title"], p["abstract"], p["authors_count"], p["published"], p["upvotes"] or None) for p in papers]
    else:
        want = [(p["title"], p["abstract"], None, None, None) for p in papers]
    assert got == want


@pytest.mark.parametrize("layout", corpus.LAYOUTS)
def test_line_breaks_and_odd_spaces_in_a_field_read_as_spaces(layout):
    paper = {"title": "Few-shot\n  Learning\u00a0Tricks", "abstract": "We study\n  tricks.\u00a0 Well.",
             "published": "2024-06-03", "upvotes": 3, "authors_count": 2}
    text = corpus.render(layout, [paper], dt.date(2025, 1, 9))
    [s] = parse_text(text, "page.txt", page_date=dt.date(2025, 1, 9)).sightings
    assert (s.title, s.abstract) == ("Few-shot Learning Tricks", "We study tricks.  Well.")


def test_real_papers_parse_back_in_every_layout():
    papers = corpus.load_real_papers(corpus.SAMPLE_DATA)
    page_date = dt.date(2026, 9, 1)
    for layout in corpus.LAYOUTS:
        result = parse_text(corpus.render(layout, papers, page_date), "page.txt", page_date=page_date)
        assert [(s.title, s.abstract) for s in result.sightings] == [(p["title"], p["abstract"]) for p in papers]
        if layout == corpus.DAILY_META:
            assert [(s.published.isoformat(), s.upvotes or 0, s.authors_count) for s in result.sightings] == [
                (p["published"], p["upvotes"], p["authors_count"]) for p in papers]


# ---------------------------------------------------------------------------
# Any text: parsed, or refused with ParseError


def _parse_or_refuse(text: str, **options) -> None:
    try:
        parse_text(text, "any.txt", **options)
    except ParseError:
        pass
    except Exception as exc:  # noqa: BLE001 - the property is "nothing but ParseError"
        raise AssertionError(f"parse_text raised {exc!r}, not ParseError") from exc


_TRICKY_DATES = st.sampled_from([
    "Feb 29", "Feb 29 4", "Feb 30", "Jan 1, 9999 5", "Dec 31, 0001", "Jan 1, 0000", "Sept 9, 2023 12", "Mar 1",
    "Jun 31", "Dec 31, 2023 99999999",
])
_TRICKY_LINES = st.one_of(
    st.sampled_from([
        "", "new", "Subscribe", "SubscribeX", "Daily Papers", "Trending Papers",
        "Get trending papers in your email inbox!", "byAK and the research community",
        "  \u2022 3 authors", "\u2022 1 author", "* 12 authors", "[", "]", "{", "\u00a0", "\ufeff",
    ]),
    _TRICKY_DATES,
    _FIELD,
    st.text(max_size=40),
)
_OPTIONS = st.fixed_dictionaries({}, optional={
    "page_date": st.dates(),
    "saved_year": st.integers(1, 9999),
})


@PROPERTY_SETTINGS
@given(text=st.text(), options=_OPTIONS)
def test_any_text_parses_or_raises_parse_error(text, options):
    _parse_or_refuse(text, **options)


@st.composite
def _damaged_dumps(draw) -> str:
    """A valid page of any layout with a few lines inserted, deleted or
    replaced, or a date line (the page's or a paper's) changed to an odd one."""
    layout = draw(st.sampled_from(corpus.LAYOUTS))
    page_date, papers = draw(_pages(papers_max=3))
    lines = corpus.render(layout, papers, page_date).split("\n")
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(("insert", "delete", "replace", "redate")))
        dated = [i for i, line in enumerate(lines) if DATE_LINE.match(line)]
        if action == "redate" and dated:
            lines[draw(st.sampled_from(dated))] = draw(_TRICKY_DATES)
        elif action == "insert":
            lines.insert(at, draw(_TRICKY_LINES))
        elif at < len(lines):
            if action == "delete":
                del lines[at]
            else:
                lines[at] = draw(_TRICKY_LINES)
    return draw(st.sampled_from(("\n", "\r\n", "\r"))).join(lines)


@PROPERTY_SETTINGS
@given(text=_damaged_dumps(), options=_OPTIONS)
def test_damaged_dumps_parse_or_raise_parse_error(text, options):
    _parse_or_refuse(text, **options)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["2024-06-12T08:00:00.000Z", "2024-02-30", "x" * 10]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["paper", "title", "summary", "publishedAt", "upvotes", "authors", "id"]), inner, max_size=5),
    max_leaves=12,
)


@PROPERTY_SETTINGS
@given(value=st.lists(_JSON_VALUES, max_size=4), cut=st.integers(0, 400))
def test_api_json_parses_or_raises_parse_error(value, cut):
    text = json.dumps(value, indent=1)
    _parse_or_refuse(text)
    _parse_or_refuse(text[:cut])


# ---------------------------------------------------------------------------
# Odd but possible input: parsed sensibly, or refused with ParseError


def test_feb_29_without_a_year_resolves_to_a_leap_year():
    # A real 2024 page (no year printed on 2024 dates) ingested later without
    # --page-date: the page year falls back to the save year, 2025, and Feb 29
    # can only be from a leap year before it.
    text = DAILY_HEADER + "Mar 1\n\nA Title\n\nAn abstract.\n\n  \u2022 2 authors\nFeb 29 12\n"
    result = parse_text(text, "2024-03-01.txt", saved_year=2025)
    assert result.sightings[0].published == dt.date(2024, 2, 29)
    assert result.page_date == dt.date(2024, 3, 1)


def test_year_9999_on_a_daily_page_does_not_crash():
    text = (DAILY_HEADER + "Mar 1\n\nOne\n\nAbstract one.\n\n  \u2022 2 authors\nFeb 3\n\n"
            "Two\n\nAbstract two.\n\n  \u2022 1 authors\nJan 3, 9999 4\n")
    result = parse_text(text, "far.txt")  # the page year cannot pass 9999
    assert [s.published for s in result.sightings] == [dt.date(9999, 2, 3), dt.date(9999, 1, 3)]


def test_deeply_nested_json_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_text("[" * 100_000, "deep.json")


def test_huge_json_number_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_text("[" + "1" * 5000 + "]", "huge.json")


@pytest.mark.parametrize("layout", [corpus.DAILY_META, corpus.DAILY_PLAIN])
def test_daily_page_whose_first_title_starts_with_subscribe_parses(layout):
    paper = {"title": "Subscriber Churn Prediction with Graph Transformers", "abstract": "We predict churn.",
             "published": "2025-02-03", "upvotes": 2, "authors_count": 3}
    result = parse_text(corpus.render(layout, [paper], dt.date(2025, 3, 1)), "page.txt")
    assert (result.layout, [s.title for s in result.sightings]) == (layout, [paper["title"]])
