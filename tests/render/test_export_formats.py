"""Every export format read back by the program its users would use, on the
seeds, on generated hostile papers, and on a hostile dump through the real
parser. Each ``check_*`` states what the reader must get back."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from export_support import (braces_balance, csl_schema, hostile_papers, inline_text, latex_to_text,
                     markdown_parser, unique_ids)
from papertriage.model import Paper
from papertriage.render import EXPORT_FORMATS, render
from papertriage.render.csvfmt import COLUMNS, unguard
from papertriage.links import paper_url
from papertriage.render.fields import citation_key, fold, note_text, paragraphs
from papertriage.render.jsonfmt import paper_object
from papertriage.render.safe import data_safe_paper, terminal_safe


def export(fmt: str, papers: list[Paper], **options) -> str:
    out = io.StringIO(newline="")
    assert render(EXPORT_FORMATS[fmt], papers, out, **options) == len(papers)
    return out.getvalue()


def visible(text: str | None) -> str:
    """What a Markdown reader must see: the text on one line, invisible bidi
    and zero-width controls shown as escapes."""
    return terminal_safe(fold(text))


# -- Markdown ----------------------------------------------------------------

ALLOWED_BLOCKS = {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
                  "blockquote_open", "blockquote_close"}


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """(kind, plain text) for each block: h1/h2, p, or q (inside the note's quote).
    Fails on any token that is not plain text in headings and paragraphs."""
    blocks = []
    depth = 0
    heading = None
    for token in markdown_parser().parse(text):
        if token.type == "blockquote_open":
            depth += 1
            if depth == 1:
                blocks.append(("q", None))  # the user's note: their own Markdown, kept as written
            continue
        if token.type == "blockquote_close":
            depth -= 1
            continue
        if depth:
            continue
        assert token.type in ALLOWED_BLOCKS, f"markup created: {token.type}"
        if token.type == "heading_open":
            heading = token.tag
        elif token.type == "inline":
            plain, kinds = inline_text(token)
            extra = kinds - {"text", "text_special"}
            if [c.type for c in token.children] == ["link_open", "text", "link_close"]:
                # Our own link to the paper's page (issue 12), and nothing else.
                blocks.append(("link", token.children[0].attrs["href"]))
                continue
            assert not extra, f"markup created in {plain!r}: {extra}"
            blocks.append((heading or ("q" if depth else "p"), plain))
            heading = None
    return blocks


def expected_markdown(paper: Paper, heading: str = "h2") -> list[tuple[str, str | None]]:
    blocks: list[tuple[str, str | None]] = [(heading, visible(paper.title)), ("p", None)]  # None: the meta line
    if paper.authors:
        blocks.append(("p", visible(", ".join(fold(n) for n in paper.authors))))
    blocks.append(("link", paper_url(paper)))
    if paper.tags:
        blocks.append(("p", " ".join("#" + t for t in paper.tags)))
    blocks += [("p", visible(p)) for p in paragraphs(paper.abstract)]
    if paper.note and paper.note.strip():
        blocks.append(("q", None))
    return blocks


def check_markdown(text: str, papers: list[Paper], heading: str = "h2") -> None:
    got = markdown_blocks(text)
    want = [b for p in papers for b in expected_markdown(p, heading)]
    assert len(got) == len(want), (got, want)
    for p in papers:  # the note is there as the user wrote it, inside its quote
        from papertriage.render.markdown import note_markdown

        if p.note and p.note.strip():
            assert "> **Note:** " + note_markdown(p.note).split("\n")[0] in text
    for (kind, plain), (want_kind, want_plain), in zip(got, want):
        assert kind == want_kind, (plain, want_plain)
        if want_plain is None and kind == "q":
            continue
        if want_plain is None:
            assert plain.startswith("id ") and " · status " in plain
        else:
            assert plain == want_plain


@settings(max_examples=60, deadline=None)
@given(paper=hostile_papers())
def test_front_matter_is_yaml_and_the_note_still_markdown(paper):
    """Obsidian-style: a YAML block that a YAML parser reads back exactly,
    then the note with a level-1 heading."""
    import yaml

    text = export("markdown", [paper], front_matter=True)
    assert text.startswith("---\n")
    block, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(block)
    assert meta["title"] == paper.title and meta["id"] == paper.id
    assert meta["tags"] == paper.tags and meta["status"] == paper.status and meta["seen"] == paper.seen
    assert meta.get("published") == paper.published and meta.get("upvotes") == paper.upvotes
    assert meta["citekey"] == citation_key(paper)
    check_markdown(body, [paper], heading="h1")


@settings(max_examples=60, deadline=None)
@given(papers=st.lists(hostile_papers(), min_size=1, max_size=3).map(unique_ids))
def test_template_fields_are_escaped_wherever_they_go(papers):
    from papertriage.render.markdown import compile_template

    template = compile_template("$title\n\n### $title ($$$upvotes)\n\n$abstract\n\n$tags $tag_list $meta\n")
    text = export("markdown", papers, template=template)
    blocks = markdown_blocks(text)
    headings = [b for b in blocks if b[0] == "h3"]
    assert headings == [("h3", f"{visible(p.title)} (${'' if p.upvotes is None else p.upvotes})".strip())
                        for p in papers]
    paragraphs_seen = [b[1] for b in blocks if b[0] == "p"]
    for p in papers:
        assert not visible(p.title) or visible(p.title) in paragraphs_seen


# -- spreadsheets --------------------------------------------------------------

def expected_row(paper: Paper) -> dict[str, str]:
    def opt(v):
        return "" if v is None else str(v)

    return {"id": paper.id, "title": paper.title, "published": paper.published.isoformat() if paper.published else "",
            "upvotes": opt(paper.upvotes), "authors_count": opt(paper.authors_count), "seen": str(paper.seen),
            "status": paper.status, "tags": ", ".join(paper.tags), "note": paper.note or "",
            "first_seen": opt(paper.first_seen), "last_seen": opt(paper.last_seen), "abstract": paper.abstract}


def _check_cells(rows: list[list[str]], papers: list[Paper], fold_text: bool) -> None:
    assert rows[0] == list(COLUMNS)
    assert len(rows) == len(papers) + 1
    for row, paper in zip(rows[1:], map(data_safe_paper, papers)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"formula cell {cell!r}"
        want = expected_row(paper)
        got = dict(zip(COLUMNS, (unguard(c) for c in row)))
        assert got == ({k: fold(v) for k, v in want.items()} if fold_text else want)


def check_csv(text: str, papers: list[Paper]) -> None:
    assert text.endswith("\r\n")
    _check_cells(list(csv.reader(io.StringIO(text, newline=""))), papers, fold_text=False)


def check_tsv(text: str, papers: list[Paper]) -> None:
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == len(papers) + 2, "one record per line"
    _check_cells(list(csv.reader(io.StringIO(text, newline=""), dialect="excel-tab")), papers, fold_text=True)


# -- data formats ----------------------------------------------------------------

def check_json(text: str, papers: list[Paper]) -> None:
    assert json.loads(text) == [paper_object(p) for p in papers]


def check_jsonl(text: str, papers: list[Paper]) -> None:
    lines = text.splitlines(keepends=True)
    assert all(line.endswith("\n") for line in lines)
    assert [json.loads(line) for line in text.split("\n")[:-1]] == [paper_object(p) for p in papers]


def check_yaml(text: str, papers: list[Paper]) -> None:
    import yaml

    assert yaml.safe_load(text) == json.loads(export("json", papers)) == [paper_object(p) for p in papers]


# -- reference managers ----------------------------------------------------------

def check_bibtex(text: str, papers: list[Paper]) -> None:
    import bibtexparser

    from papertriage.render.bibtex import entry

    for paper in papers:
        assert braces_balance(entry(paper)), "BibTeX counts every brace"
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [citation_key(p) for p in papers]
    for e, paper in zip(library.entries, map(data_safe_paper, papers)):
        f = {k: v.value for k, v in e.fields_dict.items()}
        assert e.entry_type == "misc"
        assert f["title"].startswith("{") and f["title"].endswith("}")
        assert latex_to_text(f["title"][1:-1]) == fold(paper.title)
        assert latex_to_text(f["abstract"]) == fold(paper.abstract)
        assert latex_to_text(f["note"]) == note_text(paper)
        if paper.tags:
            assert latex_to_text(f["keywords"]).split(", ") == paper.tags
        else:
            assert "keywords" not in f
        if paper.published:
            assert f["year"] == str(paper.published.year)
            assert f["month"] == paper.published.strftime("%b").lower()
        else:
            assert "year" not in f and "month" not in f
        if paper.authors:
            assert [latex_to_text(n) for n in split_names(f["author"])] == [fold(n) for n in paper.authors]
        else:
            assert "author" not in f
        if paper.arxiv_id:
            assert (f["eprint"], f["archivePrefix"], f["url"]) == (
                paper.arxiv_id, "arXiv", f"https://arxiv.org/abs/{paper.arxiv_id}")
        else:
            assert "eprint" not in f and "url" not in f


def split_names(field: str) -> list[str]:
    """BibTeX's own reading of a name list: split at " and " outside braces, any case."""
    import re

    names, depth, start = [], 0, 0
    for m in re.finditer(r"[{}]|\s+and\s+", field, flags=re.IGNORECASE):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
        elif depth == 0:
            names.append(field[start:m.start()])
            start = m.end()
    return names + [field[start:]]


def check_csl_json(text: str, papers: list[Paper]) -> None:
    types, variables, dates = csl_schema()
    items = json.loads(text)
    assert len(items) == len(papers)
    assert len({i["id"] for i in items}) == len(items)
    for item, paper in zip(items, papers):
        assert item["type"] in types and item["type"] == "article"
        unknown = set(item) - variables - {"id", "type"}
        assert not unknown, f"not CSL variables: {unknown}"
        for name in set(item) & dates:
            parts = item[name]["date-parts"]
            assert all(isinstance(x, int) for x in parts[0]) and 1 <= len(parts[0]) <= 3
        for name, value in item.items():
            if name == "author":
                assert all(set(n) in ({"family", "given"}, {"literal"}) for n in value)
                assert [n.get("literal") or f"{n['given']} {n['family']}" for n in value] == \
                    [fold(a) for a in paper.authors]
            elif name not in dates:
                assert isinstance(value, str), name
        if paper.arxiv_id:
            assert item["URL"] == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert item["id"] == item["citation-key"] == citation_key(paper)
        assert item["title"] == paper.title
        assert item.get("abstract", "") == paper.abstract
        assert item.get("keyword", "") == ", ".join(paper.tags)
        assert item["note"] == note_text(paper)
        if paper.published:
            d = paper.published
            assert item["issued"] == {"date-parts": [[d.year, d.month, d.day]]}


def check_ris(text: str, papers: list[Paper]) -> None:
    import re

    import rispy

    for line in text.split("\r\n"):
        assert line == "" or re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), f"not an RIS line: {line!r}"
    assert "\n" not in text.replace("\r\n", "")
    entries = rispy.loads(text)
    assert len(entries) == len(papers)
    for e, paper in zip(entries, map(data_safe_paper, papers)):
        assert e["type_of_reference"] == "UNPB"  # unpublished work: a preprint
        assert e["id"] == citation_key(paper)
        assert e.get("title") == (fold(paper.title) or None)
        assert e.get("abstract") == (fold(paper.abstract) or None)
        assert e.get("keywords", []) == paper.tags
        assert e["notes"] == [note_text(paper)]
        assert e.get("authors", []) == [fold(n) for n in paper.authors]
        assert e.get("urls", []) == ([f"https://arxiv.org/abs/{paper.arxiv_id}"] if paper.arxiv_id else [])
        if paper.published:
            d = paper.published
            assert e["year"] == str(d.year) and e["date"] == f"{d:%Y/%m/%d}/"


