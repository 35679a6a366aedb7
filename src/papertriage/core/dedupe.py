"""Reviewing and correcting dedup (issue 11): why each sighting joined its
paper, merged papers worth a look (`dupes`), pairs kept apart that came close
(`dupes --near`), and merge / split / unmerge by hand.

User decisions stick: every sighting text a merge or split touches is pinned
to the paper the user put it in (``dedup_pins``), and ingest follows the pin
when the same text comes again in a later dump. Merged-away ids stay valid as
aliases of the survivor. Each merge and split is logged with what `unmerge`
needs to restore, recorded in `history`, and travels with `tag export`.

Conflicts in a merge are settled visibly: the most decided status wins
(read > keep > skip > new), notes are joined with ``NOTE_SEPARATOR``, tags
are combined; the survivor keeps its own title and abstract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .. import choose, dedup
from ..errors import NoMatch, PapertriageError, UserError
from ..model import Paper
from ..store import Library, now
from ..store import dedup as sql
from .changes import write as _write  # one dry-run transaction for every use case that changes decisions
from .select import resolve_ids

__all__ = [
    "SightingWhy", "Explained", "DupeGroup", "NearPair", "MergeReport",
    "explain_paper", "explain_dumps", "find_dupes", "find_near", "merge", "split", "unmerge",
    "export_decisions", "apply_decisions", "STATUS_RANK", "NOTE_SEPARATOR",
]

STATUS_RANK = {"new": 0, "skip": 1, "keep": 2, "read": 3}  # the most decided status wins a merge
NOTE_SEPARATOR = "\n\n---\n\n"
NOTABLY_DIFFERENT = 90.0  # abstracts less alike than this (and not a card of it) make a merged paper worth a look


# -- explanations --------------------------------------------------------------

@dataclass(slots=True)
class SightingWhy:
    """One sighting and the rule that placed it."""

    index: int  # 1-based, in `show` order
    file: str
    line: int
    title: str
    rule: str | None  # None: ingested before explanations were recorded
    decision: dedup.Decision | None
    abstract_similarity: float | None = None  # to the paper's abstract, when it has its own text
    card: float | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def explain(self) -> str:
        if self.rule is None or self.decision is None:
            return "ingested before explanations were recorded"
        return self.decision.explain()

    def rule_name(self) -> str:
        return dedup.RULES[self.rule].name if self.rule in dedup.RULES else (self.rule or "unknown")

    def to_dict(self) -> dict:
        d = self.decision
        return {"index": self.index, "file": self.file, "line": self.line, "title": self.title,
                "rule": self.rule, "rule_name": self.rule_name(), "why": self.explain(),
                "title_similarity": d.title if d and d.rule not in ("new", "user") else None,
                "abstract_similarity": d.abstract if d else None, "card_containment": d.card if d else None,
                "card_words": d.words if d else None}


@dataclass(slots=True)
class Explained:
    paper: Paper
    sightings: list[SightingWhy]


def _whys(rows: list[dict]) -> list[SightingWhy]:
    return [SightingWhy(i, r["file"], r["line"], r["title"], r["rule"],
                        dedup.Decision.decode(r["rule"], r["scores"]) if r["rule"] else None)
            for i, r in enumerate(rows, 1)]


def explain_paper(library: Library, paper_id: str) -> Explained:
    """A paper with, for each sighting, the rule that joined it and its scores."""
    from .papers import get_paper

    paper = get_paper(library, paper_id)
    (pk,) = resolve_ids(library, [paper_id])
    return Explained(paper, _whys(sql.sighting_rows(library, pk)))


def explain_dumps(library: Library, dump_ids: Sequence[int]) -> list[tuple[str, int, str, str, str, str]]:
    """(file:line, sighting title, paper id, paper title, rule name, why) for every
    sighting of some dumps that joined a paper (``ingest --explain``)."""
    out = []
    for file, line, title, pid, ptitle, rule, scores in sql.dump_sightings(library, dump_ids):
        d = dedup.Decision.decode(rule, scores) if rule else None
        name = dedup.RULES[rule].name if rule in dedup.RULES else "unknown"
        out.append((f"{file}:{line}", title, pid, ptitle, name, d.explain() if d else "not recorded"))
    return out


# -- dupes -----------------------------------------------------------------------

@dataclass(slots=True)
class DupeGroup:
    """A merged paper whose sightings differ: titles, or notably in the abstract."""

    id: str
    title: str
    titles: int
    sightings: list[SightingWhy]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "titles": self.titles,
                "sightings": [s.to_dict() for s in self.sightings]}


def find_dupes(library: Library, limit: int | None = None) -> list[DupeGroup]:
    """Merged papers seen under more than one title or with a notably different
    abstract, each with its sightings side by side and the rule that joined them."""
    groups: list[DupeGroup] = []
    for pk in sql.papers_with_variation(library):
        rows = sql.sighting_rows(library, pk)
        paper = sql.paper_row(library, pk)
        if paper is None or len(rows) < 2:
            continue
        titles = {dedup.normalise(r["title"]) for r in rows}
        paper_words = dedup.fingerprint(paper["title"], paper["abstract"]).abstract_words
        differs = False
        whys = _whys(rows)
        for why, r in zip(whys, rows):
            if r["abstract_is_paper"]:
                continue
            m = dedup.abstract_similarity(dedup.fingerprint(r["title"], r["abstract"]).abstract_words, paper_words)
            if m is not None:
                why.abstract_similarity, why.card = m.full, m.card
                if m.full < NOTABLY_DIFFERENT and m.card < NOTABLY_DIFFERENT:
                    differs = True
        if len(titles) > 1 or differs:
            groups.append(DupeGroup(paper["id"], paper["title"], len({r["title"] for r in rows}), whys))
            if limit is not None and len(groups) >= limit:
                break
    return groups


@dataclass(slots=True)
class NearPair:
    """Two papers ingest compared and kept apart."""

    score: float
    a: str
    title_a: str
    b: str
    title_b: str
    decision: dedup.Decision

    def to_dict(self) -> dict:
        d = self.decision
        return {"a": self.a, "title_a": self.title_a, "b": self.b, "title_b": self.title_b,
                "score": round(self.score, 1), "rule": d.rule, "rule_name": dedup.RULES[d.rule].name
                if d.rule in dedup.RULES else d.rule, "why": d.explain(), "title_similarity": d.title,
                "abstract_similarity": d.abstract, "card_containment": d.card, "card_words": d.words}


def find_near(library: Library, limit: int | None = None) -> list[NearPair]:
    """Pairs kept apart that came close, most similar first (recorded at ingest)."""
    return [NearPair(score, a, ta, b, tb, dedup.Decision.decode(rule, scores))
            for score, rule, scores, a, ta, b, tb in sql.near_misses(library, limit)]


# -- merge, split, unmerge ------------------------------------------------------------

@dataclass(slots=True)
class MergeReport:
    """What a merge, split or unmerge did (or, with dry_run, would do)."""

    action: str
    paper: str  # the surviving (or original) paper's id
    title: str = ""
    others: list[str] = field(default_factory=list)  # merged in, split off, or restored
    moved: int = 0  # sightings moved
    changes: list[str] = field(default_factory=list)  # conflicts settled, in words
    dry_run: bool = False


def _fingerprints(rows: list[dict]) -> list[dedup.Fingerprint]:
    return [dedup.fingerprint(r["title"], r["abstract"]) for r in rows]


def _contents(rows: list[dict]) -> list[int]:
    return [fp.content_key() for fp in _fingerprints(rows)]


def _pin(library: Library, pins: dict[int, int | None]) -> dict[str, int | None]:
    """Set pins; returns the pins they replaced (content as str, for JSON)."""
    before = sql.pins_of(library, pins)
    sql.set_pins(library, pins)
    return {str(c): before.get(c) for c in pins}


def _history(library: Library, rows: list[tuple], at: str) -> None:
    library.add_history((row[0], at, *row[1:]) for row in rows)


def merge(library: Library, ids: Sequence[str], *, dry_run: bool = False) -> MergeReport:
    """Merge papers into the first one given; the others' ids become its aliases."""
    if len(ids) < 2:
        raise UserError("merge needs two or more paper ids (the first one survives)")
    pks = resolve_ids(library, ids)
    if len(pks) < 2:
        raise UserError(f"{', '.join(ids)} are already one paper")
    survivor = pks[0]
    report = MergeReport("merge", "", dry_run=dry_run)
    with _write(library, dry_run):
        at = now()
        for other in pks[1:]:
            _merge_one(library, survivor, other, at, report)
        row = sql.paper_row(library, survivor)
        assert row is not None
        report.paper, report.title = row["id"], row["title"]
    return report


