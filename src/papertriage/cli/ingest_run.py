"""The work of `papertriage ingest`, without Typer: the command (``ingest.py``)
and the quick path for a plain daily ingest (``quick.py``, issue 16: a day's
ingest starts without importing Typer) both run ``run_ingest``."""

from __future__ import annotations

import datetime as dt
import sys

from ..errors import StoreError, UserError
from ..render.safe import counted, terminal_safe

TYPE_CHECKING = False  # as typing's, without importing typing on an ingest's start-up (issue 16)
if TYPE_CHECKING:
    from typing import Any


def err(message: str) -> None:
    """A message for the user on stderr (as ``common.err``, without Typer)."""
    sys.stderr.write(terminal_safe(message) + "\n")


def _page_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--page-date wants YYYY-MM-DD or FILE=YYYY-MM-DD, not {value!r}") from None


def _page_dates(values: list[str] | None) -> tuple[dt.date | None, dict[str, dt.date]]:
    """--page-date DATE (every file) and --page-date FILE=DATE (one file; issue 12)."""
    every: dt.date | None = None
    per_file: dict[str, dt.date] = {}
    for value in values or []:
        name, sep, day = value.rpartition("=")
        if sep:
            per_file[name] = _page_date(day)  # type: ignore[assignment]
        elif every is not None:
            raise UserError("one --page-date DATE for every file; FILE=DATE for one file")
        else:
            every = _page_date(value)
    return every, per_file


def run_ingest(lib: Any, paths: list[str], page_date: list[str] | None, quiet: bool, explain: bool) -> None:
    """Ingest ``paths`` into the open library ``lib`` and print what happened."""
    from ..config import load_config
    from ..core.ingest import IngestStopped, assign_page_dates, find_dumps, ingest_sources
    from ..render.safe import one_line

    day, per_file = _page_dates(page_date)
    skipped: list[tuple[str, str]] = []
    sources = find_dumps(paths, skipped)
    assign_page_dates(sources, per_file)
    for path, why in skipped:  # in a folder, files clearly not dumps are passed over, one line each
        err(f"{one_line(path)}: skipped, not a dump ({why})")
    # Rules files listed in the config (issue 5), run on the papers this ingest adds.
    config = load_config()
    rules = []
    if config.rules:  # the rules machinery (the query compiler) only when there are rules
        from ..core.rules import load_rules

        rules = [rule for path in config.rules for rule in load_rules(path)]
    thresholds = config.dedup_thresholds() if config.dedup else None  # None: the defaults, no import
    progress = _progress(len(sources)) if not quiet else None

    def on_file(file_report, done: int, total: int) -> None:
        if file_report.not_ingested:
            pass  # one summary line says it, not a line per file
        elif file_report.error:
            err(f"papertriage: {file_report.error}")
        elif not quiet and (progress is None or total <= 20):
            _print_file(file_report, one_line)
        if progress:
            progress.update(progress.task_ids[0], completed=done)

    try:
        report = ingest_sources(lib, sources, page_date=day, rules=rules, on_file=on_file, thresholds=thresholds)
    except IngestStopped as stopped:
        report = stopped.report
    finally:
        if progress:
            progress.stop()
    t = report.totals()
    if report.stopped:
        # Issue 17: say exactly what went in before the library failed, and what did not.
        went_in = t["files"] - t["not_ingested"] - t["errors"] - t["skipped"]
        print(f"{t['files']} files: {went_in} ingested ({t['new']} new papers, {t['merged']} merged), "
              f"{t['skipped']} skipped, {t['errors']} errors, {t['not_ingested']} NOT ingested "
              "(run the same command again once the library is fixed)")
        raise StoreError(report.stopped)
    if not quiet:
        print(_summary(t["files"], t["records"], t["new"], t["merged"], t["skipped"], t["errors"]))
    if explain:
        print_ingest_explanations(lib, [f.dump_id for f in report.files if f.dump_id is not None])
    if report.rules and not quiet:
        from .changes import print_rule_results

        print_rule_results(report.rules, dry_run=False)
    if report.errors:
        # Each bad file was reported as it was met, and the others went in.
        raise UserError(f"{len(report.errors)} files not ingested", reported=True)


def print_all_skipped(names: list[str], quiet: bool) -> None:
    """What ``run_ingest`` prints when every dump was in already (a file line each: at most 20)."""
    if quiet:
        return
    from ..render.safe import one_line

    for name in names:
        print(_skipped_line(one_line(name)))
    print(_summary(len(names), 0, 0, 0, len(names), 0))


def _summary(files: int, records: int, new: int, merged: int, skipped: int, errors: int) -> str:
    return (f"{counted(files, 'file')}: {counted(records, 'record')}, {counted(new, 'new paper')}, "
            f"{merged} merged into known ones, {skipped} skipped, {counted(errors, 'error')}")


def _skipped_line(name: str) -> str:
    return f"{name}: skipped (already ingested)"


def _print_file(f, one_line) -> None:
    name = one_line(f.name)
    if f.skipped:
        print(_skipped_line(name))
    else:
        print(f"{name}: {f.layout}, {counted(f.records, 'record')}, {f.new} new, {f.merged} merged")


def _progress(total: int):
    """A progress bar on stderr, only on a terminal and only for long work."""
    if total <= 20 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress("ingesting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)
    progress.add_task("ingest", total=total)
    progress.start()
    return progress


def print_ingest_explanations(lib, dump_ids: list[int]) -> None:
    """`ingest --explain`: each sighting that joined a paper, and why."""
    from ..core.dedupe import explain_dumps
    from ..render.safe import one_line

    for where, title, pid, ptitle, name, why in explain_dumps(lib, dump_ids):
        if name == "first sighting":
            continue
        print(f"  {one_line(where)} -> {pid}  {one_line(ptitle)[:60]}\n      [{name}] {why}")
    if not dump_ids:
        err("nothing ingested to explain")
