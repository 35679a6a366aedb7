"""Learning what a user keeps: features, a linear model, scores and explanations (issue 13).

No database here: the store keeps each paper's features (``features_of``,
compact term ids and counts) and hands them back as a ``Matrix``; this module
weighs them, trains and scores. numpy is imported by this module alone, and
this module only by the commands that rank (``core/interest.py`` is imported
lazily), so the other commands start as fast as before.

The method was chosen on the screening benchmark (``bench/screening.py``: four
labelled systematic reviews, a simulated reviewer as in ASReview's simulation
mode), and is ASReview's own default since 2.0:

- features: every word 1-gram and 2-gram of the title followed by the
  abstract (words as the full-text index splits them, two characters or
  more, no stop list: measured, a stop list costs 5 points of WSS@95);
- weights: sublinear term frequency (1 + ln tf) times smoothed idf
  (ln((1 + N) / (1 + df)) + 1, df over the whole library), each paper's
  vector scaled to unit length; terms in more than 95 % of the papers are
  dropped;
- model: a linear SVM with the squared hinge loss and L2 regularisation
  (C = ``C``), an intercept, and ASReview's "balanced" sample weights with a
  higher ratio: the kept papers together weigh ``RATIO`` times the skipped
  ones. Measured at ten papers a screen (the way ``list --limit 10`` and
  ``mark`` screen), mean WSS@95 of the four reviews: equal weights 63.6 %,
  ASReview's ratio 9.8 66.4 %, 14 66.8 %, 20 67.5 %, 40 68.3 % (better on
  every set), 100 68.9 % (but Nagtegaal falls 2.4 points), 400 worse again;
  trained exactly by a finite
  Newton method (Keerthi & DeCoste 2005) with conjugate gradients, warm
  started from the previous model: a few dozen sparse matrix-vector products
  over the decided papers only.

A paper's score is its SVM decision value: bias + the sum over its terms of
weight x tf-idf value. ``explain`` splits exactly that sum into terms.

>>> import numpy as np
>>> docs = [("Kolmogorov-Arnold networks", "splines on edges"), ("KAN for time series", "Kolmogorov-Arnold"),
...         ("A survey of diffusion models", "images"), ("Diffusion transformers", "image generation")]
>>> vocab: dict[int, int] = {}
>>> m = matrix([features_of(t, a, vocab) for t, a in docs])
>>> x = weigh(m, document_frequencies(m, len(vocab)), len(docs))
>>> model = train(x, np.array([1, 1, 0, 0]))
>>> s = score(model, x)
>>> bool(s[0] > 0 > s[2])
True
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .words import fts_words

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["Matrix", "Weighted", "Model", "terms", "term_hash", "features_of", "matrix", "document_frequencies",
           "weigh", "weigh_rows", "row_norms", "idf_of", "score_rows", "train", "score", "explain", "similar_rows", "C", "RATIO"]

C = 0.11  # the SVM's regularisation; ASReview's tuned default for the same model
RATIO = 40.0  # kept papers' total weight over the skipped ones' (ASReview's default 9.8; see above)
MAX_DF = 0.95  # terms in more papers than this share say nothing
MAX_COUNT = 255  # counts are kept in a byte (``core.interest.METHOD`` names this method in the cache)


def terms(title: str, abstract: str) -> Counter[str]:
    """The paper's word 1-grams and 2-grams with their counts (title, then abstract).

    >>> sorted(terms("MLP mixers", "An MLP.").items())
    [('an', 1), ('an mlp', 1), ('mixers', 1), ('mixers an', 1), ('mlp', 2), ('mlp mixers', 1)]
    """
    words = [w for w in fts_words(f"{title} {abstract or ''}") if len(w) >= 2]
    counts = Counter(words)
    counts.update(f"{a} {b}" for a, b in zip(words, words[1:]))
    return counts


def term_hash(term: str) -> int:
    """What the library keeps of a term: a 32-bit hash (the vocabulary maps it to an id)."""
    return zlib.crc32(term.encode())


def features_of(title: str, abstract: str, vocab: dict[int, int]) -> list[tuple[int, int]]:
    """(term id, count) of a paper, new terms added to ``vocab`` (term hash -> id) as they come."""
    out = []
    for term, count in terms(title, abstract).items():
        h = term_hash(term)
        tid = vocab.get(h)
        if tid is None:
            tid = vocab[h] = len(vocab)
        out.append((tid, min(count, MAX_COUNT)))
    out.sort()
    return out


@dataclass
class Matrix:
    """Papers' features, one row a paper (CSR): term ids and counts."""

    indptr: "NDArray[np.int64]"
    ids: "NDArray[np.int32]"
    counts: "NDArray[np.uint8]"

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: "NDArray[np.int64]") -> "Matrix":
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        picks = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Matrix(indptr, self.ids[picks], self.counts[picks])


