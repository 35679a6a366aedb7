"""Which of the forms a paper was seen in it shows (issue 12).

A paper seen in several dumps has several titles and abstracts; the library
shows the best one and keeps every other in its sightings. Not the longest:
``kan: kolmogorov-arnold networks.`` is longer than ``KAN: Kolmogorov-Arnold
Networks`` and worse. The choice is a total order over the forms, so the
result does not depend on the order the dumps came in (ingesting them in
another order, or forgetting a dump and ingesting it again, shows the same).
"""

from __future__ import annotations

import re

__all__ = ["title_rank", "abstract_rank", "better_title", "better_abstract", "is_card"]


def is_card(abstract: str) -> bool:
    """A truncated card: the page cut the abstract and marked it so."""
    return abstract.rstrip().endswith(("...", "…"))


_ASCII_LETTER = re.compile("[A-Za-z]")


def title_rank(title: str) -> tuple:
    """Larger is better: proper capitalisation (upper and lower case, first
    letter a capital), no trailing period or ellipsis, then the fuller form."""
    if title.isascii():  # the common case, without a Python step a character (issue 16)
        upper, lower = title.lower() != title, title.upper() != title  # some A-Z, some a-z
        first = _ASCII_LETTER.search(title)
        first_capital = first is not None and first.group() < "a"
    else:
        letters = [c for c in title if c.isalpha()]
        upper = any(c.isupper() for c in letters)
        lower = any(c.islower() for c in letters)
        first_capital = bool(letters) and not letters[0].islower()
    clean_end = not title.rstrip().endswith((".", "…", ",", ";", ":"))
    return (upper and lower, first_capital, clean_end, len(" ".join(title.split())))


def abstract_rank(abstract: str) -> tuple:
    """Larger is better: a whole abstract before a truncated card, then the fullest."""
    return (not is_card(abstract), len(abstract.strip()))


def better_title(new: str, old: str) -> bool:
    """True when ``new`` should replace ``old`` (ties: the smaller text, so any order agrees).

    >>> better_title("KAN: Kolmogorov-Arnold Networks", "kan: kolmogorov-arnold networks.")
    True
    >>> better_title("kan: kolmogorov-arnold networks.", "KAN: Kolmogorov-Arnold Networks")
    False
    >>> better_title("A Survey.", "A Survey")
    False
    """
    if new == old:  # the common case, a repeat: no ranking needed (dedup speed, issue 16)
        return False
    a, b = title_rank(new), title_rank(old)
    return a > b or (a == b and new < old)


def better_abstract(new: str, old: str) -> bool:
    """True when ``new`` should replace ``old``.

    >>> better_abstract("We study X in depth...", "We study X.")
    False
    >>> better_abstract("We study X. Code at https://x.org.", "We study X.")
    True
    """
    if new == old:
        return False
    a, b = abstract_rank(new), abstract_rank(old)
    return a > b or (a == b and new < old)


def better_arxiv_id(new: str | None, old: str | None) -> bool:
    """Two ids on one paper are two versions of a merge gone wrong or a
    renumbering; the smaller is kept, so the order of the dumps does not matter."""
    return new is not None and (old is None or new < old)


def better_authors(new: list[str] | None, old: list[str] | None) -> bool:
    """The longer list of names (a later save may list more), ties by text."""
    if not new:
        return False
    if not old:
        return True
    return (len(new), [-ord(c) for c in "\x1f".join(new)]) > (len(old), [-ord(c) for c in "\x1f".join(old)])


def merge_links(old: dict[str, str] | None, new: dict[str, str] | None) -> dict[str, str]:
    """Every kind of link either side knew; for one kind, the smaller URL."""
    merged = dict(old or {})
    for kind, url in (new or {}).items():
        if kind not in merged or url < merged[kind]:
            merged[kind] = url
    return dict(sorted(merged.items()))
