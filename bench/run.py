"""papertriage benchmark: ingest, dedup, size, search, list, export, --help
and tag at several library sizes, each beside the bare-SQLite limit.

    python bench/run.py --quick                 # 10k papers, under a minute
    python bench/run.py --sizes 10k,100k,1m     # the full curve

Per size it generates a labelled corpus (tests/corpus.py) into bench/work/
(cached by size, seed and the generator's source), ingests it into a fresh
library with the real package API, and runs the real `papertriage` commands
as whole processes. The limit (bench/limit.py) writes the same rows with bare
sqlite3 and runs the same queries straight against FTS5. Results go to
bench/results/<timestamp>.json and latest.json; bench/plot.py draws them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from measure import percentile, repeat_until, run_json, run_process, summary  # noqa: E402

WORK = HERE / "work"
RESULTS = HERE / "results"
NA = "n/a (not available)"

# The fixed query set: common and rare words, typos, prefixes. `intended` is
# what the limit searches for a typo (bare FTS5 cannot correct one; the
# correction is papertriage's own cost).
QUERIES = [
    {"q": "model", "kind": "common"},
    {"q": "language models", "kind": "common"},
    {"q": "learning", "kind": "common"},
    {"q": "diffusion", "kind": "common"},
    {"q": "large language model", "kind": "common"},
    {"q": "reinforcement learning", "kind": "common"},
    {"q": "kolmogorov arnold", "kind": "rare"},
    {"q": "bilinear", "kind": "rare"},
    {"q": "mechanistic interpretability", "kind": "rare"},
    {"q": "speculative decoding", "kind": "rare"},
    {"q": "gaussian splatting", "kind": "rare"},
    {"q": "protein", "kind": "rare"},
    {"q": "transfomer", "kind": "typo", "intended": "transformer"},
    {"q": "kolmogorv arnold", "kind": "typo", "intended": "kolmogorov arnold"},
    {"q": "mechanstic interpretabilty", "kind": "typo", "intended": "mechanistic interpretability"},
    {"q": "difusion models", "kind": "typo", "intended": "diffusion models"},
    {"q": "reinforcment learning", "kind": "typo", "intended": "reinforcement learning"},
    {"q": "interpret*", "kind": "prefix"},
    {"q": "quantiz*", "kind": "prefix"},
]
# Whole-process searches: one or two of each kind (a process costs ~0.2 s).
PROCESS_QUERIES = ["language models", "kolmogorov arnold", "speculative decoding", "kolmogorv arnold",
                   "transfomer", "interpret*"]


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- corpus --------------------------------------------------------------------


def ensure_corpus(n: int, seed: int, work: Path) -> tuple[Path, dict]:
    """Generate (or reuse) the corpus for n papers; returns its folder and the truth summary."""
    import corpus

    src_hash = hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest()[:16]
    folder = work / f"corpus-{size_label(n)}-s{seed}"
    marker = folder / "corpus.done.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("generator") == src_hash:
            log(f"corpus {folder.name}: cached ({info['sightings']} sightings in {info['dumps']} dumps)")
            return folder, info
    if folder.exists():
        shutil.rmtree(folder)
    log(f"corpus {folder.name}: generating {n} papers ...")
    t0 = time.perf_counter()
    truth = corpus.generate_corpus(folder, n, seed=seed)
    info = {"papers": truth.papers, "real_papers": truth.real_papers, "synthetic_papers": truth.synthetic_papers,
            "sightings": truth.sightings, "dumps": truth.dumps, "repeats": truth.repeats,
            "layouts": dict(truth.layouts), "variants": dict(truth.variants),
            "bytes": sum(p.stat().st_size for p in folder.glob("*.txt")),
            "seconds": time.perf_counter() - t0, "generator": src_hash, "seed": seed}
    marker.write_text(json.dumps(info, indent=1))
    log(f"corpus {folder.name}: {info['sightings']} sightings in {info['dumps']} dumps, {info['seconds']:.1f} s")
    return folder, info


# -- helpers -------------------------------------------------------------------


def papertriage_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "papertriage"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "papertriage"]


def has_command(*words: str) -> bool:
    result = run_process([*papertriage_cmd(), *words, "--help"], keep_stdout=False)
    return result.returncode == 0


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def db_size(path: Path) -> int:
    return sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())


def ms(values):
    return [v * 1000 for v in values]


def metric(pt, limit=None, unit="", *, target=None, ok=None, noise=None, note=None, better="lower") -> dict:
    """One row of the table: papertriage's figure, the limit's, their ratio."""
    ratio = None
    if isinstance(pt, (int, float)) and isinstance(limit, (int, float)) and limit:
        ratio = pt / limit if better == "lower" else limit / pt
    return {"papertriage": pt, "limit": limit, "ratio": ratio, "unit": unit, "target": target, "ok": ok,
            "noise": noise, "note": note}


# -- one size ------------------------------------------------------------------


def bench_size(n: int, args) -> dict:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus_dir, info = ensure_corpus(n, args.seed, work)
    label = size_label(n)
    db = work / f"lib-{label}.db"
    limit_db = work / f"limit-{label}.db"
    py = sys.executable
    rows: dict[str, dict] = {}
    raw: dict = {"corpus": info, "loadavg_start": os.getloadavg()}
    big = n >= 1_000_000

    # Ingest: the real API in a fresh interpreter, into a fresh library.
    def one_ingest():
        remove_db(db)
        out, proc = run_json([py, str(HERE / "child.py"), "ingest", str(corpus_dir), str(db), "--split"])
        out["process_seconds"], out["process_peak_mb"] = proc.seconds, proc.peak_mb
        out["process_cpu_seconds"] = proc.cpu_seconds
        log(f"  ingest {label}: {out['seconds']:.1f} s, {out['records'] / out['seconds']:.0f} sightings/s, "
            f"peak {proc.peak_mb:.0f} MB, {out['errors']} errors")
        return out

    log(f"{label}: ingest ...")
    ingests = repeat_until(one_ingest, runs=args.runs if not args.quick else 1, budget_s=args.budget)
    raw["ingest"] = ingests
    size_bytes = db_size(db)
    records = ingests[-1]["records"]
    secs = summary([r["seconds"] for r in ingests])
    peak = max(r["process_peak_mb"] for r in ingests)
    split = {k: statistics.median([r["split"].get(k, 0.0) for r in ingests]) for k in ingests[0]["split"]}
    parse_s = split.get("parse", 0.0)
    dedup_s = sum(v for k, v in split.items() if k.startswith("dedup"))
    rest_s = secs["median"] - parse_s - dedup_s

    log(f"{label}: limit write ...")

    def one_limit():
        out, proc = run_json([py, str(HERE / "limit.py"), "write", str(db), str(limit_db)])
        out["process_peak_mb"] = proc.peak_mb
        out["process_cpu_seconds"] = proc.cpu_seconds
        return out

    limits = repeat_until(one_limit, runs=args.runs, budget_s=args.budget)
    raw["limit_write"] = limits
    lim = summary([r["seconds"] for r in limits])
    rate_target = 6_667 if n < 1_000_000 else 5_556
    rate = records / secs["median"]
    cpu = statistics.median([r.get("process_cpu_seconds", 0.0) for r in ingests])
    rows["ingest_seconds"] = metric(secs["median"], lim["median"], "s", target="<=2x limit",
                                    ok=secs["median"] <= 2 * lim["median"], noise=secs["noise"],
                                    note=f"{secs['runs']} run(s), CPU {cpu:.1f} s; limit {lim['runs']} runs, "
                                         f"noise {lim['noise']:.0%}")
    lim_cpu = statistics.median([r.get("process_cpu_seconds", 0.0) for r in limits])
    rows["ingest_cpu_seconds"] = metric(cpu, lim_cpu, "s", target="<=2x limit", ok=cpu <= 2 * lim_cpu,
                                        note="user + system of both processes (fairer than wall on a loaded "
                                             "machine); the limit's includes reading the rows")
    rows["ingest_rate"] = metric(rate, records / lim["median"], "sightings/s",
                                 target=f">={rate_target:,}/s", ok=rate >= rate_target, better="higher")
    rows["ingest_parse"] = metric(parse_s, None, "s", note=f"{parse_s / secs['median']:.0%} of ingest")
    helper_cpu = statistics.median([r.get("helper_cpu_seconds", 0.0) for r in ingests])
    rows["ingest_dedup"] = metric(dedup_s, None, "s", note=(
        f"{dedup_s / secs['median']:.0%} here: fingerprint {split.get('dedup_fingerprint', 0):.2f}, "
        f"score {split.get('dedup_score', 0):.2f}, key look-up "
        f"{split.get('dedup_lookup', 0) + split.get('dedup_lookup_states', 0):.2f}; the helper process "
        f"{helper_cpu:.1f} s CPU (parse, fingerprints and, on a first import, the matching)"))
    rows["ingest_write"] = metric(rest_s, lim["median"], "s",
                                  note="write + FTS + the rest (total - parse - dedup); limit: bare write")
    rows["ingest_peak_mb"] = metric(peak, max(r["process_peak_mb"] for r in limits), "MB", target="<1024 MB",
                                    ok=peak < 1024, note="limit holds every row in memory before writing")

    # Dedup quality (the library) and dedup alone (dedup.cluster over the parsed records).
    log(f"{label}: dedup quality ...")
    quality, _ = run_json([py, str(HERE / "child.py"), "quality", str(db), str(corpus_dir)])
    raw["quality"] = quality
    m = quality["metrics"]
    rows["dedup_precision"] = metric(m["precision"], None, "", target="1.0 (no false merge)",
                                     ok=m["false_merges"] == 0, better="higher",
                                     note=f"{m['false_merges']} false merges of {m['pairs']} merged pairs")
    rows["dedup_recall"] = metric(m["recall"], None, "", target=">=0.98", ok=m["recall"] >= 0.98, better="higher",
                                  note=f"{m['missed']} missed of {m['true_pairs']} true pairs; "
                                       f"{quality['papers']} papers for {quality['true_papers']} true")
    if n <= args.dedup_max:
        log(f"{label}: parse + dedup alone ...")
        alone, proc = run_json([py, str(HERE / "child.py"), "dedup", str(corpus_dir)])
        raw["dedup_alone"] = alone
        d_rate = alone["sightings"] / alone["dedup_seconds"]
        d_target = 20_000 if n <= 100_000 else 10_000
        rows["dedup_alone_rate"] = metric(d_rate, None, "sightings/s", target=f">={d_target:,}/s",
                                          ok=d_rate >= d_target, better="higher",
                                          note=f"dedup.cluster over {alone['sightings']} records, "
                                               f"P={alone['metrics']['precision']:.4f} R={alone['metrics']['recall']:.4f}, "
                                               f"peak {proc.peak_mb:.0f} MB")
        rows["parse_alone_rate"] = metric(alone["sightings"] / alone["parse_seconds"], None, "sightings/s",
                                          better="higher", note="parse_bytes only (files already in memory)")
    else:
        rows["dedup_alone_rate"] = metric(None, note=f"skipped above {args.dedup_max} papers (cluster keeps every "
                                                     "fingerprint in memory); see ingest_dedup")

    per_paper = size_bytes / quality["papers"] / 1024
    lim_size = limits[-1]["size_bytes"] / quality["papers"] / 1024
    # Issue 16's goal: at or below 3.8 KB a paper (at 1M too); `bench/size.py LIB` says where the bytes are.
    rows["db_kb_per_paper"] = metric(per_paper, lim_size, "KB", target="<=3.8 KB", ok=per_paper <= 3.8,
                                     note=f"{size_bytes / 1e6:.0f} MB file; limit: same rows, same indexes")

    if not args.no_daily:  # a day's few hundred sightings into this library, as a process (issue 16)
        import daily

        log(f"{label}: daily ingest ...")
        raw["daily"] = daily.measure(db, corpus_dir, work, runs=1 if args.quick else args.runs)
        rows.update(daily.rows(raw["daily"], metric))

    # Search, in-process (papertriage's core API and bare FTS5).
    log(f"{label}: search in-process ...")
    qfile = work / "queries.json"
    qfile.write_text(json.dumps(QUERIES))
    rounds = 3 if args.quick else 5
    search, _ = run_json([py, str(HERE / "child.py"), "search", str(db), str(limit_db), str(qfile), str(rounds)])
    raw["search"] = search
    lim_t = ms([t for ts in search["limit"]["times"].values() for t in ts])
    s_med_t, s_p95_t = (5, 15) if n < 1_000_000 else (20, 150)
    if search["papertriage"]:
        pt_t = ms([t for ts in search["papertriage"]["times"].values() for t in ts])
        rows["search_median_ms"] = metric(statistics.median(pt_t), statistics.median(lim_t), "ms",
                                          target=f"<{s_med_t} ms", ok=statistics.median(pt_t) < s_med_t,
                                          note=f"{len(QUERIES)} queries x {rounds} rounds")
        rows["search_p95_ms"] = metric(percentile(pt_t, 95), percentile(lim_t, 95), "ms",
                                       target=f"<{s_p95_t} ms", ok=percentile(pt_t, 95) < s_p95_t)
        for kind in ("common", "rare", "typo", "prefix"):
            k_pt = ms([t for q in QUERIES if q["kind"] == kind for t in search["papertriage"]["times"][q["q"]]])
            k_lim = ms([t for q in QUERIES if q["kind"] == kind for t in search["limit"]["times"][q["q"]]])
            rows[f"search_{kind}_p95_ms"] = metric(percentile(k_pt, 95), percentile(k_lim, 95), "ms",
                                                   target="<500 ms" if kind == "prefix" and big else None,
                                                   ok=percentile(k_pt, 95) < 500 if kind == "prefix" and big else None)
    else:
        rows["search_median_ms"] = metric(NA, statistics.median(lim_t), "ms", note="no papertriage.core.search yet")
        rows["search_p95_ms"] = metric(NA, percentile(lim_t, 95), "ms")

    # Whole processes.
    pt = papertriage_cmd()
    base = [*pt, "--library", str(db)]
    proc_rounds = 1 if args.quick or args.runs == 1 else 3
    if has_command("search"):
        log(f"{label}: search processes ...")
        pt_p, lim_p, codes = [], [], set()
        for _ in range(proc_rounds):
            for q in PROCESS_QUERIES:
                r = run_process([*base, "search", q, "--format", "ids", "--limit", "20"], keep_stdout=False)
                codes.add(r.returncode)
                pt_p.append(r.seconds * 1000)
                intended = next((x.get("intended", x["q"]) for x in QUERIES if x["q"] == q), q)
                lim_p.append(run_process([py, str(HERE / "limit.py"), "search", str(limit_db), intended],
                                         keep_stdout=False).seconds * 1000)
        ok_proc = statistics.median(pt_p) < 150 if n <= 100_000 else None
        rows["search_process_median_ms"] = metric(statistics.median(pt_p), statistics.median(lim_p), "ms",
                                                  target="<150 ms" if n <= 100_000 else None, ok=ok_proc,
                                                  note=f"exit codes {sorted(codes)}; limit: python + sqlite3 process")
        rows["search_process_p95_ms"] = metric(percentile(pt_p, 95), percentile(lim_p, 95), "ms")
    else:
        rows["search_process_median_ms"] = metric(NA, None, "ms", note="no `papertriage search` command yet")

    log(f"{label}: list, export ...")
    out_path = work / f"export-{label}.jsonl"
    lim_out = work / f"limit-export-{label}.jsonl"

    def timed_process(cmd, **kw):
        r = run_process(cmd, **kw)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-2000:]}")
        return r

    lst = repeat_until(lambda: timed_process([*base, "list", "--format", "tsv"], stdout_path=work / "list.out"),
                       runs=args.runs, budget_s=args.budget)
    lim_lst = repeat_until(lambda: timed_process([py, str(HERE / "limit.py"), "list", str(limit_db)],
                                                 stdout_path=work / "limit-list.out"),
                           runs=args.runs, budget_s=args.budget)
    exp = repeat_until(lambda: timed_process([*base, "export", "--format", "jsonl"], stdout_path=out_path),
                       runs=args.runs, budget_s=args.budget)
    lim_exp = repeat_until(lambda: timed_process([py, str(HERE / "limit.py"), "export", str(limit_db), str(lim_out)]),
                           runs=args.runs, budget_s=args.budget)
    with open(out_path, "rb") as f:
        exported = sum(1 for _ in f)
    ls, lls = summary([r.seconds for r in lst]), summary([r.seconds for r in lim_lst])
    es, les = summary([r.seconds for r in exp]), summary([r.seconds for r in lim_exp])
    e_target = 3.0 * n / 100_000
    rows["list_seconds"] = metric(ls["median"], lls["median"], "s", noise=ls["noise"])
    rows["list_peak_mb"] = metric(max(r.peak_mb for r in lst), max(r.peak_mb for r in lim_lst), "MB")
    rows["export_seconds"] = metric(es["median"], les["median"], "s", target=f"<{e_target:g} s",
                                    ok=es["median"] < e_target, noise=es["noise"],
                                    note=f"{exported} lines, {out_path.stat().st_size / 1e6:.0f} MB")
    exp_peak = max(r.peak_mb for r in exp)
    rows["export_peak_mb"] = metric(exp_peak, max(r.peak_mb for r in lim_exp), "MB", target="<50 MB",
                                    ok=exp_peak < 50)
    out_path.unlink()
    lim_out.unlink()

    log(f"{label}: start-up ...")
    import startup  # bench/startup.py (issue 16): --help, completion, a daily ingest's fixed cost

    first_dump = next(iter(sorted(corpus_dir.glob("*.txt"))), None)
    st = startup.measure(db, first_dump, runs=7 if args.runs >= 3 else 3)
    raw["startup"] = st
    bare = st["python_ms"]["wall_ms"]
    for key, target in (("help_ms", 100), ("complete_ms", 100), ("ingest_startup_ms", 80)):
        if key in st:
            r = st[key]
            rows[key] = metric(r["wall_ms"], bare, "ms", target=f"<{target} ms", ok=r["wall_ms"] < target,
                               note=f"cpu {r['cpu_ms']:.0f} ms; limit: `python -c pass`")

    if has_command("tag", "add"):
        log(f"{label}: tag add 10,000 ids ...")
        ids_file = work / "tag-ids.txt"
        con = sqlite3.connect(f"file:{limit_db}?mode=ro", uri=True)
        ids = [r[0] for r in con.execute("SELECT id FROM papers ORDER BY random() LIMIT 10000")]
        con.close()
        ids_file.write_text("\n".join(ids) + "\n")
        tag_runs, lim_tag = [], []
        for i in range(1 if args.quick else args.runs):
            tag_runs.append(timed_process([*base, "tag", "add", f"bench{i}", "-"], stdin_path=ids_file))
            lim_tag.append(timed_process([py, str(HERE / "limit.py"), "tag", str(limit_db), f"bench{i}"],
                                         stdin_path=ids_file))
        ts = summary([r.seconds for r in tag_runs])
        rows["tag_add_seconds"] = metric(ts["median"], statistics.median([r.seconds for r in lim_tag]), "s",
                                         noise=ts["noise"], note=f"{len(ids)} ids on stdin, one process")
        rows["tag_add_peak_mb"] = metric(max(r.peak_mb for r in tag_runs), max(r.peak_mb for r in lim_tag), "MB")
    else:
        rows["tag_add_seconds"] = metric(NA, None, "s", note="no `papertriage tag add` yet")

    raw["loadavg_end"] = os.getloadavg()
    return {"papers": n, "label": label, "sightings": records, "dumps": info["dumps"], "rows": rows, "raw": raw,
            "loadavg": [raw["loadavg_start"], raw["loadavg_end"]]}


# -- output --------------------------------------------------------------------

LABELS = {
    "ingest_seconds": "ingest, total",
    "ingest_cpu_seconds": "ingest CPU",
    "ingest_rate": "ingest rate",
    "ingest_parse": "  parse",
    "ingest_dedup": "  dedup",
    "ingest_write": "  write, index, rest",
    "ingest_peak_mb": "ingest peak memory",
    "dedup_precision": "dedup precision",
    "dedup_recall": "dedup recall",
    "dedup_alone_rate": "dedup alone",
    "parse_alone_rate": "parse alone",
    "db_kb_per_paper": "library size per paper",
    "daily_seconds": "daily ingest, 300, process",
    "daily_cpu_seconds": "  daily ingest CPU",
    "daily_written_mb": "  daily ingest written",
    "search_median_ms": "search in-process, median",
    "search_p95_ms": "search in-process, p95",
    "search_common_p95_ms": "  common words, p95",
    "search_rare_p95_ms": "  rare words, p95",
    "search_typo_p95_ms": "  typos, p95",
    "search_prefix_p95_ms": "  prefix, p95",
    "search_process_median_ms": "search process, median",
    "search_process_p95_ms": "search process, p95",
    "list_seconds": "list (all, tsv)",
    "list_peak_mb": "list peak memory",
    "export_seconds": "export --format jsonl",
    "export_peak_mb": "export peak memory",
    "help_ms": "papertriage --help",
    "complete_ms": "a Tab completion (ids)",
    "ingest_startup_ms": "ingest start-up (known dump)",
    "tag_add_seconds": "tag add, 10k ids from a pipe",
    "tag_add_peak_mb": "tag add peak memory",
}


def fmt(value, unit="") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit in ("sightings/s",):
        return f"{value:,.0f}/s"
    if unit == "":
        return f"{value:.4f}"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}"


def table(result: dict) -> str:
    head = f"{result['label']} papers: {result['sightings']:,} sightings in {result['dumps']:,} dumps"
    if result.get("loadavg"):
        (a, *_), (b, *_) = result["loadavg"]
        head += f" (load average {a:.1f} -> {b:.1f} on {os.cpu_count()} CPUs)"
    lines = [head, "-" * len(head),
             f"{'metric':<30} {'papertriage':>14} {'limit':>14} {'ratio':>7}  {'target':<20} {'':<4} note"]
    for key, row in result["rows"].items():
        ratio = f"{row['ratio']:.1f}x" if row["ratio"] is not None else ""
        ok = "" if row["ok"] is None else ("ok" if row["ok"] else "MISS")
        note = row["note"] or ""
        if row.get("noise") is not None:
            note = (f"noise {row['noise']:.0%}; " + note).rstrip("; ")
        lines.append(f"{LABELS.get(key, key):<30} {fmt(row['papertriage'], row['unit']):>14} "
                     f"{fmt(row['limit'], row['unit']):>14} {ratio:>7}  {row['target'] or '':<20} {ok:<4} {note}")
    return "\n".join(lines)


def environment() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "src"], capture_output=True,
                                    text=True).stdout.strip())
    except OSError:
        commit, dirty = "", None
    import psutil

    return {"date": dt.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "cpu": cpu, "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "platform": platform.platform(),
            "commit": commit, "src_modified": dirty}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k", help="library sizes in papers, e.g. 10k,100k,1m [10k,100k]")
    ap.add_argument("--quick", action="store_true", help="10k only, fewer repeats: under a minute")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed [0]")
    ap.add_argument("--runs", type=int, default=3, help="repeats of each measurement [3]")
    ap.add_argument("--budget", type=float, default=90.0,
                    help="stop repeating a measurement once it has used this many seconds [90]")
    ap.add_argument("--dedup-max", type=int, default=100_000,
                    help="measure dedup alone (in memory) only up to this many papers [100000]")
    ap.add_argument("--work", default=str(WORK), help="corpus and library folder [bench/work]")
    ap.add_argument("--results", default=str(RESULTS), help="where the JSON and PNG go [bench/results]")
    ap.add_argument("--no-plot", action="store_true", help="skip the PNG")
    ap.add_argument("--no-daily", action="store_true", help="skip the daily ingest (bench/daily.py)")
    ap.add_argument("--no-dedup-kinds", action="store_true",
                    help="skip dedup precision/recall per kind of variation (bench/dedup_kinds.py)")
    ap.add_argument("--known-items", action="store_true",
                    help="also run the known-item search benchmark on the real papers (bench/known_items.py)")
    args = ap.parse_args(argv)
    sizes = [10_000] if args.quick else [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick and args.sizes != ap.get_default("sizes"):
        sizes = [parse_size(s) for s in args.sizes.split(",")]

    import startup

    startup.compile_bytecode()  # PYTHONDONTWRITEBYTECODE must not make every process recompile (issue 16)
    results = {"environment": environment(), "quick": args.quick, "seed": args.seed, "queries": QUERIES,
               "sizes": []}
    started = time.perf_counter()
    out_dir = Path(args.results)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    latest = "latest-quick" if args.quick else "latest"  # a quick run never replaces the full figures
    for n in sizes:
        result = bench_size(n, args)
        results["sizes"].append(result)
        print(table(result) + "\n", flush=True)
        results["seconds"] = time.perf_counter() - started
        for path in (out_dir / f"{stamp}.json", out_dir / f"{latest}.json"):
            path.write_text(json.dumps(results, indent=1))
    if not args.no_dedup_kinds:
        import dedup_kinds

        log("dedup precision/recall per kind of variation ...")
        tiny = max(sizes) < 10_000  # the smoke test: a small draw on the committed sample
        kinds = dedup_kinds.run(args.seed, per_kind=20 if tiny else 100 if args.quick else 300,
                                synthetic=300 if tiny else 5000, sample=tiny)
        results["dedup_kinds"] = {k: v for k, v in kinds.items() if not k.startswith("_")}
        print(dedup_kinds.format_table(kinds) + "\n", flush=True)
    if args.known_items:
        import known_items

        log("known-item search on the real papers ...")
        results["known_items"] = known = known_items.run(work=Path(args.work) / "known-items")
        print(known_items.format_table(known) + "\n", flush=True)
        for path in (out_dir / f"{stamp}.json", out_dir / f"{latest}.json"):
            path.write_text(json.dumps(results, indent=1))
    if not args.no_plot:
        import plot

        png = plot.plot(results, out_dir / f"{stamp}.png")
        shutil.copyfile(png, out_dir / f"{latest}.png")
        log(f"plot: {png}")
    log(f"results: {out_dir / (stamp + '.json')} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
