"""A labelled corpus of Hugging Face page dumps: real papers, synthetic papers,
and realistic re-sightings of both, with the truth about which is which.

The tests and the benchmark use it to measure the deduplicator (pairs of
sightings merged wrongly or missed) and to round-trip the parsers. It is a
plain module, importable with ``tests/`` on ``sys.path``, and needs only the
standard library (``build_sample`` alone imports rapidfuzz, lazily).

What it owns:

- renderers that write byte-exact dump text in the three layouts of
  ``seeds/`` (``render_trending``, ``render_daily_meta``, ``render_daily_plain``);
- the real papers of ``shared/data/hf_daily_papers.jsonl``, or of the
  committed sample ``tests/data/hf_sample.jsonl`` when the big file is absent
  (``load_real_papers``);
- synthetic papers beyond the real ones, written with the real abstracts' own
  words and phrases, so word frequencies are as Zipf-like as real text
  (``synthetic_papers``);
- re-sightings of one paper, with the variation listed in
  ``shared/data/SOURCE.md`` (``make_variant``);
- a streaming corpus writer with a ``truth.jsonl`` (``generate_corpus``) and
  pair-level precision/recall (``pair_metrics``).

A paper is a dict: ``key`` (the true paper, e.g. ``arxiv:2407.10671`` or
``syn:17``), ``title``, ``abstract``, ``published`` (ISO date or None),
``upvotes`` (int or None) and ``authors_count``. A variant also has
``variant``: the list of variation kinds applied to it.

Example::

    >>> import corpus, datetime
    >>> paper = {"title": "Few-shot Tricks", "abstract": "We study\\n  tricks.",
    ...          "published": "2024-06-03", "upvotes": 4, "authors_count": 2}
    >>> print(corpus.render_daily_meta([paper], datetime.date(2025, 1, 9)))
    new
    <BLANKLINE>
    Get trending papers in your email inbox!
    <BLANKLINE>
    Subscribe
    <BLANKLINE>
    Daily Papers
    <BLANKLINE>
    byAK and the research community
    <BLANKLINE>
    Jan 9
    <BLANKLINE>
    Few-shot Tricks
    <BLANKLINE>
    We study tricks.
    <BLANKLINE>
      • 2 authors
    Jun 3, 2024 4
    <BLANKLINE>
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import re
import struct
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
FULL_DATA = REPO_ROOT.parent / "shared" / "data" / "hf_daily_papers.jsonl"
SAMPLE_DATA = TESTS_DIR / "data" / "hf_sample.jsonl"

TRENDING = "trending"
DAILY_META = "daily-meta"
DAILY_PLAIN = "daily-plain"
LAYOUTS = (TRENDING, DAILY_META, DAILY_PLAIN)

# Real look-alike titles of different papers (SOURCE.md); the sample keeps them all.
LOOKALIKE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Qwen2 Technical Report", "Qwen3 Technical Report"),
    ("MM1: Methods, Analysis & Insights from Multimodal LLM Pre-training",
     "MM1.5: Methods, Analysis & Insights from Multimodal LLM Fine-tuning"),
    ("PaliGemma: A versatile 3B VLM for transfer", "PaliGemma 2: A Family of Versatile VLMs for Transfer"),
    ("Vision language models are blind", "Vision Language Models are Biased"),
    ("Nemotron 3 Nano: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
     "Nemotron 3 Super: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning",
     "Nemotron 3 Ultra: Open, Efficient Mixture-of-Experts Hybrid Mamba-Transformer Model for Agentic Reasoning"),
    # Two arXiv ids whose abstracts are the same text, under unrelated titles.
    ("OPV: Outcome-based Process Verifier for Efficient Long Chain-of-Thought Verification",
     "Long-horizon Reasoning Agent for Olympiad-Level Mathematical Problem Solving"),
)

# Real papers whose re-sightings SOURCE.md describes; the sample keeps them too.
SOURCE_EXAMPLES = {
    "2406.15252": "MantisScore: ... (retitled VideoScore, same abstract)",
    "2411.05007": "SVDQunat: ... (typo, fixed to SVDQuant)",
    "2505.07675": "... via texttt{D}ual-texttt{H}ead texttt{O}ptimization (LaTeX written differently)",
    "2407.10910": "DataDream: Few-shot Guided Dataset Generation (case: Few-Shot)",
}

# ---------------------------------------------------------------------------
# Rendering


_BANNER_DAILY = "Get trending papers in your email inbox once a day!"
_BANNER = "Get trending papers in your email inbox!"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A line break inside a field (arXiv wraps at ~80 columns and indents by two
# spaces) and the spaces around it. Only \n and \r split a dump's lines; other
# odd spacing (double spaces, NBSP) is kept, because a re-sighting may carry
# it and the parser must cope.
_LINE_BREAK = re.compile(r"[ \t\u00a0]*[\r\n]+[ \t\u00a0]*")


def _one_line(text: str) -> str:
    """A field as a page shows it: on one line.

    >>> _one_line("Large language\\n  models (LLMs)\\n")
    'Large language models (LLMs)'
    """
    if "\n" in text or "\r" in text:  # rare, and the substitution is slow on long text
        text = _LINE_BREAK.sub(" ", text)
    return text.strip(" \t\n")


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def format_date_line(published: dt.date, page_year: int, upvotes: int | None = None) -> str:
    """The date line of a daily-meta card: a year only before the page's year,
    upvotes only when there are some.

    >>> format_date_line(dt.date(2024, 9, 16), 2025, 5)
    'Sep 16, 2024 5'
    >>> format_date_line(dt.date(2025, 6, 23), 2025, 1)
    'Jun 23 1'
    >>> format_date_line(dt.date(2023, 1, 10), 2025, 0)
    'Jan 10, 2023'
    """
    text = f"{_MONTHS[published.month - 1]} {published.day}"
    if published.year < page_year:
        text += f", {published.year}"
    if upvotes:
        text += f" {upvotes}"
    return text


def _render_lines(layout: str, papers: Iterable[dict], page_date: dt.date | None) -> tuple[list[str], list[int]]:
    """Lines of one dump, and the 1-based line of each paper's title."""
    lines: list[str] = []
    title_lines: list[int] = []
    if layout == TRENDING:
        lines += [_BANNER_DAILY, _BANNER]
        first = True
        for p in papers:
            title_lines.append(len(lines) + 1)
            title = _one_line(p["title"])
            lines.append("Subscribe" + title if first else title)
            lines.append(_one_line(p["abstract"]))
            first = False
        if first:
            lines.append("Subscribe")
        return lines, title_lines
    if layout not in (DAILY_META, DAILY_PLAIN):
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if page_date is None:
        raise ValueError(f"a {layout} page needs its page_date")
    header = ["new", _BANNER, "Subscribe"]
    if layout == DAILY_META:
        header.append("Daily Papers")  # seed 003 has it, seed 004 not; both are real
    header += ["byAK and the research community", format_date_line(page_date, page_date.year)]
    for text in header:
        lines += [text, ""]
    for p in papers:
        title_lines.append(len(lines) + 1)
        lines += [_one_line(p["title"]), "", _one_line(p["abstract"]), ""]
        if layout == DAILY_META:
            # A card always has both lines; a paper that lacks the data gets
            # the page's date and one author rather than a broken card.
            published = _as_date(p.get("published")) or page_date
            authors = p.get("authors_count") or 1
            lines += [f"  \u2022 {authors} authors", format_date_line(published, page_date.year, p.get("upvotes")), ""]
    if lines and lines[-1] == "":
        lines.pop()
    return lines, title_lines


