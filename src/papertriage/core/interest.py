"""`--sort interest`, `--sort interest:TAG` and `why`: the learned ranking (issue 13).

``interest`` learns from the user's decisions (keep and read: interested;
skip: not); ``interest:TAG`` from the papers carrying TAG (or a tag below
it) against the decided papers without it and an even sample of the rest,
as arxiv-sanity trains one model per tag. The model (``papertriage.interest``)
keeps a few hundred terms; scoring the library reads those terms' doclists
from the full-text index and each paper's word count, never its text.

Models and scores are cached in the library with the fingerprint of the
decisions they learned from: a listing after no new decision reads the
cache; new papers since are scored on their own; a new decision retrains
and rescores.

Cold start: with fewer than ``MIN_EACH`` papers on either side, the order
falls back to the most promising (seen, upvotes, recency), and
``Ranking.message`` says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .. import interest as learn
from ..errors import UserError
from ..model import Paper
from ..query import compile_query
from ..store import Library, Selection, now
from ..store import interest as store

__all__ = ["Ranking", "Why", "ensure_ranking", "why", "is_interest_sort"]

# Bump when the method changes, so cached models are retrained.
METHOD = "nb-tfidf-12gram-v1"
INTERESTED = ("keep", "read")
SAMPLE_NEGATIVES = 4  # interest:TAG: this many untagged papers per tagged one, at least 40
PYTHON_SCORING_MAX = 3000  # new papers scored from their text; beyond this, rescore from the index


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
    model: learn.Model | None = None
    retrained: bool = False
    rescored: int = 0

    @property
    def cold(self) -> bool:
        return self.model_id is None

    @property
    def message(self) -> str:
        """What the ranking rests on, in a line (for stderr and the triage screen)."""
        if self.tag is None:
            learned = f"{self.positives} kept or read, {self.negatives} skipped"
            need = f"at least {learn.MIN_EACH} kept or read and {learn.MIN_EACH} skipped"
        else:
            learned = f"{self.positives} tagged {self.tag}, {self.negatives} others"
            need = f"at least {learn.MIN_EACH} papers tagged {self.tag}"
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


def _train(library: Library, positive: list[int], negative: list[int]) -> learn.Model:
    texts = store.texts(library, positive + negative)
    feats = {pk: (learn.features(*texts[pk]), learn.length_norm(*texts[pk])) for pk in texts}
    words = {w for f, _ in feats.values() for t in f for w in t.split(" ")}
    docs = library.vocabulary_docs(words)
    papers = library.count()
    model = learn.train([feats[pk] for pk in positive if pk in feats], [feats[pk] for pk in negative if pk in feats],
                        idf=lambda term: learn.term_idf(term, papers, lambda w: docs.get(w, 1)))
    return model


def _score_library(library: Library, model: learn.Model) -> dict[int, float]:
    """Every paper a model term touches: (sum of its terms' weights times their counts) / sqrt(words)."""
    total: dict[int, float] = {}
    for term, weight in model.weights.items():
        for column, tf in (("abstract", 1.0), ("title", learn.TITLE_WEIGHT)):
            w = weight * tf
            for pk in store.doclist(library, term, column):
                total[pk] = total.get(pk, 0.0) + w
    counts = store.word_counts(library, None if len(total) > 20_000 else total)
    return {pk: (model.bias + s) / max(1, counts.get(pk, 1)) ** 0.5 for pk, s in total.items()}


def ensure_ranking(library: Library, sort: str = "interest") -> Ranking:
    """Bring the cached model and scores of ``sort`` up to date with the decisions; cheap when they are."""
    tag = _tag_of(sort)
    ranking = Ranking(sort, tag)
    positive, negative = _training(library, tag)
    ranking.positives, ranking.negatives = len(positive), len(negative)
    if len(positive) < learn.MIN_EACH or len(negative) < learn.MIN_EACH:
        return ranking
    fingerprint = _fingerprint(positive, negative)
    top = store.max_pk(library)
    row = store.model_row(library, sort)
    if row and row[1] == fingerprint:
        ranking.model_id, ranking.model = row[0], learn.Model.from_json(json.loads(row[3]))
        if row[2] >= top:
            return ranking
    with library.transaction():
        if (ranking.model is not None and ranking.model_id is not None and row is not None
                and store.count_after(library, row[2]) <= PYTHON_SCORING_MAX):
            model = ranking.model
            new = [(pk, learn.score_text(model, title, abstract))
                   for pk, title, abstract in store.texts_after(library, row[2])]
            store.write_scores(library, ranking.model_id, [(pk, s) for pk, s in new if s])
            store.set_scored_to(library, ranking.model_id, top)
            ranking.rescored = len(new)
            return ranking
        model = ranking.model or _train(library, positive, negative)
        ranking.retrained = ranking.model is None
        ranking.model = model
        ranking.model_id = store.save_model(library, sort, fingerprint, json.dumps(model.to_json()), top, now())
        scores = _score_library(library, model)
        store.write_scores(library, ranking.model_id, scores.items())
        ranking.rescored = len(scores)
    return ranking


def scores(library: Library, ranking: Ranking, pks: list[int]) -> dict[int, float]:
    """Cached scores of some papers (0 for a paper no learned term touches)."""
    if ranking.cold or ranking.model_id is None:
        return {}
    found = store.scores_of(library, ranking.model_id, pks)
    return {pk: found.get(pk, 0.0) for pk in pks}


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


def why(library: Library, paper_id: str, sort: str = "interest", *, terms: int = 8, similar: int = 5) -> Why:
    """Why a paper ranks where it does: its terms that pushed it up and down, and the decided papers most like it."""
    (pk,) = resolve_ids(library, [paper_id])
    (full,) = library.paper_labels([pk]).values()
    paper = next(library.select(Selection(ids=(full[0],))))
    ranking = ensure_ranking(library, sort)
    new_count = library.count(Selection(query=compile_query("status:new")))
    result = Why(paper, ranking, None, None, new_count)
    if ranking.cold or ranking.model_id is None or ranking.model is None:
        return result
    result.score = scores(library, ranking, [pk])[pk]
    if paper.status == "new":
        result.rank = store.count_new_above(library, ranking.model_id, result.score) + 1
    result.up, result.down = learn.explain(ranking.model, paper.title, paper.abstract, terms)
    positive, negative = _training(library, ranking.tag)
    texts = store.texts(library, [p for p in positive + negative if p != pk])
    mine = learn.features(paper.title, paper.abstract)
    near = sorted(((learn.similarity(mine, learn.features(*texts[p])), p) for p in texts), reverse=True)[:similar]
    by_pk = {p: s for s, p in near if s > 0}
    if by_pk:
        ids = library.paper_labels(by_pk)
        found = {q.id: q for q in library.select(Selection(ids=tuple(label[0] for label in ids.values())))}
        result.similar = [(found[ids[p][0]], s) for s, p in near if p in by_pk]
    return result
