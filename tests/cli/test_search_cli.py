"""`search`, `similar` and `list QUERY` through the real CLI: exit statuses, the
stdout/stderr split, formats, highlighting, and the pipe into `tag add`."""

from __future__ import annotations

import json
import re

import pytest

from conftest import SEEDS

KAN = "KAN: Kolmogorov-Arnold Networks"
HOSTILE_DUMP = (
    "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
    "Subscribe[bold red]Kolmogorov[/bold red] Tricks \x1b[31mfor\x1b[0m Networks\n"
    "We show Kolmogorov tricks for networks of many kinds, with markup that must print as written.\n")


@pytest.fixture
def lib(cli):
    assert cli("ingest", "-q", SEEDS).code == 0


SGR = re.compile(r"\x1b\[[0-9;]*m")  # a terminal's colour and style codes, whatever they are


def plain(out: str) -> str:
    """What a terminal shows, without colours and styles."""
    return SGR.sub("", out)


def styled(out: str) -> list[str]:
    """The runs of text shown in a style of their own."""
    return [run for run in re.findall(r"\x1b\[[0-9;]*[1-9][0-9;]*m([^\x1b]+)", out)]


def rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines() if not line.startswith("#")]


def test_search_ranks_and_pipes_as_tsv(cli, lib):
    result = cli("search", "kolmogorov", "arnold")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("#id\ttitle\t")
    assert "Kolmogorov-Arnold" in rows(result.out)[0][1]
    assert KAN in [r[1] for r in rows(result.out)[:3]]


def test_corrected_typos_are_announced_on_stderr(cli, lib):
    result = cli("search", "kolmogorv arnold")
    assert result.code == 0
    assert result.err == "searching for: kolmogorov arnold\n"
    assert rows(result.out) == rows(cli("search", "kolmogorov arnold").out)
    exact = cli("search", "--exact", "kolmogorv arnold")
    assert exact.code == 1 and "searching for" not in exact.err


def test_nothing_matched_exits_1_like_grep(cli, lib):
    result = cli("search", "zzzqqqxx")
    assert (result.code, result.out, result.err) == (1, "", "papertriage: no papers match\n")
    assert cli("search", "-f", "json", "zzzqqqxx").code == 1


@pytest.mark.parametrize("query,first_line", [
    ("upvotes>=abc", "papertriage: bad query: upvotes wants a whole number, not 'abc'"),
    ("kan after:notadate", "papertriage: bad query: after wants a date as YYYY-MM-DD (or YYYY-MM, YYYY), not 'notadate'"),
    ("foo tga:x", "papertriage: bad query: unknown field tga: (did you mean tag:? put the term in quotes to search for it as text)"),
])
def test_bad_query_exits_2_with_a_caret(cli, lib, query, first_line):
    result = cli("search", query)
    assert result.code == 2 and result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == first_line
    assert lines[1] == f"  {query}" and "^" in lines[2]
    assert "Traceback" not in result.err


@pytest.mark.parametrize("args,message", [
    (["search", ""], "papertriage: nothing to search for"),
    (["search", "-f", "nope", "kan"], "'nope' is not one of 'table'"),
    (["search", "--sort", "nope", "kan"], "Invalid value"),
    (["search"], "Missing argument"),
])
def test_usage_errors_exit_2(cli, lib, args, message):
    result = cli(*args)
    assert result.code == 2 and message in result.err


def test_json_is_the_export_paper_object_best_first(cli, lib):
    found = json.loads(cli("search", "-f", "json", "kolmogorov arnold").out)
    assert "Kolmogorov-Arnold" in found[0]["title"] and "sightings" in found[0]
    exported = {p["id"]: p for p in json.loads(cli("export", "-f", "json").out)}
    assert all(p == exported[p["id"]] for p in found)
    lines = cli("search", "-f", "jsonl", "kolmogorov arnold").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [p["id"] for p in found]


def test_ids_and_markdown(cli, lib):
    ids = cli("search", "-f", "ids", "kolmogorov arnold").out.split()
    assert ids and all(len(i) == 8 for i in ids)
    markdown = cli("search", "-f", "markdown", "kolmogorov arnold")
    assert markdown.code == 0 and KAN in markdown.out


