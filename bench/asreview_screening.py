"""ASReview's own figures on the screening sets, for bench/screening.py to print beside papertriage's.

ASReview is not a papertriage dependency: install it in a throwaway venv and
point this script at its `asreview` program. Each run uses the very priors
bench/screening.py uses for the same seed (one included, one excluded), so
the two are compared on the same starting point.

    python3 -m venv /tmp/asr && /tmp/asr/bin/pip install asreview
    python bench/asreview_screening.py --asreview /tmp/asr/bin/asreview --runs 3

Writes bench/results/asreview-screening.json (version, model, WSS@95, RRF@10
and the mean recall curve per set).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import screening  # noqa: E402


def priors(data: screening.Dataset, seed: int) -> list[int]:
    """The same prior rows screening.simulate starts from."""
    rng = random.Random(seed)
    inc = [i for i, y in enumerate(data.labels) if y]
    exc = [i for i, y in enumerate(data.labels) if not y]
    return [rng.choice(inc), rng.choice(exc)]


def run_once(asreview: str, csv: Path, prior: list[int], seed: int, workdir: Path) -> tuple[list[int], str]:
    out = workdir / f"{csv.stem}-{seed}.asreview"
    subprocess.run([asreview, "simulate", str(csv), "--prior-idx", *map(str, prior), "--seed", str(seed),
                    "-o", str(out)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with zipfile.ZipFile(out) as z:
        z.extract("results.db", workdir / out.stem)
    db = sqlite3.connect(workdir / out.stem / "results.db")
    rows = db.execute("SELECT r.dataset_row, s.classifier, s.feature_extractor, s.querier, s.balancer"
                      " FROM results s JOIN record r ON r.record_id = s.record_id ORDER BY s.rowid").fetchall()
    model = next((f"{c} + {f} ({q}, {b})" for _, c, f, q, b in rows if c), "unknown")
    return [r[0] for r in rows], model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--asreview", required=True, help="the asreview program of a separate venv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sets", default=",".join(screening.SETS))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "asreview-screening.json")
    args = parser.parse_args(argv)
    version = subprocess.run([args.asreview, "--version"], capture_output=True, text=True).stdout.strip()
    result: dict = {"version": version, "runs": args.runs, "sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            csv = screening.SCREENING / f"{name}.csv"
            data = screening.read_review(csv)
            orders = []
            for seed in range(args.runs):
                labelled, model = run_once(args.asreview, csv, priors(data, seed), seed, Path(tmp))
                rest = sorted(set(range(len(data))) - set(labelled))
                orders.append(labelled + rest)
                result["model"] = model
            result["sets"][name] = {
                "wss95": statistics.mean(screening.wss(data, o) for o in orders),
                "rrf10": statistics.mean(screening.rrf(data, o) for o in orders),
                "curve": [statistics.mean(c) for c in zip(*(screening.recall_curve(data, o) for o in orders))],
            }
            print(f"{name}: WSS@95 {screening.pct(result['sets'][name]['wss95'])}, "
                  f"RRF@10 {screening.pct(result['sets'][name]['rrf10'])}", file=sys.stderr)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result))  # after each set: a long run keeps what it measured
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result))
    print(f"{version}, {result['model']}: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
