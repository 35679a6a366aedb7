"""The core commands through the real CLI entry point: exit codes, the
stdout/stderr split, formats for pipes, and hostile text printed literally."""

from __future__ import annotations

import json
import os
import subprocess
import sys


from conftest import SEEDS

TRENDING_HEAD = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"


def test_ingest_prints_a_summary_per_file(cli):
    result = cli("ingest", SEEDS)
    assert result.code == 0, result.err
    assert "003_2565c5b66cf8255e.txt: daily-meta, 33 records, 9 new, 24 merged" in result.out
    assert "5 files: 278 records, 198 new papers, 80 merged into known ones, 0 skipped, 0 errors" in result.out
    again = cli("ingest", SEEDS)
    assert "5 skipped" in again.out and again.code == 0


def test_stats_counts_the_library(cli):
    cli("ingest", SEEDS)
    out = cli("stats").out
    assert "sightings  278" in out and "papers     198" in out and "dumps      5" in out


def test_bad_file_gives_one_line_error_and_exit_2_but_good_files_go_in(cli, tmp_path):
    (tmp_path / "a.txt").write_bytes((SEEDS / "000_2967eebb8705e551.txt").read_bytes())
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary")
    result = cli("ingest", tmp_path / "a.txt", tmp_path / "b.txt")
    assert result.code == 2
    assert result.err.strip() == f"papertriage: {tmp_path / 'b.txt'}:1: binary file, not a text dump"
    assert "Traceback" not in result.err
    assert cli("list", "--format", "ids").out.count("\n") == 25


def test_missing_path_is_a_user_error(cli, tmp_path):
    result = cli("ingest", tmp_path / "nope.txt")
    assert result.code == 2 and "nope.txt: no such file or folder" in result.err


def test_list_formats_for_pipes(cli):
    cli("ingest", SEEDS)
    ids = cli("list", "--format", "ids").out.split()
    assert len(ids) == 198 and len(set(ids)) == 198
    tsv = cli("list", "--sort", "upvotes", "--limit", "3").out.splitlines()
    assert tsv[0].startswith("#id\ttitle")
    assert len(tsv) == 4 and all(len(line.split("\t")) == 7 for line in tsv)
    rows = [json.loads(line) for line in cli("list", "-f", "jsonl").out.splitlines()]
    assert [r["id"] for r in rows] == ids


def test_list_sorts(cli):
    cli("ingest", SEEDS)
    seen = [json.loads(l)["seen"] for l in cli("list", "-f", "jsonl", "--sort", "seen").out.splitlines()]
    assert seen == sorted(seen, reverse=True) and seen[0] == 5
    dates = [json.loads(l)["published"] for l in cli("list", "-f", "jsonl", "--sort", "date").out.splitlines()]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True) and dates[len(known):] == [None] * (len(dates) - len(known))


def test_show_accepts_a_prefix_and_lists_sightings(cli):
    cli("ingest", SEEDS)
    kat = next(json.loads(l) for l in cli("list", "-f", "jsonl").out.splitlines()
               if json.loads(l)["title"] == "Kolmogorov-Arnold Transformer")
    out = cli("show", kat["id"][:5]).out
    assert "Kolmogorov-Arnold Transformer" in out
    assert "003_2565c5b66cf8255e.txt:55  (daily-meta, date Sep 16, 2024 5, 2 authors, 5 upvotes, seen " in out


def test_unknown_id_is_exit_2(cli):
    cli("ingest", SEEDS)
    result = cli("show", "zzzz")
    assert result.code == 2 and result.err.strip() == "papertriage: unknown paper id: zzzz"


def test_export_json_schema(cli):
    cli("ingest", SEEDS)
    papers = json.loads(cli("export", "--format", "json").out)
    assert len(papers) == 198
    required = {"id", "title", "abstract", "authors_count", "published", "upvotes", "tags",
                "first_seen", "last_seen", "sightings"}
    assert all(required <= p.keys() for p in papers)
    assert all({"file", "line", "layout"} <= s.keys() for p in papers for s in p["sightings"])
    assert sum(len(p["sightings"]) for p in papers) == 278


def test_hostile_title_is_printed_literally(cli, tmp_path):
    dump = tmp_path / "hostile.txt"
    dump.write_text(TRENDING_HEAD + "Subscribe[bold red]Not bold[/] \x1b]0;pwned\x07 title\n"
                    "An abstract with [link=http://x]markup[/link].\n", encoding="utf-8")
    assert cli("ingest", dump).code == 0
    table = cli("list", "--format", "table").out
    assert "[bold red]Not bold[/]" in table
    assert "\x1b" not in table and "\x07" not in table


def test_not_a_library_is_exit_3(cli, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    result = cli("--library", bogus, "list")
    assert result.code == 3 and "is not a papertriage library" in result.err


def test_broken_pipe_is_quiet(tmp_path):
    env = {**os.environ, "PAPERTRIAGE_LIBRARY": str(tmp_path / "lib.db")}
    subprocess.run([sys.executable, "-m", "papertriage", "ingest", "-q", str(SEEDS)], env=env, check=True)
    proc = subprocess.run(f"{sys.executable} -m papertriage export --format json | head -c 10",
                          shell=True, env=env, capture_output=True, text=True)
    assert proc.stderr == "" and len(proc.stdout) == 10
