"""Screening benchmark: how much reading the learned ranking saves (issue 13).

A simulated reviewer, the way ASReview's simulation mode runs one: the prior
knowledge is one included and one excluded paper picked at random; then the
reviewer reads the papers in the order papertriage offers, one at a time,
and labels each with the truth from the data set; papertriage retrains as the
labels come (after every label at first, then in batches of 5 % of what is
labelled, so a set of 2,000 papers costs about 150 trainings instead of
2,000). The same is run with random order beside it.

    python bench/screening.py                      # the four review sets + the hf reader
    python bench/screening.py --runs 5 --plot bench/results/screening.png
    python bench/screening.py --asreview bench/results/asreview-screening.json

Figures per set, the mean over ``--runs`` different priors:
- WSS@95: share of papers never read once 95 % of the included ones are
  found, minus 5 % (ASReview's definition);
- RRF@10: share of the included papers found after reading 10 % of the set;
- the recall curve (``--plot``).

Data: ``../shared/data/screening/*.csv`` (title, abstract, label_included)
and the hf reader on ``../shared/data/hf_daily_papers.jsonl``: a reader who
keeps one topic (robotics, recognised by words of the title; those words
are removed from the text the ranker sees, so it must learn the topic from
the rest of the abstract).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from papertriage import interest  # noqa: E402
from papertriage.core.interest import METHOD  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SCREENING = DATA / "screening"
SETS = ["Nagtegaal_2019", "Kitchenham_2010", "Cohen_2006_ADHD", "Cohen_2006_Triptans"]
HF_TOPIC = re.compile(r"\b(robot\w*|embodied|manipulation|locomotion|humanoid\w*|grasp\w*)\b", re.I)


class Dataset:
    """Papers as the ranker sees them: the library's features and weights, and the labels."""

    def __init__(self, name: str, records: list[tuple[str, str, int]]):
        self.name = name
        self.labels = [label for _, _, label in records]
        vocab: dict[int, int] = {}
        m = interest.matrix([interest.features_of(t, a, vocab) for t, a, _ in records])
        self.x = interest.weigh(m, interest.document_frequencies(m, len(vocab)), len(records))

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def included(self) -> int:
        return sum(self.labels)


def read_review(path: Path) -> Dataset:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [(r.get("title") or "", r.get("abstract") or "", int(r["label_included"]))
                for r in csv.DictReader(fh)]
    return Dataset(path.stem, rows)


def read_hf_reader(path: Path, limit: int) -> Dataset:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            title, abstract = data.get("title") or "", data.get("abstract") or ""
            label = 1 if HF_TOPIC.search(title) else 0
            rows.append((HF_TOPIC.sub(" ", title), HF_TOPIC.sub(" ", abstract), label))
    random.Random(13).shuffle(rows)
    return Dataset(f"hf-reader (robotics, {limit} papers)", rows[:limit])


def simulate(data: Dataset, seed: int, *, c: float = interest.C, batch: float = 0.05, screen: int = 0,
             ratio: float = interest.RATIO) -> list[int]:
    """The order a reviewer reads the papers in (indices), with ranking: retrained after
    every label up to 20, then every 5 % more labels, warm started as the library does;
    ``screen``: retrained after every ``screen`` labels instead (the library's ten a screen)."""
    import numpy as np

    rng = random.Random(seed)
    inc = [i for i, y in enumerate(data.labels) if y]
    exc = [i for i, y in enumerate(data.labels) if not y]
    order = [rng.choice(inc), rng.choice(exc)]
    labels = np.array(data.labels)
    unlabeled = set(range(len(data))) - set(order)
    found, wanted = 1, len(inc)
    queue: list[int] = []
    trained_at = 0
    model = None
    while unlabeled and found < wanted:
        step = screen or max(1, int(trained_at * batch))
        if not queue or len(order) >= trained_at + step:
            rows = np.array(order)
            model = interest.train(data.x.take(rows), labels[rows], c=c, warm=model, ratio=ratio)
            s = interest.score(model, data.x)
            queue = sorted(unlabeled, key=lambda i: (s[i], -i))  # best last: pop()
            trained_at = len(order)
        nxt = queue.pop()
        while nxt not in unlabeled:
            nxt = queue.pop()
        unlabeled.discard(nxt)
        order.append(nxt)
        found += data.labels[nxt]
    # Every included paper found: the rest would follow in any order.
    order.extend(sorted(unlabeled))
    return order


