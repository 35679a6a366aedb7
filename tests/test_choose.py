"""The best title is chosen by the same total order whatever the text (issue 12);
ASCII titles are ranked without a Python step a character (issue 16)."""

from __future__ import annotations

import doctest
import random

from papertriage import choose


def _rank_by_letters(title: str) -> tuple:
    """title_rank as first written: a Python step a character."""
    letters = [c for c in title if c.isalpha()]
    upper = any(c.isupper() for c in letters)
    lower = any(c.islower() for c in letters)
    first_capital = bool(letters) and not letters[0].islower()
    clean_end = not title.rstrip().endswith((".", "…", ",", ";", ":"))
    return (upper and lower, first_capital, clean_end, len(" ".join(title.split())))


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(choose).failed == 0


def test_a_titles_rank_is_the_rank_its_letters_give():
    # ASCII or not, cased letters or not (Roman numerals, titlecase, modifiers), with or without letters
    rng = random.Random(12)
    pieces = ["KAN", "kan", "Kolmogorov", "-", ":", " ", "2", "...", ".", "…", "É", "é", "ß", "ǅ", "Ⅷ", "ⅷ",
              "\u0130", "$\\mathbf{X}$", "GPT-4o", "  ", ",", "ʰ", "ª", "Ω", "日本"]
    titles = ["", " ", "123", "A", "a", "...", "KAN: Kolmogorov-Arnold Networks", "kan: kolmogorov-arnold networks."]
    titles += ["".join(rng.choices(pieces, k=rng.randint(1, 8))) for _ in range(5000)]
    for title in titles:
        assert choose.title_rank(title) == _rank_by_letters(title), title
