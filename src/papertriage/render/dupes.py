"""`dupes`, `dupes --near` and `show --explain` as text, tsv, json, jsonl or ids.

Renderers get plain objects from ``core.dedupe`` and a stream; they never
touch the library. Dump text is printed literally (``one_line``), never as markup.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Sequence

from .safe import one_line

if TYPE_CHECKING:
    from ..core.dedupe import DupeGroup, NearPair, SightingWhy

FORMATS = ("table", "json", "jsonl", "tsv", "ids")


def _tsv(value: object) -> str:
    return "" if value is None else one_line(str(value)).replace("\t", " ")


def _cut(text: str, width: int) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _json(items: Sequence[dict], fmt: str, out: IO[str]) -> None:
    if fmt == "jsonl":
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    else:
        out.write(json.dumps(list(items), ensure_ascii=False, indent=2) + "\n")


def render_explanations(sightings: Sequence["SightingWhy"], out: IO[str]) -> None:
    """The `show --explain` block: each sighting, its rule and why."""
    out.write("\nwhy each sighting is this paper:\n")
    for s in sightings:
        out.write(f"  {s.index:>2}. {one_line(s.where)}  [{s.rule_name()}] {s.explain()}\n")


def render_dupes(groups: Sequence["DupeGroup"], fmt: str, out: IO[str], *, width: int = 60) -> int:
    if fmt in ("json", "jsonl"):
        _json([g.to_dict() for g in groups], fmt, out)
    elif fmt == "ids":
        out.writelines(f"{g.id}\n" for g in groups)
    elif fmt == "tsv":
        out.write("#id\tsighting\twhere\trule\twhy\ttitle\n")
        for g in groups:
            for s in g.sightings:
                out.write("\t".join(_tsv(v) for v in (g.id, s.index, s.where, s.rule, s.explain(), s.title)) + "\n")
    else:
        for n, g in enumerate(groups):
            if n:
                out.write("\n")
            out.write(f"{g.id}  {one_line(g.title)}  ({len(g.sightings)} sightings, {g.titles} titles)\n")
            for s in g.sightings:
                extra = ""
                if s.abstract_similarity is not None:
                    extra = f"; own abstract {s.abstract_similarity:.0f} % alike"
                out.write(f"  {s.index:>2}. {_cut(s.title, width):<{width}}  {one_line(s.where)}\n"
                          f"      {s.explain()}{extra}\n")
    return len(groups)


def render_near(pairs: Sequence["NearPair"], fmt: str, out: IO[str], *, width: int = 60) -> int:
    if fmt in ("json", "jsonl"):
        _json([p.to_dict() for p in pairs], fmt, out)
    elif fmt == "ids":
        out.writelines(f"{p.a} {p.b}\n" for p in pairs)
    elif fmt == "tsv":
        out.write("#score\ta\tb\trule\twhy\ttitle_a\ttitle_b\n")
        for p in pairs:
            out.write("\t".join(_tsv(v) for v in (f"{p.score:.0f}", p.a, p.b, p.decision.rule,
                                                  p.decision.explain(), p.title_a, p.title_b)) + "\n")
    else:
        for n, p in enumerate(pairs):
            if n:
                out.write("\n")
            out.write(f"{p.a}  {_cut(p.title_a, width)}\n{p.b}  {_cut(p.title_b, width)}\n"
                      f"  kept apart: {p.decision.explain()}\n")
    return len(pairs)