def random_order(data: Dataset, seed: int) -> list[int]:
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    return order


def recall_curve(data: Dataset, order: list[int]) -> list[float]:
    """Recall after reading 1, 2, ... papers."""
    found, out = 0, []
    for i in order:
        found += data.labels[i]
        out.append(found / data.included)
    return out


def wss(data: Dataset, order: list[int], level: float = 0.95) -> float:
    need = math.ceil(level * data.included)
    found = 0
    for n, i in enumerate(order, 1):
        found += data.labels[i]
        if found >= need:
            return (len(order) - n) / len(order) - (1 - level)
    return 0.0


def rrf(data: Dataset, order: list[int], share: float = 0.10) -> float:
    n = math.ceil(share * len(order))
    return sum(data.labels[i] for i in order[:n]) / data.included


def run_set(data: Dataset, runs: int, c: float = interest.C, batch: float = 0.05, screen: int = 0,
            ratio: float = interest.RATIO) -> dict:
    t0 = time.perf_counter()
    ranked = [simulate(data, seed, c=c, batch=batch, screen=screen, ratio=ratio) for seed in range(runs)]
    elapsed = time.perf_counter() - t0
    rand = [random_order(data, 1000 + seed) for seed in range(max(runs, 10))]
    return {
        "set": data.name, "records": len(data), "included": data.included, "runs": runs,
        "wss95": statistics.mean(wss(data, o) for o in ranked),
        "wss95_sd": statistics.pstdev([wss(data, o) for o in ranked]),
        "rrf10": statistics.mean(rrf(data, o) for o in ranked),
        "random_wss95": statistics.mean(wss(data, o) for o in rand),
        "random_rrf10": statistics.mean(rrf(data, o) for o in rand),
        "seconds_per_run": elapsed / runs,
        "curve": [statistics.mean(c) for c in zip(*(recall_curve(data, o) for o in ranked))],
        "random_curve": [statistics.mean(c) for c in zip(*(recall_curve(data, o) for o in rand))],
    }


def pct(x: float | None) -> str:
    return "   –  " if x is None else f"{100 * x:5.1f}%"


def print_table(results: list[dict], asreview: dict) -> None:
    head = f"{'set':<34} {'papers':>6} {'incl':>5} {'WSS@95':>7} {'±sd':>5} {'RRF@10':>7} " \
           f"{'random WSS':>10} {'random RRF':>10} {'ASReview WSS':>12} {'ASReview RRF':>12}"
    print(head)
    print("-" * len(head))
    for r in results:
        a = asreview.get("sets", {}).get(r["set"], {})
        print(f"{r['set']:<34} {r['records']:>6} {r['included']:>5} {pct(r['wss95']):>7} "
              f"{100 * r['wss95_sd']:>5.1f} {pct(r['rrf10']):>7} {pct(r['random_wss95']):>10} "
              f"{pct(r['random_rrf10']):>10} {pct(a.get('wss95')):>12} {pct(a.get('rrf10')):>12}")
    reviews = [r for r in results if r["set"] in SETS]
    if reviews:
        mean_a = [asreview["sets"][r["set"]]["wss95"] for r in reviews if r["set"] in asreview.get("sets", {})]
        print(f"{'mean of the review sets':<34} {'':>6} {'':>5} "
              f"{pct(statistics.mean(r['wss95'] for r in reviews)):>7} {'':>5} "
              f"{pct(statistics.mean(r['rrf10'] for r in reviews)):>7} "
              f"{pct(statistics.mean(r['random_wss95'] for r in reviews)):>10} {'':>10} "
              f"{pct(statistics.mean(mean_a) if len(mean_a) == len(reviews) else None):>12}")
    if asreview.get("version"):
        print(f"ASReview: {asreview['version']}, {asreview.get('model', 'default model')}, "
              f"{asreview.get('runs', 1)} run(s) per set with the same kind of priors")