def test_limit_and_sort(cli, lib):
    everything = cli("search", "-f", "ids", "model").out.split()
    assert len(everything) > 20  # piped: no default limit
    assert cli("search", "-f", "ids", "-n", "3", "model").out.split() == everything[:3]
    dated = rows(cli("search", "--sort", "date", "model").out)
    dates = [r[2] for r in dated if r[2]]
    assert dates == sorted(dates, reverse=True)


def test_exclusions_after_double_dash(cli, lib):
    with_kan = set(cli("search", "-f", "ids", "kolmogorov").out.split())
    without = set(cli("search", "-f", "ids", "--", "kolmogorov", "-kan").out.split())
    assert without and without < with_kan


@pytest.mark.parametrize("args", [
    ["-kan", "kolmogorov"],  # an exclusion first, no --
    ["kolmogorov", "-kan", "-n", "50"],
    ["-n50", "-kan", "kolmogorov"],  # -n50 is the limit, -kan an exclusion
    ["-s", "relevance", "-kan", "kolmogorov"],
])
def test_a_query_may_start_with_an_exclusion(cli, lib, args):
    expected = set(cli("search", "-f", "ids", "--", "kolmogorov", "-kan").out.split())
    result = cli("search", "-f", "ids", *args)
    assert result.code == 0, result.err
    assert expected and set(result.out.split()) == expected


def test_parentheses_group_and_unbalanced_ones_point_at_the_fault(cli, lib):
    grouped = set(cli("search", "-f", "ids", "(kan OR mlp) transformer").out.split())
    kan = set(cli("search", "-f", "ids", "kan transformer").out.split())
    mlp = set(cli("search", "-f", "ids", "mlp transformer").out.split())
    assert grouped == kan | mlp and kan and mlp - kan
    bad = cli("search", "(kan OR mlp transformer")
    assert bad.code == 2
    assert bad.err.splitlines()[1:] == ["  (kan OR mlp transformer", "  ^"]
    assert "unclosed parenthesis" in bad.err


def _statements(out: str) -> list[tuple[str, list]]:
    parts = out.split(";\n-- params: ")
    sqls = [parts[0]] + [p.split("\n", 1)[1] for p in parts[1:-1]]
    params = [json.loads(p.split("\n", 1)[0]) for p in parts[1:]]
    return list(zip(sqls, params))


def test_show_sql_prints_what_the_search_runs_and_runs_nothing(cli, lib):
    """The statements printed, run on the library with their parameters, select
    the papers the search shows, in its order; values are bound, never in the SQL."""
    import os
    import sqlite3

    for args, limit in ((["kan -survey upvotes>=2"], None), (["-n", "5", "kan"], 5), (["-s", "date", "kan"], None)):
        shown = cli("search", "--show-sql", *args)
        assert shown.code == 0 and "Kolmogorov" not in shown.out, "nothing was run"
        statements = _statements(shown.out)
        assert statements and all("survey" not in sql and '"kan"' not in sql for sql, _ in statements)
        db = sqlite3.connect(os.environ["PAPERTRIAGE_LIBRARY"])
        ran = [row[1] for sql, params in statements for row in db.execute(sql, params)]
        ran = list(dict.fromkeys(ran))  # a paper several passes find is shown once (issue 14's widening)
        db.close()
        searched = cli("search", "-f", "ids", *args).out.split()
        assert searched and ran[:limit] == searched


def test_table_on_a_terminal_highlights_safely(cli, lib, tmp_path, monkeypatch):
    (tmp_path / "hostile.txt").write_text(HOSTILE_DUMP)
    assert cli("ingest", "-q", tmp_path / "hostile.txt").code == 0
    monkeypatch.setattr("papertriage.cli.common.stdout_is_terminal", lambda: True)
    result = cli("search", "kolmogorov")
    assert result.code == 0
    assert "[bold red]" in result.out  # printed as written, never read as markup
    assert "\x1b[31m" not in result.out  # the dump's own escape codes never reach the terminal
    assert "Kolmogorov" in styled(result.out)  # the matched word, highlighted (in some style)
    many = cli("search", "-s", "date", "model")  # on a terminal: 20 at most, and a hint
    assert len([line for line in plain(many.out).splitlines() if re.match(r"[0-9a-f]{8}  ", line)]) == 20
    assert many.err.startswith("showing 20 of ") and "--limit 0 shows all" in many.err


