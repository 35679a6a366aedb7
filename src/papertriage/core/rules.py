"""Rules files: batch tagging (and marking) by query, kept in YAML.

``tag apply`` runs them on the whole library; ``core.ingest`` runs the rules
the config lists on the papers each ingest adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import PapertriageError, UserError
from ..model import STATUSES
from ..store import Library, Selection, now
from ..yamlnodes import compose, fail, is_null, mapping, read_text, scalar
from .changes import Change, Row, record, write
from .select import select_papers
from .tags import spell, yaml_tags

__all__ = ["Rule", "RuleResult", "parse_rules", "load_rules", "check_rules", "apply_rules", "papers_added_after"]


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

    root = compose(text, source)
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):
        top = mapping(root, source, "")
        extra = [kn for key, kn, _ in top if key != "rules"]
        if extra:
            fail(extra[0], source, "a rules file holds `rules:` and nothing else")
        root = top[0][2] if top else None
        if root is None or is_null(root):
            return []
    if not isinstance(root, yaml.SequenceNode):
        fail(root, source, "expected a list of rules (each with a query and a tag or status)")
    rules = []
    for node in root.value:
        rule = Rule(query="", source=source, line=node.start_mark.line + 1)
        has_query = False
        for key, key_node, value in mapping(node, source, "each rule is a mapping: query, and tag or status"):
            if key not in _RULE_KEYS:
                fail(key_node, source, f"unknown rule key {key!r}; known: {', '.join(_RULE_KEYS)}")
            if key in ("tag", "tags"):
                rule.tags.extend(t for t in yaml_tags(value, source)
                                 if t.casefold() not in {x.casefold() for x in rule.tags})
            elif key == "status":
                status = scalar(value, source, "a status")
                if status not in STATUSES or status == "new":
                    fail(value, source, f"a rule's status is keep, skip or read, not {status!r}")
                rule.status = status
            elif key == "query":
                rule.query = scalar(value, source, "a query").strip()
                has_query = bool(rule.query)
            else:
                rule.name = scalar(value, source, "a name")
        if not has_query:
            fail(node, source, "rule without a query (use `query: ...`)")
        if not rule.tags and not rule.status:
            fail(node, source, "rule with nothing to do: give it a tag or a status")
        rules.append(rule)
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    text, source = read_text(path)
    return parse_rules(text, source)


def _run_rule_query(library: Library, rule: Rule, limit: int | None = None) -> list[tuple[str, str]]:
    try:
        return [(p.id, p.status) for p in select_papers(library, rule.query, limit=limit)]
    except PapertriageError as exc:
        raise UserError(f"rule {rule.describe()!r}: {exc}", file=rule.source, line=rule.line) from None


def check_rules(library: Library, rules: Sequence[Rule]) -> None:
    """Run each rule's query once (limit 1), so a bad query fails before anything is written."""
    for rule in rules:
        _run_rule_query(library, rule, limit=1)


def papers_added_after(library: Library, mark: int) -> set[str]:
    """Ids of the papers added since ``library.newest_mark()`` returned ``mark``."""
    return {p.id for p in library.select(Selection(added_after=mark))}


def apply_rules(library: Library, rules: Sequence[Rule], *, only_ids: set[str] | None = None,
                dry_run: bool = False) -> list[RuleResult]:
    """Run rules in order, in one transaction (a bad query anywhere changes nothing).

    Tags are only ever added. A status rule changes only papers still ``new``,
    so a rule never overrides a decision made by hand. ``only_ids`` limits
    the rules to those papers (ingest passes the papers it just added).
    """
    results = []
    with write(library, dry_run):
        at = now()
        for rule in rules:
            found = _run_rule_query(library, rule)
            if only_ids is not None:
                found = [(pid, status) for pid, status in found if pid in only_ids]
            pks = library.pks_for_ids([pid for pid, _ in found])
            rows: list[Row] = []
            if rule.tags:
                pairs = [(pks[pid], tag) for tag in spell(library, rule.tags) for pid, _ in found if pid in pks]
                rows += [(pk, "tag+", tag) for pk, tag in library.add_tags(pairs, at)]
            if rule.status:
                targets = [pks[pid] for pid, status in found if status == "new" and pid in pks]
                rows += [(pk, "status", f"{old} -> {rule.status}")
                         for pk, old in library.set_statuses(targets, rule.status)]
            before, library.via = library.via, f"rule {rule.describe()} ({rule.source}:{rule.line})"[:200]
            try:
                results.append(RuleResult(rule, len(found), record(library, rows, at)))
            finally:
                library.via = before
    return results