def plot(results: list[dict], asreview: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 4), squeeze=False)
    for ax, r in zip(axes[0], results):
        n = r["records"]
        xs = [(i + 1) / n for i in range(n)]
        ax.plot(xs, r["curve"], label=f"papertriage (WSS@95 {100 * r['wss95']:.0f}%)")
        ax.plot(xs, r["random_curve"], label="random order", linestyle=":")
        curve = asreview.get("sets", {}).get(r["set"], {}).get("curve")
        if curve:
            ax.plot([(i + 1) / len(curve) for i in range(len(curve))], curve,
                    label=f"ASReview (WSS@95 {100 * asreview['sets'][r['set']]['wss95']:.0f}%)", linestyle="--")
        ax.axhline(0.95, color="grey", linewidth=0.5)
        ax.set_title(f"{r['set']}\n{n} papers, {r['included']} included", fontsize=9)
        ax.set_xlabel("share of papers read")
        ax.set_ylabel("recall")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"recall curves: {path}")


def _path(text: str) -> Path | None:
    return Path(text) if text else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="priors per set (default 5)")
    parser.add_argument("--sets", default=",".join(SETS) + ",hf", help="comma-separated; hf = the hf reader")
    parser.add_argument("--hf-papers", type=int, default=4000)
    parser.add_argument("--c", type=float, default=interest.C, help="the SVM's regularisation")
    parser.add_argument("--batch", type=float, default=0.05,
                        help="retrain after this share more labels (after every label up to 20)")
    parser.add_argument("--screen", type=int, default=0,
                        help="retrain after every N labels instead (10: the library's ten papers a screen)")
    parser.add_argument("--ratio", type=float, default=interest.RATIO,
                        help="kept papers' total weight over the skipped ones' (ASReview: 9.8)")
    parser.add_argument("--plot", type=_path, default=HERE / "results" / "screening.png")
    parser.add_argument("--json", type=_path, default=HERE / "results" / "screening.json")
    parser.add_argument("--asreview", type=Path, default=HERE / "results" / "asreview-screening.json",
                        help="ASReview's figures on the same sets (bench/asreview_screening.py writes them)")
    args = parser.parse_args(argv)
    asreview = json.loads(args.asreview.read_text()) if args.asreview and args.asreview.exists() else {}
    results = []
    for name in args.sets.split(","):
        data = read_hf_reader(DATA / "hf_daily_papers.jsonl", args.hf_papers) if name == "hf" \
            else read_review(SCREENING / f"{name}.csv")
        results.append(run_set(data, args.runs, args.c, args.batch, args.screen, args.ratio))
        r = results[-1]
        print(f"  {r['set']}: WSS@95 {pct(r['wss95'])}, RRF@10 {pct(r['rrf10'])}, "
              f"{r['seconds_per_run']:.1f} s a run", file=sys.stderr)
    print(f"model: {METHOD} (TF-IDF word 1-2-grams, sublinear tf, linear SVM, kept papers weighing {args.ratio:g}x the skipped), C {args.c}, "
          f"retrained every {f'{args.screen} labels' if args.screen else f'{args.batch:.0%} more labels'}; "
          f"{args.runs} runs per set")
    print_table(results, asreview)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"method": METHOD, "c": args.c, "batch": args.batch, "results": [
            {k: v for k, v in r.items() if "curve" not in k} for r in results]}, indent=1))
    if args.plot:
        plot(results, asreview, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
