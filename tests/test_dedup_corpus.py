"""The deduplicator on labelled dumps: real papers written out as pages and
parsed back must stay distinct, re-sightings (the variation SOURCE.md lists)
must merge with their paper, and real look-alike titles must not.

Every test goes through the renderers and the parser, as ingest does, and
then calls ``papertriage.dedup.cluster``. The big numbers come from the
benchmark; ``pytest -s -k labelled`` prints this corpus's precision/recall.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest

import corpus
from papertriage.dedup import Matcher, cluster
from papertriage.parse import parse_text

PAGE_DATE = dt.date(2026, 9, 1)  # after every real paper: all years resolve


def _parse_pages(pages: list[tuple[str, list[dict]]]) -> list[tuple[str, str]]:
    """Render (layout, papers) pages, parse them back: (title, abstract) each."""
    records = []
    for n, (layout, papers) in enumerate(pages):
        result = parse_text(corpus.render(layout, papers, PAGE_DATE), f"{n:04d}.txt", page_date=PAGE_DATE)
        assert result.layout == layout and len(result.sightings) == len(papers)
        records += [(s.title, s.abstract) for s in result.sightings]
    return records


def _split_into_pages(papers: list[dict], per_page: int = 100) -> list[tuple[str, list[dict]]]:
    return [(corpus.LAYOUTS[n % 3], papers[i:i + per_page]) for n, i in enumerate(range(0, len(papers), per_page))]


def _parse_corpus(out_dir: Path) -> tuple[list[tuple[str, str]], list[dict]]:
    """A generated corpus parsed back: records in file order, and the truth rows."""
    records, where = [], []
    for page in corpus.read_pages(out_dir):
        text = (out_dir / page["file"]).read_text(encoding="utf-8")
        result = parse_text(text, page["file"], page_date=dt.date.fromisoformat(page["page_date"]))
        assert result.layout == page["layout"], page["file"]
        records += [(s.title, s.abstract) for s in result.sightings]
        where += [(s.file, s.line) for s in result.sightings]
    rows = list(corpus.read_truth(out_dir))
    assert where == [(r["file"], r["line"]) for r in rows], "truth.jsonl lines are not the parser's title lines"
    return records, rows


def _describe(i: int, records: list[tuple[str, str]], note: str = "") -> str:
    title, abstract = records[i]
    return f"    [{i}]{note} {title!r}\n        {abstract[:160]!r}"


# ---------------------------------------------------------------------------
# (a) real papers: 9,829 distinct arXiv ids must stay 9,829 papers


REAL_SOURCES = [
    pytest.param(corpus.SAMPLE_DATA, id="sample-300"),
    pytest.param(corpus.FULL_DATA, id="full-9829", marks=pytest.mark.skipif(
        not corpus.FULL_DATA.exists(), reason=f"{corpus.FULL_DATA} not present")),
]


@pytest.mark.parametrize("source", REAL_SOURCES)
def test_real_papers_stay_distinct(source):
    papers = corpus.load_real_papers(source)
    records = _parse_pages(_split_into_pages(papers))
    owners = cluster(records)
    merged = [(o, i) for i, o in enumerate(owners) if o != i]
    assert not merged, f"{len(merged)} real papers merged into another:\n" + "\n".join(
        _describe(o, records) + "\n" + _describe(i, records) for o, i in merged[:10])


# ---------------------------------------------------------------------------
# (b) a labelled corpus: real look-alikes, synthetic papers, re-sightings


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> tuple[corpus.Truth, list[tuple[str, str]], list[dict]]:
    # The committed sample, not the full file: the same corpus everywhere,
    # and its 300 papers hold 256 look-alike title pairs.
    out = tmp_path_factory.mktemp("corpus")
    truth = corpus.generate_corpus(out, n_papers=3000, repeat_share=0.4, seed=11,
                                   real_papers=corpus.load_real_papers(corpus.SAMPLE_DATA))
    records, rows = _parse_corpus(out)
    return truth, records, rows


def test_labelled_corpus_is_what_was_asked_for(labelled):
    truth, records, rows = labelled
    assert truth.sightings == len(records) == 5000
    assert len({r["key"] for r in rows}) == truth.papers == 3000
    assert truth.real_papers == 300 and set(truth.layouts) == set(corpus.LAYOUTS)
    repeats_across = sum(1 for r, first in _iter_resightings(rows) if r["file"] != first["file"])
    assert 0 < repeats_across < truth.repeats  # re-sightings both on the same page and on later pages
    assert set(corpus.VARIANT_KINDS) <= set(truth.variants)


def _iter_resightings(rows: list[dict]):
    first: dict[str, dict] = {}
    for r in rows:
        seen = first.setdefault(r["key"], r)
        if seen is not r:
            yield r, seen


def test_labelled_corpus_no_false_merges_and_recall_at_least_98(labelled):
    truth, records, rows = labelled
    keys = [r["key"] for r in rows]
    predicted = cluster(records)
    metrics = corpus.pair_metrics(predicted, keys)

    # Recall per variant kind: is each re-sighting with its paper's first sighting?
    first: dict[str, int] = {}
    seen, missed = Counter(), Counter()
    for i, r in enumerate(rows):
        j = first.setdefault(r["key"], i)
        if j != i:
            seen.update(r["variant"])
            if predicted[i] != predicted[j]:
                missed.update(r["variant"])
    print(f"\nlabelled corpus: {truth.sightings} sightings of {truth.papers} papers in {truth.dumps} dumps: "
          f"precision {metrics['precision']:.4f}, recall {metrics['recall']:.4f}, "
          f"false merges {metrics['false_merges']}, missed pairs {metrics['missed']}")
    for kind in sorted(seen):
        print(f"  {kind:17s} {seen[kind]:5d} re-sightings, {missed[kind]:3d} not merged")

    errors = corpus.find_pair_errors(predicted, keys)
    assert metrics["false_merges"] == 0, "different papers merged:\n" + "\n".join(
        _describe(i, records, f" {keys[i]}") + "\n" + _describe(j, records, f" {keys[j]} {rows[j]['variant']}")
        for i, j in errors["false_merges"])
    assert metrics["recall"] >= 0.98, "re-sightings left apart:\n" + "\n".join(
        _describe(i, records, f" {rows[i]['variant']}") + "\n" + _describe(j, records, f" {rows[j]['variant']}")
        for i, j in errors["missed"])


def test_pair_metrics_counts_pairs_from_cluster_sizes():
    #            a  a  a  b  b  c
    predicted = [0, 0, 0, 3, 0, 5]
    metrics = corpus.pair_metrics(predicted, ["a", "a", "a", "b", "b", "c"])
    # Predicted pairs: the 4-cluster {0,1,2,4} = 6; true pairs: a 3 + b 1 = 4;
    # together: a's 3. False merges 6-3; missed: b's one pair.
    assert metrics == {"precision": 0.5, "recall": 0.75, "false_merges": 3, "missed": 1,
                       "pairs": 6, "true_pairs": 4}


# ---------------------------------------------------------------------------
# (c) named cases


def _load_real_by_title() -> dict[str, dict]:
    return {p["title"]: p for p in corpus.load_real_papers(corpus.SAMPLE_DATA)}


LOOKALIKE_IDS = ["qwen2-qwen3", "mm1-mm1.5", "paligemma-paligemma2", "blind-biased",
                 "nemotron3-nano-super-ultra", "opv-longhorizon-one-abstract"]


@pytest.mark.parametrize("titles", corpus.LOOKALIKE_GROUPS, ids=LOOKALIKE_IDS)
def test_real_lookalikes_stay_apart(titles):
    by_title = _load_real_by_title()
    group = [by_title[t] for t in titles]
    # On one page and on separate pages of each layout.
    records = _parse_pages([(corpus.DAILY_META, group)] + [(layout, [p]) for layout in corpus.LAYOUTS for p in group])
    owners = cluster(records)
    n = len(group)
    assert owners[:n] == list(range(n))
    assert owners[n:] == [i for _ in corpus.LAYOUTS for i in range(n)]


@pytest.mark.parametrize("titles", corpus.LOOKALIKE_GROUPS, ids=LOOKALIKE_IDS)
@pytest.mark.parametrize("kind", [k for k in corpus.VARIANT_KINDS if k != "upvotes"])
def test_variant_of_a_lookalike_joins_its_own_paper(titles, kind):
    by_title = _load_real_by_title()
    group = [by_title[t] for t in titles]
    rng = random.Random(f"{titles[0]}/{kind}")
    variants = [corpus.make_variant(p, rng, kinds=[kind]) for p in group]
    variants = [v for v in variants if v["variant"]]
    if not variants:
        pytest.skip(f"{kind} does not apply to these titles")
    records = _parse_pages([(corpus.DAILY_META, group), (corpus.TRENDING, variants)])
    owners = cluster(records)
    want = [next(i for i, p in enumerate(group) if p["key"] == v["key"]) for v in variants]
    assert owners[:len(group)] == list(range(len(group)))
    assert owners[len(group):] == want, "\n".join(_describe(i, records) for i in range(len(records)))


def _load_papers_for_kinds() -> list[dict]:
    real = corpus.load_real_papers(corpus.SAMPLE_DATA)
    return real + corpus.synthetic_papers(100, seed=3, vocabulary_source=real)


@pytest.mark.parametrize("kind", corpus.VARIANT_KINDS)
def test_each_variant_kind_merges_with_its_paper(kind):
    papers = _load_papers_for_kinds()
    rng = random.Random(kind)
    picked = rng.sample(range(len(papers)), 80)
    variants = [(i, corpus.make_variant(papers[i], rng, kinds=[kind])) for i in picked]
    variants = [(i, v) for i, v in variants if v["variant"] == [kind]]
    assert len(variants) >= 20, f"{kind} applied to only {len(variants)} of 80 papers"
    records = _parse_pages(_split_into_pages(papers) + _split_into_pages([v for _, v in variants], per_page=30))
    owners = cluster(records)
    assert owners[:len(papers)] == list(range(len(papers)))
    apart = [(i, len(papers) + k) for k, (i, _) in enumerate(variants) if owners[len(papers) + k] != i]
    assert not apart, f"{len(apart)} of {len(variants)} '{kind}' re-sightings left apart:\n" + "\n".join(
        _describe(i, records) + "\n" + _describe(j, records) for i, j in apart[:8])


def _find_source_example(arxiv_id: str) -> dict:
    return next(p for p in corpus.load_real_papers(corpus.SAMPLE_DATA) if p["key"] == f"arxiv:{arxiv_id}")


def _retitle_mantisscore(p: dict) -> dict:
    return dict(p, title=p["title"].replace("MantisScore", "VideoScore"),
                abstract=p["abstract"].replace("MantisScore", "VideoScore"))


SOURCE_CASES = {
    # SOURCE.md: "retitled methods with the same abstract (MantisScore: ... became VideoScore: ...)"
    "mantisscore-retitled-videoscore": ("2406.15252", _retitle_mantisscore),
    # "typos fixed (SVDQunat / SVDQuant)"
    "svdqunat-typo-fixed": ("2411.05007", lambda p: dict(p, title=p["title"].replace("SVDQunat", "SVDQuant"))),
    # "LaTeX written differently (texttt{D}ual / $\mathbf{\texttt{D}}$ual)"
    "texttt-dual-latex": ("2505.07675", lambda p: dict(p, title=p["title"].replace(
        "texttt{", "$\\mathbf{\\texttt{").replace("}ual", "}}$ual").replace("}ead", "}}$ead").replace(
        "}ptimization", "}}$ptimization"))),
    # "case changes (Few-shot / Few-Shot)"
    "few-shot-case": ("2407.10910", lambda p: dict(p, title=p["title"].replace("Few-shot", "Few-Shot"))),
    # "a project-page URL added to the abstract"
    "mantisscore-project-url": ("2406.15252", lambda p: dict(
        p, abstract=p["abstract"] + " Project page: https://tiger-ai-lab.github.io/VideoScore/.")),
    # "a sentence revised in a new arXiv version", here the second one
    "svdquant-sentence-revised": ("2411.05007", lambda p: dict(p, abstract=p["abstract"].replace(
        "they require significantly more memory", "they need far more memory"))),
    # "upvotes that grow between saves"
    "datadream-upvotes-grown": ("2407.10910", lambda p: dict(p, upvotes=(p["upvotes"] or 0) + 40)),
}


@pytest.mark.parametrize("arxiv_id, change", SOURCE_CASES.values(), ids=SOURCE_CASES.keys())
def test_source_md_resighting_merges(arxiv_id, change):
    paper = _find_source_example(arxiv_id)
    again = change(paper)
    assert (again["title"], again["abstract"], again["upvotes"]) != (paper["title"], paper["abstract"], paper["upvotes"])
    others = [p for p in corpus.load_real_papers(corpus.SAMPLE_DATA) if p["key"] != paper["key"]]
    records = _parse_pages([(corpus.DAILY_META, [paper] + others[:60]), (corpus.TRENDING, [again])])
    assert cluster(records)[-1] == 0


OVI = ("Ovi: Twin Backbone Cross-Modal Fusion for Audio-Video Generation",
       "Audio-video generation has often relied on complex multi-stage architectures or sequential synthesis "
       "of sound and visuals. We introduce Ovi, a unified paradigm for audio-video generation that models the "
       "two modalities as a single generative process.")


@pytest.mark.parametrize("written", ["texttt{O}vi", "\\texttt{O}vi", "$\\textsc{Ovi}$", "$\\mathbf{\\texttt{O}}$vi"])
def test_latex_around_a_method_name_is_read_as_its_text(written):
    # `texttt{O}vi` (backslash lost in a copy-paste) once read as `O` and the numeral `vi`,
    # so "a number differs" kept it apart from `Ovi` over the very same abstract.
    title, abstract = OVI
    again = (title.replace("Ovi", written, 1), abstract)
    assert cluster([(title, abstract), again]) == [0, 0]


def test_a_real_numeral_still_keeps_a_sequel_apart():
    title, abstract = OVI
    sequel = (title.replace("Ovi:", "Ovi II:"), abstract.replace("We introduce", "We extend"))
    assert cluster([(title, abstract), sequel]) == [0, 1]


def test_two_papers_under_one_title_are_kept_apart_and_listed_for_review():
    title, abstract = OVI
    other = ("We study the thermal conductivity of layered perovskites under strain and report measurements "
             "on twelve samples grown by chemical vapour deposition, with a model of phonon scattering.")
    matcher = Matcher()
    matcher.place(title, abstract, 0)
    placed = matcher.place(title, other, 1)
    assert placed.handle == 1  # a paper of its own
    assert [paper for paper, _ in placed.apart] == [0]  # `dupes --near` shows the pair
