"""Tags, triage status, notes and their history: the use cases behind `tag`,
`mark`, `note`, `history`, rules files, and the YAML export/import.

No CLI and no printing here. Each use case is one write transaction, so a
command changes everything it was asked to or nothing at all (an unknown id
anywhere means nothing changes). ``dry_run`` runs the very same transaction
and rolls it back, so what it reports is exactly what a real run would do.

Tag names are short words: ASCII letters, digits, ``-`` and ``_``, with ``/``
for hierarchy (``method/kan``). They compare case-insensitively and keep the
spelling the library saw first: tagging with ``LLM`` when ``llm`` exists adds
``llm``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, NoReturn, Sequence

from ..errors import NoMatch, PapertriageError, UserError
from ..model import STATUSES
from ..store import Library, now

if TYPE_CHECKING:
    import yaml

__all__ = [
    "Change", "Report", "HistoryEntry", "Rule", "RuleResult",
    "check_tag", "parse_tags", "read_ids", "select_pks",
    "add_tags", "remove_tags", "mark", "set_note", "get_note", "history", "tag_counts",
    "rename_tag", "delete_tag", "parse_rules", "load_rules", "apply_rules",
    "export_state", "import_state", "parse_state",
]

_TAG = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
MAX_TAG_LENGTH = 64


# -- reports -------------------------------------------------------------

@dataclass(slots=True)
class Change:
    """One change to one paper. ``action``: tag+, tag-, status or note."""

    paper: str
    title: str
    action: str
    detail: str | None


@dataclass(slots=True)
class Report:
    """What a use case changed (or, with ``dry_run``, would change)."""

    selected: int = 0
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    tags: list[str] = field(default_factory=list)  # the tag names as the library spells them
    unplaced: list["Unplaced"] = field(default_factory=list)  # imported records that fit no paper here
    by_content: int = 0  # imported records placed by title and abstract, not by id

    def papers_changed(self) -> int:
        return len({c.paper for c in self.changes})

    def count(self, action: str, detail: str | None = None) -> int:
        return sum(1 for c in self.changes if c.action == action and (detail is None or c.detail == detail))


@dataclass(slots=True)
class Unplaced:
    """An imported record that fits no paper of this library: neither its id nor its content."""

    token: str
    title: str | None
    source: str
    line: int


@dataclass(slots=True)
class HistoryEntry:
    paper: str
    title: str
    at: str  # ISO time, UTC
    action: str
    detail: str | None


class _DryRun(Exception):
    """Raised inside a transaction to roll back a dry run."""


@contextmanager
def _write(library: Library, dry_run: bool) -> Iterator[None]:
    try:
        with library.transaction():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


def _changes(library: Library, rows: Sequence[tuple[int, str, str | None]]) -> list[Change]:
    labels = library.paper_labels({pk for pk, _, _ in rows})
    return [Change(labels[pk][0], labels[pk][1], action, detail) for pk, action, detail in rows]


# -- names and ids -------------------------------------------------------

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
    if not _TAG.fullmatch(name):
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


def read_ids(lines: Iterable[str]) -> list[str]:
    """Paper ids from piped text: the first whitespace-separated token of each
    line; blank lines and ``#`` lines (the tsv header) skipped.

    >>> read_ids(["#id\\ttitle", "3f2a1b2c\\tA title", "", "  9c1e  "])
    ['3f2a1b2c', '9c1e']
    """
    ids = []
    for line in lines:
        tokens = line.split(None, 1)
        if tokens and not tokens[0].startswith("#"):
            ids.append(tokens[0])
    return ids


def select_pks(library: Library, ids: Sequence[str] = (), query: str | None = None) -> list[int]:
    """The papers a command works on: ids (or unique prefixes), or a query.

    Unknown ids raise UnknownIdError naming all of them; a query that matches
    nothing raises NoMatch.
    """
    if query is not None:
        if ids:
            raise UserError("give paper ids or --query, not both")
        from .select import select_papers

        found = [p.id for p in select_papers(library, query)]
        if not found:
            raise NoMatch(f"no paper matches {query!r}; nothing changed")
        pks = library.pks_for_ids(found)
        return [pks[i] for i in found if i in pks]
    if not ids:
        raise UserError("no papers given: pass ids, - to read them from stdin, or --query QUERY")
    return library.resolve_ids(ids)


def _spell(library: Library, tags: Iterable[str]) -> list[str]:
    # Inside the write transaction, so two writers cannot pick two spellings.
    return [library.tag_spelling(t) or t for t in tags]


# -- tags, status, notes ---------------------------------------------------

def add_tags(library: Library, pks: Sequence[int], tags: Sequence[str], *, dry_run: bool = False) -> Report:
    """Add every tag to every paper; tags a paper already has are left alone."""
    report = Report(selected=len(pks), dry_run=dry_run)
    with _write(library, dry_run):
        at = now()
        report.tags = _spell(library, tags)
        done = library.add_tags([(pk, tag) for tag in report.tags for pk in pks], at)
        report.changes = _changes(library, [(pk, "tag+", tag) for pk, tag in done])
    return report


def remove_tags(library: Library, pks: Sequence[int], tags: Sequence[str], *, dry_run: bool = False) -> Report:
    """Remove every tag from every paper; papers without it are left alone."""
    report = Report(selected=len(pks), dry_run=dry_run)
    with _write(library, dry_run):
        at = now()
        report.tags = _spell(library, tags)
        done = library.remove_tags([(pk, tag) for tag in report.tags for pk in pks], at)
        report.changes = _changes(library, [(pk, "tag-", tag) for pk, tag in done])
    return report


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise UserError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
    return status


def mark(library: Library, pks: Sequence[int], status: str, *, dry_run: bool = False) -> Report:
    """Set the triage status of papers (new, keep, skip, read)."""
    check_status(status)
    report = Report(selected=len(pks), dry_run=dry_run)
    with _write(library, dry_run):
        changed = library.set_statuses(pks, status, now())
        report.changes = _changes(library, [(pk, "status", f"{old} -> {status}") for pk, old in changed])
    return report


def get_note(library: Library, pk: int) -> str | None:
    paper = next(library.select("p.pk = ?", (pk,)), None)
    return paper.note if paper else None


def set_note(library: Library, pk: int, text: str | None) -> bool:
    """Replace the note (blank text clears it); False when nothing changed."""
    note = text.strip() if text else None
    with library.transaction():
        return library.set_note(pk, note or None, now())


def history(library: Library, paper_id: str | None = None, *, limit: int | None = None) -> list[HistoryEntry]:
    """The changes to one paper (or, without an id, the latest across the library), oldest first."""
    pk = library.resolve_ids([paper_id])[0] if paper_id is not None else None
    return [HistoryEntry(*row) for row in library.history(pk, limit)]


def tag_counts(library: Library) -> list[tuple[str, int]]:
    return library.tag_counts()


def rename_tag(library: Library, old: str, new: str, *, dry_run: bool = False) -> Report:
    """Rename a tag everywhere; papers that already have NEW just lose OLD (a merge)."""
    old, new = check_tag(old), check_tag(new)
    report = Report(dry_run=dry_run)
    with _write(library, dry_run):
        spelled_old = library.tag_spelling(old)
        if spelled_old is None:
            raise NoMatch(f"no paper has the tag {old!r}; nothing changed")
        if spelled_old == new:
            report.tags = [spelled_old, new]
            return report
        if old.casefold() != new.casefold():
            new = library.tag_spelling(new) or new
        report.tags = [spelled_old, new]
        renamed, merged = library.rename_tag(spelled_old, new, now())
        report.selected = len(renamed) + len(merged)
        rows = [(pk, "tag-", spelled_old) for pk in renamed + merged] + [(pk, "tag+", new) for pk in renamed]
        report.changes = _changes(library, rows)
    return report


def delete_tag(library: Library, tag: str, *, dry_run: bool = False) -> Report:
    """Remove a tag from every paper."""
    tag = check_tag(tag)
    report = Report(dry_run=dry_run)
    with _write(library, dry_run):
        spelled = library.tag_spelling(tag)
        if spelled is None:
            raise NoMatch(f"no paper has the tag {tag!r}; nothing changed")
        pks = library.delete_tag(spelled, now())
        report.selected = len(pks)
        report.changes = _changes(library, [(pk, "tag-", spelled) for pk in pks])
    return report


# -- YAML, read node by node so every error has its line ------------------

def yaml_compose(text: str, source: str) -> "yaml.Node | None":
    """The YAML node tree of ``text``; malformed YAML is a UserError at file:line."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot read it"
        raise UserError(f"malformed YAML: {problem}", file=source,
                        line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise UserError(f"malformed YAML: {exc}", file=source) from None


def yaml_fail(node: "yaml.Node", source: str, message: str) -> NoReturn:
    raise UserError(message, file=source, line=node.start_mark.line + 1)


def _is_null(node: "yaml.Node") -> bool:
    return node.tag == "tag:yaml.org,2002:null"


def yaml_scalar(node: "yaml.Node", source: str, what: str) -> str:
    """A scalar's text exactly as written (ids like 12345678 stay strings)."""
    import yaml

    if not isinstance(node, yaml.ScalarNode) or _is_null(node):
        yaml_fail(node, source, f"expected {what} here")
    return node.value


def yaml_scalars(node: "yaml.Node", source: str, message: str) -> list[str]:
    import yaml

    if _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        yaml_fail(node, source, message)
    return [yaml_scalar(item, source, "a plain value") for item in node.value]


def _mapping(node: "yaml.Node", source: str, message: str) -> list[tuple[str, "yaml.Node", "yaml.Node"]]:
    """(key, key node, value node) of a mapping; repeated keys are an error."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        yaml_fail(node, source, message)
    items, seen = [], set()
    for key_node, value in node.value:
        key = yaml_scalar(key_node, source, "a key")
        if key in seen:
            yaml_fail(key_node, source, f"{key!r} appears twice")
        seen.add(key)
        items.append((key, key_node, value))
    return items


def _tag_list(node: "yaml.Node", source: str) -> list[str]:
    """`tags: [a, b]`, `tags: a, b` or `tag: a`; each name checked, with its line."""
    import yaml

    names = yaml_scalars(node, source, "expected a list of tags") if not isinstance(node, yaml.ScalarNode) \
        or _is_null(node) else [node.value]
    tags: list[str] = []
    try:
        for name in names:
            tags.extend(t for t in parse_tags(name) if t.casefold() not in {x.casefold() for x in tags})
    except UserError as exc:
        yaml_fail(node, source, exc.message)
    return tags


def _read_text(path: str | Path) -> tuple[str, str]:
    source = str(path)
    try:
        return Path(path).read_text(encoding="utf-8"), source
    except FileNotFoundError:
        raise UserError("no such file", file=source) from None
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", file=source) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror or exc}", file=source) from None


# -- rules files -------------------------------------------------------------

@dataclass(slots=True)
class Rule:
    """Tag (and/or set the status of) the papers a query matches."""

    query: str
    tags: list[str] = field(default_factory=list)
    status: str | None = None
    name: str | None = None
    source: str = "<rules>"
    line: int = 0

    def describe(self) -> str:
        if self.name:
            return self.name
        what = []
        if self.tags:
            what.append("tag " + ",".join(self.tags))
        if self.status:
            what.append("mark " + self.status)
        return " + ".join(what)


@dataclass(slots=True)
class RuleResult:
    rule: Rule
    matched: int
    changes: list[Change]

    def tagged(self) -> int:
        return len({c.paper for c in self.changes if c.action == "tag+"})

    def marked(self) -> int:
        return len({c.paper for c in self.changes if c.action == "status"})


_RULE_KEYS = ("name", "query", "tag", "tags", "status")


def parse_rules(text: str, source: str = "<rules>") -> list[Rule]:
    """Rules from YAML: a list (or ``rules:`` holding a list) of mappings with a
    ``query`` and a ``tag``/``tags`` and/or ``status``::

        rules:
          - name: KANs
            query: kolmogorov
            tags: [method/kan]
          - query: tag:survey upvotes<3
            status: skip
    """
    import yaml

    root = yaml_compose(text, source)
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):
        top = _mapping(root, source, "")
        extra = [kn for key, kn, _ in top if key != "rules"]
        if extra:
            yaml_fail(extra[0], source, "a rules file holds `rules:` and nothing else")
        root = top[0][2] if top else None
        if root is None or _is_null(root):
            return []
    if not isinstance(root, yaml.SequenceNode):
        yaml_fail(root, source, "expected a list of rules (each with a query and a tag or status)")
    rules = []
    for node in root.value:
        rule = Rule(query="", source=source, line=node.start_mark.line + 1)
        has_query = False
        for key, key_node, value in _mapping(node, source, "each rule is a mapping: query, and tag or status"):
            if key not in _RULE_KEYS:
                yaml_fail(key_node, source, f"unknown rule key {key!r}; known: {', '.join(_RULE_KEYS)}")
            if key in ("tag", "tags"):
                rule.tags.extend(t for t in _tag_list(value, source)
                                 if t.casefold() not in {x.casefold() for x in rule.tags})
            elif key == "status":
                status = yaml_scalar(value, source, "a status")
                if status not in STATUSES or status == "new":
                    yaml_fail(value, source, f"a rule's status is keep, skip or read, not {status!r}")
                rule.status = status
            elif key == "query":
                rule.query = yaml_scalar(value, source, "a query").strip()
                has_query = bool(rule.query)
            else:
                rule.name = yaml_scalar(value, source, "a name")
        if not has_query:
            yaml_fail(node, source, "rule without a query (use `query: ...`)")
        if not rule.tags and not rule.status:
            yaml_fail(node, source, "rule with nothing to do: give it a tag or a status")
        rules.append(rule)
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    text, source = _read_text(path)
    return parse_rules(text, source)


def _run_rule_query(library: Library, rule: Rule, limit: int | None = None) -> list[tuple[str, str]]:
    from .select import select_papers

    try:
        return [(p.id, p.status) for p in select_papers(library, rule.query, limit=limit)]
    except PapertriageError as exc:
        raise UserError(f"rule {rule.describe()!r}: {exc}", file=rule.source, line=rule.line) from None


def check_rules(library: Library, rules: Sequence[Rule]) -> None:
    """Run each rule's query once (limit 1), so a bad query fails before anything is written."""
    for rule in rules:
        _run_rule_query(library, rule, limit=1)


def papers_added_after(library: Library, pk: int) -> set[str]:
    """Ids of the papers added since ``library.max_paper_pk()`` returned ``pk``."""
    return {p.id for p in library.select("p.pk > ?", (pk,))}


def apply_rules(library: Library, rules: Sequence[Rule], *, only_ids: set[str] | None = None,
                dry_run: bool = False) -> list[RuleResult]:
    """Run rules in order, in one transaction (a bad query anywhere changes nothing).

    Tags are only ever added. A status rule changes only papers still ``new``,
    so a rule never overrides a decision made by hand. ``only_ids`` limits
    the rules to those papers (ingest passes the papers it just added).
    """
    results = []
    with _write(library, dry_run):
        at = now()
        for rule in rules:
            found = _run_rule_query(library, rule)
            if only_ids is not None:
                found = [(pid, status) for pid, status in found if pid in only_ids]
            pks = library.pks_for_ids([pid for pid, _ in found])
            rows: list[tuple[int, str, str | None]] = []
            if rule.tags:
                pairs = [(pks[pid], tag) for tag in _spell(library, rule.tags) for pid, _ in found if pid in pks]
                rows += [(pk, "tag+", tag) for pk, tag in library.add_tags(pairs, at)]
            if rule.status:
                targets = [pks[pid] for pid, status in found if status == "new" and pid in pks]
                rows += [(pk, "status", f"{old} -> {rule.status}")
                         for pk, old in library.set_statuses(targets, rule.status, at)]
            results.append(RuleResult(rule, len(found), _changes(library, rows)))
    return results


# -- YAML export and import ---------------------------------------------------

_EXPORT_HEADER = """\
# papertriage decisions: tags, status and note per paper, keyed by paper id
# (and under _dedup, papers merged and split by hand).
# `papertriage tag import FILE` reads this back: by id, or, where the library
# knows the paper under another id, by its title and the opening of its abstract.
"""

_HAS_STATE = ("p.status != 'new' OR p.note IS NOT NULL"
              " OR EXISTS (SELECT 1 FROM tags t WHERE t.paper = p.pk)")


def export_state(library: Library, *, everything: bool = False) -> str:
    """Papers with any tag, status other than new, or note (or every paper), as YAML, by id."""
    import yaml

    from ..render.safe import one_line

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    data: dict[str, dict] = {}
    for paper in library.select("1" if everything else _HAS_STATE, order_by="p.id"):
        from .identity import abstract_opening

        entry: dict[str, object] = {"title": one_line(paper.title), "opening": abstract_opening(paper.abstract),
                                    "status": paper.status, "tags": list(paper.tags)}
        if paper.note:
            entry["note"] = paper.note
        data[paper.id] = entry
    from .dedupe import export_decisions  # merges and splits by hand travel too (issue 11)

    decisions = export_decisions(library)
    if decisions:
        data["_dedup"] = decisions  # type: ignore[assignment]
    if not data:
        return _EXPORT_HEADER + "{}\n"
    return _EXPORT_HEADER + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                                      default_flow_style=None)


