"""Harder real variation for the deduplicator (issue 11), labelled by kind.

``corpus.py`` makes the everyday re-sightings (a typo, a card, a URL). This
module adds the kinds the issue lists, each a function of one paper and a
random generator, and the look-alikes that must stay apart:

join kinds (a re-sighting that must merge with its paper):

- ``subtitle_rewritten``: ``Name: Subtitle`` -> ``Name: Another Subtitle``, abstract kept;
- ``subtitle_added``: a subtitle added to a title without one, or dropped from one that had it;
- ``sentences_revised``: two sentences of the abstract revised (words replaced, added, dropped);
- ``note_before`` / ``note_after``: an acceptance note or a code link before / after the abstract;
- ``truncated_revised``: a truncated card of a revised abstract;
- ``card_renamed``: a card of a renamed method (name changed in title and abstract, subtitle kept);
- ``typography``: copy-paste typography on title and abstract together (curly quotes, dashes,
  non-breaking and zero-width spaces, ligatures, ``&amp;``);
- ``abbreviation``: a run of title words swapped for its abbreviation (``Large Language Models`` /
  ``LLMs``), or the reverse.

apart kinds (a different paper that must not merge with the one it imitates):

- ``same_title_unrelated``: the exact title over an unrelated abstract;
- ``numbered_sequel``: the title's number changed or added, the abstract a near copy;
- ``shared_opening``: the first sentence of the abstract and the first words of the title shared.

``build(papers, fresh, seed)`` returns records (title, abstract, key, kind) in
an order that mixes them, and ``per_kind(records, predicted)`` the pairwise
precision and recall of each kind. Standard library only.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from typing import Callable, Sequence

JOIN_KINDS = ("subtitle_rewritten", "subtitle_added", "sentences_revised", "note_before", "note_after",
              "truncated_revised", "card_renamed", "typography", "abbreviation")
APART_KINDS = ("same_title_unrelated", "numbered_sequel", "shared_opening")
KINDS = JOIN_KINDS + APART_KINDS

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_WORDS_FOR_REVISION = ("significantly", "substantially", "notably", "consistently", "further", "novel",
                       "robust", "scalable", "comprehensive", "extensive", "strong", "simple", "diverse",
                       "challenging", "efficient", "effective", "improved", "large-scale")
_NOTES = (
    "Accepted at ICLR 2025.", "Accepted to NeurIPS 2024 (Spotlight).", "Accepted by CVPR 2025.",
    "To appear in ACL 2025 (main conference).", "Published as a conference paper at COLM 2024.",
    "Code: https://github.com/{user}/{slug}", "Project page: https://{slug}.github.io/",
    "Code and models are available at https://github.com/{user}/{slug}.", "Work in progress.",
    "Technical report, 32 pages, 12 figures.",
)
_SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
_ABBREVIATIONS = {  # for the reverse direction: an abbreviation spelled out
    "LLMs": "Large Language Models", "LLM": "Large Language Model", "VLMs": "Vision-Language Models",
    "VLM": "Vision-Language Model", "MLLMs": "Multimodal Large Language Models", "RL": "Reinforcement Learning",
    "MoE": "Mixture of Experts", "LMs": "Language Models", "GNNs": "Graph Neural Networks",
    "ViT": "Vision Transformer", "RAG": "Retrieval-Augmented Generation", "MLP": "Multi-Layer Perceptron",
}
_SMALL = {"of", "for", "and", "the", "a", "an", "in", "on", "to", "with", "via"}


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _sentences(text: str) -> list[str]:
    return _SENTENCE.split(text)


def _revise(sentence: str, rng: random.Random, edits: int) -> str:
    words = sentence.split(" ")
    for _ in range(edits):
        i = rng.randrange(len(words))
        op = rng.random()
        if op < 0.5:
            words[i] = rng.choice(_WORDS_FOR_REVISION)
        elif op < 0.8 or len(words) < 5:
            words.insert(i, rng.choice(_WORDS_FOR_REVISION))
        else:
            del words[i]
    return " ".join(words)


def _truncate(abstract: str, rng: random.Random) -> str | None:
    cut = rng.randint(150, 400)
    if len(abstract) <= cut + 20:
        return None
    text = abstract[:cut]
    if rng.random() < 0.7 and " " in text:
        text = text[:text.rindex(" ")]
    return text.rstrip(" ,;:") + rng.choice(("…", "…", "...", ""))


# -- join kinds ------------------------------------------------------------------

def _subtitle_rewritten(p: dict, rng: random.Random, donor: dict) -> dict | None:
    head, colon, tail = p["title"].partition(":")
    _, dcolon, dtail = donor["title"].partition(":")
    if not colon or not dcolon or not head.strip() or dtail.strip().casefold() == tail.strip().casefold():
        return None
    return dict(p, title=f"{head}:{dtail}")


def _subtitle_added(p: dict, rng: random.Random, donor: dict) -> dict | None:
    head, colon, tail = p["title"].partition(":")
    if colon:
        if len(head.split()) < 1 or not head.strip():
            return None
        return dict(p, title=head.strip())  # the earlier version had no subtitle
    _, dcolon, dtail = donor["title"].partition(":")
    phrase = dtail.strip() if dcolon else donor["title"]
    return dict(p, title=f"{p['title']}: {phrase}")


def _sentences_revised(p: dict, rng: random.Random, donor: dict) -> dict | None:
    sentences = _sentences(p["abstract"])
    if len(sentences) < 3:
        return None
    for k in rng.sample(range(len(sentences)), 2):
        sentences[k] = _revise(sentences[k], rng, rng.randint(2, 5))
    return dict(p, abstract=" ".join(sentences))


def _note(p: dict, rng: random.Random) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", p["title"].split(":")[0].lower()).strip("-")[:20] or "project"
    return rng.choice(_NOTES).format(user=_name(rng).lower(), slug=slug)


def _note_before(p: dict, rng: random.Random, donor: dict) -> dict | None:
    return dict(p, abstract=f"{_note(p, rng)} {p['abstract']}")


def _note_after(p: dict, rng: random.Random, donor: dict) -> dict | None:
    return dict(p, abstract=f"{p['abstract']} {_note(p, rng)}")


def _truncated_revised(p: dict, rng: random.Random, donor: dict) -> dict | None:
    sentences = _sentences(p["abstract"])
    k = rng.randrange(min(2, len(sentences)))  # a revision the card shows
    sentences[k] = _revise(sentences[k], rng, rng.randint(1, 3))
    card = _truncate(" ".join(sentences), rng)
    return dict(p, abstract=card) if card else None


def _card_renamed(p: dict, rng: random.Random, donor: dict) -> dict | None:
    head, colon, tail = p["title"].partition(":")
    if not colon or len(head) > 30 or len(re.findall(r"\w+", tail)) < 3:  # a subtitle that says something
        return None
    digits = re.search(r"\d", head)
    new = _name(rng) + (head[digits.start():] if digits else "")
    if new.casefold() == head.casefold():
        return None
    card = _truncate(p["abstract"].replace(head, new), rng)
    return dict(p, title=new + colon + tail, abstract=card) if card else None


_LIGATURES = (("fi", "\ufb01"), ("fl", "\ufb02"), ("ff", "\ufb00"), ("ffi", "\ufb03"))


def _typographic(text: str, rng: random.Random) -> str:
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    text = text.replace("'", "\u2019").replace(" - ", " \u2014 ").replace("&", "&amp;")
    text = re.sub(r"(?<=\w)-(?=\w)", lambda m: rng.choice(("-", "\u2010", "\u2011")), text)
    for old, new in rng.sample(_LIGATURES, 2):
        text = text.replace(old, new)
    spaces = [m.start() for m in re.finditer(" ", text)]
    for at in sorted(rng.sample(spaces, min(len(spaces), rng.randint(1, 4))), reverse=True):
        text = text[:at] + rng.choice(("\u00a0", " \u200b", "\u2009", "  ")) + text[at + 1:]
    words = [m.end() for m in re.finditer(r"\w{6,}", text)]
    for at in sorted(rng.sample(words, min(len(words), 2)), reverse=True):
        text = text[:at - 3] + "\u200b" + text[at - 3:]  # a zero-width space inside a word
    return text


def _typography(p: dict, rng: random.Random, donor: dict) -> dict | None:
    return dict(p, title=_typographic(p["title"], rng), abstract=_typographic(p["abstract"], rng))


def _abbreviation(p: dict, rng: random.Random, donor: dict) -> dict | None:
    title = p["title"]
    for short, long in _ABBREVIATIONS.items():
        if re.search(rf"\b{re.escape(short)}\b", title) and rng.random() < 0.5:
            return dict(p, title=re.sub(rf"\b{re.escape(short)}\b", long, title, count=1))
    # A run of two to four capitalised words (hyphens split them) becomes its initials.
    tokens = list(re.finditer(r"(?<![A-Za-z])[A-Z][a-z]+(?:-[A-Z][a-z]+)*(?![A-Za-z])", title))
    runs = []
    for i in range(len(tokens)):
        for j in range(i + 1, min(i + 4, len(tokens))):
            between = title[tokens[i].start():tokens[j].end()]
            if re.fullmatch(r"[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*", between) and between.count(" ") == j - i:
                parts = re.split(r"[- ]", between)
                if 2 <= len(parts) <= 4:
                    runs.append((tokens[i].start(), tokens[j].end(), parts))
    if not runs:
        return None
    start, end, parts = rng.choice(runs)
    abbr = "".join(w[0] for w in parts).upper() + ("s" if parts[-1].endswith("s") and len(parts[-1]) > 3 else "")
    return dict(p, title=title[:start] + abbr + title[end:])


# -- apart kinds ------------------------------------------------------------------

def _same_title_unrelated(p: dict, rng: random.Random, donor: dict) -> dict | None:
    return dict(p, abstract=donor["abstract"])


def _numbered_sequel(p: dict, rng: random.Random, donor: dict) -> dict | None:
    title = p["title"]
    head, colon, tail = title.partition(":")
    m = re.search(r"(\d+)(?!.*\d)", head if colon else title)
    if m:
        new_head = (head if colon else title)
        number = str(int(m[1]) + rng.randint(1, 3))
        new_head = new_head[:m.start()] + number + new_head[m.end():]
        old_name, new_name = (head if colon else title)[:m.end()], new_head[:m.start() + len(number)]
    else:
        base = head if colon else title
        suffix = rng.choice((" 2", "-2", "2", " II", " 3", "-V2"))
        new_head = base.rstrip() + suffix
        old_name, new_name = base.rstrip(), new_head
    new_title = new_head + colon + tail if colon else new_head
    sentences = _sentences(p["abstract"].replace(old_name, new_name) if len(old_name) > 3 else p["abstract"])
    k = rng.randrange(len(sentences))
    sentences[k] = _revise(sentences[k], rng, 2)
    return dict(p, title=new_title, abstract=" ".join(sentences))


def _shared_opening(p: dict, rng: random.Random, donor: dict) -> dict | None:
    first = _sentences(p["abstract"])[0]
    rest = _sentences(donor["abstract"])[1:]
    words = [w for w in p["title"].replace(":", " ").split()]
    if len(words) < 3 or not rest:
        return None
    keep = rng.randint(2, min(4, len(words) - 1))
    theirs = [w for w in donor["title"].replace(":", " ").split() if w.casefold() not in _SMALL] or ["Models"]
    title = " ".join(words[:keep] + ["for"] + theirs[:rng.randint(2, 4)])
    return dict(p, title=title, abstract=" ".join([first] + rest))


MAKERS: dict[str, Callable[[dict, random.Random, dict], dict | None]] = {
    kind: globals()[f"_{kind}"] for kind in KINDS}


def make(kind: str, paper: dict, rng: random.Random, donor: dict) -> dict | None:
    """One record of ``kind`` made from ``paper`` (``donor``: another paper's
    text, where a kind needs some); None when the kind does not fit the paper."""
    out = MAKERS[kind](dict(paper), rng, donor)
    if out is None or (out["title"], out["abstract"]) == (paper["title"], paper["abstract"]):
        return None
    out["kind"] = kind
    if kind in APART_KINDS:
        out["key"] = f"{paper['key']}/{kind}"
    return out


def build(papers: Sequence[dict], fresh: Sequence[dict], seed: int = 0, per_kind: int = 200) -> list[dict]:
    """Records: every paper of ``papers`` once (kind ``original``), then up to
    ``per_kind`` records of each kind, shuffled in after their paper.

    ``fresh``: papers not in ``papers`` whose text the kinds borrow (another
    subtitle, an unrelated abstract, another paper's sentences), so that no
    borrowed text is itself in the corpus.
    """
    rng = random.Random(seed)
    records = [dict(p, kind="original") for p in papers]
    extra: list[tuple[int, dict]] = []
    donors = list(range(len(fresh)))
    rng.shuffle(donors)  # each borrowed text is used once: two records never share one by chance
    for kind in KINDS:
        order = list(range(len(papers)))
        rng.shuffle(order)
        made = 0
        for i in order:
            if made >= per_kind or not donors:
                break
            out = make(kind, papers[i], rng, fresh[donors[-1]])
            if out is not None:
                donors.pop()
                extra.append((i, out))
                made += 1
            else:  # this donor may not fit the kind (no subtitle to borrow): try the next one
                donors.insert(0, donors.pop())
    rng.shuffle(extra)
    # Each record comes after its paper (a re-sighting is seen later); half of
    # them far later, half soon after.
    slots: dict[int, list[dict]] = defaultdict(list)
    for i, out in extra:
        at = i if rng.random() < 0.5 else rng.randrange(i, len(papers))
        slots[at].append(out)
    mixed: list[dict] = []
    for i, r in enumerate(records):
        mixed.append(r)
        mixed.extend(slots.get(i, ()))
    return mixed


def per_kind(records: Sequence[dict], predicted: Sequence[int]) -> dict[str, dict]:
    """Per kind: precision (of the pairs the deduplicator made with a record of
    this kind, the share that are one paper) and recall (the share of this
    kind's records put with their paper's first sighting; None for the apart
    kinds, which must only stay apart).
    """
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(predicted):
        members[c].append(i)
    first: dict[str, int] = {}
    for i, r in enumerate(records):
        first.setdefault(r["key"], i)
    counts: dict[str, Counter] = defaultdict(Counter)
    for i, r in enumerate(records):
        if r["kind"] == "original":
            continue
        c = counts[r["kind"]]
        c["records"] += 1
        mates = [j for j in members[predicted[i]] if j != i]
        c["predicted_pairs"] += len(mates)
        c["false_merges"] += sum(1 for j in mates if records[j]["key"] != r["key"])
        if first[r["key"]] != i:
            c["joins"] += 1
            c["found"] += predicted[first[r["key"]]] == predicted[i]
    return {kind: {"records": c["records"],
                   "precision": 1 - c["false_merges"] / c["predicted_pairs"] if c["predicted_pairs"] else 1.0,
                   "recall": c["found"] / c["joins"] if c["joins"] else None,
                   "false_merges": c["false_merges"], "missed": c["joins"] - c["found"]}
            for kind, c in counts.items()}


def examples(records: Sequence[dict], predicted: Sequence[int], kind: str, limit: int = 5) -> list[str]:
    """Readable failures of one kind: missed joins and false merges."""
    first: dict[str, int] = {}
    for i, r in enumerate(records):
        first.setdefault(r["key"], i)
    lines = []
    for i, r in enumerate(records):
        if r["kind"] != kind or len(lines) >= limit:
            continue
        j = first[r["key"]]
        wrong = [k for k, c in enumerate(predicted) if c == predicted[i] and records[k]["key"] != r["key"]]
        if (kind in JOIN_KINDS and predicted[i] != predicted[j]) or wrong:
            other = records[wrong[0]] if wrong else records[j]
            lines.append(f"  {r['title'][:90]!r}\n    {r['abstract'][:140]!r}\n  vs {other['title'][:90]!r}\n"
                         f"    {other['abstract'][:140]!r}")
    return lines
