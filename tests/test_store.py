"""The store (issue 10): a typed Selection in, papers out; decisions by key;
errors translated. Tested through Library, with no SQL text pinned."""

from __future__ import annotations

import pytest

from papertriage.model import SORTS
from papertriage.query import compile_query
from papertriage.store import Library, Ranking, Selection

from conftest import SEEDS


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    """The first two seed dumps (62 sightings, 37 papers with merges)."""
    from papertriage.core.ingest import ingest

    lib = Library(tmp_path_factory.mktemp("store") / "library.db")
    ingest(lib, [str(SEEDS / "000_2967eebb8705e551.txt"), str(SEEDS / "003_2565c5b66cf8255e.txt")])
    yield lib
    lib.close()


def ids(papers) -> list[str]:
    return [p.id for p in papers]


def test_every_paper_once_in_the_order_added(lib):
    papers = list(lib.select())
    assert len(papers) == lib.count() == lib.stats()["papers"] > 30
    assert len(set(ids(papers))) == len(papers)
    assert [p.added for p in papers] == sorted((p.added for p in papers), reverse=True), "newest first"


# Each sort, as a Python key over the papers: the store must agree.
def _nulls_last(value):
    return (value is None, -(value or 0))


SORT_KEYS = {
    "added": lambda p: -1,  # newest first, see below
    "seen": lambda p: (-p.seen, *_nulls_last(p.upvotes)),
    "date": lambda p: (p.published is None, -(p.published.toordinal() if p.published else 0)),
    "upvotes": lambda p: (*_nulls_last(p.upvotes), -p.seen),
    "title": lambda p: p.title.casefold(),
    "relevance": lambda p: -1,  # newest first, see below
    "promising": lambda p: (-p.seen, *_nulls_last(p.upvotes),
                            p.published is None, -(p.published.toordinal() if p.published else 0)),
    "id": lambda p: p.id,
}


@pytest.mark.parametrize("sort", sorted(set(SORTS) - {"interest"} | {"promising", "id"}))
def test_each_sort_orders_as_it_says(lib, sort):
    oldest_first = list(lib.select(Selection(sort="id")))
    oldest_first.sort(key=lambda p: lib.pks_for_ids([p.id])[p.id])
    expected = sorted(oldest_first, key=SORT_KEYS[sort])  # stable: ties stay in the order added
    if sort in ("added", "relevance"):
        expected = oldest_first[::-1]
    got = list(lib.select(Selection(sort=sort)))
    if sort == "title":  # titles equal but for case keep the order added
        assert [p.title.casefold() for p in got] == [p.title.casefold() for p in expected]
    else:
        assert ids(got) == ids(expected)
    flipped = list(lib.select(Selection(sort=sort, reverse=True)))
    assert sorted(ids(flipped)) == sorted(ids(got)) and (ids(flipped) != ids(got) or len(got) < 2)


def test_an_unknown_sort_is_refused():
    with pytest.raises(ValueError):
        list(Library(":memory:").select(Selection(sort="nonsense")))


def test_limit_ids_exclusions_and_marks(lib):
    every = ids(lib.select())
    assert ids(lib.select(Selection(limit=5))) == every[:5]
    assert ids(lib.select(Selection(ids=tuple(every[3:6])))) == every[3:6]
    assert ids(lib.select(Selection(ids=()))) == []
    assert ids(lib.select(Selection(exclude_ids=tuple(every[:-2])))) == every[-2:]
    mark = lib.newest_mark()
    assert ids(lib.select(Selection(added_after=mark))) == []
    assert lib.count(Selection(limit=3)) == len(every), "a count ignores the limit"


def test_a_query_and_the_newest_window_select_the_same_papers(lib):
    query = compile_query("seen>=2")
    plain = ids(lib.select(Selection(query=query, sort="relevance")))
    assert plain and all(p.seen >= 2 for p in lib.select(Selection(query=query)))
    assert ids(lib.select(Selection(query=query, sort="relevance", newest=10_000))) == plain
    window = ids(lib.select(Selection(query=query, sort="relevance", newest=3)))
    assert set(window) <= set(plain) and len(window) < len(plain)


