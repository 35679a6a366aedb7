"""Query text -> compiled clause, as a table: the values the user typed are
bound parameters (the FTS5 expressions and LIKE patterns they become are
listed), never part of the SQL text; and every clause, run on the seeds,
selects exactly the papers its negation leaves out. The SQL text itself is
the compiler's business: no test pins it."""

from __future__ import annotations

import pytest

from papertriage.core.select import select_papers
from papertriage.query import compile_query

FTS = "p.pk IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
TAG = "p.pk IN (SELECT paper FROM tags WHERE tag = ? OR tag LIKE ? ESCAPE '\\')"  # the tag and its subtree

CLAUSES = [
    ("kan", FTS, ['"kan"']),
    ("kolmogorov arnold", FTS, ['"kolmogorov" AND "arnold"']),
    ('"exact phrase"', FTS, ['"exact phrase"']),
    ("transfo*", FTS, ['"transfo" *']),
    ("diffusion OR flow", FTS, ['("diffusion" OR "flow")']),
    ("kan -survey", FTS, ['("kan") NOT ("survey")']),
    ("kan -survey -review", FTS, ['("kan") NOT ("survey" OR "review")']),
    ("title:kan abstract:spline", FTS, ['{title} : "kan" AND {abstract} : "spline"']),
    # FTS5 syntax inside a word is only ever text in an FTS5 string
    ("NEAR", FTS, ['"NEAR"']),
    ("NEAR(a", f"{FTS} AND (p.title LIKE ? ESCAPE '\\' OR p.abstract LIKE ? ESCAPE '\\')",
     ['"NEAR(a"', "%NEAR(a%", "%NEAR(a%"]),
    ('x-ray "AND" OR:x', FTS, ['"x-ray" AND "AND" AND "OR:x"']),
    ('say"hi', FTS, ['"say""hi"']),
    ("C++", f"{FTS} AND (p.title LIKE ? ESCAPE '\\' OR p.abstract LIKE ? ESCAPE '\\')",
     ['"C++"', "%C++%", "%C++%"]),
    ("title:C#", f"{FTS} AND p.title LIKE ? ESCAPE '\\'", ['{title} : "C#"', "%C#%"]),
    ("e(3)", f"{FTS} AND (p.title LIKE ? ESCAPE '\\' OR p.abstract LIKE ? ESCAPE '\\')",
     ['"e(3)"', "%e(3)%", "%e(3)%"]),
    ("(LLMs),", FTS, ['"(LLMs),"']),  # wrapping punctuation means nothing
    ('title:"SE(3) equivariant"', f"{FTS} AND p.title LIKE ? ESCAPE '\\'", ['{title} : "SE(3) equivariant"', "%SE(3)%"]),
    ("-survey", f"NOT coalesce({FTS}, 0)", ['"survey"']),
    ("tag:interp", TAG, ["interp", "interp/_%"]),
    ("-tag:skip", f"NOT coalesce({TAG}, 0)", ["skip", "skip/_%"]),
    ("tag:method/", "p.pk IN (SELECT paper FROM tags WHERE tag LIKE ? ESCAPE '\\')", ["method/_%"]),
    ("tag:50%_off*", "p.pk IN (SELECT paper FROM tags WHERE tag LIKE ? ESCAPE '\\')", ["50\\%\\_off%"]),
    ("status:keep", "p.status = ?", ["keep"]),
    ("upvotes>=5", "p.upvotes >= ?", [5]),
    ("upvotes:5", "p.upvotes = ?", [5]),
    ("authors<=3", "p.authors_count <= ?", [3]),
    ("seen>2", "p.seen > ?", [2]),
    ("year:2024", "(p.published >= ? AND p.published < ?)", ["2024-01-01", "2025-01-01"]),
    ("year>2024", "p.published >= ?", ["2025-01-01"]),
    ("year<=2024", "p.published < ?", ["2025-01-01"]),
    ("date:2024-12", "(p.published >= ? AND p.published < ?)", ["2024-12-01", "2025-01-01"]),
    ("date:2024-02-29", "(p.published >= ? AND p.published < ?)", ["2024-02-29", "2024-03-01"]),
    ("after:2024-06-01", "p.published >= ?", ["2024-06-01"]),
    ("before:2024-06", "p.published < ?", ["2024-06-01"]),
    ("file:0_3%", "p.pk IN (SELECT s.paper FROM sightings s JOIN dumps d ON d.id = s.dump"
                  " WHERE d.name LIKE ? ESCAPE '\\')", ["%0\\_3\\%%"]),
    ("kan tag:x upvotes>=2", f"{FTS} AND {TAG} AND p.upvotes >= ?", ['"kan"', "x", "x/_%", 2]),
    ("kan OR tag:kan", f"({FTS} OR {TAG})", ['"kan"', "kan", "kan/_%"]),
    ("tag:a OR tag:b", f"({TAG} OR {TAG})", ["a", "a/_%", "b", "b/_%"]),
    ("x OR -y", f"({FTS} OR NOT coalesce({FTS}, 0))", ['"x"', '"y"']),
    ("tag:\"'; DROP TABLE papers; --\"", TAG, ["'; DROP TABLE papers; --", "'; DROP TABLE papers; --/_%"]),
]


@pytest.mark.parametrize("text,sql,params", CLAUSES, ids=[c[0] for c in CLAUSES])
def test_values_are_bound_parameters(text, sql, params):
    compiled, bound = compile_query(text).clause()
    assert bound == params
    for value in params:
        assert len(str(value)) < 4 or str(value) not in compiled, "a value in the SQL text"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    import datetime as dt

    from papertriage.core.ingest import ingest
    from papertriage.core.tags import add_tags
    from papertriage.store import Library

    from conftest import SEEDS

    lib = Library(tmp_path_factory.mktemp("q") / "library.db")
    ingest(lib, [str(SEEDS)], page_date=dt.date(2025, 11, 24))
    add_tags(lib, [p.id for p in select_papers(lib, "kolmogorov")], ["interp", "50%_off"])
    yield lib
    lib.close()


@pytest.mark.parametrize("text", [c[0] for c in CLAUSES], ids=[c[0] for c in CLAUSES])
def test_every_clause_and_its_negation_split_the_library(seeds, text):
    everything = {p.id for p in select_papers(seeds)}
    chosen = {p.id for p in select_papers(seeds, text, sort="seen")}
    # A lone `(` is text in a word (NEAR(a): there, no group can hold it.
    negation = f"NOT ( {text} )" if text.count("(") == text.count(")") else f"-{text}"
    rest = {p.id for p in select_papers(seeds, negation)}
    assert chosen | rest == everything and not chosen & rest


TITLE_FIRST = [
    # query, MATCH of the title pass, MATCH of the whole text
    ("kolmogorov arnold", '{title} : "kolmogorov" AND {title} : "arnold"', '"kolmogorov" AND "arnold"'),
    ("kan -survey", '({title} : "kan") NOT ("survey")', '("kan") NOT ("survey")'),
    ("a OR b", '({title} : "a" OR {title} : "b")', '("a" OR "b")'),
    ("abstract:spline kan", '{abstract} : "spline" AND {title} : "kan"', '{abstract} : "spline" AND "kan"'),
    ("tag:x", None, None),
]


@pytest.mark.parametrize("text,title,full", TITLE_FIRST, ids=[t[0] for t in TITLE_FIRST])
def test_title_pass_keeps_exclusions_on_the_whole_text(text, title, full):
    plan = compile_query(text)
    assert (plan.match("title"), plan.match()) == (title, full)
