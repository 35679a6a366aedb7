"""`--sort interest`, `--sort interest:TAG` and `why`: the learned ranking (issue 13).

``interest`` learns from the user's decisions (keep and read: interested;
skip: not); ``interest:TAG`` from the papers carrying TAG (or a tag below
it) against the decided papers without it and an even sample of the rest,
as arxiv-sanity trains one model per tag. The model is a weighted (ASReview's balance)
linear SVM over TF-IDF word 1-2-grams (``papertriage.interest``).

Speed (100k papers): each paper's features are computed once, the first
time a ranking needs them, and kept in the library (``store/interest.py``);
later rankings read them back as arrays. A model and every paper's score are
cached with the fingerprint of the decisions and of the features they came
from: a listing after no change reads one blob of scores (numpy is not even
imported); a new decision retrains on the decided papers, warm started from
the previous model, and rescores the library from the cached features; new
or changed papers since are featurised first, on their own.

Cold start: with fewer than ``MIN_EACH`` papers on either side, the order
falls back to the most promising (seen, upvotes, recency), and
``Ranking.message`` says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from ..errors import UserError
from ..model import Paper
from ..query import compile_query
from ..store import Library, Selection, now
from ..store import interest as store

if TYPE_CHECKING:
    from .. import interest as learn

__all__ = ["Ranking", "Why", "ensure_ranking", "why", "is_interest_sort", "MIN_EACH", "METHOD"]

# Enough decisions to learn from: at least this many interested and not interested papers.
MIN_EACH = 1
# Bump when the method or the features change, so cached models and scores are recomputed.
METHOD = "svm-l2-tfidf-12gram-v3"
INTERESTED = ("keep", "read")
SAMPLE_NEGATIVES = 4  # interest:TAG: this many untagged papers per tagged one, at least 40
CHUNK = 2000  # papers per stored feature chunk
BUILD_BATCH = 20_000  # papers featurised per write transaction (others wait at most that long)


from ..model import is_interest_sort  # noqa: E402
from .select import resolve_ids  # noqa: E402


def _tag_of(sort: str) -> str | None:
    if sort == "interest":
        return None
    if not sort.startswith("interest:"):
        raise UserError(f"unknown sort {sort!r}")
    from .tags import check_tag

    return check_tag(sort.split(":", 1)[1])


@dataclass
class Ranking:
    """The state of one learned ranking, after ``ensure_ranking``."""

    name: str
    tag: str | None
    positives: int = 0
    negatives: int = 0
    model_id: int | None = None
    model: "learn.Model | None" = None  # loaded when retrained (``why`` loads it too)
    retrained: bool = False
    rescored: int = 0
    featurised: int = 0  # papers whose features were computed for this ranking
    scores: list[float] = field(default_factory=list)  # by pk

    @property
    def cold(self) -> bool:
        return self.model_id is None

    @property
    def message(self) -> str:
        """What the ranking rests on, in a line (for stderr and the triage screen)."""
        if self.tag is None:
            learned = f"{self.positives} kept or read, {self.negatives} skipped"
            need = f"at least {MIN_EACH} kept or read and {MIN_EACH} skipped"
        else:
            learned = f"{self.positives} tagged {self.tag}, {self.negatives} others"
            need = f"at least {MIN_EACH} papers tagged {self.tag}"
        if self.cold:
            return f"not enough decisions to learn from yet ({learned}; needs {need}): " \
                   "most seen, most upvoted, newest first"
        return f"ranked by interest learned from {learned}"


def _training(library: Library, tag: str | None) -> tuple[list[int], list[int]]:
    if tag is None:
        decided = store.decided(library)
        return ([pk for pk, s in decided if s in INTERESTED], [pk for pk, s in decided if s not in INTERESTED])
    positive = store.tagged(library, tag)
    pos = set(positive)
    negative = [pk for pk, _ in store.decided(library) if pk not in pos]
    want = max(40, SAMPLE_NEGATIVES * len(positive))
    if len(negative) < want:
        negative += store.sample_pks(library, want - len(negative), pos | set(negative))
    return positive, sorted(negative)


def _fingerprint(positive: list[int], negative: list[int]) -> str:
    digest = hashlib.sha1(METHOD.encode())
    digest.update(",".join(map(str, positive)).encode() + b"|" + ",".join(map(str, negative)).encode())
    return digest.hexdigest()


# -- the features -------------------------------------------------------------------


@dataclass
class Features:
    """The library's stored features, chunk by chunk, with the idf and each paper's vector length.

    Nothing is concatenated or weighed as a whole: the decided papers' rows are
    read one by one for training, and rescoring streams the chunks (read in a
    second thread while the first scores the previous one)."""

    library: Library
    index: list[tuple[int, "learn.NDArray", "learn.NDArray"]]  # (chunk id, pks, row starts)
    idf: "learn.NDArray"
    norms: "learn.NDArray"  # float32 by pk
    top: int  # the last pk
    count: int  # papers in the library
    featurised: int = 0

    def rows_of(self, pks: list[int]) -> tuple[list[int], "learn.Weighted"]:
        """The weighed rows of these papers (the newest stored row of each), and the pks found, in order."""
        import numpy as np

        from .. import interest as learn

        wanted = np.fromiter(set(pks), dtype=np.int64, count=len(set(pks)))
        where: dict[int, tuple[int, int, int]] = {}
        for chunk, cp, indptr in self.index:
            for r in np.nonzero(np.isin(cp, wanted))[0].tolist():
                where[int(cp[r])] = (chunk, int(indptr[r]), int(indptr[r + 1]))
        found = [pk for pk in pks if pk in where]
        parts = [store.chunk_slice(self.library, *where[pk]) for pk in found]
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(t) // 4 for t, _ in parts], out=indptr[1:])
        ids = np.frombuffer(b"".join(t for t, _ in parts), dtype=np.int32)
        counts = np.frombuffer(b"".join(c for _, c in parts), dtype=np.uint8)
        m = learn.Matrix(indptr, ids, counts)
        return found, learn.weigh_rows(m, self.idf, self.norms[np.asarray(found, dtype=np.int64)])

    def matrices(self) -> Iterator[tuple["learn.NDArray", "learn.Matrix"]]:
        """(pks, matrix) of each chunk in turn; the next chunk is read while the caller works on this one."""
        import numpy as np
        from concurrent.futures import ThreadPoolExecutor

        from .. import interest as learn

        if not self.index:
            return
        with ThreadPoolExecutor(max_workers=1) as reader:
            ahead = reader.submit(store.chunk_terms, self.library, self.index[0][0])
            for i, (_, cp, indptr) in enumerate(self.index):
                terms, counts = ahead.result()
                if i + 1 < len(self.index):
                    ahead = reader.submit(store.chunk_terms, self.library, self.index[i + 1][0])
                yield cp, learn.Matrix(indptr, np.frombuffer(terms, dtype=np.int32), np.frombuffer(counts, dtype=np.uint8))

    def score_all(self, model: "learn.Model") -> "learn.NDArray":
        """Every paper's score, float32 by pk (a newer row of a paper overrides an older one)."""
        import numpy as np

        from .. import interest as learn

        out = np.zeros(self.top + 1, dtype=np.float32)
        weight_idf = (model.dense(len(self.idf)) * self.idf).astype(np.float32)
        for cp, m in self.matrices():
            ok = cp <= self.top
            out[cp[ok]] = learn.score_rows(m, weight_idf, self.norms[np.minimum(cp, len(self.norms) - 1)],
                                           model.bias)[ok]
        return out