_KEEP = object()  # a field the import file does not mention: left as it is


@dataclass(slots=True)
class StateEntry:
    token: str
    line: int
    title: str | None = None
    opening: str | None = None  # of the abstract, to find the paper by content
    status: str | None = None
    tags: list[str] | None = None
    note: object = _KEEP  # str, None (clear it) or _KEEP


def parse_state(text: str, source: str) -> list[StateEntry]:
    """Read an export file; every mistake is a UserError at its file:line."""
    root = yaml_compose(text, source)
    if root is None:
        return []
    entries = []
    for token, key_node, value in _mapping(root, source, "expected papers keyed by id (as `tag export` writes)"):
        if token == "_dedup":  # merges and splits by hand: core.dedupe.read_decisions
            continue
        entry = StateEntry(token.strip(), key_node.start_mark.line + 1)
        if _is_null(value):
            entries.append(entry)
            continue
        for key, field_node, item in _mapping(value, source, f"{token}: expected title, status, tags and note"):
            if key == "title":
                entry.title = yaml_scalar(item, source, "the title")
            elif key == "opening":
                entry.opening = yaml_scalar(item, source, "the opening of the abstract")
            elif key == "status":
                status = yaml_scalar(item, source, "a status")
                if status not in STATUSES:
                    yaml_fail(item, source, f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
                entry.status = status
            elif key in ("tags", "tag"):
                entry.tags = _tag_list(item, source)
            elif key == "note":
                entry.note = None if _is_null(item) else yaml_scalar(item, source, "the note text")
            else:
                yaml_fail(field_node, source, f"unknown field {key!r}; known: title, opening, status, tags, note")
        entries.append(entry)
    return entries


def import_state(library: Library, path: str | Path | None = None, *, text: str | None = None,
                 source: str | None = None, replace: bool = False, dry_run: bool = False) -> Report:
    """Apply an export file: statuses and notes as written, tags added (with
    ``replace``, each listed paper's tags become exactly the listed ones).

    Each entry is placed by id, or, when this library has no such id, by its
    title and abstract opening through the deduplicator (issue 12: the same
    dumps ingested in another order can give a paper another id). Entries
    that fit no paper are listed in ``report.unplaced``; the rest is imported.
    """
    from .identity import place

    if text is None:
        text, source = _read_text(path)
    source = source or str(path)
    entries = parse_state(text, source)
    report = Report(selected=len(entries), dry_run=dry_run)
    from .dedupe import apply_decisions, read_decisions  # merges and splits by hand (issue 11)

    decisions = read_decisions(text, source)
    with _write(library, dry_run):
        at = now()
        rows: list[tuple[int, str, str | None]] = list(apply_decisions(library, decisions, at))
        placements = place(library, [(e.token, e.title, e.opening) for e in entries])
        for entry, placement in zip(entries, placements):
            if placement.pk is None:
                report.unplaced.append(Unplaced(entry.token, entry.title, source, entry.line))
                continue
            if placement.how == "content":
                report.by_content += 1
            pk = placement.pk
            if entry.status is not None:
                rows += [(pk, "status", f"{old} -> {entry.status}")
                         for _, old in library.set_statuses([pk], entry.status, at)]
            if entry.tags is not None:
                wanted = _spell(library, entry.tags)
                if replace:
                    keep = {t.casefold() for t in wanted}
                    current = next(library.select("p.pk = ?", (pk,))).tags
                    rows += [(p, "tag-", t) for p, t in
                             library.remove_tags([(pk, t) for t in current if t.casefold() not in keep], at)]
                rows += [(p, "tag+", t) for p, t in library.add_tags([(pk, t) for t in wanted], at)]
            if entry.note is not _KEEP:
                note = entry.note.strip() or None if isinstance(entry.note, str) else None
                if library.set_note(pk, note, at):
                    rows.append((pk, "note", note))
        report.changes = _changes(library, rows)
    return report
