"""`papertriage dumps` and `papertriage forget` as text, tsv, json or jsonl.

Renderers get plain objects from ``core.forget`` and a stream; they never
touch the library. File names come from the user's disk and are printed
literally (``one_line``), never as markup.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Sequence

from .safe import one_line

if TYPE_CHECKING:
    from ..core.forget import DumpInfo, ForgetReport

FORMATS = ("table", "tsv", "json", "jsonl")
_FIELDS = ("name", "layout", "date", "records", "new", "only", "sha256", "path", "ingested_at", "date_from",
           "date_raw")


def _tsv(value: object) -> str:
    return "" if value is None else one_line(str(value)).replace("\t", " ")


def render_dumps(dumps: Sequence["DumpInfo"], fmt: str, out: IO[str]) -> int:
    """One dump a line: name, layout, date, records, new papers, papers seen only there, SHA-256 prefix."""
    rows = [{f: getattr(d, f) for f in _FIELDS} for d in dumps]
    if fmt == "json":
        out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    elif fmt == "tsv":
        out.write("#" + "\t".join(_FIELDS) + "\n")
        out.writelines("\t".join(_tsv(r[f]) for f in _FIELDS) + "\n" for r in rows)
    else:
        names = [one_line(d.name) for d in dumps]
        width = max([len(n) for n in names] + [4])
        out.write(f"{'name':<{width}}  {'layout':<11}  {'date':<10}  {'records':>7}  {'new':>5}  {'only':>5}  sha256\n")
        for d, name in zip(dumps, names):
            out.write(f"{name:<{width}}  {d.layout:<11}  {d.date:<10}  {d.records:>7}  {d.new:>5}  {d.only:>5}"
                      f"  {d.sha256[:8]}\n")
    return len(dumps)


def render_forget(report: "ForgetReport", out: IO[str], *, listed: int = 20) -> None:
    """What went (or would go): per dump, the papers seen only there, those
    with your decisions first and listed, then the papers that stay."""
    would = "would forget" if report.dry_run else "forgot"
    for f in report.dumps:
        d = f.dump
        out.write(f"{would} {one_line(d.name)} ({d.layout}, {d.sightings} sightings): {len(f.gone)} paper"
                  f"{'s' if len(f.gone) != 1 else ''} seen only there "
                  f"{'would go' if report.dry_run else 'removed'}, {f.kept} seen elsewhere "
                  f"{'would lose' if report.dry_run else 'lost'} a sighting\n")
        decided = [g for g in f.gone if g.decided]
        if decided:
            out.write(f"  with your decisions (kept: ingesting {one_line(d.name)} again brings them back):\n")
            for g in decided[:listed]:
                parts = [g.status] + ["#" + t for t in g.tags] + (["note"] if g.note else [])
                out.write(f"    {g.id}  {' '.join(parts):<24}  {one_line(g.title)[:60]}\n")
            if len(decided) > listed:
                out.write(f"    … and {len(decided) - listed} more\n")
        if f.retitled:
            out.write(f"  {len(f.retitled)} paper{'s' if len(f.retitled) != 1 else ''} that stay show another "
                      f"title now: {', '.join(f.retitled[:8])}{' …' if len(f.retitled) > 8 else ''}\n")
        if not f.undoable and not report.dry_run:
            out.write(f"  (its file was not where it was ingested from: `undo` cannot bring it back, "
                      f"ingesting a copy can)\n")
