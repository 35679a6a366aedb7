"""Identity that lasts (issue 12): ids that do not depend on processing
history, citation keys and note names fixed at birth, decisions that move
between libraries built from the same dumps in any order."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from papertriage import dedup
from papertriage.core import decisions, roundtrip, tags
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.core.export import export_papers
from papertriage.core.ingest import ingest
from papertriage.core.forget import list_dumps
from papertriage.render import EXPORT_FORMATS, render
from papertriage.store import Library

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DAY = dt.date(2025, 11, 24)  # conftest.SEEDS_SAVED_ON
KAT = "Kolmogorov-Arnold Transformer"


def by_title(lib, title):
    (paper,) = [p for p in select_papers(lib) if p.title == title]
    return paper


def kat(lib):
    (paper,) = [p for p in select_papers(lib) if p.title.endswith(KAT)]
    return paper


def sightings_of(lib, paper_id):
    paper = get_paper(lib, paper_id)
    return {(s.file, s.line) for s in paper.sightings}


def retitle_dump(tmp_path, lib, title=KAT, new_title="KAT: Kolmogorov-Arnold Transformer", name="retitle.txt"):
    """A daily page that shows a seed paper under a revised title."""
    abstract = by_title(lib, title).abstract
    path = tmp_path / name
    path.write_text(f"Daily Papers\nbyAK and the research community\n\n{new_title}\n\n{abstract}\n", encoding="utf-8")
    return path


def test_id_basis_does_not_depend_on_what_was_computed_before():
    # `{}` are stripped only from LaTeX-bearing text: a `$` late in the abstract
    # used to make the 40th word `blacka` or `black a` depending on which span was normalised.
    abstract = " ".join(f"w{i}" for i in range(39)) + " black{a framework} " + "filler " * 120 + "with $x$ math."
    fresh = dedup.fingerprint("T", abstract)
    compared = dedup.fingerprint("T", abstract)
    assert compared.abstract_words  # a comparison happened before the id was made
    assert fresh.opening_words(40) == compared.opening_words(40)
    assert fresh.opening_words(40)[39] == "blacka"


def test_citation_key_and_note_name_survive_a_retitle(seeded, tmp_path):
    kat = by_title(seeded, KAT)
    assert (kat.citation_key, kat.note_name) == ("kolmogorov2024-e92269d6", "kolmogorov-arnold-transformer-e92269d6")
    before = {p.id: (p.citation_key, p.note_name) for p in select_papers(seeded)}
    assert not ingest(seeded, [str(retitle_dump(tmp_path, seeded, new_title="KAT: The Kolmogorov-Arnold "
                                                "Transformer Revisited"))], page_date=DAY).errors
    after = {p.id: (p.citation_key, p.note_name) for p in select_papers(seeded)}
    assert after == before
    retitled = next(p for p in select_papers(seeded) if p.id == kat.id)
    # The key is what every format writes, whatever the title is now.
    import io

    out = io.StringIO()
    render(EXPORT_FORMATS["bibtex"], [retitled], out)
    assert out.getvalue().startswith("@misc{kolmogorov2024-e92269d6,")


def test_split_keeps_one_note_per_paper_after_a_retitle(seeded, tmp_path):
    notes = tmp_path / "notes"

    def split():
        return export_papers(seeded, "title:kolmogorov", write=lambda ps, out: render(EXPORT_FORMATS["markdown"], ps, out),
                             split_dir=str(notes))

    split()
    names = sorted(p.name for p in notes.glob("*.md"))
    assert "kolmogorov-arnold-transformer-e92269d6.md" in names
    edited = notes / "kolmogorov-arnold-transformer-e92269d6.md"
    edited.write_text(edited.read_text() + "\nmy own thoughts\n")
    assert not ingest(seeded, [str(retitle_dump(tmp_path, seeded, new_title="KAT: The Kolmogorov-Arnold "
                                                "Transformer Revisited"))], page_date=DAY).errors
    result = split()
    assert sorted(p.name for p in notes.glob("*.md")) == names  # no second note
    assert "my own thoughts" in edited.read_text() and result.kept == [edited.name]


def _library(tmp_path, name, paths):
    lib = Library(tmp_path / name)
    assert not ingest(lib, [str(p) for p in paths], page_date=DAY).errors
    return lib


def test_decisions_move_to_a_library_built_in_another_order(seeded, tmp_path):
    """Done-when of issue 12: every decision exported from the seeds in order
    imports into the seeds ingested in reversed order, onto the same papers,
    even where that library knows a paper under another id."""
    for i, paper in enumerate(select_papers(seeded)):
        tags.add_tags(seeded, [paper.id], [f"p{i}"])
        decisions.mark(seeded, [paper.id], ("keep", "skip", "read")[i % 3])
    text = roundtrip.export_decisions(seeded)
    files = sorted(SEEDS.iterdir(), reverse=True)
    # This library saw KAT first under another title: it knows it under another id.
    other = _library(tmp_path, "other.db", [retitle_dump(tmp_path, seeded), *files])
    assert kat(other).id != kat(seeded).id
    report = roundtrip.import_decisions(other, text=text, source="decisions.yaml")
    assert report.unplaced == [] and report.by_content >= 1
    for paper in select_papers(seeded):
        (tag,) = paper.tags
        (there,) = [p for p in select_papers(other) if tag in p.tags]
        assert there.status == paper.status
        assert sightings_of(seeded, paper.id) <= sightings_of(other, there.id)
    other.close()


def test_import_by_content_is_the_same_in_any_order(seeded, tmp_path):
    tags.add_tags(seeded, [by_title(seeded, KAT).id], ["method/kan"])
    text = roundtrip.export_decisions(seeded)
    for order in (1, -1):
        files = sorted(SEEDS.iterdir())[::order]
        lib = _library(tmp_path, f"o{order}.db", [retitle_dump(tmp_path, seeded), *files])
        report = roundtrip.import_decisions(lib, text=text, source="d.yaml")
        assert report.unplaced == []
        (tagged,) = [p for p in select_papers(lib) if p.tags]
        assert sightings_of(seeded, by_title(seeded, KAT).id) <= sightings_of(lib, tagged.id)
        lib.close()


def test_tag_import_cli_reports_what_it_could_not_place(seeded, cli, tmp_path):
    kat = by_title(seeded, KAT)
    f = tmp_path / "d.yaml"
    f.write_text(f"{kat.id}:\n  status: keep\n0badc0de:\n  title: Nothing Like Any Seed Paper\n  status: read\n")
    result = cli("--library", seeded.path, "tag", "import", f)
    assert result.code == 1
    assert "could not place 1 paper" in result.err and f"{f}:3: 0badc0de  Nothing Like Any Seed Paper" in result.err
    assert by_title(seeded, KAT).status == "keep"


def test_migration_keeps_todays_keys_and_note_names(tmp_path):
    from papertriage.store import migrations

    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for m in (migrations.m001_initial, migrations.m002_search):
        m(db)
        db.execute("INSERT INTO _migrations VALUES (?, '2026-01-01')", (m.__name__,))
    db.execute("INSERT INTO papers (pk, id, title, abstract, published, added) VALUES "
               "(1, 'e92269d6', 'Kolmogorov-Arnold Transformer', 'abc', '2024-09-16', '2026-01-01')")
    db.close()
    lib = Library(path)
    (paper,) = select_papers(lib)
    assert (paper.citation_key, paper.note_name) == ("kolmogorov2024-e92269d6", "kolmogorov-arnold-transformer-e92269d6")
    lib.close()


# -- the best title and abstract, not the longest ------------------------------------

KAN_ABSTRACT = ("Inspired by the Kolmogorov-Arnold representation theorem, we propose Kolmogorov-Arnold Networks "
                "(KANs) as promising alternatives to Multi-Layer Perceptrons (MLPs). While MLPs have fixed activation "
                "functions on nodes, KANs have learnable activation functions on edges.")


def _daily(tmp_path, name, title, abstract):
    path = tmp_path / name
    path.write_text(f"Daily Papers\nbyAK and the research community\n\n{title}\n\n{abstract}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("order", [1, -1], ids=["proper-first", "lower-first"])
def test_proper_title_and_whole_abstract_win_in_any_order(tmp_path, order):
    dumps = [_daily(tmp_path, "a.txt", "KAN: Kolmogorov-Arnold Networks", KAN_ABSTRACT[:120] + "..."),
             _daily(tmp_path, "b.txt", "kan: kolmogorov-arnold networks.", KAN_ABSTRACT),
             _daily(tmp_path, "c.txt", "KAN: Kolmogorov-Arnold Networks.", KAN_ABSTRACT[:150] + " ...")]
    lib = _library(tmp_path, "l.db", dumps[::order])
    (paper,) = select_papers(lib, with_sightings=True)
    assert (paper.title, paper.abstract) == ("KAN: Kolmogorov-Arnold Networks", KAN_ABSTRACT)
    assert {s.title for s in paper.sightings} == {"KAN: Kolmogorov-Arnold Networks", "kan: kolmogorov-arnold networks.",
                                                  "KAN: Kolmogorov-Arnold Networks."}
    lib.close()


# -- arXiv ids, authors and links --------------------------------------------------------

API_SAMPLE = Path(__file__).resolve().parent / "data" / "dumps" / "hf_api_2024-07-24_kan_or_mlp.json"


def test_api_sample_after_the_seeds_adds_arxiv_ids_and_authors(seeded, cli):
    """Done-when of issue 12."""
    before = by_title(seeded, "KAN or MLP: A Fairer Comparison")
    assert (before.arxiv_id, before.authors) == (None, [])
    report = ingest(seeded, [str(API_SAMPLE)], page_date=DAY)
    assert [(f.new, f.merged) for f in report.files] == [(1, 1)]
    after = by_title(seeded, "KAN or MLP: A Fairer Comparison")
    assert after.id == before.id and after.citation_key == before.citation_key
    assert (after.arxiv_id, after.authors) == ("2407.16674", ["Runpeng Yu", "Weihao Yu", "Xinchao Wang"])
    lib = ("--library", seeded.path)
    for query in ("author:weihao", "arxiv:2407.16674", "arXiv:2407.16674v2", f"id:{after.id[:4]}"):
        assert cli(*lib, "list", query, "--format", "ids").out.split() == [after.id], query
    bib = cli(*lib, "export", f"id:{after.id}", "--format", "bibtex").out
    assert "author = {Runpeng Yu and Weihao Yu and Xinchao Wang}" in bib
    assert "eprint = {2407.16674}" in bib and "url = {https://arxiv.org/abs/2407.16674}" in bib
    ris = cli(*lib, "export", f"id:{after.id}", "--format", "ris").out
    assert "AU  - Runpeng Yu\r\n" in ris and "UR  - https://arxiv.org/abs/2407.16674\r\n" in ris
    (sighting,) = [s for s in get_paper(seeded, after.id).sightings if s.layout == "hf-api"]
    assert sighting.arxiv_id == "2407.16674" and len(sighting.authors) == 3


def test_open_print_gives_a_url_for_every_seed_paper(seeded, cli):
    from urllib.parse import parse_qs, urlsplit

    ingest(seeded, [str(API_SAMPLE)], page_date=DAY)
    for paper in select_papers(seeded):
        result = cli("--library", seeded.path, "open", paper.id, "--print")
        assert result.code == 0
        url = urlsplit(result.out.strip())
        assert url.scheme == "https" and url.netloc == "arxiv.org"
        if paper.arxiv_id:
            assert url.path == f"/abs/{paper.arxiv_id}"
        else:
            assert url.path == "/search/" and parse_qs(url.query)["query"] == [" ".join(paper.title.split())]


def test_api_fields_from_an_untrusted_dump_are_checked(tmp_path):
    from papertriage.parse import parse_bytes

    dump = ('[{"paper": {"id": "../../etc/passwd", "title": "T", "summary": "S", "githubRepo": "javascript:x()",'
            ' "projectPage": "https://ok.example/p", "authors": [{"name": "A\\u001b[31m B"}, {"name": 3}, "C"]}}]')
    (s,) = parse_bytes(dump.encode(), "x.json").sightings
    assert (s.arxiv_id, s.links, s.authors) == (None, {"project": "https://ok.example/p"}, ["A [31m B", "C"])


# -- dates you can trust -----------------------------------------------------------------

DAILY_DEC_30 = "Daily Papers\nbyAK and the research community\n\nDec 30\n\nA Paper From The Holidays\n\nAn abstract.\n"


def _touch(path, day: dt.date) -> None:
    import os
    import time

    stamp = time.mktime(day.timetuple()) + 12 * 3600
    os.utime(path, (stamp, stamp))


def test_a_yearless_page_date_never_lies_after_the_files_own_date(library, tmp_path):
    page = tmp_path / "daily.txt"
    page.write_text(DAILY_DEC_30, encoding="utf-8")
    _touch(page, dt.date(2025, 1, 2))  # saved on 2 January: `Dec 30` is last December
    ingest(library, [str(page)])
    (dump,) = list_dumps(library)
    assert (dump.date, dump.date_raw, dump.date_from) == ("2024-12-30", "Dec 30", "page")


def test_a_yearless_date_never_lies_after_today():
    from papertriage.parse import parse_text

    today = dt.date.today()
    later = today + dt.timedelta(days=3)
    page = DAILY_DEC_30.replace("Dec 30", later.strftime("%b %d").replace(" 0", " "))
    result = parse_text(page, "p.txt")
    assert result.page_date is not None and result.page_date <= today


def test_a_date_in_the_file_name_is_the_page_date_when_the_page_shows_none(library, tmp_path):
    """A trending dump copied today is still seen on the day in its name, not today."""
    for n, name in enumerate(("2024-09-16.txt", "papers_2024-09-17.txt"), 1):
        shutil.copyfile(SEEDS / "000_2967eebb8705e551.txt", tmp_path / name)
        with open(tmp_path / name, "a", encoding="utf-8") as f:
            f.write("\n" * n)  # two saves of the same page: another file each
    ingest(library, [str(tmp_path / "2024-09-16.txt"), str(tmp_path / "papers_2024-09-17.txt")])
    dumps = list_dumps(library)
    assert [(d.date, d.date_from, d.date_raw) for d in dumps] == [
        ("2024-09-16", "name", "2024-09-16.txt"), ("2024-09-17", "name", "papers_2024-09-17.txt")]
    paper = next(iter(select_papers(library)))
    assert (paper.first_seen, paper.last_seen) == ("2024-09-16", "2024-09-17")


def test_page_date_per_file_and_show_says_where_each_date_came_from(cli, tmp_path):
    lib = ("--library", tmp_path / "l.db")
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "2023-05-01.txt"
    for path, title in ((a, "First Paper About Things"), (b, "Second Paper About Things"),
                        (c, "Third Paper About Things")):
        path.write_text(f"Daily Papers\n\n{title}\n\nAn abstract about {title.lower()}.\n", encoding="utf-8")
    _touch(b, dt.date(2025, 3, 4))
    result = cli(*lib, "ingest", a, b, c, "--page-date", f"{a}=2024-09-16")
    assert result.code == 0, result.err
    shows = {p: cli(*lib, "show", pid).out for p, pid in
             zip("abc", cli(*lib, "list", "--format", "ids", "--reverse").out.split())}
    assert "seen 2024-09-16, date given with --page-date" in shows["a"]
    assert "seen 2025-03-04, date from the file's modification time" in shows["b"]
    assert "seen 2023-05-01, date from the file name" in shows["c"]
    bad = cli(*lib, "ingest", a, "--page-date", "nope.txt=2024-01-01")
    assert bad.code == 2 and "nope.txt is not one of the dumps to ingest" in bad.err
    assert cli(*lib, "ingest", a, "--page-date", f"{a}=2024-13-01").code == 2


def _split_kolmogorov_notes(lib, notes, **options):
    """`export 'title:kolmogorov' --format markdown --split NOTES`, with ``options``."""
    return export_papers(lib, "title:kolmogorov", write=lambda ps, out: render(EXPORT_FORMATS["markdown"], ps, out),
                         split_dir=str(notes), **options)


def test_rename_notes_moves_a_retitled_papers_note_with_its_edits(seeded, tmp_path):
    """`export --split --rename-notes`: the opt-in rename, as `git mv` would do it."""
    notes = tmp_path / "notes"

    def split(**options):
        return _split_kolmogorov_notes(seeded, notes, **options)

    split()
    count = len(list(notes.glob("*.md")))
    old = notes / "kolmogorov-arnold-transformer-e92269d6.md"
    old.write_text(old.read_text() + "\nmy own thoughts\n")
    assert not ingest(seeded, [str(retitle_dump(tmp_path, seeded, new_title="KAT: The Kolmogorov-Arnold "
                                                "Transformer Revisited"))], page_date=DAY).errors
    assert split().renamed == []  # never without asking
    result = split(rename_notes=True)
    (moved,) = result.renamed
    new = notes / moved[1]
    assert moved[0] == old.name and not old.exists() and new.name.endswith("-e92269d6.md")
    assert "my own thoughts" in new.read_text() and result.kept == [new.name]  # edited: moved, not overwritten
    assert get_paper(seeded, "e92269d6").note_name == new.stem  # the next export writes there
    again = split()
    assert len(list(notes.glob("*.md"))) == count and again.kept == [new.name] and again.renamed == []


def test_rename_notes_never_moves_a_note_over_another_file(seeded, tmp_path):
    notes = tmp_path / "notes"

    def split(**options):
        return _split_kolmogorov_notes(seeded, notes, **options)

    split()
    assert not ingest(seeded, [str(retitle_dump(tmp_path, seeded, new_title="KAT: The Kolmogorov-Arnold "
                                                "Transformer Revisited"))], page_date=DAY).errors
    from papertriage import naming

    taken = notes / (naming.note_stem(get_paper(seeded, "e92269d6").title, "e92269d6") + ".md")
    taken.write_text("someone else's file\n")
    result = split(rename_notes=True)
    assert result.renamed == [] and result.not_renamed == [("kolmogorov-arnold-transformer-e92269d6.md", taken.name)]
    assert taken.read_text() == "someone else's file\n"
    assert get_paper(seeded, "e92269d6").note_name == "kolmogorov-arnold-transformer-e92269d6"
