"""Search in the core (no CLI): ranking, typo correction, every filter, the vocabulary, `similar`."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from papertriage.core.search import search, similar
from papertriage.core.select import count_papers, select_papers
from papertriage.errors import QuerySyntaxError, UserError
from papertriage.words import fts_words

from conftest import SEEDS

TRENDING_HEAD = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
# Two papers: one with a typo in its text ("transfomer"), one with words no other paper has.
TYPO_DUMP = TRENDING_HEAD + (
    "SubscribeTabular Transfomer Baselines Revisited\n"
    "We revisit a tabular transfomer baseline on many benchmark tables and find that careful tuning "
    "matters more than architecture for tabular prediction tasks.\n"
    "Zyxwv Quokka Networks\n"
    "Quokka networks learn zyxwv features for marsupial recognition, beating prior baselines on three "
    "marsupial datasets.\n")


def titles(papers) -> list[str]:
    return [p.title for p in papers]


def run(lib, query, **kw):
    result = search(lib, query, **kw)
    return result, list(result.papers)


# -- ranking -------------------------------------------------------------------


def test_kolmogorov_arnold_puts_the_kan_papers_first(seeded):
    _, papers = run(seeded, "kolmogorov arnold")
    top = titles(papers[:3])
    assert all("Kolmogorov-Arnold" in t for t in top), top
    assert "KAN: Kolmogorov-Arnold Networks" in top
    # Every paper with both words in its title comes before any without.
    in_title = ["kolmogorov" in fts_words(p.title) and "arnold" in fts_words(p.title) for p in papers]
    assert in_title == sorted(in_title, reverse=True)
    assert len(papers) > in_title.count(True)  # abstract-only matches follow


@pytest.mark.parametrize("query", ["interpretability", "diffusion", "transformer", "language model"])
def test_a_title_hit_outranks_an_abstract_hit(seeded, query):
    words = fts_words(query)
    _, papers = run(seeded, query)
    hit = [all(w in fts_words(p.title) for w in words) for p in papers]
    assert True in hit and False in hit
    assert hit == sorted(hit, reverse=True)


@pytest.mark.parametrize("query", ["transformer", "model -language", "diffusion OR flow", "tag:kan", "kan upvotes>=1"])
def test_search_finds_what_list_selects(seeded, query):
    _tag(seeded, "kan", "KAN")
    _, papers = run(seeded, query, fix_typos=False)  # --exact: the words as typed
    assert papers
    assert {p.id for p in papers} == {p.id for p in select_papers(seeded, query)}
    assert len(papers) == count_papers(seeded, query) == len({p.id for p in papers})
    # Without --exact, when few papers match, inflections and compounds are added (issue 14).
    _, widened = run(seeded, query)
    assert {p.id for p in papers} <= {p.id for p in widened}
    assert len(widened) == len({p.id for p in widened})


def test_limit_cuts_across_the_title_and_full_text_passes(seeded):
    _, everything = run(seeded, "transformer")
    for limit in (1, 3, len(everything) - 1, len(everything) + 5):
        _, papers = run(seeded, "transformer", limit=limit)
        assert [p.id for p in papers] == [p.id for p in everything][:limit]


@pytest.mark.parametrize("query", ["model", "model upvotes>=1", "language -model", "tag:kan OR learning", "C++ OR model"])
def test_bounded_scoring_never_loses_matches(seeded, monkeypatch, query):
    # With a limit only the newest CANDIDATES matches of a pass are scored;
    # make that tiny so the seeds exercise it: still `limit` papers, all matching,
    # title matches first, and the newest scored.
    import papertriage.core.search as core_search

    _tag(seeded, "kan", "KAN")
    matching = {p.id for p in select_papers(seeded, query)}
    monkeypatch.setattr(core_search, "CANDIDATES", 3)
    for limit in (1, 4, 10, len(matching) + 1):
        _, papers = run(seeded, query, limit=limit, fix_typos=False)  # as typed: no inflections added
        assert len(papers) == min(limit, len(matching))
        assert {p.id for p in papers} <= matching


def test_bounded_scoring_ranks_the_newest_title_matches(seeded, monkeypatch):
    import papertriage.core.search as core_search

    in_titles = list(select_papers(seeded, "title:model", reverse=True))  # oldest first
    assert len(in_titles) > 6
    monkeypatch.setattr(core_search, "CANDIDATES", 6)
    _, papers = run(seeded, "model", limit=4)
    assert {p.id for p in papers} <= {p.id for p in in_titles[-6:]}


@pytest.mark.parametrize("sort,key", [
    ("date", lambda p: p.published or dt.date.min),
    ("upvotes", lambda p: -1 if p.upvotes is None else p.upvotes),
    ("seen", lambda p: p.seen),
])
def test_other_sorts(seeded, sort, key):
    _, papers = run(seeded, "model", sort=sort)
    values = [key(p) for p in papers]
    assert len(papers) > 5 and values == sorted(values, reverse=True)


def test_only_filters_list_the_newest_first(seeded):
    _, papers = run(seeded, "seen>=2")
    assert len(papers) > 5
    assert [p.id for p in papers] == [p.id for p in select_papers(seeded, "seen>=2")]


@pytest.mark.parametrize("window", [3, 30, 100_000])
@pytest.mark.parametrize("query", ["seen>=2", "upvotes>=1", "year:2024 -seen=1", "status:new"])
def test_filters_only_with_a_limit_walk_back_from_the_newest(seeded, monkeypatch, window, query):
    import papertriage.core.search as core_search

    monkeypatch.setattr(core_search, "NEWEST_WINDOW", window)
    newest = [p.id for p in select_papers(seeded, query)]
    for limit in (1, 5, len(newest) + 1):
        _, papers = run(seeded, query, limit=limit)
        assert [p.id for p in papers] == newest[:limit]


def test_empty_query_and_unknown_sort_are_user_errors(seeded):
    for query in ("", "  ", "& —"):
        with pytest.raises(UserError, match="nothing to search for"):
            search(seeded, query)
    with pytest.raises(UserError, match="unknown sort"):
        search(seeded, "kan", sort="nope")
    with pytest.raises(QuerySyntaxError):
        search(seeded, "upvotes>=abc")


@pytest.mark.parametrize("query", ["x-ray", "GPT-2", "C++", "chile's", "e(3)", "NEAR(a", "a AND", '"OR"'])
def test_punctuation_is_never_a_syntax_error(seeded, query):
    run(seeded, query)


@pytest.mark.parametrize("query,needle", [
    ("x-ray", "x-ray"), ("GPT-2", "gpt-2"), ("C++", "c++"), ("chile's", "chile's"), ("e(3)", "e(3)")])
def test_words_with_punctuation_find_what_they_say(seeded, query, needle):
    _, papers = run(seeded, query, fix_typos=False)
    assert papers
    assert all(needle in (p.title + " " + p.abstract).lower() for p in papers)


def test_c_plus_plus_is_not_every_c(seeded):
    _, cpp = run(seeded, "C++")
    _, c = run(seeded, "C")
    assert 0 < len(cpp) < len(c)


# -- typo correction ---------------------------------------------------------


@pytest.mark.parametrize("typed,meant", [
    ("kolmogorv arnold", "kolmogorov arnold"),
    ("mechanstic interpretabilty", "mechanistic interpretability"),
    ("transfomer", "transformer"),
    ("title:transfomer", "title:transformer"),
    ("kolmogorv -survey tag:x", "kolmogorov -survey tag:x"),
    ("kolmogorv-arnold netwroks", "kolmogorov-arnold networks"),  # a typo inside a hyphenated word
])
def test_typos_are_corrected_against_the_library(seeded, typed, meant):
    _tag(seeded, "x", "Kolmogorov")
    result, papers = run(seeded, typed)
    assert result.corrected and result.searched == meant
    _, expected = run(seeded, meant)
    assert papers and titles(papers) == titles(expected)


@pytest.mark.parametrize("query", [
    "kolmogorov arnold",  # known words
    '"kolmogorv"',  # quoted: as typed
    "kolmogorv*",  # prefix
    "kan -kolmogorv",  # exclusion
    "gpt4o",  # digits: a model name
    "kan",  # too short to guess
])
def test_what_is_never_corrected(seeded, query):
    assert not search(seeded, query).corrected


def test_exact_turns_correction_off(seeded):
    result, papers = run(seeded, "transfomer", fix_typos=False)
    assert not result.corrected and papers == []


def test_a_word_one_paper_holds_is_searched_with_its_correction(seeded, tmp_path):
    from papertriage.core.ingest import ingest

    (tmp_path / "typo.txt").write_text(TYPO_DUMP)
    assert not ingest(seeded, [str(tmp_path / "typo.txt")]).errors
    result, papers = run(seeded, "transfomer")
    assert result.searched == "transformer OR transfomer"
    assert "Tabular Transfomer Baselines Revisited" in titles(papers)
    assert any("Swin Transformer" in t for t in titles(papers))
    # Words only one paper has, and nothing close in the vocabulary: left alone.
    result, papers = run(seeded, "zyxwv")
    assert not result.corrected and titles(papers) == ["Zyxwv Quokka Networks"]


# -- filters -----------------------------------------------------------------


def _titled(lib, title_word):
    return [p.id for p in select_papers(lib) if title_word.lower() in p.title.lower()]


def _tag(lib, tag, title_word):
    from papertriage.core.tags import add_tags

    add_tags(lib, _titled(lib, title_word), [tag])


def _adjacent(words, a, b):
    return any(x == a and y == b for x, y in zip(words, words[1:]))


def _words(p):
    return fts_words(p.title + " " + p.abstract)


FILTERS = [
    ("tag:kan", lambda p: "kan" in p.tags),
    ("tag:KAN", lambda p: "kan" in p.tags),
    ("-tag:kan", lambda p: "kan" not in p.tags),
    ("tag:interp*", lambda p: any(t.startswith("interp") for t in p.tags)),
    ("status:keep", lambda p: p.status == "keep"),
    ("-status:new", lambda p: p.status != "new"),
    ("upvotes>=3", lambda p: p.upvotes is not None and p.upvotes >= 3),
    ("upvotes<3", lambda p: p.upvotes is not None and p.upvotes < 3),
    ("upvotes:1", lambda p: p.upvotes == 1),
    ("-upvotes>=3", lambda p: not (p.upvotes is not None and p.upvotes >= 3)),
    ("authors<=3", lambda p: p.authors_count is not None and p.authors_count <= 3),
    ("authors>5", lambda p: p.authors_count is not None and p.authors_count > 5),
    ("seen>=2", lambda p: p.seen >= 2),
    ("seen=1", lambda p: p.seen == 1),
    ("year:2024", lambda p: p.published is not None and p.published.year == 2024),
    ("year<2024", lambda p: p.published is not None and p.published.year < 2024),
    ("date:2024-09", lambda p: p.published is not None and (p.published.year, p.published.month) == (2024, 9)),
    ("after:2024-06-01", lambda p: p.published is not None and p.published >= dt.date(2024, 6, 1)),
    ("before:2024-06-01", lambda p: p.published is not None and p.published < dt.date(2024, 6, 1)),
    ("after:2024-01 before:2025", lambda p: p.published is not None and p.published.year == 2024),
    ("file:003", lambda p: any("003" in s.file for s in p.sightings)),
    ("-file:002", lambda p: not any("002" in s.file for s in p.sightings)),
    ("title:kan", lambda p: "kan" in fts_words(p.title)),
    ("abstract:kan", lambda p: "kan" in fts_words(p.abstract)),
    ("kan -title:kan", lambda p: "kan" in _words(p) and "kan" not in fts_words(p.title)),
    ('"language model"', lambda p: any(_adjacent(fts_words(t), "language", "model") for t in (p.title, p.abstract))),
    ("interpret*", lambda p: any(w.startswith("interpret") for w in _words(p))),
    ("kan OR tag:interp", lambda p: "kan" in _words(p) or "interp" in p.tags),
    ("diffusion -video", lambda p: "diffusion" in _words(p) and "video" not in _words(p)),
    ("kan upvotes>=1 seen>=2", lambda p: "kan" in _words(p) and (p.upvotes or 0) >= 1 and p.seen >= 2),
]


@pytest.fixture
def triaged(seeded):
    """The seeds with a few tags and statuses set."""
    _tag(seeded, "kan", "Kolmogorov")
    _tag(seeded, "interpretability", "Interpretab")
    _tag(seeded, "interp", "Circuit")
    from papertriage.core.decisions import mark

    mark(seeded, _titled(seeded, "Diffusion"), "keep")
    return seeded


@pytest.mark.parametrize("query,holds", FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_selects_exactly_the_papers_it_describes(triaged, query, holds):
    everything = list(select_papers(triaged, with_sightings=True))
    expected = {p.id for p in everything if holds(p)}
    assert 0 < len(expected) < len(everything), "the seeds should make this filter meaningful"
    assert {p.id for p in select_papers(triaged, query)} == expected
    assert {p.id for p in search(triaged, query, fix_typos=False).papers} == expected


# -- vocabulary ----------------------------------------------------------------


def _vocab(lib):
    """The vocabulary as search sees it: words of two or more papers."""
    return {word: docs for word, docs in lib.vocabulary_counts().items() if docs >= 2}


def test_ingest_keeps_the_vocabulary_exactly_in_step(seeded, tmp_path):
    from papertriage.core.ingest import ingest

    (tmp_path / "typo.txt").write_text(TYPO_DUMP)
    ingest(seeded, [str(tmp_path / "typo.txt")])
    kept = _vocab(seeded)
    assert kept["kolmogorov"] >= 5 and "zyxwv" not in kept and "marsupial" not in kept
    assert kept["tabular"] >= 2  # in one seed paper, and now in the new one
    seeded.rebuild_vocabulary()
    assert _vocab(seeded) == kept
    # The titles index (kept by triggers) matches the titles, merges included.
    seeded.execute("INSERT INTO titles_fts(titles_fts, rank) VALUES ('integrity-check', 1)")
    merged = seeded.execute("SELECT count(*) FROM papers WHERE sightings > 1").fetchone()[0]
    assert merged > 0


def test_vocabulary_follows_texts_replaced_several_times_in_one_batch(tmp_path):
    """One ingest batches several files: a paper inserted and then merged into,
    or merged into twice, within one batch; the counts must match a rebuild."""
    from papertriage.core.ingest import ingest
    from papertriage.store import Library

    title = "Quokka Networks for Marsupial Vision"
    opening = ("We train quokka networks on camera-trap images of marsupials and study how their features "
               "transfer between species, seasons and cameras.")
    versions = [opening, opening + " We release the code.", opening + " We release the code, data and models."]
    for i, abstract in enumerate(versions):
        (tmp_path / f"{i}.txt").write_text(TRENDING_HEAD + f"Subscribe{title}\n{abstract}\n"
                                           f"Other Paper Number {i}\nAn unrelated abstract about topic {i} alone.\n")
    lib = Library(tmp_path / "library.db")
    report = ingest(lib, [str(tmp_path / f"{i}.txt") for i in range(3)])
    assert [f.merged for f in report.files] == [0, 1, 1], "the quokka paper merged into twice"
    (quokka,) = [p for p in select_papers(lib) if p.title == title]
    assert quokka.abstract == versions[-1]
    kept = lib.vocabulary_counts()
    assert kept["quokka"] == 1 and kept["models"] == 1 and kept["unrelated"] == 3
    lib.rebuild_vocabulary()
    assert lib.vocabulary_counts() == kept
    lib.close()


def test_an_ingests_words_wait_as_pending_counts_that_search_sees_at_once_and_folding_changes_nothing(
        seeded, tmp_path):
    """Issue 16: an ingest adds its words to the vocabulary's small pending table
    (a day into a big library no longer rewrites most of the vocabulary's pages);
    typo correction and `similar` count them at once, and folding them into
    the vocabulary changes no count and no answer."""
    from papertriage.core.ingest import ingest
    from papertriage.core.search import best_correction
    from papertriage.store import vocab

    (tmp_path / "typo.txt").write_text(TYPO_DUMP)
    ingest(seeded, [str(tmp_path / "typo.txt")])
    assert seeded.execute("SELECT count(*) FROM vocab_pending").fetchone()[0] > 0
    typos = ["kolmogorv", "tabulr", "transfromer", "netwroks", "difusion", "langauge", "quantizaton"]
    counts, answers = seeded.vocabulary_counts(), {t: best_correction(seeded, t) for t in typos}
    assert answers["kolmogorv"] == "kolmogorov"
    kan = next(p for p in select_papers(seeded, "title:kan title:kolmogorov"))
    alike = [p.id for p in similar(seeded, kan.id[:6], limit=5)[2]]
    with seeded.transaction() as db:
        vocab.fold(db)
    assert seeded.execute("SELECT count(*) FROM vocab_pending").fetchone()[0] == 0
    assert seeded.vocabulary_counts() == counts
    assert {t: best_correction(seeded, t) for t in typos} == answers
    assert [p.id for p in similar(seeded, kan.id[:6], limit=5)[2]] == alike
    seeded.rebuild_vocabulary()
    assert seeded.vocabulary_counts() == counts


def test_pending_vocabulary_is_folded_in_once_it_grows_past_its_limit(tmp_path, monkeypatch):
    from papertriage.core.ingest import ingest
    from papertriage.store import Library, vocab

    monkeypatch.setattr(vocab, "FOLD_AT", 50)
    lib = Library(tmp_path / "library.db")
    ingest(lib, [str(SEEDS / "000_2967eebb8705e551.txt")])
    assert lib.execute("SELECT count(*) FROM vocab_pending").fetchone()[0] == 0  # folded by the ingest itself
    assert lib.execute("SELECT count(*) FROM vocab").fetchone()[0] > 50
    ingest(lib, [str(SEEDS / "001_01088ffb7e7fac53.txt")])
    counts = lib.vocabulary_counts()
    lib.rebuild_vocabulary()
    assert lib.vocabulary_counts() == counts
    lib.close()


# -- similar -------------------------------------------------------------------


def test_similar_finds_the_other_kan_papers(seeded):
    kan = next(p for p in select_papers(seeded, "title:kan title:kolmogorov"))
    paper, words, papers = similar(seeded, kan.id[:6], limit=5)
    papers = list(papers)
    assert paper.id == kan.id and "kolmogorov" in words
    assert kan.id not in [p.id for p in papers]
    assert sum("Kolmogorov-Arnold" in p.title or "KAN" in p.title for p in papers) >= 4


def test_similar_with_an_unknown_id(seeded):
    from papertriage.errors import UnknownIdError

    with pytest.raises(UnknownIdError):
        similar(seeded, "zzzz")


# -- the stemmed title index (issue 14) ------------------------------------------


def _stem_terms(lib):
    lib.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_terms USING fts5vocab(main, titles_stem, row)")
    return lib.db.execute("SELECT term, doc, cnt FROM temp.stem_terms ORDER BY term").fetchall()


def test_migration_builds_the_stemmed_titles_of_an_older_library(seeded, tmp_path):
    from papertriage.store import Library

    built_by_ingest = _stem_terms(seeded)
    assert ("kan", ) in [t[:1] for t in built_by_ingest]
    path = seeded.path
    with seeded.transaction() as db:  # back to a library from before m007
        for trigger in ("titles_stem_delete", "titles_stem_update"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DROP TABLE titles_stem")
        db.execute("DROP TABLE stem_forms")
        db.execute("DELETE FROM _migrations WHERE name = 'm007_search_stems'")
    seeded.close()
    lib = Library(path)
    assert _stem_terms(lib) == built_by_ingest
    assert [p.title for p in search(lib, "kolmogorovarnold transformers", limit=1).papers] == \
        ["Kolmogorov-Arnold Transformer"]
    lib.close()


def test_merges_and_deletes_keep_the_stemmed_titles_exact(seeded):
    from papertriage.store import search_index

    with seeded.transaction() as db:
        pk = db.execute("SELECT pk FROM papers WHERE title = 'Kolmogorov-Arnold Transformer'").fetchone()[0]
        db.execute("UPDATE papers SET title = 'ToonComposer-Like Kolmogorov Things' WHERE pk = ?", (pk,))
        search_index.refresh(db, [pk])
        db.execute("DELETE FROM papers WHERE pk = (SELECT min(pk) FROM papers)")
    kept = _stem_terms(seeded)
    with seeded.transaction() as db:
        search_index.rebuild(db)
    assert _stem_terms(seeded) == kept
    assert [p.title for p in search(seeded, "toon composer like", limit=1).papers] == \
        ["ToonComposer-Like Kolmogorov Things"]