def _merge_one(library: Library, survivor: int, other: int, at: str, report: MergeReport) -> None:
    s_row, o_row = sql.paper_row(library, survivor), sql.paper_row(library, other)
    assert s_row is not None and o_row is not None
    s_rows, o_rows = sql.sighting_rows(library, survivor), sql.sighting_rows(library, other)
    sql.materialise_abstracts(library, other)
    moved = sql.move_sightings(library, [r["id"] for r in o_rows], other, survivor)
    sql.set_rule(library, moved, "user")
    tags = sql.tags_of(library, other)
    tags_added = sql.copy_tags(library, tags, survivor)
    history_ids = sql.move_history(library, other, survivor)
    merge_ids = sql.merge_ids_of(library, other)
    sql.move_merges(library, merge_ids, survivor)
    aliases, repinned = sql.repoint(library, other, survivor)
    pins_before = _pin(library, {c: survivor for c in _contents(s_rows) + _contents(o_rows)})
    pins_before.update({str(c): other for c in repinned})
    sql.add_keys(library, survivor, set().union(*(fp.keys() for fp in _fingerprints(o_rows))))
    # Conflicts, settled visibly.
    status = max((s_row["status"], o_row["status"]), key=lambda s: STATUS_RANK.get(s, 0))
    notes = [n for n in (s_row["note"], o_row["note"]) if n]
    note = NOTE_SEPARATOR.join(dict.fromkeys(notes)) or None
    hist: list[tuple] = [(survivor, "merge", f"{o_row['id']} merged in: {o_row['title']}")]
    if status != s_row["status"]:
        report.changes.append(f"status {s_row['status']} -> {status} (the most decided of {s_row['status']}, "
                              f"{o_row['status']})")
        hist.append((survivor, "status", f"{s_row['status']} -> {status}"))
    if note != s_row["note"]:
        if s_row["note"] and o_row["note"]:
            report.changes.append(f"notes of {s_row['id']} and {o_row['id']} joined with a '---' line")
        hist.append((survivor, "note", note or "(cleared)", s_row["note"]))
    if tags_added:
        report.changes.append(f"tags added from {o_row['id']}: {', '.join(tags_added)}")
        hist += [(survivor, "tag+", t) for t in tags_added]
    sql.set_status_note(library, survivor, status, note)
    # The absorbed paper leaves the full-text index: each of its words loses a paper
    # (words the survivor holds too included: they counted two papers, now one).
    sql.forget_words(library, _words_only_in(o_row, {"title": "", "abstract": ""}))
    sql.delete_paper(library, other)
    sql.add_alias(library, o_row["id"], survivor)
    sql.refresh_counts(library, survivor)
    sql.share_abstract(library, survivor)
    state = {"absorbed": o_row, "tags": tags, "tags_added": tags_added, "sightings": moved,
             "history": history_ids, "merges": merge_ids, "aliases": aliases, "pins_before": pins_before,
             "survivor": {"status": s_row["status"], "note": s_row["note"]}}
    sql.log_merge(library, survivor, at, "merge", state)
    _history(library, hist, at)
    report.others.append(o_row["id"])
    report.moved += len(moved)