def _featurise(library: Library) -> int:
    """Compute and store the features of the papers that have none (new) or stale ones (changed)."""
    import numpy as np

    from .. import interest as learn

    done = 0
    while True:
        with library.transaction():  # one writer at a time: the vocabulary grows in step
            covered = [np.frombuffer(c[0], dtype=np.int64) for c in store.feature_chunks_pks(library)]
            have = np.unique(np.concatenate(covered)) if covered else np.zeros(0, dtype=np.int64)
            stale = store.stale_pks(library)
            missing = np.union1d(np.setdiff1d(np.frombuffer(store.all_pks(library), dtype=np.int64), have),
                                 np.asarray(stale, dtype=np.int64))
            if not len(missing):
                return done
            batch = missing[:BUILD_BATCH].tolist()
            known = np.frombuffer(store.vocabulary(library), dtype=np.uint32).tolist()
            vocab = dict(zip(known, range(len(known))))
            before = len(vocab)
            for part in range(0, len(batch), CHUNK):
                pks = batch[part:part + CHUNK]
                text = store.texts(library, pks)
                pks = [pk for pk in pks if pk in text]
                m = learn.matrix([learn.features_of(*text[pk], vocab) for pk in pks])
                store.add_chunk(library, np.asarray(pks, dtype=np.int64).tobytes(), m.indptr.tobytes(),
                                m.ids.tobytes(), m.counts.tobytes(), len(pks))
            if len(vocab) > before:
                store.save_vocabulary(library, np.fromiter(vocab.keys(), dtype=np.uint32, count=len(vocab)).tobytes())
            store.clear_stale(library, set(batch) & set(stale))
            done += len(batch)


