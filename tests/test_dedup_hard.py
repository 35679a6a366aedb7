"""Harder real variation (issue 11), kind by kind: each re-sighting kind of
``hard_corpus`` merges with its paper (recall >= 0.99), and no look-alike
kind merges with anything (precision 1.0). Pages go through the renderers and
the parser, as ingest sees them; ``bench/dedup_kinds.py`` runs the same at
scale on the full real data."""

from __future__ import annotations

import datetime as dt

import pytest

import corpus
import hard_corpus
from papertriage.dedup import cluster
from papertriage.parse import parse_text

PAGE_DATE = dt.date(2026, 9, 1)


@pytest.fixture(scope="module")
def outcome():
    real = corpus.load_real_papers(corpus.SAMPLE_DATA)
    papers = real + corpus.synthetic_papers(900, seed=5, vocabulary_source=real)
    fresh = corpus.synthetic_papers(1500, seed=77, vocabulary_source=real)
    records = hard_corpus.build(papers, fresh, seed=3, per_kind=80)
    parsed = []
    for n, start in enumerate(range(0, len(records), 60)):
        page = records[start:start + 60]
        layout = corpus.LAYOUTS[n % 3]
        result = parse_text(corpus.render(layout, page, PAGE_DATE), f"{n:04d}.txt", page_date=PAGE_DATE)
        assert len(result.sightings) == len(page)
        parsed += [(s.title, s.abstract) for s in result.sightings]
    predicted = cluster(parsed)
    return records, predicted, hard_corpus.per_kind(records, predicted)


@pytest.mark.parametrize("kind", hard_corpus.KINDS)
def test_hard_kind_precision_and_recall(outcome, kind):
    records, predicted, metrics = outcome
    m = metrics[kind]
    assert m["records"] >= 40, f"{kind}: only {m['records']} records made"
    detail = "\n".join(hard_corpus.examples(records, predicted, kind))
    assert m["false_merges"] == 0, f"{kind}: different papers merged:\n{detail}"
    if kind in hard_corpus.JOIN_KINDS:
        assert m["recall"] >= 0.99, f"{kind}: recall {m['recall']:.3f}:\n{detail}"