def render(layout: str, papers: Iterable[dict], page_date: dt.date | None = None) -> str:
    """Dump text of one page in ``layout`` (one of ``LAYOUTS``), ending in a newline."""
    lines, _ = _render_lines(layout, papers, page_date)
    return "\n".join(lines) + "\n"


def render_trending(papers: Iterable[dict]) -> str:
    """A "Trending papers" page: two banners, ``Subscribe`` glued to the first
    title, then title and abstract lines, no metadata (seeds 000-002)."""
    return render(TRENDING, papers)


def render_daily_meta(papers: Iterable[dict], page_date: dt.date) -> str:
    """A "Daily Papers" page with ``  • N authors`` and date/upvote lines (seed 003)."""
    return render(DAILY_META, papers, page_date)


def render_daily_plain(papers: Iterable[dict], page_date: dt.date) -> str:
    """A "Daily Papers" page with titles and abstracts only (seed 004)."""
    return render(DAILY_PLAIN, papers, page_date)


# ---------------------------------------------------------------------------
# Real papers


def load_real_papers(path: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """Real papers, one dict each, with title and abstract on one line.

    Reads ``shared/data/hf_daily_papers.jsonl`` next to the repository when it
    is there (9,829 papers), else the committed ``tests/data/hf_sample.jsonl``.
    """
    if path is None:
        path = FULL_DATA if FULL_DATA.exists() else SAMPLE_DATA
    papers = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(papers) >= limit:
                break
            if not line.strip():
                continue
            rec = json.loads(line)
            papers.append({
                "key": f"arxiv:{rec['arxiv_id']}",
                "title": _one_line(rec["title"]),
                "abstract": _one_line(rec["abstract"]),
                "published": rec.get("published"),
                "upvotes": rec.get("upvotes"),
                "authors_count": rec.get("authors_count"),
            })
    return papers


def build_sample(src: str | Path = FULL_DATA, dst: str | Path = SAMPLE_DATA, *, size: int = 300,
                 lookalike_pairs: int = 100, seed: int = 0) -> int:
    """Write the committed sample: every paper of ``LOOKALIKE_GROUPS`` and
    ``SOURCE_EXAMPLES``, both papers of ``lookalike_pairs`` real title pairs
    with a rapidfuzz ratio of 80 or more (on default-processed titles, as
    SOURCE.md counts them), then random other papers up to ``size``, in the
    source file's order.

    How ``tests/data/hf_sample.jsonl`` was made: ``build_sample()``. It needs
    rapidfuzz (a papertriage dependency) and takes a few seconds.
    """
    from rapidfuzz import fuzz, process, utils  # only here: the module stays stdlib-only

    with open(src, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    titles = [_one_line(r["title"]) for r in records]
    chosen: set[int] = set()
    named = {t for group in LOOKALIKE_GROUPS for t in group}
    chosen.update(i for i, t in enumerate(titles) if t in named)
    chosen.update(i for i, r in enumerate(records) if r["arxiv_id"] in SOURCE_EXAMPLES)
    pairs = []
    for start in range(0, len(titles), 1000):
        block = process.cdist(titles[start:start + 1000], titles, scorer=fuzz.ratio,
                              processor=utils.default_process, score_cutoff=80, workers=-1)
        for i, row in enumerate(block, start):
            pairs.extend((i, int(j)) for j in row.nonzero()[0] if j > i)
    rng = random.Random(seed)
    for i, j in rng.sample(pairs, min(lookalike_pairs, len(pairs))):
        chosen.update((i, j))
    rest = [i for i in range(len(records)) if i not in chosen]
    chosen.update(rng.sample(rest, max(0, size - len(chosen))))
    keep = ("arxiv_id", "title", "abstract", "published", "upvotes", "authors_count")
    with open(dst, "w", encoding="utf-8") as f:
        for i in sorted(chosen):
            f.write(json.dumps({k: records[i][k] for k in keep}, ensure_ascii=False) + "\n")
    return len(chosen)


# ---------------------------------------------------------------------------
# Synthetic papers


class Vocabulary:
    """The running text of real abstracts and titles, cut at word starts.

    Synthetic text is made of short spans (8-16 words) taken from random
    places, so word and bigram frequencies are those of real abstracts while
    no synthetic abstract is close to any one real abstract.
    """

    def __init__(self, papers: Sequence[dict]):
        if not papers:
            raise ValueError("a vocabulary needs at least one real paper")
        words = " ".join(p["abstract"] for p in papers).split()
        # UTF-8 bytes and 32-bit offsets: half the memory of a str and an
        # array of longs, and the random slicing of a big corpus is memory-bound.
        self.text = " ".join(words).encode() + b" "
        # starts[k]: byte offset of word k; one past the end for k == len(words).
        self.starts = array("i", itertools.accumulate(map((1).__add__, map(len, map(str.encode, words))),
                                                      initial=0))
        # Titles' descriptive part (after the method name), a word list each.
        self.titles = []
        for p in papers:
            title = _one_line(p["title"])
            _, colon, tail = title.partition(":")
            phrase = [w for w in (tail if colon else title).split() if ":" not in w]
            if len(phrase) >= 2:
                self.titles.append(phrase)
        if not self.titles:
            self.titles = [["Language", "Models"]]
        self.n_words = len(self.starts) - 1
        if self.n_words < 20:
            raise ValueError("a vocabulary needs abstracts of some length")


_last_vocabulary: tuple[object, Vocabulary] | None = None


def _vocabulary(source: Sequence[dict] | Vocabulary | None) -> Vocabulary:
    """The vocabulary of ``source`` (default: ``load_real_papers()``), built
    once for the last source asked about."""
    global _last_vocabulary
    if isinstance(source, Vocabulary):
        return source
    if _last_vocabulary is None or _last_vocabulary[0] is not source:
        _last_vocabulary = (source, Vocabulary(load_real_papers() if source is None else source))
    return _last_vocabulary[1]


_CONSONANTS = "bcdfghklmnprstvz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]  # 80
_NAME_SPACE = 80 ** 3 + 80 ** 4  # three- and four-syllable names
_NAME_STRIDE = 2654435761  # coprime with _NAME_SPACE (2^12 3^4 5^3): i -> name is one-to-one
_NAME_SUFFIXES = ("", "", "", "", "", "", "-VL", "-R1", "2", "-7B", "-Bench", "-Agent", "++", "-X", "3D")
_TIERS = ("Nano", "Super", "Ultra", "Mini", "Pro", "Flash", "Lite", "Max", "Plus", "Air", "Turbo", "Edge")
_SWAP_WORDS = ("Fine-tuning", "Pre-training", "Biased", "Blind", "Robust", "Efficient", "Sparse", "Dense",
               "Multilingual", "Long-context", "Open", "Scalable")
_SIBLING_PER_MILLE = 40  # 4% of synthetic papers are look-alikes of a recent one
_SIBLING_REACH = len(_TIERS)  # a look-alike's base is 1..12 papers back: each offset makes a unique title
_TITLE_LINKS = ("with", "via", "for", "using", "through")
_DANGLING = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "through",
             "to", "towards", "using", "via", "with", "without", "is", "are", "can", "do", "does", "we", "our"}


def _mix(*values: int) -> int:
    """A 64-bit hash of small ints; stable across runs (unlike hash())."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (v & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h


def _unique_name(i: int, seed: int) -> str:
    """A made-up method name, different for every i (below 41 million).

    >>> _unique_name(0, 0) != _unique_name(1, 0)
    True
    """
    n = (i * _NAME_STRIDE + _mix(seed) % _NAME_SPACE) % _NAME_SPACE
    if n < 80 ** 3:
        count = 3
    else:
        n -= 80 ** 3
        count = 4
    parts = []
    for _ in range(count):
        n, r = divmod(n, 80)
        parts.append(_SYLLABLES[r])
    style = _mix(seed, i, 1) % 4
    if style == 0:  # CamelCase: KoriVantu
        return parts[0].capitalize() + "".join(parts[1:-1]) + parts[-1].capitalize()
    if style == 1 and count == 3:  # an acronym-ish name: KORIVA
        return "".join(parts).upper()
    return "".join(parts).capitalize()


def _random_name(rng: random.Random) -> str:
    """A made-up name for a renamed method (not guaranteed unique)."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


@dataclass(slots=True)
class _TitleParts:
    name: str
    phrase: list[str]
    style: int  # 0: "Name: Phrase", 1: "Phrase via Name", 2: "Name Technical Report"
    link: str = "with"

    def compose(self) -> str:
        if self.style == 2:
            return f"{self.name} Technical Report"
        if self.style == 1:
            return f"{' '.join(self.phrase)} {self.link} {self.name}"
        return f"{self.name}: {' '.join(self.phrase)}"


def _sibling_offset(i: int, seed: int) -> int:
    """How many papers back the base of look-alike i is; 0 when i is no look-alike.

    A look-alike's base is never a look-alike itself: chains (a sibling of a
    sibling) could repeat a title another sibling already has.
    """
    if i == 0 or _mix(seed, i, 2) % 1000 >= _SIBLING_PER_MILLE:
        return 0
    offset = 1 + _mix(seed, i, 4) % min(i, _SIBLING_REACH)
    return 0 if _sibling_offset(i - offset, seed) else offset


def _root_title(rng: random.Random, i: int, seed: int, vocab: Vocabulary) -> _TitleParts:
    """The title of a paper that is no look-alike; draws come first from ``rng``."""
    r = rng.random  # int(r() * n) rather than randrange: this runs a million times
    name = _unique_name(i, seed) + _NAME_SUFFIXES[int(r() * len(_NAME_SUFFIXES))]
    titles = vocab.titles
    words: list[str] = []
    target = 4 + int(r() * 7)
    while len(words) < target:
        source = titles[int(r() * len(titles))]
        a = int(r() * len(source))
        words += source[a:a + 2 + int(r() * 4)]
    words = words[:target]
    while len(words) > 2 and words[-1].casefold() in _DANGLING:
        words.pop()
    words[0] = words[0][:1].upper() + words[0][1:]
    x = r()
    style = 2 if x < 0.03 else 1 if x < 0.25 else 0
    return _TitleParts(name, words, style, _TITLE_LINKS[int(r() * len(_TITLE_LINKS))])


def _sibling_title(i: int, offset: int, seed: int, vocab: Vocabulary) -> _TitleParts:
    """Look-alike i takes the title of paper i - offset and changes a version
    number, adds a tier word or swaps one word, as real families do (Qwen2 /
    Qwen3, Nemotron 3 Nano / Super, MM1 Pre-training / Fine-tuning). Each
    offset gives a different change, so no two look-alikes of one base share
    a title."""
    base = i - offset
    parts = _root_title(random.Random(_mix(seed, base, 7)), base, seed, vocab)
    kind = _mix(seed, i, 5) % 3
    if kind == 2 and parts.style != 2:  # a report title shows no phrase to swap a word in
        pos = _mix(seed, i, 6) % len(parts.phrase)
        new = _SWAP_WORDS[offset - 1]
        if parts.phrase[pos].casefold() != new.casefold():
            parts.phrase = parts.phrase[:pos] + [new] + parts.phrase[pos + 1:]
            return parts
        kind = 1
    if kind == 1:
        parts.name = f"{parts.name} {_TIERS[offset - 1]}"
    else:
        m = re.search(r"(\d+)$", parts.name)
        parts.name = (parts.name[:m.start()] + str(int(m[1]) + offset) if m
                      else f"{parts.name}{'' if offset % 2 else ' '}{offset + 1}")
    return parts


_SPAN_DRAWS = 32  # spans of 8-16 words: 32 always reach 250 words


def _synthetic_spans(rng: random.Random, vocab: Vocabulary) -> list[bytes]:
    """120-250 words, as spans of 8-16 words from random places of the real text.

    Draws all random numbers at once (one getrandbits) because this is the hot
    loop of a million-paper corpus.
    """
    target = 120 + rng.randrange(116)  # the last span may add up to 15 words: at most 250
    nums = struct.unpack(f"<{2 * _SPAN_DRAWS}I", rng.getrandbits(64 * _SPAN_DRAWS).to_bytes(8 * _SPAN_DRAWS, "little"))
    lengths = [8 + x % 9 for x in nums[_SPAN_DRAWS:]]
    k = bisect.bisect_left(list(itertools.accumulate(lengths)), target) + 1
    text, starts, last = vocab.text, vocab.starts, vocab.n_words - 16
    return [text[starts[a]:starts[a + n] - 1] for a, n in zip([x % last for x in nums[:k]], lengths)]


def _sibling_spans(i: int, offset: int, seed: int, vocab: Vocabulary, own: list[bytes]) -> list[bytes]:
    """A look-alike's abstract shares some phrases with its base's, in order.

    Calibrated on the 369 real look-alike title pairs: their abstracts' word
    similarity (Indel on normalised words) has median 14, 90th percentile 18
    and maximum 53 (RoboRefer / RoboTracer: 1 pair in 369 above 50); here
    median 12, 90th percentile 27, maximum 55, 0.16% above 50. A shared span
    is cut to the length of the span it replaces, so the length stays in
    120-250 words.
    """
    base = i - offset
    base_rng = random.Random(_mix(seed, base, 7))
    _root_title(base_rng, base, seed, vocab)
    theirs = _synthetic_spans(base_rng, vocab)
    mix = random.Random(_mix(seed, i, 8))
    share = 0.3 * mix.random() ** 3  # mostly a few phrases; now and then many
    out = []
    for k, span in enumerate(own):
        if mix.random() < share:
            words = span.split(b" ")
            shared = theirs[k * len(theirs) // len(own)].split(b" ")
            span = b" ".join((shared + words[len(shared):])[:len(words)])
        out.append(span)
    return out


def _finish_abstract(spans: list[bytes]) -> str:
    out = b" ".join(spans).decode()
    if out.count(" ") >= 250:
        out = " ".join(out.split(" ")[:250])
    out = out[0].upper() + out[1:]
    if out[-1] not in ".!?":
        out = out.rstrip(",;:") + "."
    return out


_FIRST_DAY = dt.date(2024, 1, 18)  # the real data's range: 2024-01-18 .. 2026-08-20
_DAYS = (dt.date(2026, 8, 20) - _FIRST_DAY).days


def synthetic_paper(i: int, seed: int = 0, vocabulary_source: Sequence[dict] | Vocabulary | None = None) -> dict:
    """Synthetic paper number i: the same dict for the same (i, seed) every time,
    so a corpus can regenerate a paper instead of holding it."""
    vocab = _vocabulary(vocabulary_source)
    rng = random.Random(_mix(seed, i, 7))
    title = _root_title(rng, i, seed, vocab)  # always drawn, so the abstract's draws never shift
    spans = _synthetic_spans(rng, vocab)
    offset = _sibling_offset(i, seed)
    if offset:
        title = _sibling_title(i, offset, seed, vocab)
        spans = _sibling_spans(i, offset, seed, vocab, spans)
    return {
        "key": f"syn:{i}",
        "title": title.compose(),
        "abstract": _finish_abstract(spans),
        "published": (_FIRST_DAY + dt.timedelta(days=int(rng.random() * _DAYS))).isoformat(),
        "upvotes": min(int(rng.lognormvariate(1.8, 1.0)), 500),
        "authors_count": 1 + int(rng.lognormvariate(1.6, 0.6)),
    }


def synthetic_papers(n: int, seed: int = 0,
                     vocabulary_source: Sequence[dict] | Vocabulary | None = None) -> list[dict]:
    """``n`` distinct new papers: unique titles, independent abstracts of
    120-250 words drawn from the real abstracts' phrases (default: the real
    papers of ``load_real_papers()``); about 4% are look-alike titles of a
    paper a few places earlier, with their own abstract."""
    vocab = _vocabulary(vocabulary_source)
    return [synthetic_paper(i, seed, vocab) for i in range(n)]


# ---------------------------------------------------------------------------
# Variants: one paper seen again


VARIANT_KINDS = (
    "truncated", "title_case", "punctuation", "latex", "html_entity", "typo",
    "renamed", "project_url", "sentence_revised", "whitespace", "upvotes",
)
_KIND_WEIGHTS = (3, 2, 2, 1, 1, 1.5, 1, 1.5, 2, 1.5, 3)
_REVISION_WORDS = ("significantly", "substantially", "notably", "consistently", "further", "efficient",
                   "effective", "simple", "novel", "robust", "scalable", "comprehensive", "extensive",
                   "strong", "competitive", "improved", "large-scale", "diverse", "challenging")
_ADDED_SENTENCES = (
    "Extensive experiments on {n} benchmarks confirm these findings.",
    "We also release a benchmark of {n}K examples to support future research.",
    "Our analysis further shows that the gains hold across model scales.",
    "Ablation studies verify the contribution of each component.",
    "These results hold on {n} additional datasets.",
)
_URL_TEMPLATES = (
    " Project page: https://{slug}.github.io/.",
    " Code is available at https://github.com/{user}/{slug}.",
    " Our code and models are publicly available at https://huggingface.co/{user}/{slug}.",
    " Project page: https://{user}.github.io/{slug}",
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_WORD_LETTERS = re.compile(r"[A-Za-z]{5,}")


def _vary_truncated(p: dict, rng: random.Random) -> bool:
    abstract = p["abstract"]
    cut = rng.randint(150, 400)
    if len(abstract) <= cut + 20:
        return False
    text = abstract[:cut]
    if rng.random() < 0.7 and " " in text:
        text = text[:text.rindex(" ")]
    p["abstract"] = text.rstrip(" ,;:") + rng.choice(("…", "…", "...", ""))
    return True


def _vary_title_case(p: dict, rng: random.Random) -> bool:
    title = p["title"]

    def one_part(t: str) -> str:
        parts = [m for m in re.finditer(r"(?<=-)[A-Za-z]", t)] or [m for m in re.finditer(r"\b[a-z]", t)]
        if not parts:
            return t
        m = rng.choice(parts)
        return t[:m.start()] + m[0].swapcase() + t[m.end():]

    options = [
        one_part,
        lambda t: re.sub(r"\b[a-z]", lambda m: m[0].upper(), t),  # Few-shot -> Few-Shot
        lambda t: t[:1] + re.sub(r"\b([A-Z])([a-z]+)\b", lambda m: m[0].lower(), t[1:]),  # sentence case
        str.lower,
    ]
    rng.shuffle(options)
    for change in options:
        new = change(title)
        if new != title:
            p["title"] = new
            return True
    return False


_PUNCTUATION = (("-", "\u2013"), ("'", "\u2019"), ("\u2019", "'"), ("\u2013", "-"), ("\u2014", " - "),
                (" - ", " \u2014 "), ("-", "\u2010"))


def _vary_punctuation(p: dict, rng: random.Random) -> bool:
    fields = ["title", "abstract"] if rng.random() < 0.6 else ["abstract", "title"]
    for name in fields:
        text = p[name]
        if '"' in text and rng.random() < 0.5:
            p[name] = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
            return p[name] != text
        choices = [pair for pair in _PUNCTUATION if pair[0] in text]
        if choices:
            old, new = rng.choice(choices)
            p[name] = text.replace(old, new)
            return True
    return False


def _vary_latex(p: dict, rng: random.Random) -> bool:
    title, abstract = p["title"], p["abstract"]
    head, colon, tail = title.partition(":")
    if colon and re.fullmatch(r"[A-Za-z]{3,}", head) and rng.random() < 0.6:
        first, rest = head[0], head[1:]
        # Real: `texttt{D}ual` (backslash lost) / `$\mathbf{\texttt{D}}$ual`.
        form = rng.choice((f"\\texttt{{{first}}}{rest}", f"$\\mathbf{{\\texttt{{{first}}}}}${rest}",
                           f"texttt{{{first}}}{rest}", f"\\textbf{{{head}}}", f"$\\textsc{{{head}}}$"))
        p["title"] = form + colon + tail
        return True
    if "&" in title and "\\&" not in title:
        p["title"] = title.replace("&", "\\&")
        return True
    options = []
    if "%" in abstract and "\\%" not in abstract:
        options.append(lambda a: a.replace("%", "\\%"))
    if re.search(r"\d(?:\.\d+)?x\b", abstract):
        options.append(lambda a: re.sub(r"(\d(?:\.\d+)?)x\b", r"\1$\\times$", a))
    if "~" in abstract:
        options.append(lambda a: a.replace("~", "$\\sim$"))
    names = re.findall(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b", abstract)
    if names:
        name = rng.choice(names)
        options.append(lambda a: a.replace(name, f"\\textbf{{{name}}}", 1))
    if not options:
        return False
    p["abstract"] = rng.choice(options)(abstract)
    return True


_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"))


def _vary_html_entity(p: dict, rng: random.Random) -> bool:
    fields = ["title", "abstract"] if rng.random() < 0.5 else ["abstract", "title"]
    for name in fields:
        text = p[name]
        choices = [pair for pair in _ENTITIES if pair[0] in text]
        if choices:
            old, new = rng.choice(choices)
            p[name] = text.replace(old, new)
            return True
    return False


def _vary_typo(p: dict, rng: random.Random) -> bool:
    title = p["title"]
    words = list(_WORD_LETTERS.finditer(title))
    if not words:
        return False
    m = rng.choice(words)
    w = m[0]
    k = rng.randint(1, len(w) - 2)
    op = rng.randrange(4)
    if op == 0 and w[k] != w[k + 1]:  # SVDQuant -> SVDQunat
        new = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    elif op == 1:
        new = w[:k] + w[k + 1:]
    elif op == 2:
        new = w[:k] + w[k] + w[k:]
    else:
        c = rng.choice([ch for ch in "aeioulnrst" if ch != w[k].lower()])
        new = w[:k] + (c.upper() if w[k].isupper() else c) + w[k + 1:]
    p["title"] = title[:m.start()] + new + title[m.end():]
    return new != w


_METHOD_NAME = re.compile(r"[A-Za-z][\w.+-]*(?: [\w.+-]+){0,2}")  # MantisScore, MM1.5, Medical SAM 2


def _vary_renamed(p: dict, rng: random.Random) -> bool:
    title = p["title"]
    head, colon, tail = title.partition(":")
    if not colon or len(head) > 30 or not _METHOD_NAME.fullmatch(head):
        return False
    # Keep the version (MM1.5 -> Pixo1.5): numbers in a title tell papers apart.
    digits = re.search(r"\d", head)
    new = _random_name(rng) + (head[digits.start():] if digits else "")
    if new.casefold() == head.casefold():
        return False
    # MantisScore: ... -> VideoScore: ..., in the abstract as well.
    p["title"] = new + colon + tail
    p["abstract"] = _replace_word(p["abstract"], head, new)
    return True


def _replace_word(text: str, old: str, new: str) -> str:
    """``old`` replaced where it stands as a word (not inside "Qwen2.5-VL").

    A plain loop: a regex built per title would be compiled for each call.

    >>> _replace_word("MM1 and MM1.5 beat xMM1", "MM1", "Pix")
    'Pix and MM1.5 beat xMM1'
    """
    out, start = [], 0
    while (at := text.find(old, start)) >= 0:
        end = at + len(old)
        before = text[at - 1] if at else " "
        after = text[end:end + 2]
        if not before.isalnum() and not (after[:1].isalnum() or (after[:1] == "." and after[1:].isalnum())):
            out += [text[start:at], new]
        else:
            out.append(text[start:end])
        start = end
    out.append(text[start:])
    return "".join(out)


def _vary_project_url(p: dict, rng: random.Random) -> bool:
    slug = re.sub(r"[^a-z0-9]+", "-", p["title"].split(":")[0].lower()).strip("-")[:24] or "project"
    user = "".join(rng.choice(_SYLLABLES) for _ in range(3))
    sentence = rng.choice(_URL_TEMPLATES).format(slug=slug, user=user)
    abstract = p["abstract"]
    parts = _SENTENCE_BREAK.split(abstract, maxsplit=1)
    if len(parts) == 2 and rng.random() < 0.15:
        p["abstract"] = parts[0] + sentence + " " + parts[1]
    else:
        p["abstract"] = abstract + sentence
    return True


def _vary_sentence_revised(p: dict, rng: random.Random) -> bool:
    sentences = _SENTENCE_BREAK.split(p["abstract"])
    k = rng.randrange(len(sentences))
    mode = rng.random()
    if mode < 0.2:  # a sentence added in a new arXiv version
        sentences.insert(k + 1, rng.choice(_ADDED_SENTENCES).format(n=rng.randint(3, 12)))
    elif mode < 0.35 and re.search(r"\d", sentences[k]):  # new numbers
        sentences[k] = re.sub(r"\d+", lambda m: str(int(m[0]) + rng.randint(1, 9)), sentences[k])
    else:  # a few words edited
        words = sentences[k].split(" ")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(words))
            op = rng.random()
            if op < 0.5:
                words[i] = rng.choice(_REVISION_WORDS)
            elif op < 0.8 or len(words) < 4:
                words.insert(i, rng.choice(_REVISION_WORDS))
            else:
                del words[i]
        sentences[k] = " ".join(words)
    new = " ".join(sentences)
    changed = new != p["abstract"]
    p["abstract"] = new
    return changed


def _vary_whitespace(p: dict, rng: random.Random) -> bool:
    names = rng.choice((["title"], ["abstract"], ["title", "abstract"]))
    for name in names:
        text = p[name]
        # The space after 1-3 random places (not a list of every space: abstracts are long).
        gaps = {text.find(" ", rng.randrange(len(text))) for _ in range(rng.randint(1, 3))} - {-1}
        if not gaps:
            text += " "
        else:
            space = rng.choice(("  ", "\u00a0", " \u00a0", "\u2009", "   "))
            for at in sorted(gaps, reverse=True):
                text = text[:at] + space + text[at + 1:]
        if rng.random() < 0.3:
            text += rng.choice(("  ", "\u00a0"))
        p[name] = text
    return True


def _vary_upvotes(p: dict, rng: random.Random) -> bool:
    p["upvotes"] = (p.get("upvotes") or 0) + rng.randint(1, 60)
    return True


_VARY = {kind: globals()[f"_vary_{kind}"] for kind in VARIANT_KINDS}


def make_variant(paper: dict, rng: random.Random, kinds: Sequence[str] | None = None) -> dict:
    """A re-sighting of ``paper``: a copy with one or two (rarely three) of the
    real variations of SOURCE.md, listed in its ``variant``.

    With ``kinds``, apply those; one that does not fit this paper (``renamed``
    for a title without a colon) is left out of ``variant``.
    """
    p = dict(paper)
    p.pop("variant", None)
    # A card is cut from the abstract as it then is (URL added, sentence
    # revised): nothing can follow the cut, so truncation comes last.
    if kinds is not None:
        applied = [kind for kind in sorted(kinds, key=lambda k: k == "truncated") if _VARY[kind](p, rng)]
    else:
        want = rng.choices((1, 2, 3), weights=(60, 35, 5))[0]
        pool = dict(zip(VARIANT_KINDS, _KIND_WEIGHTS))
        applied, truncate = [], False
        while len(applied) + truncate < want and pool:
            kind = rng.choices(list(pool), weights=list(pool.values()))[0]
            del pool[kind]
            if kind == "truncated":
                truncate = True
            elif _VARY[kind](p, rng):
                applied.append(kind)
        if truncate and _vary_truncated(p, rng):
            applied.append("truncated")
    p["variant"] = applied
    return p


# ---------------------------------------------------------------------------
# A corpus on disk


@dataclass
class Truth:
    """What ``generate_corpus`` wrote; the per-sighting truth is in truth.jsonl."""

    out_dir: Path
    dumps: int = 0
    sightings: int = 0
    papers: int = 0
    real_papers: int = 0
    synthetic_papers: int = 0
    repeats: int = 0
    layouts: Counter = field(default_factory=Counter)
    variants: Counter = field(default_factory=Counter)  # kind -> sightings; "exact" = unchanged text

    @property
    def truth_path(self) -> Path:
        return self.out_dir / "truth.jsonl"


_LAYOUT_WEIGHTS = {TRENDING: 2, DAILY_META: 2, DAILY_PLAIN: 1}


def generate_corpus(out_dir: str | Path, n_papers: int, repeat_share: float = 0.4,
                    papers_per_dump: tuple[int, int] = (25, 120), seed: int = 0, *,
                    real_papers: Sequence[dict] | None = None, exact_share: float = 0.3,
                    layouts: dict[str, float] | None = None) -> Truth:
    """Write dump files with ``n_papers`` distinct papers (real ones first,
    then synthetic) where ``repeat_share`` of all sightings are re-sightings of
    an earlier paper: the same page, the last few hundred papers, or any
    earlier one. A re-sighting is the paper unchanged (``exact_share`` of
    them) or a ``make_variant``.

    Files: ``NNNN_xxxx.txt`` dumps in mixed layouts; ``truth.jsonl``, one line
    per sighting in file order, ``{"file", "line", "key", "variant"}`` where
    ``line`` is the 1-based line of the title as the parser reports it;
    ``pages.jsonl``, one line per dump, ``{"file", "layout", "page_date",
    "papers"}`` (pass ``page_date`` to the parser so years resolve).

    Streams: holds one page at a time and regenerates synthetic papers from
    their number when they come round again.
    """
    if not 0 <= repeat_share < 1:
        raise ValueError("repeat_share must be in [0, 1)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    real_source = load_real_papers() if real_papers is None else list(real_papers)
    real = list(real_source)
    rng.shuffle(real)
    real = real[:n_papers]
    n_real = len(real)
    vocab = Vocabulary(real_source)
    total = round(n_papers / (1 - repeat_share))
    repeats_left = total - n_papers
    weights = layouts or _LAYOUT_WEIGHTS
    layout_names, layout_weights = list(weights), list(weights.values())
    width = max(4, len(str(total // max(1, papers_per_dump[0]) + 1)))
    truth = Truth(out_dir=out_dir, papers=n_papers, real_papers=n_real, synthetic_papers=n_papers - n_real)
    cache: dict[int, dict] = {}
    recent: deque[int] = deque(maxlen=512)

    def paper(i: int) -> dict:
        if i < n_real:
            return real[i]
        p = cache.get(i)
        if p is None:
            if len(cache) > 4096:
                cache.clear()
            p = cache[i] = synthetic_paper(i - n_real, seed, vocab)
        return p

    next_new = 0
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as truth_file, \
            open(out_dir / "pages.jsonl", "w", encoding="utf-8") as pages_file:
        while next_new < n_papers or repeats_left > 0:
            size = min(rng.randint(*papers_per_dump), n_papers - next_new + repeats_left)
            layout = rng.choices(layout_names, layout_weights)[0]
            page: list[dict] = []
            on_page: list[int] = []
            for _ in range(size):
                new_left = n_papers - next_new
                if new_left and (next_new == 0 or rng.random() * (new_left + repeats_left) < new_left):
                    i = next_new
                    next_new += 1
                    p = dict(paper(i), variant=[])
                    recent.append(i)
                else:
                    r = rng.random()
                    if r < 0.15 and on_page:
                        i = rng.choice(on_page)
                    elif r < 0.6:
                        i = rng.choice(recent)
                    else:
                        i = rng.randrange(next_new)
                    repeats_left -= 1
                    truth.repeats += 1
                    if rng.random() < exact_share:
                        p = dict(paper(i), variant=["exact"])
                    else:
                        p = make_variant(paper(i), rng)
                        if not p["variant"]:
                            p["variant"] = ["exact"]
                    truth.variants.update(p["variant"])
                page.append(p)
                on_page.append(i)
            latest = max((p["published"] for p in page if p.get("published")), default=_FIRST_DAY.isoformat())
            page_date = dt.date.fromisoformat(latest) + dt.timedelta(days=rng.randint(0, 3))
            name = f"{truth.dumps:0{width}d}_{rng.getrandbits(16):04x}.txt"
            lines, title_lines = _render_lines(layout, page, page_date)
            (out_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            truth_file.write("".join(
                f'{{"file": "{name}", "line": {ln}, "key": {json.dumps(p["key"])}, "variant": {_json_list(p["variant"])}}}\n'
                for ln, p in zip(title_lines, page)))
            pages_file.write(json.dumps({"file": name, "layout": layout, "page_date": page_date.isoformat(),
                                         "papers": len(page)}) + "\n")
            truth.dumps += 1
            truth.sightings += len(page)
            truth.layouts[layout] += 1
    return truth


_JSON_LISTS: dict[tuple[str, ...], str] = {}


def _json_list(kinds: list[str]) -> str:
    key = tuple(kinds)
    text = _JSON_LISTS.get(key)
    if text is None:
        text = _JSON_LISTS[key] = json.dumps(kinds)
    return text


def read_truth(out_dir: str | Path) -> Iterator[dict]:
    """The truth.jsonl records of a corpus, in file order."""
    with open(Path(out_dir) / "truth.jsonl", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def read_pages(out_dir: str | Path) -> Iterator[dict]:
    """The pages.jsonl records of a corpus: file, layout, page_date, papers."""
    with open(Path(out_dir) / "pages.jsonl", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


# ---------------------------------------------------------------------------
# Measuring


def _pairs(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def pair_metrics(predicted: Sequence[int], truth: Sequence[str]) -> dict:
    """Pairwise precision and recall of a clustering against the true keys,
    counted from cluster sizes (linear, not over all pairs).

    ``false_merges``: pairs of sightings put together that are different
    papers; ``missed``: pairs of one paper left apart.

    >>> pair_metrics([0, 0, 2, 2], ["a", "a", "a", "b"])
    {'precision': 0.5, 'recall': 0.3333333333333333, 'false_merges': 1, 'missed': 2, 'pairs': 2, 'true_pairs': 3}
    """
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predictions for {len(truth)} sightings")
    predicted_pairs = _pairs(Counter(predicted))
    true_pairs = _pairs(Counter(truth))
    together = _pairs(Counter(zip(predicted, truth)))
    return {
        "precision": together / predicted_pairs if predicted_pairs else 1.0,
        "recall": together / true_pairs if true_pairs else 1.0,
        "false_merges": predicted_pairs - together,
        "missed": true_pairs - together,
        "pairs": predicted_pairs,
        "true_pairs": true_pairs,
    }


def find_pair_errors(predicted: Sequence[int], truth: Sequence[str], limit: int = 10) -> dict[str, list[tuple[int, int]]]:
    """Examples (pairs of sighting indexes) of false merges and missed pairs,
    at most ``limit`` of each, for a readable failure message.

    >>> find_pair_errors([0, 0, 0, 3, 0], ["a", "a", "a", "b", "b"])
    {'false_merges': [(0, 4)], 'missed': [(3, 4)]}
    """
    false_merges: list[tuple[int, int]] = []
    first_of_key: dict[tuple[int, str], int] = {}
    first_of_cluster: dict[int, tuple[int, str]] = {}
    for i, (c, k) in enumerate(zip(predicted, truth)):
        first_of_key.setdefault((c, k), i)
        seen = first_of_cluster.setdefault(c, (i, k))
        if seen[1] != k and len(false_merges) < limit and first_of_key[(c, k)] == i:
            false_merges.append((seen[0], i))
    missed: list[tuple[int, int]] = []
    first_cluster_of_key: dict[str, tuple[int, int]] = {}
    reported: set[tuple[str, int]] = set()
    for i, (c, k) in enumerate(zip(predicted, truth)):
        seen = first_cluster_of_key.setdefault(k, (i, c))
        if seen[1] != c and (k, c) not in reported and len(missed) < limit:
            reported.add((k, c))
            missed.append((seen[0], i))
    return {"false_merges": false_merges, "missed": missed}