def test_values_are_bound_never_written_into_the_statement(lib):
    nasty = "'; DROP TABLE papers; --"
    selection = Selection(query=compile_query(f'tag:"{nasty}" "{nasty}"'), ids=(nasty,), exclude_ids=(nasty,))
    sql, params = lib.statement(selection)
    assert "DROP" not in sql and nasty in params
    assert list(lib.select(selection)) == []
    assert lib.count(Selection()) > 0, "the table is still there"


def test_ranking_puts_the_best_matches_first_and_respects_the_limit(lib):
    (kat,) = [p for p in lib.select() if p.title == "Kolmogorov-Arnold Transformer"]
    ranked = list(lib.select(Selection(query=compile_query("kolmogorov"), ranking=Ranking('"kolmogorov"'))))
    assert ranked[0].id == kat.id
    titles_only = list(lib.select(Selection(ranking=Ranking('"transformer"', "titles"))))
    assert titles_only and all("transformer" in p.title.lower() for p in titles_only)
    assert len(list(lib.select(Selection(ranking=Ranking('"the"'), limit=3)))) == 3
    lazy = Selection(query=compile_query("-survey"), ranking=Ranking('"the"', bound=10, lazy=True), limit=3)
    assert len(list(lib.select(lazy))) == 3
    assert lib.count_matches('"the"', "papers", cap=5) == 5


def test_sightings_load_only_when_asked(lib):
    (paper,) = lib.select(Selection(limit=1))
    assert paper.sightings is None
    (paper,) = lib.select(Selection(limit=1, with_sightings=True))
    assert paper.sightings and all(s.title for s in paper.sightings)


def test_decisions_by_key_report_what_changed(tmp_path):
    from papertriage.core.ingest import ingest

    lib = Library(tmp_path / "l.db")
    ingest(lib, [str(SEEDS / "000_2967eebb8705e551.txt")])
    pks = list(lib.pks_for_ids(ids(lib.select(Selection(limit=2)))).values())
    with lib.transaction():
        assert lib.add_tags([(pks[0], "llm"), (pks[1], "llm")], "t") == [(pks[0], "llm"), (pks[1], "llm")]
        assert lib.add_tags([(pks[0], "llm")], "t") == []
        assert lib.tag_spelling("LLM") == "llm", "tags compare without case"
        assert sorted(lib.set_statuses(pks, "keep")) == sorted([(pks[0], "new"), (pks[1], "new")])
        assert lib.set_statuses(pks, "keep") == []
        assert lib.set_note(pks[0], "hi") and not lib.set_note(pks[0], "hi")
        assert lib.remove_tags([(pks[1], "llm")]) == [(pks[1], "llm")]
    assert lib.tag_counts() == [("llm", 1)]
    decided = ids(lib.select(Selection(with_decisions=True)))
    assert len(decided) == 2
    lib.close()


def test_a_transaction_that_fails_leaves_nothing_behind(tmp_path):
    lib = Library(tmp_path / "l.db")
    with pytest.raises(RuntimeError):
        with lib.transaction():
            lib.add_dump(name="x", path="x", sha256="0" * 64, layout="trending", page_date=None,
                         page_date_raw=None, seen_on=__import__("datetime").date(2025, 1, 1), records=0)
            with lib.transaction():  # a savepoint
                assert lib.find_dump("0" * 64) == "x"
            raise RuntimeError
    assert lib.find_dump("0" * 64) is None
    lib.close()


def test_a_file_that_is_not_a_library_is_a_store_error(tmp_path):
    from papertriage.errors import ExitCode, StoreError

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as info:
        Library(junk)
    assert info.value.exit_code == ExitCode.LIBRARY_ERROR and str(junk) in str(info.value)
