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


def hard_records():
    """The hard corpus's records, and each as ingest sees it: written as pages, parsed back."""
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
    return records, parsed


@pytest.fixture(scope="module")
def outcome():
    records, parsed = hard_records()
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


_DECISIONS_SCRIPT = """
import hashlib, sys
sys.path[:0] = sys.argv[1:]
import test_dedup_hard as t
from papertriage.dedup import Matcher
_, records = t.hard_records()
matcher = Matcher()
digest = hashlib.sha1()
for i, (title, abstract) in enumerate(records):
    p = matcher.place(title, abstract, i)
    why = [(p.decision.rule, round(p.decision.score, 3))] if p.decision else []
    why += [(h, d.rule, round(d.score, 3)) for h, d in p.apart]
    digest.update(repr((p.handle, why)).encode())
print(digest.hexdigest())
"""


def test_the_recorded_decisions_do_not_change_from_run_to_run():
    """What `show --explain` and `dupes --near` report (rule, scores, papers kept apart) is the
    same in every process: Python's per-process string hashing must not pick among tied titles."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = str(Path(__file__).parent)
    runs = {subprocess.run([sys.executable, "-c", _DECISIONS_SCRIPT, here], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(runs) == 1


def test_the_kept_fingerprints_and_encodings_change_no_placement_and_no_why(monkeypatch):
    # Issue 16 keeps recent fingerprints and abstract encodings across records; with
    # (almost) nothing kept, every record goes to the same paper for the same reasons.
    from collections import OrderedDict

    from papertriage import dedup
    from papertriage.dedup import Matcher

    _, records = hard_records()

    def outcomes():
        matcher = Matcher()
        out = []
        for i, (title, abstract) in enumerate(records):
            p = matcher.place(title, abstract, i)
            why = p.decision.explain() if p.decision else "new"
            out.append((p.handle, why, p.decision and p.decision.encode(),
                        [(h, d.rule, d.encode(), d.explain()) for h, d in p.apart]))
        return out

    kept = outcomes()
    monkeypatch.setattr(dedup, "RECENT_FINGERPRINTS", 1)
    monkeypatch.setattr(dedup, "_recent", OrderedDict())
    monkeypatch.setattr(dedup, "_codes_kept", OrderedDict())
    assert outcomes() == kept
    assert len(dedup._codes_kept) <= 1 and len(dedup._recent) <= 1
