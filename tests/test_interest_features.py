"""The learned ranking's stored features (issue 13): counted in bulk, stored in short transactions,
and a read-only library that still ranks."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import numpy as np
import pytest

from papertriage import featurise
from papertriage import interest as learn
from papertriage.core import interest
from papertriage.core.select import select_papers
from papertriage.store import Library
from papertriage.store import interest as store

from test_interest import keep_mlp_skip_others


def _stored_rows(lib):
    hashes = np.frombuffer(store.terms_from(lib, 0), dtype=np.uint32)
    rows = {}
    for chunk, pks, indptr in store.chunk_index(lib):
        terms, repeats = store.chunk_terms(lib, chunk)
        ids = np.frombuffer(terms, dtype=np.int32)
        counts = featurise.unpack_counts(repeats, len(ids))
        starts = np.frombuffer(indptr, dtype=np.int64)
        for r, pk in enumerate(np.frombuffer(pks, dtype=np.int64).tolist()):
            lo, hi = starts[r], starts[r + 1]
            rows[pk] = dict(zip(hashes[ids[lo:hi]].tolist(), counts[lo:hi].tolist()))
    return rows


def test_stored_features_are_every_papers_one_and_two_grams_with_counts(seeded):
    keep_mlp_skip_others(seeded)
    interest.ensure_ranking(seeded)
    rows = _stored_rows(seeded)
    texts = store.texts(seeded, list(rows))
    assert len(rows) == seeded.count()
    for pk, (title, abstract) in texts.items():
        hashes = featurise.term_hashes(title, abstract)
        want = {hashes[term]: min(count, 255) for term, count in learn.terms(title, abstract).items()}
        assert rows[pk] == want, title
    for chunk, _, indptr in store.chunk_index(seeded):  # each row by term id, so scoring gathers in order
        ids = np.frombuffer(store.chunk_terms(seeded, chunk)[0], dtype=np.int32)
        rows_of = np.repeat(np.arange(len(indptr) // 8 - 1), np.diff(np.frombuffer(indptr, dtype=np.int64)))
        assert (np.lexsort((ids, rows_of)) == np.arange(len(ids))).all()


def test_features_are_stored_a_chunk_a_transaction(seeded, monkeypatch):
    """Each write transaction stores one small chunk, so a tagger never waits for the whole library."""
    monkeypatch.setattr(interest, "CHUNK", 40)
    keep_mlp_skip_others(seeded)
    ranking = interest.ensure_ranking(seeded)
    sizes = [row[0] for row in seeded.execute("SELECT papers FROM interest_chunks ORDER BY id")]
    assert ranking.featurised == seeded.count() == sum(sizes)
    assert len(sizes) >= 5 and max(sizes) <= 40
    # The vocabulary grew a piece a chunk, and numbers every stored term.
    pieces = seeded.execute("SELECT count(*) FROM interest_terms").fetchone()[0]
    assert pieces == len(sizes)
    top = max(np.frombuffer(store.chunk_terms(seeded, c)[0], dtype=np.int32).max() for c, _, _ in
              store.chunk_index(seeded))
    assert top == store.vocabulary_size(seeded) - 1


def _order(lib, limit=20):
    return [p.id for p in select_papers(lib, "status:new", sort="interest", limit=limit)]


def test_a_read_only_library_ranks_in_the_same_order_and_caches_nothing(seeded, tmp_path):
    keep_mlp_skip_others(seeded)
    seeded.close()
    copy = tmp_path / "copy.db"
    shutil.copyfile(tmp_path / "library.db", copy)
    writable = Library(tmp_path / "library.db")
    expected = _order(writable)
    writable.close()

    lib = Library(copy)
    lib.execute("PRAGMA query_only = ON")  # SQLite refuses every write, as for a read-only file
    assert _order(lib) == expected
    ranking = interest.ensure_ranking(lib)
    assert not ranking.saved and not ranking.cold and ranking.featurised == lib.count()
    assert interest.ensure_ranking(lib) is ranking  # computed once per process, not once per call
    why = interest.why(lib, expected[0], terms=10_000)
    assert why.rank == 1 and why.up and why.bias + sum(v for _, v in why.up + why.down) == pytest.approx(why.score,
                                                                                                          abs=1e-5)
    lib.close()
    db = sqlite3.connect(copy)
    assert db.execute("SELECT (SELECT count(*) FROM interest_chunks) + (SELECT count(*) FROM interest_models)"
                      " + (SELECT count(*) FROM interest_terms)").fetchone()[0] == 0
    db.close()


def test_interest_scores_is_gone(seeded):
    tables = {r[0] for r in seeded.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "interest_scores" not in tables and "interest_vocab" not in tables
    assert {"interest_terms", "interest_idf", "interest_chunks", "interest_models"} <= tables


def _immutable(path):
    """Make a file read-only even for root (the file system must allow it), or skip."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {done.stderr.decode().strip()}")


