"""The learned ranking (issue 13): `--sort interest`, `interest:TAG`, `why`, the cache."""

from __future__ import annotations

import pytest

from papertriage import interest as learn
from papertriage.core import interest
from papertriage.core import decisions, tags
from papertriage.core.select import resolve_ids
from papertriage.core.select import select_papers


def ids_of(lib, query):
    return [p.id for p in select_papers(lib, query)]


def keep_mlp_skip_others(lib):
    """The issue's scenario: five papers about MLPs kept, five others skipped."""
    mlp = [p for p in select_papers(lib, "title:mlp")]
    others = [p for p in select_papers(lib, "title:diffusion OR title:agent OR title:video OR title:llm")
              if "mlp" not in p.title.lower()]
    assert len(mlp) >= 10 and len(others) >= 5
    decisions.mark(lib, ([p.id for p in mlp[:5]]), "keep")
    decisions.mark(lib, ([p.id for p in others[:5]]), "skip")
    return mlp[:5], others[:5]


def test_features_are_word_one_and_two_grams_with_counts():
    feats = learn.terms("Graph neural networks", "We study the graph.")
    assert feats["graph"] == 2 and feats["graph neural"] == 1 and feats["networks we"] == 1
    assert "a" not in learn.terms("A graph", "")  # one-letter words are not terms


def _weighted(docs):
    vocab: dict[int, int] = {}
    m = learn.matrix([learn.features_of(t, a, vocab) for t, a in docs])
    names = {}
    for t, a in docs:
        for term in learn.terms(t, a):
            names[vocab[learn.term_hash(term)]] = term
    return learn.weigh(m, learn.document_frequencies(m, len(vocab)), len(docs)), names


def test_the_model_prefers_what_was_kept_and_explains_its_scores():
    import numpy as np

    x, names = _weighted([("Kolmogorov-Arnold networks", "splines on edges"),
                          ("KAN for time series", "Kolmogorov-Arnold networks forecast"),
                          ("A survey of diffusion models", "images and video"),
                          ("Diffusion transformers", "scalable image generation"),
                          ("Convolutional KAN", "Kolmogorov-Arnold layers"),
                          ("Video diffusion", "generation of images")])
    model = learn.train(x.take(np.arange(4)), np.array([1, 1, 0, 0]))
    s = learn.score(model, x)
    assert s[4] > s[5]  # the unseen KAN paper ranks above the unseen diffusion one
    up, down = learn.explain(model, x, 4, names, k=100)
    assert up[0][0] in ("kolmogorov", "arnold", "kolmogorov arnold", "kan")
    assert model.bias + sum(v for _, v in up + down) == pytest.approx(s[4])  # the parts add up to the score
    again = learn.train(x.take(np.arange(4)), np.array([1, 1, 0, 0]), warm=model)
    assert learn.score(again, x) == pytest.approx(s, abs=1e-6)  # warm start: the same optimum


def test_mlp_papers_come_first_after_five_decisions(seeded, cli):
    kept, skipped = keep_mlp_skip_others(seeded)
    r = cli("list", "status:new", "--sort", "interest", "--limit", "10", "--format", "tsv")
    assert r.code == 0 and "not enough decisions" not in r.err
    titles = [line.split("\t")[1] for line in r.out.splitlines()[1:]]
    assert len(titles) == 10
    mlp_first = sum("mlp" in t.lower() for t in titles)
    new = list(select_papers(seeded, "status:new"))
    share = sum("mlp" in p.title.lower() for p in new) / len(new)
    assert mlp_first >= 4 and mlp_first >= 3 * 10 * share  # three times as many MLP titles as chance
    first = r.out.splitlines()[1].split("\t")[0]
    w = cli("why", first)
    assert w.code == 0 and "ranked by interest learned from 5 kept or read, 5 skipped" in w.out
    assert "1 of" in w.out and "pushed up by:" in w.out and "most like these decided papers" in w.out
    assert any(p.id in w.out for p in kept)