def _words_only_in(row: dict, other: dict) -> set[str]:
    from ..store.vocab import paper_words

    return paper_words(row["title"], row["abstract"]) - paper_words(other["title"], other["abstract"])


def _pick_sightings(rows: list[dict], refs: Sequence[str]) -> list[dict]:
    """Sightings named as `file:line` (file name or path as `show` prints it) or index in `show`."""
    picked: dict[int, dict] = {}
    unknown = []
    for ref in refs:
        ref = ref.strip()
        found: list[dict] = []
        if ref.isdigit():
            k = int(ref)
            found = [rows[k - 1]] if 1 <= k <= len(rows) else []
        else:
            file, _, line = ref.rpartition(":")
            if line.isdigit():
                found = [r for r in rows if r["line"] == int(line)
                         and (r["file"] == file or r["file"].endswith("/" + file) or file.endswith("/" + r["file"]))]
        if not found:
            unknown.append(ref)
        elif len(found) > 1:
            numbers = ", ".join(str(rows.index(r) + 1) for r in found)
            raise UserError(f"{ref} names {len(found)} sightings (dumps of the same name): "
                            f"give their numbers in `show --explain` instead ({numbers})")
        for r in found:
            picked[r["id"]] = r
    if unknown:
        raise UserError(f"no such sighting of this paper: {', '.join(unknown)} "
                        f"(give file:line or the number `show --explain` lists, 1-{len(rows)})")
    return list(picked.values())