def load_features(library: Library) -> Features:
    """The stored features (computed first for papers that lack them), the idf and the vector
    lengths (counted again only when the papers or their features changed)."""
    import numpy as np

    from .. import interest as learn

    df_blob, norms_blob, counted_at = store.weights_state(library)
    state = store.feature_state(library)
    # Nothing changed since the idf and lengths were counted: every paper has its features.
    featurised = 0 if counted_at == state else _featurise(library)
    index = [(chunk, np.frombuffer(pks, dtype=np.int64), np.frombuffer(indptr, dtype=np.int64))
             for chunk, pks, indptr in store.chunk_index(library)]
    if featurised:
        state = store.feature_state(library)
    count, top = (int(x) for x in state.split(":")[:2])
    features = Features(library, index, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32), top, count,
                        featurised)
    if counted_at == state and df_blob is not None and norms_blob is not None:
        df = np.frombuffer(df_blob, dtype=np.int64)
        norms = np.frombuffer(norms_blob, dtype=np.float32)
    else:
        papers = np.frombuffer(store.all_pks(library), dtype=np.int64)
        df, norms = _count(features, papers, store.vocabulary_size(library))
        with library.transaction():
            store.save_weights_state(library, df.tobytes(), norms.tobytes(), state)
    features.idf = learn.idf_of(df, count)
    features.norms = norms
    return features


def _count(features: Features, papers: "learn.NDArray", vocabulary: int) -> tuple["learn.NDArray", "learn.NDArray"]:
    """Papers per term and each paper's vector length, over the live rows (the newest row of a paper that exists)."""
    import numpy as np

    from .. import interest as learn

    chunk_pks = [cp for _, cp, _ in features.index]
    every = np.concatenate(chunk_pks) if chunk_pks else np.zeros(0, dtype=np.int64)
    newest = len(every) - 1 - np.unique(every[::-1], return_index=True)[1]
    live = np.zeros(len(every), dtype=bool)
    live[newest[np.isin(every[newest], papers)]] = True
    lives, start = [], 0
    for cp in chunk_pks:
        lives.append(live[start:start + len(cp)])
        start += len(cp)
    df = np.zeros(vocabulary, dtype=np.int64)
    for (_, m), alive in zip(features.matrices(), lives):
        ids = m.ids if alive.all() else m.ids[np.repeat(alive, np.diff(m.indptr))]
        df += np.bincount(ids, minlength=vocabulary)[:vocabulary]
    idf = learn.idf_of(df, len(papers))
    top = int(papers[-1]) if len(papers) else 0
    norms = np.ones(top + 1, dtype=np.float32)
    for (cp, m), alive in zip(features.matrices(), lives):
        lengths = learn.row_norms(m, idf)
        norms[cp[alive]] = lengths[alive]
    return df, norms


# -- the ranking ---------------------------------------------------------------------


def ensure_ranking(library: Library, sort: str = "interest") -> Ranking:
    """Bring the cached model and scores of ``sort`` up to date with the decisions; cheap when they are."""
    tag = _tag_of(sort)
    ranking = Ranking(sort, tag)
    positive, negative = _training(library, tag)
    ranking.positives, ranking.negatives = len(positive), len(negative)
    if len(positive) < MIN_EACH or len(negative) < MIN_EACH:
        return ranking
    fingerprint = _fingerprint(positive, negative)
    row = store.model_row(library, sort)
    if row and row[1] == fingerprint and row[2] == store.feature_state(library) and row[5] is not None:
        ranking.model_id = row[0]
        ranking.scores = store.use_scores(library, row[0], row[5])
        return ranking
    _retrain(library, ranking, positive, negative, row)
    return ranking