def matrix(rows: Sequence[Sequence[tuple[int, int]]]) -> Matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    flat = [x for r in rows for x in r]
    ids = np.fromiter((t for t, _ in flat), dtype=np.int32, count=len(flat))
    counts = np.fromiter((c for _, c in flat), dtype=np.uint8, count=len(flat))
    return Matrix(indptr, ids, counts)


def document_frequencies(m: Matrix, vocabulary: int) -> "NDArray[np.int64]":
    return np.bincount(m.ids, minlength=vocabulary)


_LOG_TF = (1.0 + np.log(np.maximum(np.arange(MAX_COUNT + 1), 1))).astype(np.float32)


@dataclass
class Weighted:
    """A ``Matrix`` weighed: each stored term's tf-idf value, rows of unit length."""

    matrix: Matrix
    values: "NDArray[np.float32]"
    idf: "NDArray[np.float32]"  # per term id (0 for a dropped term)

    @property
    def row_of_value(self) -> "NDArray[np.int64]":
        return np.repeat(np.arange(self.matrix.rows), np.diff(self.matrix.indptr))

    def take(self, rows: "NDArray[np.int64]") -> "Weighted":
        m = self.matrix
        starts, ends = m.indptr[rows], m.indptr[rows + 1]
        lengths = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        picks = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Weighted(Matrix(indptr, m.ids[picks], m.counts[picks]), self.values[picks], self.idf)


def idf_of(df: "NDArray[np.int64]", papers: int) -> "NDArray[np.float32]":
    """Smoothed idf per term; 0 for terms in more than ``MAX_DF`` of the papers (when there are 20 or more)."""
    idf = (np.log((1.0 + papers) / (1.0 + df)) + 1.0).astype(np.float32)
    if papers >= 20:
        idf[df > MAX_DF * papers] = 0.0
    return idf


def row_norms(m: Matrix, idf: "NDArray[np.float32]") -> "NDArray[np.float64]":
    """The length of each row's sublinear-tf x idf vector (1 for an empty row)."""
    values = _LOG_TF[m.counts] * idf[m.ids]
    norms = np.sqrt(_rowsum(m.indptr, values * values))
    norms[norms == 0] = 1.0
    return norms


def weigh_rows(m: Matrix, idf: "NDArray[np.float32]", norms: "NDArray") -> Weighted:
    """Sublinear tf x idf, each row divided by its (given) length."""
    values = _LOG_TF[m.counts] * idf[m.ids] / np.repeat(np.asarray(norms, dtype=np.float32), np.diff(m.indptr))
    return Weighted(m, values.astype(np.float32), idf)


def weigh(m: Matrix, df: "NDArray[np.int64]", papers: int) -> Weighted:
    """Sublinear tf x idf, each row scaled to unit length."""
    idf = idf_of(df, papers)
    return weigh_rows(m, idf, row_norms(m, idf))