def split(library: Library, paper_id: str, refs: Sequence[str], *, dry_run: bool = False) -> MergeReport:
    """Take sightings out of a paper into a paper of their own (new id); the
    original keeps its tags, status and note."""
    if not refs:
        raise UserError("split needs the sightings to take out (file:line, or their number in `show --explain`)")
    (pk,) = resolve_ids(library, [paper_id])
    report = MergeReport("split", "", dry_run=dry_run)
    with _write(library, dry_run):
        rows = sql.sighting_rows(library, pk)
        picked = _pick_sightings(rows, refs)
        _split_off(library, pk, rows, picked, now(), report, "split")
    return report


def _split_off(library: Library, pk: int, rows: list[dict], picked: list[dict], at: str,
               report: MergeReport, why: str) -> int:
    if len(picked) == len(rows):
        raise UserError("that is every sighting of the paper: leave at least one")
    p_row = sql.paper_row(library, pk)
    assert p_row is not None
    picked_ids = {r["id"] for r in picked}
    rest = [r for r in rows if r["id"] not in picked_ids]
    sql.materialise_abstracts(library, pk)
    title = max((r["title"] for r in picked), key=choose.title_rank)
    abstract = max((r["abstract"] for r in picked), key=choose.abstract_rank)
    new_id = _new_id(library, title, abstract)
    new_pk = sql.insert_paper(library, {"id": new_id, "title": title, "abstract": abstract, "added": at})
    moved = sql.move_sightings(library, sorted(picked_ids), pk, new_pk)
    sql.set_rule(library, moved, "user")
    sql.add_keys(library, new_pk, set().union(*(fp.keys() for fp in _fingerprints(picked))))
    # The original keeps its text unless it came only from the sightings taken out.
    keep_title = p_row["title"] if any(r["title"] == p_row["title"] for r in rest) else max(
        (r["title"] for r in rest), key=choose.title_rank)
    keep_abstract = p_row["abstract"] if any(r["abstract"] == p_row["abstract"] for r in rest) else max(
        (r["abstract"] for r in rest), key=choose.abstract_rank)
    replaced = []
    if (keep_title, keep_abstract) != (p_row["title"], p_row["abstract"]):
        sql.replace_text(library, pk, keep_title, keep_abstract)
        replaced.append((pk, p_row["title"], p_row["abstract"]))
    for target in (pk, new_pk):
        sql.share_abstract(library, target)
        sql.refresh_counts(library, target)
    library.update_vocabulary([new_pk], replaced)
    # A text that also stays in the original cannot be told apart: later copies go to the original.
    staying = set(_contents(rest))
    texts = sorted(set(_contents(picked)) - staying)
    if len(texts) < len(set(_contents(picked))):
        report.changes.append(f"some sightings taken out have the same text as ones left in {p_row['id']}: "
                              f"later copies of that text go to {p_row['id']}")
    pins_before = _pin(library, {**{c: pk for c in staying}, **{c: new_pk for c in texts}})
    state = {"new": new_id, "sightings": moved, "pins_before": pins_before, "why": why, "texts": texts,
             "title": p_row["title"], "abstract": p_row["abstract"]}
    sql.log_merge(library, pk, at, "split", state)
    _history(library, [(pk, "split", f"{len(moved)} sighting{'s' * (len(moved) > 1)} split off into {new_id}"
                        + (" (unmerge)" if why == "unmerge" else "")),
                       (new_pk, "split", f"split off from {p_row['id']}")], at)
    report.paper, report.title = p_row["id"], keep_title
    report.others.append(new_id)
    report.moved += len(moved)
    return new_pk


