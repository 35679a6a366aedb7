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
    """Rename a tag everywhere; papers that already have NEW just lose OLD (a merge).
    Renaming to another case of the same tag just respells it."""
    old, new = check_tag(old), check_tag(new)
    report = Report(dry_run=dry_run)
    with write(library, dry_run):
        spelled_old = library.tag_spelling(old)
        if spelled_old is None:
            raise NoMatch(f"no paper has the tag {old!r}; nothing changed")
        if spelled_old == new:
            report.tags = [spelled_old, new]
            return report
        at = now()
        pks = library.papers_tagged(spelled_old)
        if old.casefold() == new.casefold():
            library.respell_tag(spelled_old, new)
            had: set[int] = set()
        else:
            new = library.tag_spelling(new) or new
            had = set(library.papers_tagged(new))
            library.remove_tags([(pk, spelled_old) for pk in pks])
            library.add_tags([(pk, new) for pk in pks if pk not in had], at)
        report.tags = [spelled_old, new]
        renamed = [pk for pk in pks if pk not in had]
        merged = [pk for pk in pks if pk in had]
        report.selected = len(pks)
        rows: list[Row] = [(pk, "tag-", spelled_old) for pk in renamed + merged]
        rows += [(pk, "tag+", new) for pk in renamed]
        report.changes = record(library, rows, at)
    return report


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