def score_rows(m: Matrix, weight_idf: "NDArray", norms: "NDArray", bias: float) -> "NDArray[np.float64]":
    """Scores of a plain (unweighed) matrix: ``weight_idf`` is the model's dense weights times idf, so
    a library is rescored with two gathers and a sum per stored term, and no TF-IDF matrix."""
    products = weight_idf.astype(np.float32, copy=False)[m.ids]
    repeated = np.nonzero(m.counts > 1)[0]  # most terms occur once: their tf factor is 1
    products[repeated] *= _LOG_TF[m.counts[repeated]]
    if not len(products):
        return np.full(m.rows, bias)
    sums = np.add.reduceat(products, np.minimum(m.indptr[:-1], len(products) - 1), dtype=np.float32)
    sums[np.diff(m.indptr) == 0] = 0.0
    return sums / norms + bias


@dataclass
class Model:
    """A linear model over term ids: score = bias + sum of weight x tf-idf value."""

    ids: "NDArray[np.int32]"  # sorted term ids with a weight
    weights: "NDArray[np.float64]"
    bias: float = 0.0
    positives: int = 0
    negatives: int = 0

    def dense(self, vocabulary: int) -> "NDArray[np.float64]":
        w = np.zeros(max(vocabulary, int(self.ids.max()) + 1 if len(self.ids) else 0))
        w[self.ids] = self.weights
        return w

    def weight_of(self, term_ids: "NDArray[np.int32]") -> "NDArray[np.float64]":
        where = np.searchsorted(self.ids, term_ids)
        where[where >= len(self.ids)] = 0
        found = (self.ids[where] == term_ids) if len(self.ids) else np.zeros(len(term_ids), bool)
        return np.where(found, self.weights[where] if len(self.ids) else 0.0, 0.0)


def _rowsum(indptr: "NDArray[np.int64]", products: "NDArray") -> "NDArray[np.float64]":
    """Sum of each row's products (0 for an empty row)."""
    rows = len(indptr) - 1
    if not len(products):
        return np.zeros(rows)
    sums = np.add.reduceat(products.astype(np.float64, copy=False), np.minimum(indptr[:-1], len(products) - 1))
    sums[np.diff(indptr) == 0] = 0.0
    return sums


def score(model: Model, x: Weighted) -> "NDArray[np.float64]":
    """Every row's score."""
    m = x.matrix
    w = model.dense(len(x.idf))
    return _rowsum(m.indptr, w[m.ids] * x.values) + model.bias