def check_ids(text, papers):
    assert text.splitlines() == [p.id for p in papers]


CHECKS = {
    "ids": check_ids,
    "markdown": check_markdown, "csv": check_csv, "tsv": check_tsv, "json": check_json, "jsonl": check_jsonl,
    "yaml": check_yaml, "bibtex": check_bibtex, "csl-json": check_csl_json, "ris": check_ris,
}


# -- the tests ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", sorted(CHECKS))
def test_seeds_read_back(fmt, seed_papers):
    check = CHECKS[fmt]
    check(export(fmt, seed_papers), seed_papers)


@pytest.mark.parametrize("fmt", sorted(CHECKS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(papers=st.lists(hostile_papers(), min_size=1, max_size=3).map(unique_ids))
def test_hostile_papers_read_back(fmt, papers):
    CHECKS[fmt](export(fmt, papers), papers)


@pytest.mark.parametrize("fmt", sorted(set(EXPORT_FORMATS) - {"table"}))
@settings(max_examples=15, deadline=None)
@given(papers=st.lists(hostile_papers(tags=st.text(min_size=1, max_size=10)), min_size=1, max_size=3)
       .map(unique_ids))
def test_any_tag_text_never_breaks_a_format(fmt, papers):
    """Tags from the library are plain words; even if they were not, the
    output must still parse (exact tag round trips are checked above)."""
    text = export(fmt, papers)
    if fmt == "markdown":
        assert len([b for b in markdown_blocks(text) if b[0] == "h2"]) == len(papers)
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel" if fmt == "csv" else "excel-tab"))
        assert len(rows) == len(papers) + 1
    elif fmt == "bibtex":
        import bibtexparser

        assert len(bibtexparser.parse_string(text).entries) == len(papers)
        assert braces_balance(text)
    elif fmt == "ris":
        import rispy

        assert len(rispy.loads(text)) == len(papers)
    else:
        CHECKS[fmt](text, papers)


@pytest.fixture
def hostile_dump_papers(tmp_path, library):
    """Hostile titles and abstracts, written as a trending-page dump and
    ingested through the real parser."""
    from papertriage.core.ingest import ingest
    from papertriage.core.select import select_papers

    titles = [
        "*Bold* _claims_ and `code` in [brackets](http://evil.example) <script>alert(1)</script>",
        "# Not a heading | not | a table",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "-1 is a number, +2 too; @user \\section{x} 100% & $5 ~ ^ {unbalanced",
        "1. Not a list item -- nor a ``quote''",
        "> quoted? no. ER  - TY  - JOUR",
        "Emoji 🧪 and RTL שלום עולם مرحبا with a \u202eoverride",
        "Ünïcödé Ωmega 中文 — dashes – and “quotes”",
    ]
    abstracts = [
        "An abstract with *stars*, _underscores_, [links](x), <b>tags</b>, | pipes |, `ticks` and \\backslashes\\.",
        "---",
        "=1+1, \"quoted, comma\", and a tab\there.",
        "Braces {a}{b}} }{ and %comments and #hash and $math$ and ^caret.",
        "    indented code? no",
        "+ a list? - no * no",
        "Right-to-left: \u05d0\u05d1\u05d2 \u0627\u0628\u062a, and emoji 😀👩‍🔬.",
        "&amp; &lt;entity&gt; &#169; kept as written",
    ]
    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!",
             "Subscribe" + titles[0], abstracts[0]]
    for t, a in zip(titles[1:], abstracts[1:]):
        lines += [t, a]
    dump = tmp_path / "hostile.txt"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest(library, [str(dump)])
    assert not report.errors, report
    papers = list(select_papers(library, with_sightings=True, reverse=True))  # the order of the dump
    assert len(papers) == len(titles)
    # The checks compare with what the library holds (the parser drops bidi overrides).
    assert papers[0].title == titles[0] and papers[3].title == titles[3]
    return papers


@pytest.mark.parametrize("fmt", sorted(CHECKS))
def test_hostile_dump_through_parser_reads_back(fmt, hostile_dump_papers):
    CHECKS[fmt](export(fmt, hostile_dump_papers), hostile_dump_papers)


def test_citeproc_formats_a_bibliography(seed_papers, hostile_dump_papers):
    """citeproc-py (what Pandoc-style processors do) reads the CSL-JSON and
    cites every paper under its key."""
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    papers = seed_papers[:20] + hostile_dump_papers
    items = json.loads(export("csl-json", papers))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(papers)
    text = "\n".join(rendered).casefold()
    for paper in seed_papers[:20]:
        assert fold(paper.title).casefold() in text


def test_seeds_have_hostile_tex_and_the_triage_state(seed_papers):
    """The seeds carry TeX-ish text (Q\\&A, get\\_capital, ``quotes''): a good test by themselves."""
    abstracts = " ".join(p.abstract for p in seed_papers)
    assert "Q\\&A" in abstracts and "get\\_capital" in abstracts and "``" in abstracts
    assert [p.status for p in seed_papers[:4]] == ["keep", "read", "new", "skip"]
    assert seed_papers[0].tags == ["interp", "to-read"]


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_empty_selection_is_still_valid(fmt):
    text = export(fmt, [])
    if fmt in ("json", "csl-json"):
        assert json.loads(text) == []
    elif fmt == "yaml":
        import yaml

        assert yaml.safe_load(text) == []
    elif fmt in ("csv", "tsv"):
        assert text.rstrip("\r\n").split("\t" if fmt == "tsv" else ",") == list(COLUMNS)
    else:
        assert text == ""


# -- table ----------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(papers=st.lists(hostile_papers(tags=st.text(max_size=6)), min_size=1, max_size=4).map(unique_ids))
def test_piped_table_is_what_rich_prints(papers):
    """The streamed plain table equals Rich's own rendering, byte for byte."""
    from papertriage.render.table import render_plain, render_rich

    plain, rich = io.StringIO(), io.StringIO()
    assert render_plain(papers, plain) == render_rich(papers, rich) == len(papers)
    assert plain.getvalue() == rich.getvalue()


def test_piped_table_streams_in_chunks(seed_papers, monkeypatch):
    from papertriage.render import table

    whole = export("table", seed_papers)
    monkeypatch.setattr(table, "PLAIN_CHUNK", 50)
    chunked = export("table", seed_papers).splitlines()
    assert len(chunked) == len(seed_papers) + 1, "one header, one line a paper"
    assert [line.split()[0] for line in chunked] == [line.split()[0] for line in whole.splitlines()]


@settings(max_examples=50, deadline=None)
@given(title=st.text(), abstract=st.text(), other=st.text(), published=st.none() | st.dates(),
       upvotes=st.none() | st.integers(0, 99), authors=st.none() | st.integers(0, 99))
def test_sighting_objects_follow_the_schema(title, abstract, other, published, upvotes, authors):
    """Every field of the README's sighting object, in its order; the abstract only when it differs."""
    from papertriage.model import Sighting
    from papertriage.render.jsonfmt import sighting_object

    s = Sighting(title=title, abstract=abstract, file="f.txt", line=3, layout="daily", authors_count=authors,
                 published=published, published_raw="raw", upvotes=upvotes)
    full = {"file": "f.txt", "line": 3, "layout": "daily", "title": title, "abstract": abstract,
            "authors_count": authors, "published": published.isoformat() if published else None,
            "published_raw": "raw", "upvotes": upvotes}
    assert sighting_object(s, None if abstract == other else other) == full
    assert list(sighting_object(s, None if abstract == other else other)) == list(full), "key order"
    assert sighting_object(s, abstract) == {k: v for k, v in full.items() if k != "abstract"}
