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
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from ..errors import UserError
from ..model import Paper
from ..query import compile_query
from ..store import Library, Selection, now
from ..store import interest as store

if TYPE_CHECKING:
    from .. import interest as learn
    from ..featurise import Vocabulary

__all__ = ["Ranking", "Why", "ensure_ranking", "why", "is_interest_sort", "MIN_EACH", "METHOD"]

# Enough decisions to learn from: at least this many interested and not interested papers.
MIN_EACH = 1
# Bump when the method or the features change, so cached models and scores are recomputed.
METHOD = "svm-l2-tfidf-12gram-v4"
INTERESTED = ("keep", "read")
SAMPLE_NEGATIVES = 4  # interest:TAG: this many untagged papers per tagged one, at least 40
CHUNK = 2000  # papers per stored feature chunk
UNSAVED_MODEL = 0  # the model id of a ranking computed in memory (a read-only library); saved ones start at 1
# Rankings of read-only libraries, computed once per process: library -> sort -> (fingerprint, ranking).
_UNSAVED: "weakref.WeakKeyDictionary[Library, dict[str, tuple[str, Ranking]]]" = weakref.WeakKeyDictionary()


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
    saved: bool = True  # False: a read-only library, the model and scores live in this process only
    features: "Features | None" = None  # when retrained here
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
    """The library's features, chunk by chunk, with the idf and each paper's vector length.

    Nothing is concatenated or weighed as a whole: the decided papers' rows are
    read one by one for training, and rescoring streams the chunks (read in a
    second thread while the first scores the previous one). A chunk is stored
    in the library, or held in memory when the library is read-only."""

    library: Library
    index: list[tuple["int | tuple[bytes, bytes]", "learn.NDArray", "learn.NDArray"]]  # (source, pks, row starts)
    idf: "learn.NDArray"
    norms: "learn.NDArray"  # float32 by pk
    top: int  # the last pk
    count: int  # papers in the library
    featurised: int = 0
    vocab: "Vocabulary | None" = None  # the term ids as featurising left them (None: as stored)
    state: str = ""  # ``store.feature_state`` these features reflect (what a model scored on them records)

    def _data(self, source: "int | tuple[bytes, bytes]") -> tuple[bytes, bytes]:
        """(term ids, repeats) of a chunk."""
        return store.chunk_terms(self.library, source) if isinstance(source, int) else source

    def rows_of(self, pks: list[int]) -> tuple[list[int], "learn.Weighted"]:
        """The weighed rows of these papers (the newest stored row of each), and the pks found, in order."""
        import numpy as np

        from .. import featurise
        from .. import interest as learn

        wanted = np.fromiter(set(pks), dtype=np.int64, count=len(set(pks)))
        where: dict[int, tuple[int, int, int]] = {}
        for i, (_, cp, indptr) in enumerate(self.index):
            for r in np.nonzero(np.isin(cp, wanted))[0].tolist():
                where[int(cp[r])] = (i, int(indptr[r]), int(indptr[r + 1]))
        found = [pk for pk in pks if pk in where]
        repeats: dict[int, bytes] = {}
        terms, counts = [], []
        for pk in found:
            i, start, end = where[pk]
            source = self.index[i][0]
            if isinstance(source, int):
                terms.append(store.chunk_slice(self.library, source, start, end))
                if i not in repeats:
                    repeats[i] = store.chunk_repeats(self.library, source)
            else:
                terms.append(source[0][4 * start:4 * end])
                repeats[i] = source[1]
            counts.append(featurise.unpack_counts(repeats[i], end - start, start))
        indptr = np.zeros(len(found) + 1, dtype=np.int64)
        np.cumsum([len(t) // 4 for t in terms], out=indptr[1:])
        m = learn.Matrix(indptr, np.frombuffer(b"".join(terms), dtype=np.int32),
                         np.concatenate(counts) if counts else np.zeros(0, dtype=np.uint8))
        return found, learn.weigh_rows(m, self.idf, self.norms[np.asarray(found, dtype=np.int64)])

    def chunks(self) -> Iterator[tuple["learn.NDArray", "learn.NDArray", "learn.NDArray", bytes]]:
        """(pks, row starts, term ids, repeats) of each chunk in turn; the next chunk is read while the
        caller works on this one."""
        import numpy as np
        from concurrent.futures import ThreadPoolExecutor

        if not self.index:
            return
        with ThreadPoolExecutor(max_workers=1) as reader:
            ahead = reader.submit(self._data, self.index[0][0])
            for i, (_, cp, indptr) in enumerate(self.index):
                terms, repeats = ahead.result()
                if i + 1 < len(self.index):
                    ahead = reader.submit(self._data, self.index[i + 1][0])
                yield cp, indptr, np.frombuffer(terms, dtype=np.int32), repeats

    def matrices(self) -> Iterator[tuple["learn.NDArray", "learn.Matrix"]]:
        """(pks, matrix) of each chunk in turn, with every count."""
        from .. import featurise
        from .. import interest as learn

        for cp, indptr, ids, repeats in self.chunks():
            yield cp, learn.Matrix(indptr, ids, featurise.unpack_counts(repeats, len(ids)))

    def score_all(self, model: "learn.Model") -> "learn.NDArray":
        """Every paper's score, float32 by pk (a newer row of a paper overrides an older one)."""
        import numpy as np

        from .. import featurise

        out = np.zeros(self.top + 1, dtype=np.float32)
        weight_idf = (model.dense(len(self.idf)) * self.idf).astype(np.float32)
        for cp, indptr, ids, repeats in self.chunks():
            ok = cp <= self.top
            norms = self.norms[np.minimum(cp, len(self.norms) - 1)]
            out[cp[ok]] = featurise.score_stored(indptr, ids, repeats, weight_idf, norms, model.bias)[ok]
        return out


@dataclass
class _Featurised:
    papers: int = 0  # papers whose features were computed
    vocabulary: int = 0  # term ids in use, stored or held
    held: list[tuple[tuple[bytes, bytes], "learn.NDArray", "learn.NDArray"]] = field(default_factory=list)
    vocab: "Vocabulary | None" = None


def _missing(library: Library) -> "learn.NDArray":
    """The papers without features (new) or with stale ones (changed), and stale papers that are gone."""
    import numpy as np

    covered = [np.frombuffer(b, dtype=np.int64) for b in store.chunk_pks(library)]
    have = np.unique(np.concatenate(covered)) if covered else np.zeros(0, dtype=np.int64)
    every = np.frombuffer(store.all_pks(library), dtype=np.int64)
    return np.union1d(np.setdiff1d(every, have, assume_unique=True),
                      np.asarray(store.stale_pks(library), dtype=np.int64))


def _featurise(library: Library, *, save: bool = True) -> _Featurised:
    """Compute the features of the papers that have none (new) or stale ones (changed), ``CHUNK`` papers
    at a time, counted in bulk (``papertriage.featurise``).

    Saved: each chunk in its own short write transaction, which only numbers the
    chunk's new terms and stores it (texts are read and counted before it), so a
    tagger waits milliseconds, not the whole build. Not saved (a read-only
    library): the chunks are held in memory for this process only."""
    import numpy as np

    from .. import featurise

    vocab = featurise.Vocabulary()
    vocab.extend(np.frombuffer(store.terms_from(library, 0), dtype=np.uint32))
    cache: dict[str, int] = {}
    out = _Featurised()
    missing, at = _missing(library), 0
    stale = set(store.stale_pks(library))
    state = store.chunks_state(library)
    while at < len(missing):
        batch = missing[at:at + CHUNK].tolist()
        version = library.data_version()
        text = store.texts(library, batch)
        pks = [pk for pk in batch if pk in text]
        chunk = featurise.hash_chunk([text[pk] for pk in pks], cache)
        if not save:
            indptr, ids, counts = vocab.assign(chunk)
            out.held.append(((ids.tobytes(), featurise.pack_repeats(counts)), np.asarray(pks, dtype=np.int64), indptr))
            out.papers += len(pks)
            at += CHUNK
            continue
        with library.transaction():
            if store.chunks_state(library) != state:  # another process stored features meanwhile
                missing, at, stale = _missing(library), 0, set(store.stale_pks(library))
                state = store.chunks_state(library)
                continue
            if library.data_version() != version and store.texts(library, batch) != text:
                continue  # a title or abstract changed under us: count this chunk again
            vocab.extend(np.frombuffer(store.terms_from(library, len(vocab)), dtype=np.uint32))
            first = len(vocab)
            indptr, ids, counts = vocab.assign(chunk)
            if len(vocab) > first:
                store.add_terms(library, first, vocab.hashes[first:].tobytes())
            if pks:
                store.add_chunk(library, np.asarray(pks, dtype=np.int64).tobytes(), indptr.tobytes(), ids.tobytes(),
                                featurise.pack_repeats(counts), len(pks))
            store.clear_stale(library, stale.intersection(batch))
            state = store.chunks_state(library)
        out.papers += len(pks)
        at += CHUNK
    out.vocabulary, out.vocab = len(vocab), vocab
    return out


def load_features(library: Library, *, save: bool = True, state: str | None = None) -> Features:
    """The features (computed first for papers that lack them), the idf and the vector lengths
    (counted again only when the papers or their features changed). ``save=False`` (a read-only
    library): whatever is missing is computed in memory and nothing is written. ``state``: the
    library's ``store.feature_state`` when the caller has just read it."""
    import numpy as np

    from .. import interest as learn

    df_blob, norms_blob, counted_at = store.weights_state(library)
    state = store.feature_state(library) if state is None else state
    # Nothing changed since the idf and lengths were counted: every paper has its features.
    built = _Featurised() if counted_at == state else _featurise(library, save=save)
    index: list[tuple["int | tuple[bytes, bytes]", "learn.NDArray", "learn.NDArray"]] = [
        (chunk, np.frombuffer(pks, dtype=np.int64), np.frombuffer(indptr, dtype=np.int64))
        for chunk, pks, indptr in store.chunk_index(library)]
    index += built.held
    if built.papers and save:
        state = store.feature_state(library)
    count, top = (int(x) for x in state.split(":")[:2])
    features = Features(library, index, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32), top, count,
                        built.papers, built.vocab, state)
    if counted_at == state and df_blob is not None and norms_blob is not None:
        df = np.frombuffer(df_blob, dtype=np.int32)
        norms = np.frombuffer(norms_blob, dtype=np.float32)
    else:
        papers = np.frombuffer(store.all_pks(library), dtype=np.int64)
        df, norms = _count(features, papers, max(built.vocabulary, store.vocabulary_size(library)))
        if save:
            with library.transaction():
                store.save_weights_state(library, df.tobytes(), norms.tobytes(), state)
    features.idf = learn.idf_of(df.astype(np.int64), count)
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
    df = np.zeros(vocabulary, dtype=np.int32)
    for (_, m), alive in zip(features.matrices(), lives):
        ids = m.ids if alive.all() else m.ids[np.repeat(alive, np.diff(m.indptr))]
        df += np.bincount(ids, minlength=vocabulary)[:vocabulary].astype(np.int32)
    idf = learn.idf_of(df.astype(np.int64), len(papers))
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
    state = store.feature_state(library)
    if row and row[1] == fingerprint and row[2] == state and row[5] is not None:
        ranking.model_id = row[0]
        ranking.scores = store.use_scores(library, row[0], row[5])
        return ranking
    held = _UNSAVED.get(library, {}).get(sort)
    if held is not None and held[0] == fingerprint:  # computed in memory earlier in this process
        return held[1]
    _retrain(library, ranking, positive, negative, row, state)
    if not ranking.saved:
        _UNSAVED.setdefault(library, {})[sort] = (fingerprint, ranking)
    return ranking


def _retrain(library: Library, ranking: Ranking, positive: list[int], negative: list[int], row: tuple | None,
             state: str) -> None:
    import numpy as np

    from .. import interest as learn

    # A read-only library (file, folder or connection) still ranks: in memory, caching nothing.
    ranking.saved = store.can_write(library)
    features = load_features(library, save=ranking.saved, state=state)
    ranking.features = features
    ranking.featurised = features.featurised
    found, x = features.rows_of(positive + negative)
    interested = set(positive)
    labels = np.array([pk in interested for pk in found], dtype=np.int8)
    warm = _model_of(row) if row and row[4] is not None else None
    model = learn.train(x, labels, warm=warm)
    model.positives, model.negatives = len(positive), len(negative)
    scores = features.score_all(model)
    if not ranking.saved:
        ranking.model_id = UNSAVED_MODEL
    else:
        with library.transaction():
            ranking.model_id = store.save_model(
                library, ranking.name, _fingerprint(positive, negative), features.state,
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
    if ranking.model is None:
        row = store.model_row(library, sort)
        assert row is not None
        ranking.model = _model_of(row)
    model = ranking.model
    result.bias = model.bias
    result.score = scores(library, ranking, [pk])[pk]
    if paper.status == "new":
        result.rank = store.count_new_above(library, ranking.model_id, result.score) + 1
    features = ranking.features or load_features(library)
    positive, negative = _training(library, ranking.tag)
    others = [p for p in positive + negative if p != pk]
    found, x = features.rows_of([pk] + others)
    if not found or found[0] != pk:
        return result
    names = _term_names(library, paper.title, paper.abstract, features.vocab)
    result.up, result.down = learn.explain(model, x, 0, names, terms)
    near = learn.similar_rows(x, 0, np.arange(1, len(found)), similar)
    by_pk = {found[r]: s for r, s in near}
    if by_pk:
        ids = library.paper_labels(list(by_pk))
        chosen = {q.id: q for q in library.select(Selection(ids=tuple(label[0] for label in ids.values())))}
        result.similar = [(chosen[ids[p][0]], s) for p, s in by_pk.items() if p in ids]
    return result


def _term_names(library: Library, title: str, abstract: str, vocab: "Vocabulary | None" = None) -> dict[int, str]:
    """Term id -> text for the terms of one paper (the library keeps only their hashes)."""
    import numpy as np

    from .. import featurise

    hashes = featurise.term_hashes(title, abstract)
    if vocab is None:
        vocab = featurise.Vocabulary()
        vocab.extend(np.frombuffer(store.terms_from(library, 0), dtype=np.uint32))
    ids = vocab.lookup(np.fromiter(hashes.values(), dtype=np.uint32, count=len(hashes)))
    return {int(i): term for term, i in zip(hashes, ids.tolist()) if i >= 0}
