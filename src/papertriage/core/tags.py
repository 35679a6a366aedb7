"""Tags: add, remove, rename, delete, count.

Tag names are short words (``model.TAG_NAME``): ASCII letters, digits, ``-``
and ``_``, with ``/`` for hierarchy (``method/kan``). They compare
case-insensitively and keep the spelling the library saw first: tagging with
``LLM`` when ``llm`` exists adds ``llm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import NoMatch, UserError
from ..model import MAX_TAG_LENGTH, TAG_NAME
from ..store import Library, now
from .changes import Report, Row, record, target_pks, write

if TYPE_CHECKING:
    import yaml

__all__ = ["check_tag", "parse_tags", "add_tags", "remove_tags", "tag_counts", "rename_tag", "delete_tag"]


def check_tag(name: str) -> str:
    """A valid tag name, stripped; UserError otherwise.

    >>> check_tag(" method/kan ")
    'method/kan'
    """
    name = name.strip()
    if not name:
        raise UserError("empty tag name")
    if len(name) > MAX_TAG_LENGTH:
        raise UserError(f"tag name longer than {MAX_TAG_LENGTH} characters: {name[:MAX_TAG_LENGTH]}...")
    if not TAG_NAME.fullmatch(name):
        raise UserError(f"bad tag name {name!r}: use letters, digits, - and _, with / between levels (method/kan)")
    return name


def parse_tags(text: str) -> list[str]:
    """One tag or a comma-separated list; repeats (in any case) dropped.

    >>> parse_tags("llm, to-read,LLM")
    ['llm', 'to-read']
    """
    tags: list[str] = []
    seen: set[str] = set()
    for part in text.split(","):
        tag = check_tag(part)
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def yaml_tags(node: "yaml.Node", source: str) -> list[str]:
    """`tags: [a, b]`, `tags: a, b` or `tag: a` in a YAML file; each name checked, with its line."""
    import yaml

    from ..yamlnodes import fail, is_null, scalars

    names = scalars(node, source, "expected a list of tags") if not isinstance(node, yaml.ScalarNode) \
        or is_null(node) else [node.value]
    tags: list[str] = []
    try:
        for name in names:
            tags.extend(t for t in parse_tags(name) if t.casefold() not in {x.casefold() for x in tags})
    except UserError as exc:
        fail(node, source, exc.message)
    return tags


def spell(library: Library, tags: Iterable[str]) -> list[str]:
    """Tag names as the library already spells them.
    Call inside the write transaction, so two writers cannot pick two spellings."""
    return [library.tag_spelling(t) or t for t in tags]


def add_tags(library: Library, ids: Sequence[str], tags: Sequence[str], *, query: str | None = None,
             dry_run: bool = False) -> Report:
    """Add every tag to every paper (ids or unique prefixes, or what ``query``
    selects); tags a paper already has are left alone."""
    pks = target_pks(library, ids, query)
    report = Report(selected=len(pks), dry_run=dry_run)
    with write(library, dry_run):
        at = now()
        report.tags = spell(library, tags)
        done = library.add_tags([(pk, tag) for tag in report.tags for pk in pks], at)
        report.changes = record(library, [(pk, "tag+", tag) for pk, tag in done], at)
    return report


def remove_tags(library: Library, ids: Sequence[str], tags: Sequence[str], *, query: str | None = None,
                dry_run: bool = False) -> Report:
    """Remove every tag from every paper; papers without it are left alone."""
    pks = target_pks(library, ids, query)
    report = Report(selected=len(pks), dry_run=dry_run)
    with write(library, dry_run):
        at = now()
        report.tags = spell(library, tags)
        done = library.remove_tags([(pk, tag) for tag in report.tags for pk in pks])
        report.changes = record(library, [(pk, "tag-", tag) for pk, tag in done], at)
    return report


def tag_counts(library: Library) -> list[tuple[str, int]]:
    return library.tag_counts()


def rename_tag(library: Library, old: str, new: str, *, dry_run: bool = False) -> Report:
    """Rename a tag everywhere, with the tags under it (``method`` -> ``approach``
    moves ``method/kan`` to ``approach/kan``); papers that already have the new
    name just lose the old one (a merge). Renaming to another case of the same
    tag just respells it."""
    old, new = check_tag(old), check_tag(new)
    report = Report(dry_run=dry_run)
    with write(library, dry_run):
        spelled_old = library.tag_spelling(old)
        below = library.tags_under(spelled_old or old)
        if spelled_old is None and not below:
            raise NoMatch(f"no paper has the tag {old!r} or a tag under it; nothing changed")
        base = spelled_old or old
        if base == new:
            report.tags = [base, new]
            return report
        if new.casefold().startswith(base.casefold() + "/"):
            raise UserError(f"cannot move {base} under itself ({new})")
        if old.casefold() != new.casefold():
            new = library.tag_spelling(new) or new
        report.tags = [base, new]
        at = now()
        rows: list[Row] = []
        selected: set[int] = set()
        for tag in ([spelled_old] if spelled_old else []) + below:
            renamed, merged, target = _rename_one(library, tag, new + tag[len(base):], at)
            selected.update(renamed + merged)
            rows += [(pk, "tag-", tag) for pk in renamed + merged] + [(pk, "tag+", target) for pk in renamed]
        report.selected = len(selected)
        report.changes = record(library, rows, at)
    return report


def _rename_one(library: Library, old: str, new: str, at: str) -> tuple[list[int], list[int], str]:
    """One tag renamed on every paper: (papers renamed, papers that had ``new`` already, ``new`` as spelled)."""
    pks = library.papers_tagged(old)
    if old.casefold() == new.casefold():
        library.respell_tag(old, new)
        return pks, [], new
    new = library.tag_spelling(new) or new
    had = set(library.papers_tagged(new))
    library.remove_tags([(pk, old) for pk in pks])
    library.add_tags([(pk, new) for pk in pks if pk not in had], at)
    return [pk for pk in pks if pk not in had], [pk for pk in pks if pk in had], new


def delete_tag(library: Library, tag: str, *, dry_run: bool = False) -> Report:
    """Remove a tag from every paper."""
    tag = check_tag(tag)
    report = Report(dry_run=dry_run)
    with write(library, dry_run):
        spelled = library.tag_spelling(tag)
        if spelled is None:
            raise NoMatch(f"no paper has the tag {tag!r}; nothing changed")
        at = now()
        pks = library.delete_tag(spelled)
        report.selected = len(pks)
        report.changes = record(library, [(pk, "tag-", spelled) for pk in pks], at)
    return report
