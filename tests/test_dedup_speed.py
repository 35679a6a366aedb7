"""Dedup made faster (issue 16) decides exactly as before: blocking keys are
stored in every library, so a change to how they are computed would leave
old papers unfound; scores on code-point strings equal scores on word lists."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from papertriage import dedup

KAN = ("KAN: Kolmogorov-Arnold Networks",
       "Inspired by the Kolmogorov-Arnold representation theorem, we propose Kolmogorov-Arnold Networks (KANs)"
       " as promising alternatives to Multi-Layer Perceptrons (MLPs). While MLPs have fixed activation functions"
       ' on nodes ("neurons"), KANs have learnable activation functions on edges ("weights"). KANs have no'
       " linear weights at all -- every weight parameter is replaced by a univariate function parametrized as a"
       " spline. We show that this seemingly simple change makes KANs outperform MLPs.")
LLANA = ("Scaling $\\mathbf{LLaNA}$: Large Language &amp; NeRF Assistant",
         "We present LLaNA\u2014the first general-purpose NeRF-language assistant. It is capable of performing new"
         " tasks such as NeRF captioning and Q&amp;A. We also build a dataset of NeRFs with text annotations for"
         " various NeRF-language tasks with no human intervention. Based on this dataset, we develop a benchmark"
         " to evaluate the NeRF understanding capability of our method.")


@pytest.mark.parametrize("record, keys", [
    (KAN, [-1705778372, -819951112, 312271125, 874221868, 919255795, 1807919884, 2042777071]),
    (LLANA, [-2102840862, -1576193705, -1564671015, -599249779, 70997673, 534345451, 1917422285]),
], ids=["plain-ascii", "latex-entities-unicode"])
def test_blocking_keys_are_the_ones_libraries_already_store(record, keys):
    assert sorted(dedup.fingerprint(*record).keys()) == keys


def test_code_point_words_score_like_word_lists():
    a = dedup.fingerprint(*KAN)
    b = dedup.fingerprint(KAN[0], KAN[1][:250] + " Code at https://example.org/kan.")
    by_codes = dedup.abstract_similarity(a.abstract_codes, b.abstract_codes)
    by_words = dedup.abstract_similarity(a.abstract_words, b.abstract_words)
    assert by_codes is not None and by_codes == by_words


def test_an_identical_record_goes_where_its_twin_went():
    other = ("Kolmogorov-Arnold Transformer", "We replace the MLP layers of transformers with KAN layers.")
    assert dedup.cluster([KAN, other, KAN, other, KAN]) == [0, 1, 0, 1, 0]


def test_a_kept_fingerprint_is_the_fresh_one_and_few_are_kept(monkeypatch):
    monkeypatch.setattr(dedup, "RECENT_FINGERPRINTS", 2)
    monkeypatch.setattr(dedup, "_recent", OrderedDict())
    other = ("Kolmogorov-Arnold Transformer", "We replace the MLP layers of transformers with KAN layers.")
    for record in (KAN, LLANA, other, LLANA):
        kept = dedup.recent_fingerprint(*record)
        fresh = dedup.fingerprint(*record)
        assert (kept.title, kept.keys(), kept.abstract_codes) == (fresh.title, fresh.keys(), fresh.abstract_codes)
    assert list(dedup._recent) == [other, LLANA]  # the two used last


@pytest.mark.parametrize("text", [
    "\u201cQuoted\u201d \u2014 dashed\u2026 \u2022 bullet \u2192 arrow \u00d7 times",
    "\u00dcber-gro\u00dfe Modelle, na\u00efve \u03c3-algebra \u03a3 \ufb01ne \u2460 \u00b2",
    "soft\u00adhyphen zero\u200bwidth \u00a0nbsp\u3000ideographic\u3001comma",
    "in\u00adv\u200bi\u200cs\u200di\u2060b\ufeffle \u00e9t\u00e9 in\ufeff every\u2060 word\u200d",
], ids=["punctuation-only", "letters-outside-ascii", "invisible-and-spaces", "each-invisible-character"])
def test_words_of_unicode_text_are_the_word_regex_over_the_case_folded_text(text):
    import re
    import unicodedata

    visible = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    expected = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", visible).casefold())
    assert dedup.words(text) == expected


def test_keys_of_plain_text_are_the_keys_of_the_general_path():
    # Plain ASCII abstracts take a faster path (sentence cuts found with bytes.find in a
    # copy of the text reduced to character classes); any text also takes the general one.
    import random

    rng = random.Random(16)
    pieces = ["we", "propose", "Model", "data", "x1", "GPT-4", "e.g.", "(see", "it)", ",", ";", ":", "--",
              ".", "!", "?", "...", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "'s", '"q"']
    weights = [8, 8, 8, 8, 4, 4, 2, 2, 2, 3, 1, 1, 1, 4, 1, 1, 1, 30, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1]
    checked = 0
    for n in range(400):
        text = "".join(rng.choices(pieces, weights, k=rng.randrange(0, 500)))
        fp = dedup.fingerprint("A Study of Large Models: Scaling Laws Again" if n % 2 else "Short", text)
        head = fp._abstract[:dedup.ABSTRACT_SENTENCE_CHARS]
        assert dedup._plain(head)
        assert fp._plain_keys(head) == fp._keys(head), repr(text)
        checked += len(fp._keys(head)) > 4
    assert checked > 100  # most texts carry sentence keys, not only the title's


def test_a_kept_abstract_encoding_is_the_fresh_one_and_few_are_kept(monkeypatch):
    monkeypatch.setattr(dedup, "RECENT_FINGERPRINTS", 2)
    monkeypatch.setattr(dedup, "_codes_kept", OrderedDict())
    retitled = ("KANs: Kolmogorov-Arnold Networks", KAN[1])
    other = ("Kolmogorov-Arnold Transformer", "We replace the MLP layers of transformers with KAN layers.")
    for record in (KAN, LLANA, retitled, other, LLANA):
        kept = dedup.fingerprint(*record).abstract_codes
        assert kept is not None and kept == dedup._encode(
            [w.encode() for w in dedup.fingerprint(*record).abstract_words])
    assert list(dedup._codes_kept) == [dedup.fingerprint(*other)._abstract, dedup.fingerprint(*LLANA)._abstract]


@pytest.mark.parametrize("enabled", [True, False])
def test_clustering_leaves_the_garbage_collector_as_it_found_it(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert dedup.cluster([KAN, LLANA, KAN]) == [0, 1, 0]
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_after_clustering_nothing_stays_frozen_and_a_programs_own_frozen_objects_stay_frozen():
    import gc

    was = gc.isenabled()
    gc.enable()
    try:
        gc.unfreeze()
        assert dedup.cluster([KAN, LLANA, KAN]) == [0, 1, 0]
        assert gc.isenabled() and gc.get_freeze_count() == 0
        kept = [[n] for n in range(1000)]
        gc.freeze()  # a program (a forking server, say) that froze its own objects
        assert dedup.cluster([KAN, LLANA]) == [0, 1]
        assert gc.isenabled() and gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_a_record_filed_with_the_buckets_it_looked_up_is_filed_as_add_files_it():
    keys = [{1, 2, 3}, {2, 3, 4}, {4, 5}, {1, 5, 6}]
    looked, plain = dedup.BlockIndex(), dedup.BlockIndex()
    for item, record_keys in enumerate(keys):
        for handle in (item, 0):  # a new paper, then a join to the first
            candidates, buckets = looked.lookup(record_keys)
            assert candidates == plain.candidates(record_keys)
            assert looked.add_found(handle, record_keys, buckets) == plain.add(handle, record_keys)
    assert looked._by_key == plain._by_key


def _two_distances(a: str, b: str) -> dedup.AbstractMatch:
    """abstract_similarity as it was first written: whole against whole, then the card's opening."""
    from rapidfuzz.distance import Indel

    short, long = (a, b) if len(a) <= len(b) else (b, a)
    full = Indel.normalized_similarity(a, b) * 100
    opening = long[:len(short) + max(dedup.CARD_SLACK_WORDS, len(short) // 3)]
    common = (len(short) + len(opening) - Indel.distance(short, opening)) / 2
    return dedup.AbstractMatch(full, common / len(short) * 100, len(short))


def test_abstracts_of_similar_length_score_with_one_distance_exactly_as_with_two():
    import random

    rng = random.Random(16)
    alphabet = "abcdefghij\u00e9\u4e00\U0001f600"  # words as code points, some past the BMP
    for _ in range(3000):
        a = "".join(rng.choices(alphabet, k=rng.randint(1, 120)))
        b = list(a)
        for _ in range(rng.randint(0, 40)):  # an edited copy: near, or as far as unrelated
            i = rng.randint(0, len(b))
            if b and rng.random() < 0.5:
                del b[min(i, len(b) - 1)]
            else:
                b.insert(i, rng.choice(alphabet))
        b = "".join(b) or "x"
        assert dedup.abstract_similarity(a, b) == _two_distances(a, b)  # the same floats, bit for bit


def test_a_title_of_letters_only_has_no_number_and_other_titles_have_the_digit_runs():
    import re
    import sys

    digits = re.compile(r"\d")
    assert not any(c.isalpha() and digits.match(c) for c in map(chr, range(sys.maxunicode + 1)))
    for title in ["kolmogorov arnold networks", "qwen2 5 vl", "gpt 4o", "part ii of a survey", "\u0661\u0662 arabic",
                  "mm1 5 methods", "", "\u00e9t\u00e9 \u03c3 algebra", "llama \u2168"]:
        expected = tuple(re.findall(r"\d+", title)) + tuple(w for w in title.split() if w in dedup._ROMAN)
        assert dedup._title_numbers(title) == expected, title


def test_latex_is_stripped_as_when_the_bare_wrapper_regex_ran_on_every_text_with_a_brace(monkeypatch):
    import random

    rng = random.Random(3)
    pieces = ["texttt{", "textbf{", "mathbf{", "\\mathbf{", "\\texttt{", "boldsymbol{", "operatorname{", "emph{",
              "text{", "\\text {", "{", "}", "D", "ual", " ", "$", "\\cdot", "xtexttt{", "Texttt{", "math", "bf{"]
    texts = ["".join(rng.choices(pieces, k=rng.randint(1, 12))) for _ in range(3000)]
    fast = [dedup._strip_latex(text, latex) for text in texts for latex in (None, True, False)]
    monkeypatch.setattr(dedup, "_BARE_OPENINGS", ("{",))  # every text with a brace goes through the regex
    assert fast == [dedup._strip_latex(text, latex) for text in texts for latex in (None, True, False)]


def test_the_first_sentences_are_cut_where_the_sentence_regex_cuts():
    import random

    rng = random.Random(5)
    pieces = [".", "!", "?", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "a", "word", "e.g.",
              "$x$", "\\cdot", "{", "...", "\u00a0", "\u2009", "\u3000", "\u00e9"]
    texts = ["", ".", ". ", " .", "One. Two! Three? Four. Five."]
    texts += ["".join(rng.choices(pieces, k=rng.randint(0, 80))) for _ in range(5000)]
    for text in texts:
        expected = dedup._SENTENCE_END.split(text, dedup.ABSTRACT_SENTENCES)[:dedup.ABSTRACT_SENTENCES]
        assert dedup._first_sentences(text) == expected, repr(text)


def test_spelling_out_an_abbreviation_never_makes_titles_of_as_many_words_equal():
    # decide does not try to align titles of as many words (issue 16): aligning puts one word
    # for a run of two or more, so only titles of different lengths can come out equal.
    import random

    rng = random.Random(8)
    words = ["llms", "llm", "large", "language", "models", "model", "vision", "vlms", "vlm", "are", "few", "shot",
             "learners", "lms", "lm", "gpt", "transformer", "kan", "kolmogorov", "arnold", "networks", "kans"]
    equal_after_aligning = 0
    for _ in range(20000):
        a = rng.choices(words, k=rng.randint(1, 7))
        b = rng.choices(words, k=rng.randint(1, 7))
        aligned = dedup._align_abbreviation(" ".join(a), " ".join(b))
        if aligned is not None and aligned[0] == aligned[1]:
            equal_after_aligning += 1
            assert len(a) != len(b)
    assert equal_after_aligning > 0
    assert dedup.decide(dedup.fingerprint("LLMs are few shot learners", "x y z"),
                        dedup.fingerprint("Large language models are few shot learners", "x y z")).rule == "abbrev"