def _retrain(library: Library, ranking: Ranking, positive: list[int], negative: list[int], row: tuple | None) -> None:
    import numpy as np

    from .. import interest as learn

    features = load_features(library)
    ranking.featurised = features.featurised
    found, x = features.rows_of(positive + negative)
    interested = set(positive)
    labels = np.array([pk in interested for pk in found], dtype=np.int8)
    warm = _model_of(row) if row and row[4] is not None else None
    model = learn.train(x, labels, warm=warm)
    model.positives, model.negatives = len(positive), len(negative)
    scores = features.score_all(model)
    with library.transaction():
        ranking.model_id = store.save_model(
            library, ranking.name, _fingerprint(positive, negative), store.feature_state(library),
            json.dumps({"bias": model.bias, "positives": model.positives, "negatives": model.negatives,
                        "method": METHOD}),
            model.ids.astype(np.int32).tobytes() + model.weights.astype(np.float64).tobytes(), scores.tobytes(),
            now())
    ranking.model = model
    ranking.retrained = True
    ranking.rescored = features.count
    ranking.scores = store.use_scores(library, ranking.model_id, scores.tobytes())


def _model_of(row: tuple) -> "learn.Model":
    import numpy as np

    from .. import interest as learn

    meta = json.loads(row[3])
    blob = row[4]
    n = len(blob) // 12  # int32 id + float64 weight per term
    return learn.Model(np.frombuffer(blob[:4 * n], dtype=np.int32).copy(),
                       np.frombuffer(blob[4 * n:], dtype=np.float64).copy(), float(meta.get("bias", 0.0)),
                       int(meta.get("positives", 0)), int(meta.get("negatives", 0)))


def scores(library: Library, ranking: Ranking, pks: list[int]) -> dict[int, float]:
    """Cached scores of some papers (0 for a paper without one)."""
    if ranking.cold:
        return {}
    got = ranking.scores
    return {pk: (got[pk] if 0 <= pk < len(got) else 0.0) for pk in pks}


@dataclass
class Why:
    paper: Paper
    ranking: Ranking
    score: float | None
    rank: int | None  # 1-based among the papers still new
    of: int
    up: list[tuple[str, float]] = field(default_factory=list)
    down: list[tuple[str, float]] = field(default_factory=list)
    similar: list[tuple[Paper, float]] = field(default_factory=list)  # decided papers most like it
    bias: float = 0.0


def why(library: Library, paper_id: str, sort: str = "interest", *, terms: int = 8, similar: int = 5) -> Why:
    """Why a paper ranks where it does: its terms that pushed it up and down (weight x tf-idf,
    adding up with the bias to its score), and the decided papers most like it."""
    import numpy as np

    from .. import interest as learn

    (pk,) = resolve_ids(library, [paper_id])
    (full,) = library.paper_labels([pk]).values()
    paper = next(library.select(Selection(ids=(full[0],))))
    ranking = ensure_ranking(library, sort)
    new_count = library.count(Selection(query=compile_query("status:new")))
    result = Why(paper, ranking, None, None, new_count)
    if ranking.cold or ranking.model_id is None:
        return result
    row = store.model_row(library, sort)
    assert row is not None
    model = ranking.model or _model_of(row)
    result.bias = model.bias
    result.score = scores(library, ranking, [pk])[pk]
    if paper.status == "new":
        result.rank = store.count_new_above(library, ranking.model_id, result.score) + 1
    features = load_features(library)
    positive, negative = _training(library, ranking.tag)
    others = [p for p in positive + negative if p != pk]
    found, x = features.rows_of([pk] + others)
    if not found or found[0] != pk:
        return result
    names = _term_names(library, paper.title, paper.abstract)
    result.up, result.down = learn.explain(model, x, 0, names, terms)
    near = learn.similar_rows(x, 0, np.arange(1, len(found)), similar)
    by_pk = {found[r]: s for r, s in near}
    if by_pk:
        ids = library.paper_labels(list(by_pk))
        chosen = {q.id: q for q in library.select(Selection(ids=tuple(label[0] for label in ids.values())))}
        result.similar = [(chosen[ids[p][0]], s) for p, s in by_pk.items() if p in ids]
    return result


def _term_names(library: Library, title: str, abstract: str) -> dict[int, str]:
    """Term id -> text for the terms of one paper (the library keeps only their hashes)."""
    import numpy as np

    from .. import interest as learn

    known = np.frombuffer(store.vocabulary(library), dtype=np.uint32)
    order = np.argsort(known, kind="stable")
    sorted_known = known[order]
    names: dict[int, str] = {}
    for term in learn.terms(title, abstract):
        h = learn.term_hash(term)
        i = int(np.searchsorted(sorted_known, h))
        if i < len(sorted_known) and int(sorted_known[i]) == h:
            names[int(order[i])] = term
    return names