def _new_id(library: Library, title: str, abstract: str) -> str:
    from .ingest import _candidate_id  # ids are made one way (issue 12 owns the rule)

    fp = dedup.fingerprint(title, abstract)
    attempt = 0
    while True:
        candidate = _candidate_id(fp, attempt)
        if not library.ids_taken([candidate]) and not sql.resolve_alias(library, candidate):
            return candidate
        attempt += 1


def unmerge(library: Library, paper_id: str, *, dry_run: bool = False) -> MergeReport:
    """Undo the newest merge of a paper: a merge by hand is undone whole (the
    other paper comes back with its id, tags, status and note); a join made by
    ingest is undone by taking the newest differing sighting text (with its
    exact repeats) out into a paper of its own."""
    (pk,) = resolve_ids(library, [paper_id])
    report = MergeReport("unmerge", "", dry_run=dry_run)
    with _write(library, dry_run):
        at = now()
        rows = sql.sighting_rows(library, pk)
        by_hand = sql.last_merge(library, pk, "merge")
        joined = _last_ingest_join(rows)
        if by_hand is not None and (joined is None or by_hand[1] >= joined[0]["ingested_at"]):
            _restore(library, pk, by_hand, at, report)
        elif joined is not None:
            _split_off(library, pk, rows, joined, at, report, "unmerge")
        else:
            raise NoMatch(f"{paper_id}: nothing to unmerge (every sighting is the same text, "
                          "and no merge by hand is left to undo)")
    return report


def _last_ingest_join(rows: list[dict]) -> list[dict] | None:
    """The newest sighting ingest joined whose text differs from the paper's
    first sighting, with every sighting of that same text."""
    if len(rows) < 2:
        return None
    contents = _contents(rows)
    first = min(range(len(rows)), key=lambda i: rows[i]["id"])
    joined = [i for i in range(len(rows)) if rows[i]["rule"] not in (None, "new", "user")
              and contents[i] != contents[first]]
    if not joined:
        return None
    last = max(joined, key=lambda i: rows[i]["id"])
    return [rows[i] for i in range(len(rows)) if contents[i] == contents[last]]


def _restore(library: Library, pk: int, merge_log: tuple[int, str, str, dict], at: str,
             report: MergeReport) -> None:
    merge_id, _, _, state = merge_log
    old = state["absorbed"]
    if library.ids_taken([old["id"]]):
        raise UserError(f"cannot restore {old['id']}: a paper with that id exists again")
    restored = sql.insert_paper(library, {k: v for k, v in old.items()})
    sql.drop_alias(library, old["id"])
    sql.set_aliases(library, state["aliases"], restored)
    old_pk = old["pk"]
    sql.set_pins(library, {int(c): (restored if p == old_pk else p) for c, p in state["pins_before"].items()})
    moved = sql.move_sightings(library, state["sightings"], pk, restored)
    sql.set_rule(library, moved, "user")
    sql.move_history(library, pk, restored, state["history"])
    sql.move_merges(library, state["merges"], restored)
    sql.copy_tags(library, [tuple(t) for t in state["tags"]], restored)
    sql.remove_tags(library, pk, state["tags_added"])
    before = state["survivor"]
    sql.set_status_note(library, pk, before["status"], before["note"])
    rows = sql.sighting_rows(library, restored)
    sql.add_keys(library, restored, set().union(set(), *(fp.keys() for fp in _fingerprints(rows))))
    for target in (pk, restored):
        sql.share_abstract(library, target)
        sql.refresh_counts(library, target)
    library.update_vocabulary([restored], [])
    sql.mark_undone(library, merge_id, at)
    s_row = sql.paper_row(library, pk)
    assert s_row is not None
    _history(library, [(pk, "unmerge", f"{old['id']} taken out again: {old['title']}"),
                       (restored, "unmerge", f"restored from {s_row['id']}")], at)
    report.paper, report.title = s_row["id"], s_row["title"]
    report.others.append(old["id"])
    report.moved += len(moved)


# -- decisions that travel with `tag export` / `tag import` -----------------------------

def export_decisions(library: Library) -> list[dict]:
    """Every merge and split by hand still in force, oldest first, by paper id
    and sighting text, so another library with the same dumps can replay them."""
    out: list[dict] = []
    labels = {}
    for pk, kind, at, state in sql.active_decisions(library):
        if pk not in labels:
            row = sql.paper_row(library, pk)
            labels[pk] = row["id"] if row else None
        if labels[pk] is None:
            continue
        if kind == "merge":
            out.append({"merge": [labels[pk], state["absorbed"]["id"]], "at": at})
        elif kind == "split" and state.get("why") == "split":
            texts = sorted(format(c & 0xFFFFFFFF, "08x") for c in state["texts"])
            out.append({"split": labels[pk], "into": state["new"], "texts": texts, "at": at})
    return out