def test_ids_pipe_into_tag_add(cli, lib):
    ids = cli("search", "-f", "ids", "kolmogorov arnold").out
    assert len(ids.split()) >= 3
    added = cli("tag", "add", "kan", "-", input=ids)
    assert added.code == 0, added.err
    assert sorted(cli("list", "-f", "ids", "tag:kan").out.split()) == sorted(ids.split())
    tsv = cli("search", "mechanistic interpretability").out  # the tsv header line is skipped
    assert cli("tag", "add", "interp", "-", input=tsv).code == 0
    tagged = cli("search", "-f", "ids", "tag:interp -tag:kan").out.split()
    assert tagged and sorted(tagged) == sorted(r[0] for r in rows(tsv))


def test_list_takes_the_same_query(cli, lib):
    searched = cli("search", "-f", "ids", "kolmogorov upvotes>=1").out.split()
    listed = cli("list", "-f", "ids", "kolmogorov upvotes>=1").out.split()
    assert searched and sorted(searched) == sorted(listed)
    assert cli("list", "-f", "ids", "seen>=2", "year:2024").code == 0
    none = cli("list", "zzzqqqxx")
    assert none.code == 1 and "no papers match" in none.err
    assert cli("list", "upvotes>=abc").code == 2
    assert len(cli("list", "-f", "ids").out.split()) == 198


def test_similar(cli, lib):
    kan_id, title = rows(cli("search", "kolmogorov arnold").out)[0][:2]
    result = cli("similar", kan_id, "-f", "ids", "-n", "5")
    assert result.code == 0
    assert result.err.startswith(f"like {kan_id} {title} (sharing: ")
    ids = result.out.split()
    assert len(ids) == 5 and kan_id not in ids
    titles = rows(cli("list", "-f", "tsv").out)
    by_id = {r[0]: r[1] for r in titles}
    assert sum("Kolmogorov" in by_id[i] or "KAN" in by_id[i] for i in ids) >= 4
    assert cli("similar", "zzzz").code == 2


@pytest.mark.parametrize("args", [
    ["kolmogorv", "arnold", "-n", "4", "-f", "json"],
    ["kolmogorv", "arnold", "-n4", "-fjson"],  # attached values
    ["-survey", "kan"], ["-nlp", "kan"], ["-sdate", "kan"],  # exclusions, not options
    ["kan", "--sort=upvotes", "--reverse"], ["kan", "-s", "date", "--exact"],
    ["transfomer"], ["transfomer", "--exact"], ["kan", "--show-sql"], ["kan", "--", "-survey"],
    ["kan", "--limit", "0", "--format", "markdown"], ["kan", "--sort", "interest"],
    ["(kan OR mlp"], ["kan upvotes>=abc"], ["zzzzqqq"],
    # Left to Click, which says what is wrong:
    ["kan", "--sort", "bogus"], ["kan", "--format", "bogus"], ["kan", "-fdetail"], ["kan", "-f"],
    ["kan", "--limit", "-1"], ["kan", "--limit=x"], ["kan", "--bogus"], ["kan", "--reverse=1"], [],
    ["--help"], ["-h"],
])
def test_search_without_typer_does_what_the_typer_command_does(cli, lib, capsys, args):
    # `papertriage search` runs without Typer when its arguments are plain
    # (issue 16, start-up); the Typer command gives the same output and exit status.
    from papertriage.cli import _run

    fast = cli("search", *args)
    try:
        code = _run(["search", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    slow = capsys.readouterr()
    assert (fast.code, fast.out, fast.err) == (code, slow.out, slow.err)