def test_cold_start_falls_back_and_says_so(seeded, cli):
    r = cli("list", "status:new", "--sort", "interest", "--limit", "5", "--format", "ids")
    assert r.code == 0 and "not enough decisions to learn from yet" in r.err
    from papertriage.core.triage import triage_order

    assert r.out.split() == triage_order(seeded)[:5]  # most seen, most upvoted, newest


def test_scores_are_cached_until_decisions_change(seeded):
    keep_mlp_skip_others(seeded)
    first = interest.ensure_ranking(seeded)
    assert first.retrained and first.rescored > 0
    again = interest.ensure_ranking(seeded)
    assert not again.retrained and again.rescored == 0 and again.model_id == first.model_id
    some = ids_of(seeded, "status:new")[:1]
    decisions.mark(seeded, (some), "skip")
    after = interest.ensure_ranking(seeded)
    assert after.retrained and after.negatives == first.negatives + 1


def test_cached_scores_are_the_models_scores_and_why_adds_up(seeded, cli):
    keep_mlp_skip_others(seeded)
    ranking = interest.ensure_ranking(seeded)
    top = next(select_papers(seeded, "status:new", sort="interest", limit=1))
    w = interest.why(seeded, top.id, terms=10_000)
    (pk,) = resolve_ids(seeded, [top.id])
    assert w.rank == 1 and w.score == pytest.approx(interest.scores(seeded, ranking, [pk])[pk], abs=1e-6)
    assert w.bias + sum(v for _, v in w.up + w.down) == pytest.approx(w.score, abs=1e-5)


def test_a_changed_or_new_paper_is_featurised_again(seeded):
    keep_mlp_skip_others(seeded)
    first = interest.ensure_ranking(seeded)
    assert first.featurised == seeded.count()
    other = next(select_papers(seeded, "status:new -title:mlp", limit=1))
    (pk,) = resolve_ids(seeded, [other.id])
    before = interest.scores(seeded, first, [pk])[pk]
    seeded.execute("UPDATE papers SET abstract = 'An MLP-Mixer with token mixing MLP layers.' WHERE id = ?",
                   (other.id,))
    after = interest.ensure_ranking(seeded)
    assert after.retrained and after.featurised == 1  # only the changed paper read again
    assert interest.scores(seeded, after, [pk])[pk] > before  # now about MLPs, it ranks higher


def test_interest_by_tag(seeded, cli):
    kan = ids_of(seeded, "title:kolmogorov OR title:kan")
    assert len(kan) >= 4
    tags.add_tags(seeded, (kan[:3]), ["method/kan"])
    r = cli("list", "--sort", "interest:method", "--limit", "3", "--format", "ids", "--", "-tag:method/kan")
    assert r.code == 0 and r.err == ""
    assert set(r.out.split()) & set(kan[3:])  # finds more like those tagged
    assert cli("search", "kolmogorov", "--sort", "interest:method/kan", "--format", "ids").code == 0
    assert cli("export", "--sort", "interest:method/kan", "--format", "jsonl").code == 0
    bad = cli("list", "--sort", "popularity")
    assert bad.code == 2 and "interest:TAG" in bad.err


@pytest.mark.parametrize("query, limit", [("status:new", 10), ("status:new", 3), ("title:mlp", 4),
                                          ("status:keep", 5), ("title:diffusion -status:new", 2)])
def test_a_short_listing_by_interest_is_the_head_of_the_whole_listing(seeded, monkeypatch, query, limit):
    """A listing with --limit first looks among the best-scored papers; whether or not enough of
    them match, it shows exactly the first papers of the unlimited listing."""
    import papertriage.core.select as select

    keep_mlp_skip_others(seeded)
    whole = [p.id for p in select_papers(seeded, query, sort="interest")]
    monkeypatch.setattr(select, "LEADERS_SLACK", 2)  # the seeds are small: make the best-scored few
    assert [p.id for p in select_papers(seeded, query, sort="interest", limit=limit)] == whole[:limit]