def read_decisions(text: str, source: str) -> list[dict]:
    """The ``_dedup`` list of a `tag export` file ([] when it has none)."""
    from ..yamlnodes import compose as yaml_compose, fail as yaml_fail

    import yaml

    root = yaml_compose(text, source)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "_dedup":
            data = yaml.safe_load(yaml.serialize(value))
            if not isinstance(data, list) or not all(
                    isinstance(d, dict) and ("merge" in d or "split" in d) for d in data):
                yaml_fail(value, source, "_dedup holds a list of `merge: [ID, ID]` and `split: ID` entries")
            return data
    return []


def apply_decisions(library: Library, decisions: list[dict], at: str) -> list[tuple[int, str, str]]:
    """Replay exported decisions (inside the caller's transaction); what is
    already so, or names papers this library lacks, is skipped. Returns
    (paper pk, action, detail) of what changed."""
    done: list[tuple[int, str, str]] = []
    for d in decisions:
        if "merge" in d:
            ids = [str(i) for i in d["merge"]]
            try:
                pks = resolve_ids(library, ids)
            except PapertriageError:
                continue  # papers this library has not seen
            if len(pks) > 1:
                report = MergeReport("merge", "")
                for other in pks[1:]:
                    _merge_one(library, pks[0], other, at, report)
                done.append((pks[0], "merge", " ".join(report.others) + " merged in"))
        elif "split" in d:
            try:
                (pk,) = resolve_ids(library, [str(d["split"])])
            except PapertriageError:
                continue
            if library.ids_taken([str(d.get("into", ""))]):
                continue
            wanted = {int(str(t), 16) for t in d.get("texts", [])}
            rows = sql.sighting_rows(library, pk)
            picked = [r for r, c in zip(rows, _contents(rows)) if (c & 0xFFFFFFFF) in wanted]
            if picked and len(picked) < len(rows):
                report = MergeReport("split", "")
                _split_off(library, pk, rows, picked, at, report, "split")
                done.append((pk, "split", f"{len(picked)} sightings split off into {report.others[0]}"))
    return done


# -- undo (core/undo.py): each history action of this module has its inverse -------------

def _register_inverses() -> None:
    from .undo import register_inverse

    @register_inverse("merge")
    def _undo_merge(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
        absorbed = (detail or "").split(" ", 1)[0]
        for merge_id, when, _, state in sql.merges_of(library, pk, "merge"):
            if state["absorbed"]["id"] == absorbed:
                _restore(library, pk, (merge_id, when, "merge", state), at, MergeReport("unmerge", ""))
                return

    @register_inverse("split")
    def _undo_split(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
        new_id = (detail or "").rsplit(" into ", 1)[-1].split(" ", 1)[0]
        if " split off into " not in (detail or "") or not library.ids_taken([new_id]):
            return  # the split-off paper's own row: its original's row does the work
        (other,) = resolve_ids(library, [new_id])
        _merge_one(library, pk, other, at, MergeReport("merge", ""))
        for merge_id, _, _, state in sql.merges_of(library, pk, "split"):
            if state["new"] == new_id:
                sql.mark_undone(library, merge_id, at)
                row = sql.paper_row(library, pk)
                if row and (row["title"], row["abstract"]) != (state["title"], state["abstract"]):
                    sql.materialise_abstracts(library, pk)
                    sql.replace_text(library, pk, state["title"], state["abstract"])
                    sql.share_abstract(library, pk)
                    library.update_vocabulary([], [(pk, row["title"], row["abstract"])])
                break

    @register_inverse("unmerge")
    def _undo_unmerge(library: Library, pk: int, detail: str | None, before: str | None, at: str) -> None:
        restored = (detail or "").split(" ", 1)[0]
        if " taken out again" in (detail or "") and library.ids_taken([restored]):
            (other,) = resolve_ids(library, [restored])
            _merge_one(library, pk, other, at, MergeReport("merge", ""))


_register_inverses()
