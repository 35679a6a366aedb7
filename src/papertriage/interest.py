"""Learning what a user keeps: features, a small linear model, scores and explanations.

Pure, no database and no third-party import (issue 13). The store feeds it
the decided papers' text; it returns a ``Model`` whose few hundred weights
score any paper, either from the paper's text (``score_text``) or, for a
whole library, from the full-text index's doclists of those few terms
(``core/interest.py``), so ranking 100k papers never re-reads their text.

The method was chosen on the screening benchmark (``bench/screening.py``,
four labelled systematic reviews, simulated the way ASReview simulates a
reviewer): word 1-2-gram presence weighted by a Naive Bayes log-count ratio
with balanced classes (the "NBSVM" feature weighting of Wang & Manning 2012,
used without the SVM step), each paper's score divided by the square root of
its length in words. Only the ``max_terms`` strongest terms are kept, which
costs almost nothing on the benchmark and keeps a whole-library rescoring to
a few hundred index lookups.

>>> m = train([(features("Kolmogorov-Arnold networks", "splines on edges"), 1.0)],
...           [(features("A survey of diffusion models", "images"), 1.0)])
>>> score_text(m, "KAN: Kolmogorov-Arnold Networks", "") > score_text(m, "Diffusion models", "")
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from .words import fts_words

__all__ = ["Model", "features", "features_of_words", "train", "score", "score_text", "explain",
           "DEFAULT_TERMS", "MIN_EACH"]

# Enough decisions to learn from: at least this many interested and not interested papers.
MIN_EACH = 2
DEFAULT_TERMS = 400
TITLE_WEIGHT = 2.0  # a term in the title counts as much as this many in the abstract
ALPHA = 3.8  # additive smoothing (ASReview's tuned Naive Bayes uses 3.822)

# Function words: never features on their own, and a bigram needs two non-stop words.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers him his how i if in into is it its itself just may me might more most much must my no
nor not now of off on once only or other our ours out over own same she should so some such than that
the their theirs them then there these they this those through to too under until up upon us very via was
we were what when where which while who whom why will with within without would you your yours
we've it's show shows shown propose proposed paper present presents new using use used based
""".split())


def features_of_words(words: Sequence[str]) -> set[str]:
    """Unigram and bigram features of one field's words (bigrams never span fields).

    >>> sorted(features_of_words(["graph", "neural", "networks", "for", "proteins"]))
    ['graph', 'graph neural', 'networks', 'neural', 'neural networks', 'proteins']
    """
    feats: set[str] = set()
    previous = None
    for word in words:
        if word in STOPWORDS or len(word) < 2 or word.isdigit():
            previous = None
            continue
        feats.add(word)
        if previous is not None:
            feats.add(previous + " " + word)
        previous = word
    return feats


def features(title: str, abstract: str, title_weight: float | None = None) -> dict[str, float]:
    """The features of a paper: its title's and its abstract's 1-2-grams, as FTS5 tokenises
    them, each with its count: 1 in the abstract, ``TITLE_WEIGHT`` in the title.

    >>> sorted(features("MLP mixers", "An MLP.").items())
    [('mixers', 2.0), ('mlp', 3.0), ('mlp mixers', 2.0)]
    """
    weight = TITLE_WEIGHT if title_weight is None else title_weight
    feats = dict.fromkeys(features_of_words(fts_words(abstract or "")), 1.0)
    for term in features_of_words(fts_words(title)):
        feats[term] = feats.get(term, 0.0) + weight
    return feats


def idf(papers: int, docs: int) -> float:
    """Smoothed inverse document frequency of a term ``docs`` of ``papers`` papers hold."""
    return math.log((1 + papers) / (1 + max(1, docs))) + 1.0


def term_idf(term: str, papers: int, unigram_docs: Callable[[str], int]) -> float:
    """The idf of a term from its words' document counts: a bigram weighs as its rarer word
    (the library counts papers per word, not per word pair)."""
    return max(idf(papers, unigram_docs(w)) for w in term.split(" "))


