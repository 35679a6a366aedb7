"""The screening benchmarks run end to end on a tiny labelled set (issue 13): the model alone
(bench/screening.py) and the library's own path, ten papers a screen (bench/screening_library.py).
No figure is asserted beyond "better than reading in random order"."""

from __future__ import annotations

import random
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))


def tiny_review(n: int = 120, included: int = 12) -> list[tuple[str, str, int]]:
    rng = random.Random(5)
    topics = ["protein folding", "graph networks", "image diffusion", "speech recognition", "robot grasping"]
    rows = []
    for i in range(n):
        if i < included:
            rows.append((f"Kolmogorov-Arnold networks, study {i}", "Splines on the edges of a KAN layer "
                         f"learn {rng.choice(topics)} with Kolmogorov-Arnold representations.", 1))
        else:
            topic = rng.choice(topics)
            rows.append((f"A study of {topic} number {i}", f"We look at {topic} and {rng.choice(topics)} "
                         "with transformers and convolutional networks.", 0))
    rng.shuffle(rows)
    return rows


def test_the_simulated_reviewer_beats_random_order():
    import screening

    data = screening.Dataset("tiny", tiny_review())
    order = screening.simulate(data, seed=0)
    assert sorted(order) == list(range(len(data)))
    assert screening.wss(data, order) > 0.5 > screening.wss(data, screening.random_order(data, 1))
    result = screening.run_set(data, runs=2)
    assert result["wss95"] > result["random_wss95"] and len(result["curve"]) == len(data)


def test_screening_through_list_and_mark_finds_the_included_papers(tmp_path):
    import screening_library

    wss, rrf, papers, _ = screening_library.screen(tmp_path / "library.db", tiny_review(), 0, processes=False)
    assert papers == 120 and wss > 0.5 and rrf > 0.5