def train(x: Weighted, labels: "NDArray", *, c: float = C, warm: Model | None = None, iterations: int = 30,
          ratio: float = RATIO) -> Model:
    """A weighted L2-regularised linear SVM (squared hinge loss, with an intercept) on the rows of ``x``.

    Minimises 0.5 |w|^2 + 0.5 b^2 + c sum_i s_i max(0, 1 - y_i (w.x_i + b))^2 with
    s_i = 1 for a kept paper and kept / (ratio x skipped) for a skipped one, scaled
    to a mean of 1 (ASReview's ``Balanced`` sample weights, as sklearn's
    ``LinearSVC`` takes them), by the
    finite Newton method: each step solves the generalised Newton system on
    the papers inside the margin with conjugate gradients, then a backtracking
    line search. ``warm``: start from this model (the previous decisions')."""
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0)
    n_pos, n_neg = int((y > 0).sum()), int((y < 0).sum())
    sw = np.where(y > 0, 1.0, n_pos / (ratio * max(1, n_neg)))
    sw *= len(y) / sw.sum()
    m = x.matrix
    cols, local = np.unique(m.ids, return_inverse=True)
    local = local.reshape(-1)
    v = x.values.astype(np.float64)
    rowlen = np.diff(m.indptr)
    rows = m.rows
    dim = len(cols)

    def margins(w: "NDArray", b: float) -> "NDArray":
        return _rowsum(m.indptr, v * w[local]) + b

    def t_dot(u: "NDArray") -> "NDArray":  # X^T u
        return np.bincount(local, weights=v * np.repeat(u, rowlen), minlength=dim)

    def objective(w: "NDArray", b: float) -> float:
        h = np.maximum(0.0, 1.0 - y * margins(w, b))
        return 0.5 * (float(w @ w) + b * b) + c * float((sw * h * h).sum())

    w = warm.weight_of(cols.astype(np.int32)) if warm is not None else np.zeros(dim)
    b = warm.bias if warm is not None else 0.0
    first = None
    for _ in range(iterations):
        z = y * margins(w, b)
        slack = np.maximum(0.0, 1.0 - z)
        coef = -2.0 * c * sw * slack * y
        active = 2.0 * c * sw * (slack > 0)
        gw, gb = w + t_dot(coef), b + float(coef.sum())
        gnorm = math.sqrt(float(gw @ gw) + gb * gb)
        first = gnorm if first is None else first
        if gnorm <= 1e-4 * max(first, 1.0) or gnorm < 1e-9:
            break
        # Conjugate gradients on (I + X_A^T D X_A) d = -g over the papers inside the margin.
        dw, db = np.zeros(dim), 0.0
        rw, rb = -gw, -gb
        pw, pb = rw.copy(), rb
        rr = float(rw @ rw) + rb * rb
        for _ in range(50):
            u = (_rowsum(m.indptr, v * pw[local]) + pb) * active
            hw, hb = pw + t_dot(u), pb + float(u.sum())
            curvature = float(pw @ hw) + pb * hb
            if curvature <= 0:
                break
            alpha = rr / curvature
            dw += alpha * pw
            db += alpha * pb
            rw -= alpha * hw
            rb -= alpha * hb
            rr_new = float(rw @ rw) + rb * rb
            if math.sqrt(rr_new) <= 0.1 * gnorm:
                break
            pw, pb = rw + (rr_new / rr) * pw, rb + (rr_new / rr) * pb
            rr = rr_new
        f0, slope, step = objective(w, b), float(gw @ dw) + gb * db, 1.0
        while step > 1e-6 and objective(w + step * dw, b + step * db) > f0 + 0.01 * step * slope:
            step /= 2
        w, b = w + step * dw, b + step * db
    del rows
    keep = w != 0
    return Model(cols[keep].astype(np.int32), w[keep], float(b), n_pos, n_neg)


def explain(model: Model, x: Weighted, row: int, names: dict[int, str], k: int = 8
            ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The terms of one row that pushed its score up and down, strongest first: weight x
    tf-idf value, so the terms (with the bias) add up to the score. ``names``: term id -> text."""
    m = x.matrix
    lo, hi = int(m.indptr[row]), int(m.indptr[row + 1])
    ids = m.ids[lo:hi]
    parts = model.weight_of(ids) * x.values[lo:hi]
    items = [(names.get(int(t), f"#{int(t)}"), float(p)) for t, p in zip(ids, parts) if p]
    up = sorted((i for i in items if i[1] > 0), key=lambda i: (-i[1], i[0]))[:k]
    down = sorted((i for i in items if i[1] < 0), key=lambda i: (i[1], i[0]))[:k]
    return up, down


def similar_rows(x: Weighted, row: int, others: "NDArray[np.int64]", k: int = 5) -> list[tuple[int, float]]:
    """(row, cosine similarity) of the ``k`` rows among ``others`` most like ``row`` (rows are unit length)."""
    m = x.matrix
    lo, hi = int(m.indptr[row]), int(m.indptr[row + 1])
    mine = np.zeros(len(x.idf) + 1)
    mine[m.ids[lo:hi]] = x.values[lo:hi]
    sub = x.take(others)
    sims = _rowsum(sub.matrix.indptr, mine[sub.matrix.ids] * sub.values)
    best = np.argsort(-sims, kind="stable")[:k]
    return [(int(others[i]), float(sims[i])) for i in best if sims[i] > 0]