def length_norm(title: str, abstract: str) -> float:
    """What a score is divided by: the square root of the paper's length in words (at least 1)."""
    return math.sqrt(max(1, len(fts_words(title)) + len(fts_words(abstract or ""))))


@dataclass
class Model:
    """A sparse linear model: score = (bias + sum of present terms' weights) / sqrt(words)."""

    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    positives: int = 0
    negatives: int = 0

    def to_json(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "positives": self.positives,
                "negatives": self.negatives}

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        return cls(dict(data["weights"]), float(data["bias"]), int(data["positives"]), int(data["negatives"]))


def train(positive: Sequence[tuple[dict[str, float], float]], negative: Sequence[tuple[dict[str, float], float]], *,
          max_terms: int | None = DEFAULT_TERMS, alpha: float = ALPHA,
          idf: Callable[[str], float] | None = None) -> Model:
    """Train on the (features, length norm) of interesting (``positive``) and other papers.

    Multinomial Naive Bayes over each paper's term vector (term present:
    idf / length norm), with the positive papers weighted up to count as
    much as the negative ones (ASReview's "double" balance, in one step).
    A term's weight is log(N1 + alpha) - log(N0 + alpha), N1 and N0 being
    its summed vector values in each class: NB's log-probability ratio less
    that of a term neither class holds, so a term the model does not keep
    (or never saw) counts as nothing. Only the ``max_terms`` terms with the
    largest weight (in absolute value) times the number of decided papers
    holding them are kept: a rare term of one paper would otherwise crowd
    out the word all the kept papers share. Ties go to the term more papers
    hold, then alphabetically, so the model is the same on every run. The weights are
    stored multiplied by the term's idf, so a paper's score is the sum of
    its terms' weights over its length norm.
    """
    idf = idf or (lambda term: 1.0)
    n_pos, n_neg = len(positive), len(negative)
    boost = max(1.0, n_neg / n_pos) if n_pos else 1.0
    sums: dict[str, list[float]] = {}
    for cls, docs, factor in ((0, positive, boost), (1, negative, 1.0)):
        for feats, norm in docs:
            for f, tf in feats.items():
                entry = sums.get(f)
                if entry is None:
                    entry = sums[f] = [0.0, 0.0, 0]
                entry[cls] += factor * tf / norm
                entry[2] += 1
    weights: dict[str, float] = {}
    for term, (pos, neg, _) in sums.items():
        w = idf(term)
        weight = math.log(pos * w + alpha) - math.log(neg * w + alpha)
        if weight:
            weights[term] = weight * w
    if max_terms is not None and len(weights) > max_terms:
        ranked = sorted(weights, key=lambda t: (-abs(weights[t]) * sums[t][2], -sums[t][2], t))
        weights = {t: weights[t] for t in ranked[:max_terms]}
    return Model(weights, 0.0, n_pos, n_neg)


def score(model: Model, feats: dict[str, float], norm: float = 1.0) -> float:
    """The score of a paper given its features and ``length_norm``."""
    w = model.weights
    return (model.bias + sum(w.get(f, 0.0) * tf for f, tf in feats.items())) / norm


def score_text(model: Model, title: str, abstract: str) -> float:
    return score(model, features(title, abstract), length_norm(title, abstract))


def explain(model: Model, title: str, abstract: str, k: int = 8) -> tuple[list[tuple[str, float]],
                                                                          list[tuple[str, float]]]:
    """The terms of a paper that pushed its score up and down, strongest first.

    Each weight is divided by the paper's length norm, so the terms add up
    to the score.
    """
    norm = length_norm(title, abstract)
    present = [(t, model.weights[t] * tf / norm) for t, tf in features(title, abstract).items() if t in model.weights]
    up = sorted((x for x in present if x[1] > 0), key=lambda x: (-x[1], x[0]))[:k]
    down = sorted((x for x in present if x[1] < 0), key=lambda x: (x[1], x[0]))[:k]
    return up, down


def similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Cosine similarity of two papers' terms (as binary vectors)."""
    a, b = set(a), set(b)
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
