"""Draw a benchmark result: time and memory against library size, log-log,
papertriage solid and the bare-SQLite limit dashed, with a slope-1 guide
(linear growth) in grey.

    python bench/plot.py [bench/results/latest.json] [-o out.png]
    python bench/plot.py RUN-10k-100k.json RUN-1m.json -o curve.png --save-merged curve.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

TIME_SERIES = [  # (row, label, scale to seconds)
    ("ingest_seconds", "ingest", 1.0),
    ("export_seconds", "export jsonl", 1.0),
    ("list_seconds", "list", 1.0),
    ("search_median_ms", "search median (in-process)", 1e-3),
    ("search_p95_ms", "search p95 (in-process)", 1e-3),
    ("search_process_median_ms", "search process", 1e-3),
    ("tag_add_seconds", "tag add 10k", 1.0),
]
MEMORY_SERIES = [  # (row, label, to MB)
    ("ingest_peak_mb", "ingest peak RSS", None),
    ("export_peak_mb", "export peak RSS", None),
    ("list_peak_mb", "list peak RSS", None),
    ("db_kb_per_paper", "library file", "per_paper_kb"),
]


def _points(sizes: list[dict], row: str, side: str, scale) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for s in sizes:
        r = s["rows"].get(row)
        if not r or not isinstance(r.get(side), (int, float)) or not r.get(side):
            continue
        value = r[side]
        if scale == "per_paper_kb":
            value = value * s["papers"] / 1024  # KB per paper -> MB for the whole file
        elif scale is not None:
            value = value * scale
        xs.append(s["papers"])
        ys.append(value)
    return xs, ys


def plot(results: dict, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["sizes"], key=lambda s: s["papers"])
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(13, 5.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, series, ylabel in ((ax_t, TIME_SERIES, "seconds"), (ax_m, MEMORY_SERIES, "MB")):
        drawn = []
        for i, (row, label, scale) in enumerate(series):
            color = colors[i % len(colors)]
            xs, ys = _points(sizes, row, "papertriage", scale)
            if xs:
                ax.plot(xs, ys, "o-", color=color, label=label)
                drawn.extend(ys)
            lx, ly = _points(sizes, row, "limit", scale)
            if lx:
                ax.plot(lx, ly, "x--", color=color, alpha=0.6, label=f"{label} (limit)")
                drawn.extend(ly)
        if drawn and len(sizes) > 1:
            x0, x1 = sizes[0]["papers"], sizes[-1]["papers"]
            y0 = min(drawn)
            ax.plot([x0, x1], [y0, y0 * x1 / x0], ":", color="grey", label="linear (slope 1)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("library size (papers)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    ax_t.set_title("time (solid: papertriage, dashed: bare SQLite)")
    ax_m.set_title("memory and file size")
    env = results.get("environment", {})
    fig.suptitle(f"papertriage benchmark  {env.get('date', '')}  {env.get('cpus', '?')} CPUs  "
                 f"Python {env.get('python', '')}  SQLite {env.get('sqlite', '')}  commit {env.get('commit', '')}",
                 fontsize=9)
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def merge(results: list[dict]) -> dict:
    """One result from several runs (say 10k,100k and then 1m): their sizes
    side by side, the latest run's figure where two runs measured one size."""
    merged = dict(results[-1])
    by_papers = {}
    for result in results:
        for size in result["sizes"]:
            by_papers[size["papers"]] = size
    merged["sizes"] = [by_papers[n] for n in sorted(by_papers)]
    return merged


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Plot benchmark results (log-log); several results are merged.")
    ap.add_argument("results", nargs="*", default=[str(HERE / "results" / "latest.json")])
    ap.add_argument("-o", "--out", default=None, help="PNG path [next to the (first) JSON]")
    ap.add_argument("--save-merged", default=None, metavar="JSON", help="also write the merged result here")
    args = ap.parse_args(argv)
    sources = [Path(r) for r in args.results]
    result = merge([json.loads(p.read_text()) for p in sources])
    if len(sources) > 1:
        result["merged_from"] = [p.name for p in sources]
    if args.save_merged:
        Path(args.save_merged).write_text(json.dumps(result, indent=1))
    out = Path(args.out) if args.out else sources[0].with_suffix(".png")
    print(plot(result, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
