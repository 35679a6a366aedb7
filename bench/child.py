"""In-process measurements, each run in a fresh interpreter by ``run.py`` (so
its peak memory is its own). Each prints one JSON object on its last line.

  ingest CORPUS DB [--split]   papertriage.core.ingest.ingest_sources over every dump
                               into a fresh library; --split also times parse,
                               dedup (fingerprint, key look-up, scoring) and the rest
  dedup CORPUS                 parse_bytes over every dump, then dedup.cluster over
                               the (title, abstract) records; precision/recall
  quality DB CORPUS            the library's merges against the truth
  search DB LIMIT_DB QFILE N   the query set in-process: papertriage and bare FTS5
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (tests/corpus.py)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(corpus_dir: Path) -> list[tuple[Path, dt.date | None]]:
    return [(corpus_dir / p["file"], dt.date.fromisoformat(p["page_date"]) if p.get("page_date") else None)
            for p in corpus.read_pages(corpus_dir)]


class Timer:
    """Accumulates the time spent inside wrapped functions."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner, attr: str, label: str) -> bool:
        fn = getattr(owner, attr, None)
        if fn is None:
            return False
        seconds, calls = self.seconds, self.calls
        seconds.setdefault(label, 0.0)
        calls.setdefault(label, 0)
        clock = time.perf_counter

        def timed(*args, **kwargs):
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] += clock() - start
                calls[label] += 1

        setattr(owner, attr, timed)
        return True


def task_ingest(corpus_dir: str, db_path: str, split: bool = False) -> dict:
    from papertriage import dedup, parse
    from papertriage.core import ingest as ingest_mod
    from papertriage.store import Library

    timer = Timer()
    if split:
        timer.wrap(parse, "parse_bytes", "parse")
        timer.wrap(dedup, "fingerprint", "dedup_fingerprint")
        timer.wrap(dedup, "decide", "dedup_score")
        timer.wrap(Library, "papers_with_keys", "dedup_lookup")
        timer.wrap(Library, "paper_records", "dedup_lookup_states")
    todo = pages(Path(corpus_dir))
    sched = _schedstat()
    start = time.perf_counter()
    lib = Library(db_path)
    opened = time.perf_counter()
    records = new = merged = errors = 0

    def on_file(report, done: int, total: int) -> None:
        nonlocal records, new, merged, errors
        records += report.records
        new += report.new
        merged += report.merged
        if report.error:
            errors += 1
            if errors <= 3:
                print(f"ingest error: {report.error}", file=sys.stderr)

    # As `papertriage ingest` does: many dumps per transaction, each with its page's date.
    sources = [ingest_mod.DumpSource(path.name, path, page_date) for path, page_date in todo]
    ingest_mod.ingest_sources(lib, sources, on_file=on_file)
    finish = getattr(ingest_mod, "finish", None)  # a bulk path may build the index at the end
    if callable(finish):
        finish(lib)
    lib.close()
    seconds = time.perf_counter() - start
    me, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"seconds": seconds, "open_seconds": opened - start, "dumps": len(todo), "records": records,
           "new": new, "merged": merged, "errors": errors, "peak_mb": peak_mb(),
           # CPU of this process (whole run, imports included) and of its helper processes
           "cpu_seconds": me.ru_utime + me.ru_stime, "helper_cpu_seconds": helpers.ru_utime + helpers.ru_stime,
           "helper_peak_mb": helpers.ru_maxrss / 1024}
    after = _schedstat()
    if sched and after:  # Linux: the main thread neither on a core nor waiting for one (helper, disk)
        out["blocked_seconds"] = seconds - (after[0] - sched[0]) / 1e9 - (after[1] - sched[1]) / 1e9
    if split:
        out["split"] = dict(timer.seconds)
        out["calls"] = dict(timer.calls)
    return out


def _schedstat() -> list[int] | None:
    """The main thread's time on a core and waiting for one (ns), where Linux says."""
    try:
        with open("/proc/self/schedstat") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return None


