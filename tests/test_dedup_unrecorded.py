"""The matching loop skips comparing title words for pairs it would drop anyway (issue 16):
no rule can join them and they are not close enough to be listed as near misses. Its
decisions must join exactly when the full ones do, with the same scores, whatever the
thresholds the config sets."""

from __future__ import annotations

import functools

import pytest

from papertriage import dedup

THRESHOLDS = {
    "default": dedup.DEFAULT_THRESHOLDS,
    "lenient": dedup.Thresholds(similar_title=60, same_title=80, near_identical_abstract=70,
                                card_near_identical=70, near_miss=90, long_card_words=10, medium_card_words=5),
    "strict": dedup.Thresholds(similar_title=95, same_title=99, near_identical_abstract=97,
                               card_near_identical=98, near_miss=160),
    # No near misses listed: only the title thresholds keep the similar and typo joins out.
    "no-near-misses": dedup.Thresholds(near_miss=200),
    "same-below-similar": dedup.Thresholds(same_title=90, similar_title=99, near_miss=200),
    "similar-loose": dedup.Thresholds(similar_title=50, close_abstract=30, near_miss=200),
}


@functools.cache
def _pairs() -> list[tuple[dedup.Fingerprint, dedup.Fingerprint]]:
    """Every pair of the hard corpus (look-alikes of each kind) that shares a blocking key."""
    from test_dedup_hard import hard_records

    _, records = hard_records()
    fps = [dedup.fingerprint(title, abstract) for title, abstract in dict.fromkeys(records)]
    index = dedup.BlockIndex()
    pairs = []
    for i, fp in enumerate(fps):
        keys = fp.keys()
        pairs += [(fp, fps[j]) for j in sorted(index.candidates(keys))]
        index.add(i, keys)
    return pairs


def _dropped(d: dedup.Decision, t: dedup.Thresholds) -> bool:
    """What ``Matcher.judge`` neither joins nor records as a near miss."""
    return not d.same and d.score < t.near_miss and d.title < t.same_title


@pytest.mark.parametrize("name", THRESHOLDS)
def test_an_unrecorded_decision_joins_as_the_full_one_and_differs_only_where_the_loop_drops_it(name):
    t = THRESHOLDS[name]
    shortened = 0
    for a, b in _pairs():
        full, unrecorded = dedup.decide(a, b, t), dedup.decide(a, b, t, unrecorded=True)
        assert (unrecorded.same, unrecorded.score, unrecorded.title) == (full.same, full.score, full.title)
        if unrecorded != full:
            assert _dropped(full, t) and _dropped(unrecorded, t), (a.title, b.title, full, unrecorded)
            shortened += 1
    assert shortened > 100  # the shortcut is taken, under every set of thresholds


def test_every_pair_the_shortcut_takes_is_one_no_rule_could_join():
    # Every pair some rule joins keeps its whole decision (a shortcut without its card condition
    # called a renamed method over a medium card "unrelated": this test caught that).
    t = dedup.DEFAULT_THRESHOLDS
    assert any(_dropped(dedup.decide(a, b, t, unrecorded=True), t) for a, b in _pairs())
    joined = [(a, b) for a, b in _pairs() if dedup.decide(a, b, t).same and dedup.decide(a, b, t).rule != "same"]
    assert joined and all(dedup.decide(a, b, t, unrecorded=True) == dedup.decide(a, b, t) for a, b in joined)