def test_a_read_only_library_file_ranks_through_the_command(seeded, tmp_path, cli):
    keep_mlp_skip_others(seeded)
    seeded.close()
    path = tmp_path / "library.db"
    expected = cli("list", "status:new", "--sort", "interest", "--limit", "10", "--format", "ids").out
    with sqlite3.connect(path) as db:  # forget what that ranking cached
        db.execute("DELETE FROM interest_models")
    db.close()
    _immutable(path)
    try:
        r = cli("list", "status:new", "--sort", "interest", "--limit", "10", "--format", "ids")
        assert r.code == 0 and r.out == expected
        assert "read-only" in r.err and len(r.err.splitlines()) == 1
        w = cli("why", expected.split()[0])
        assert w.code == 0 and "1 of" in w.out and "pushed up by:" in w.out
        t = cli("tag", "add", "x", expected.split()[0])
        assert t.code == 3 and "read-only" in t.err
    finally:
        subprocess.run(["chattr", "-i", str(path)])


def test_a_tagger_writes_while_the_features_are_built(seeded, monkeypatch):
    """Texts are read and counted outside the write lock: another process tags between two chunks
    without waiting (its busy timeout is zero here)."""
    from papertriage.core import tags

    monkeypatch.setattr(interest, "CHUNK", 40)
    keep_mlp_skip_others(seeded)
    other = Library(seeded.path)
    other.execute("PRAGMA busy_timeout = 0")
    paper = next(select_papers(other, "status:new", limit=1)).id
    calls = []
    count = featurise.hash_chunk

    def counting(texts, cache):
        calls.append(len(texts))
        if len(calls) == 2:  # the first chunk is stored, the second is being counted
            tags.add_tags(other, [paper], ["while-ranking"])
        return count(texts, cache)

    monkeypatch.setattr(featurise, "hash_chunk", counting)
    ranking = interest.ensure_ranking(seeded)
    assert len(calls) >= 5 and ranking.featurised == seeded.count()
    assert next(select_papers(seeded, "tag:while-ranking", limit=1)).id == paper
    other.close()


def test_two_rankings_building_features_at_once_store_each_paper_once(seeded, monkeypatch):
    """Another process stores features while this one counts a chunk: this one notices, counts only
    what is still missing, and every paper ends up with one row and one numbering of the terms."""
    monkeypatch.setattr(interest, "CHUNK", 40)
    keep_mlp_skip_others(seeded)
    other = Library(seeded.path)
    calls = []
    count = featurise.hash_chunk

    def counting(texts, cache):
        calls.append(len(texts))
        if len(calls) == 2:
            monkeypatch.setattr(featurise, "hash_chunk", count)
            assert interest.ensure_ranking(other).featurised == other.count() - 40  # all but the first chunk
        return count(texts, cache)

    monkeypatch.setattr(featurise, "hash_chunk", counting)
    ranking = interest.ensure_ranking(seeded)
    assert ranking.featurised == 40  # its own first chunk; the other process did the rest
    pks = np.concatenate([np.frombuffer(b, dtype=np.int64) for b in store.chunk_pks(seeded)])
    assert len(pks) == len(set(pks.tolist())) == seeded.count()
    rows = _stored_rows(seeded)
    for pk, (title, abstract) in store.texts(seeded, list(rows)).items():
        hashes = featurise.term_hashes(title, abstract)
        assert set(rows[pk]) == {hashes[t] for t in learn.terms(title, abstract)}
    other.close()