def task_dedup(corpus_dir: str) -> dict:
    from papertriage import dedup, parse

    corpus_dir_p = Path(corpus_dir)
    truth = {(t["file"], t["line"]): t["key"] for t in corpus.read_truth(corpus_dir_p)}
    records: list[tuple[str, str]] = []
    keys: list[str] = []
    parse_seconds = read_seconds = 0.0
    for path, page_date in pages(corpus_dir_p):
        t0 = time.perf_counter()
        data = path.read_bytes()
        t1 = time.perf_counter()
        result = parse.parse_bytes(data, path.name, page_date=page_date)
        t2 = time.perf_counter()
        read_seconds += t1 - t0
        parse_seconds += t2 - t1
        for s in result.sightings:
            records.append((s.title, s.abstract))
            keys.append(truth.get((path.name, s.line), f"?{path.name}:{s.line}"))
    parse_peak = peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    owners = dedup.cluster(records)
    dedup_seconds = time.perf_counter() - t0
    dedup_cpu_seconds = time.process_time() - c0  # the steadier figure on a loaded machine
    metrics = corpus.pair_metrics(owners, keys)
    unmatched = sum(1 for k in keys if k.startswith("?"))
    return {"sightings": len(records), "truth_sightings": len(truth), "unmatched_lines": unmatched,
            "read_seconds": read_seconds, "parse_seconds": parse_seconds, "dedup_seconds": dedup_seconds,
            "dedup_cpu_seconds": dedup_cpu_seconds,
            "papers_found": len(set(owners)), "metrics": metrics, "parse_peak_mb": parse_peak,
            "peak_mb": peak_mb()}


def task_quality(db_path: str, corpus_dir: str) -> dict:
    import sqlite3

    truth = {(t["file"], t["line"]): t["key"] for t in corpus.read_truth(Path(corpus_dir))}
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    predicted, keys = [], []
    missing = 0
    for name, line, paper in db.execute(
            "SELECT d.name, s.line, s.paper FROM sightings s JOIN dumps d ON d.id = s.dump ORDER BY s.id"):
        key = truth.get((name, line))
        if key is None:
            missing += 1
            key = f"?{name}:{line}"
        predicted.append(paper)
        keys.append(key)
    metrics = corpus.pair_metrics(predicted, keys)
    return {"sightings": len(predicted), "truth_sightings": len(truth), "unmatched_lines": missing,
            "papers": len(set(predicted)), "true_papers": len(set(truth.values())), "metrics": metrics}


def papertriage_searcher(lib):
    """A callable query -> results using papertriage's own in-process search,
    or None while there is none. Adapts to the API as it lands."""
    try:
        from papertriage.core import search as search_mod
    except ImportError:
        return None
    fn = getattr(search_mod, "search", None) or getattr(search_mod, "search_papers", None)
    if fn is None:
        return None
    params = inspect.signature(fn).parameters
    kwargs = {"limit": 20} if "limit" in params else {}

    def run(query: str):
        result = fn(lib, query, **kwargs)
        papers = getattr(result, "papers", result)
        return list(papers) if not isinstance(papers, list) else papers

    return run


def task_search(db_path: str, limit_db: str, query_file: str, rounds: str) -> dict:
    import sqlite3

    import limit as bare
    from papertriage.store import Library

    queries = json.loads(Path(query_file).read_text())
    rounds_n = int(rounds)
    out: dict = {"queries": [q["q"] for q in queries]}

    def measure(run, pick) -> dict:
        times: dict[str, list[float]] = {}
        hits: dict[str, int] = {}
        for q in queries:  # warm-up: page cache, statement cache, vocabulary
            hits[q["q"]] = len(run(pick(q)))
        for _ in range(rounds_n):
            for q in queries:
                t0 = time.perf_counter()
                run(pick(q))
                times.setdefault(q["q"], []).append(time.perf_counter() - t0)
        return {"times": times, "hits": hits}

    lib = Library(db_path)
    searcher = papertriage_searcher(lib)
    out["papertriage"] = None
    if searcher is not None:
        import io
        import contextlib

        quiet = io.StringIO()
        with contextlib.redirect_stderr(quiet):  # "searching for: …" notes
            out["papertriage"] = measure(searcher, lambda q: q["q"])
    lib.close()
    db = sqlite3.connect(f"file:{limit_db}?mode=ro", uri=True)
    s = bare.Searcher(db)
    out["limit"] = measure(s.search, lambda q: q.get("intended", q["q"]))
    out["peak_mb"] = peak_mb()
    return out


TASKS = {"ingest": task_ingest, "dedup": task_dedup, "quality": task_quality, "search": task_search}


def main(argv: list[str]) -> int:
    name, args = argv[0], argv[1:]
    flags = [a for a in args if a.startswith("--")]
    args = [a for a in args if not a.startswith("--")]
    kwargs = {"split": True} if "--split" in flags else {}
    result = TASKS[name](*args, **kwargs)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
