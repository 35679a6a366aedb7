"""Reading the library: sort orders, one paper in full, stats."""

from __future__ import annotations

from ..errors import UserError
from ..model import Paper
from ..store import Library

# Sort keys -> ORDER BY terms (expression, descending), each in its natural
# direction: newest added, most seen, newest published, most upvoted first;
# titles A to Z. NULLs last; ties broken by insertion order, so output is
# stable. `--reverse` flips every term (reversed_order).
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "added": (("p.pk", True),),
    "seen": (("p.seen", True), ("p.upvotes IS NULL", False), ("p.upvotes", True), ("p.pk", False)),
    "date": (("p.published IS NULL", False), ("p.published", True), ("p.pk", False)),
    "upvotes": (("p.upvotes IS NULL", False), ("p.upvotes", True), ("p.seen", True), ("p.pk", False)),
    "title": (("p.title COLLATE NOCASE", False), ("p.pk", False)),
}
# What every listing command (list, search, similar, export) takes for --sort.
# `interest` and `interest:TAG` (issue 13): learned from the user's decisions (core/interest.py).
SORT_NAMES = ("relevance", *SORTS, "interest")


def is_interest_sort(sort: str | None) -> bool:
    return bool(sort) and (sort == "interest" or sort.startswith("interest:"))  # type: ignore[union-attr]


def order_by(sort: str, reverse: bool = False, library: Library | None = None) -> str:
    """The ORDER BY of a sort key; ``reverse`` flips every term (NULLs then come first).

    ``interest`` and ``interest:TAG`` need the library: the learned scores live there.
    """
    if is_interest_sort(sort):
        if library is None:
            raise UserError("--sort interest needs the library")
        from .interest import order_terms

        terms = order_terms(library, sort)
        return ", ".join(f"{expr}{' DESC' if desc != reverse else ''}" for expr, desc in terms)
    try:
        terms = SORTS[sort]
    except KeyError:
        raise UserError(f"unknown sort {sort!r}; choose from {', '.join(SORT_NAMES)}, interest:TAG") from None
    return ", ".join(f"{expr}{' DESC' if desc != reverse else ''}" for expr, desc in terms)


def get_paper(library: Library, paper_id: str) -> Paper:
    (pk,) = library.resolve_ids([paper_id])
    return next(library.select("p.pk = ?", (pk,), with_sightings=True))


def stats(library: Library) -> dict[str, int]:
    return library.stats()
