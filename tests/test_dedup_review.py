"""Seeing and correcting dedup (issue 11): `show --explain`, `ingest --explain`,
`dupes`, `dupes --near`, `merge`, `split`, `unmerge`, decisions that stick
across later ingests, and that travel with `tag export` / `tag import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

REVISITED = ROOT / "examples" / "dumps" / "revisited.txt"
KAT, KAN = "e92269d6", "04cf6132"  # Kolmogorov-Arnold Transformer / KAN: Kolmogorov-Arnold Networks (seeds)


def _copy_seeds(tmp_path: Path, name: str = "again") -> Path:
    """The seeds as a later save of the same pages: same sightings, new files (another SHA-256)."""
    folder = tmp_path / name
    folder.mkdir()
    for f in SEEDS.iterdir():
        (folder / f.name).write_bytes(f.read_bytes() + b"\n")
    return folder


def _ids(cli, *args) -> list[str]:
    return cli("list", "--format", "ids", "--limit", "0", *args).out.split()


def _sightings(cli, paper: str) -> list[dict]:
    return json.loads(cli("show", paper, "--format", "json").out)["sightings"]


def test_show_explain_names_a_rule_for_every_sighting(cli):
    cli("ingest", SEEDS)
    out = cli("show", KAT, "--explain").out
    block = out.split("why each sighting is this paper:\n")[1].strip().splitlines()
    assert len(block) == 4
    assert "[first sighting]" in block[0] and all("[same text] same title and abstract" in b for b in block[1:])
    data = json.loads(cli("show", KAT, "--explain", "--format", "json").out)
    assert [e["rule"] for e in data["explain"]] == ["new", "same", "same", "same"]


def test_ingest_explain_says_why_each_variant_joined(cli):
    cli("ingest", SEEDS)
    out = cli("ingest", REVISITED, "--explain").out
    assert "[abbreviation] same title with an abbreviation spelled out (llms = large language models)" in out
    assert "revisited.txt:5 -> e92269d6" in out and "[title part kept]" in out
    assert "[same title, card] same title, a 37-word card, 100 % found in the other abstract" in out
    # A numbered sequel with a near-copy abstract is a paper of its own.
    assert "1 new" in out and "6 merged" in out


def test_dupes_lists_papers_seen_under_more_than_one_title(cli):
    cli("ingest", SEEDS)
    assert cli("dupes").code == 1  # the seeds never show one paper under two titles
    cli("ingest", REVISITED)
    rows = [line.split("\t") for line in cli("dupes", "--format", "tsv").out.splitlines()[1:]]
    assert {r[0] for r in rows} == {"0720c482", KAT, "41722475"}
    groups = json.loads(cli("dupes", "--format", "json").out)
    fan = next(g for g in groups if g["id"] == "41722475")
    assert [s["title"] for s in fan["sightings"]] == ["FAN: Fourier Analysis Networks",
                                                      "FAN: Periodicity Phenomena in Neural Networks"]
    assert fan["sightings"][1]["rule"] == "subtitle" and fan["sightings"][1]["abstract_similarity"] > 95
    assert cli("dupes", "--format", "ids").out.split() == [g["id"] for g in groups]


def test_dupes_near_lists_pairs_kept_apart_with_the_reason(cli):
    cli("ingest", SEEDS, REVISITED)
    pairs = json.loads(cli("dupes", "--near", "--format", "json").out)
    assert pairs[0]["rule"] == "number" and {pairs[0]["a"], pairs[0]["b"]} >= {"29dcdfa4"}
    assert pairs[0]["why"].startswith("a number differs in the title (2 vs 3)")
    assert cli("dupes", "--near", "--format", "ids").out.split()[:2] == [pairs[0]["a"], pairs[0]["b"]]
    jsonl = cli("dupes", "--near", "--format", "jsonl").out.splitlines()
    assert json.loads(jsonl[0]) == pairs[0]


def test_merge_combines_and_settles_conflicts_visibly(cli):
    cli("ingest", SEEDS)
    cli("tag", "add", "kan", KAT, KAN)
    cli("tag", "add", "transformer", KAT)
    cli("mark", "keep", KAT)
    cli("mark", "read", KAN)
    cli("note", KAT, "the transformer one")
    cli("note", KAN, "the original")
    before = _ids(cli)
    dry = cli("merge", KAT, KAN, "--dry-run")
    assert dry.code == 0 and "would merge 04cf6132 into e92269d6" in dry.out
    assert _ids(cli) == before  # nothing changed
    result = cli("merge", KAT, KAN)
    assert result.code == 0 and result.out.strip().splitlines()[-1] == KAT
    assert "status keep -> read (the most decided of keep, read)" in result.out
    paper = json.loads(cli("show", KAN, "--format", "json").out)  # the old id resolves to the survivor
    assert paper["id"] == KAT and paper["status"] == "read" and paper["tags"] == ["kan", "transformer"]
    assert paper["note"] == "the transformer one\n\n---\n\nthe original"
    assert len(paper["sightings"]) == 5 and len(_ids(cli)) == len(before) - 1
    assert "merge   04cf6132 merged in" in cli("history", KAT).out
    assert cli("tag", "add", "x", KAN).code == 0  # scripts holding the old id still work


def test_merge_sticks_when_the_same_sightings_come_again(cli, tmp_path):
    cli("ingest", SEEDS)
    cli("merge", KAT, KAN)
    count = len(_ids(cli))
    out = cli("ingest", _copy_seeds(tmp_path)).out
    assert "0 new papers" in out
    assert len(_ids(cli)) == count
    assert len(_sightings(cli, KAT)) == 10
    assert "[your decision]" in cli("show", KAT, "--explain").out


def test_split_sticks_when_the_same_sightings_come_again(cli, tmp_path):
    cli("ingest", SEEDS, REVISITED)
    fan = "41722475"
    count = len(_ids(cli))
    dry = cli("split", fan, "2", "--dry-run")
    assert dry.code == 0 and len(_ids(cli)) == count and len(_sightings(cli, fan)) == 2
    result = cli("split", fan, "revisited.txt:7")
    new_id = result.out.strip().splitlines()[-1]
    assert new_id != fan and len(_ids(cli)) == count + 1
    assert [s["title"] for s in _sightings(cli, new_id)] == ["FAN: Periodicity Phenomena in Neural Networks"]
    assert json.loads(cli("show", fan, "--format", "json").out)["title"] == "FAN: Fourier Analysis Networks"
    again = _copy_seeds(tmp_path)
    (again / "revisited.txt").write_bytes(REVISITED.read_bytes() + b"\n")
    cli("ingest", again)
    assert len(_ids(cli)) == count + 1
    assert len(_sightings(cli, new_id)) == 2 and len(_sightings(cli, fan)) == 2
    assert cli("split", fan, "99").code == 2
    assert cli("split", fan, "1", "2").code == 2  # every sighting: refused


def test_unmerge_restores_a_merge_by_hand(cli):
    cli("ingest", SEEDS)
    cli("tag", "add", "kan", KAN)
    cli("mark", "read", KAN)
    cli("mark", "keep", KAT)
    before = {pid: json.loads(cli("show", pid, "--format", "json").out) for pid in (KAT, KAN)}
    cli("merge", KAT, KAN)
    result = cli("unmerge", KAN)  # the merged-away id names the survivor
    assert result.code == 0, result.err
    assert result.out.strip().splitlines()[-1] == KAN
    after = {pid: json.loads(cli("show", pid, "--format", "json").out) for pid in (KAT, KAN)}
    assert after == before
    assert "unmerge" in cli("history", KAN).out


def test_unmerge_undoes_an_ingest_join(cli):
    cli("ingest", SEEDS, REVISITED)
    assert len(_sightings(cli, "41722475")) == 2
    result = cli("unmerge", "41722475")
    assert result.code == 0, result.err
    new_id = result.out.strip().splitlines()[-1]
    assert _sightings(cli, new_id)[0]["title"] == "FAN: Periodicity Phenomena in Neural Networks"
    assert cli("unmerge", "04cf6132").code == 1  # one sighting: nothing to undo


def test_decisions_travel_with_tag_export_and_import(cli, tmp_path, monkeypatch):
    cli("ingest", SEEDS, REVISITED)
    cli("merge", KAT, KAN)
    new_id = cli("split", "41722475", "2").out.strip().splitlines()[-1]
    exported = cli("tag", "export").out
    assert "_dedup" in exported
    (tmp_path / "decisions.yaml").write_text(exported)
    monkeypatch.setenv("PAPERTRIAGE_LIBRARY", str(tmp_path / "other.db"))
    cli("ingest", SEEDS, REVISITED)
    count = len(_ids(cli))
    result = cli("tag", "import", tmp_path / "decisions.yaml")
    assert result.code == 0, result.err
    assert json.loads(cli("show", KAN, "--format", "json").out)["id"] == KAT
    assert [s["file"] for s in _sightings(cli, new_id)] == ["revisited.txt"]
    again = cli("tag", "import", tmp_path / "decisions.yaml")  # replaying changes nothing
    assert again.code == 0 and len(_ids(cli)) == count


def test_thresholds_come_from_the_config_file(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(config))
    config.write_text("dedup:\n  near_identical_abstract: 101\n  long_card_words: 1000\n")
    assert "near_identical_abstract     101 (config)" in cli("dupes", "--rules").out
    cli("ingest", SEEDS)
    out = cli("ingest", REVISITED, "--explain").out
    assert "[title part kept]" not in out  # no abstract is identical enough now
    config.write_text("dedup:\n  near_identical: 90\n")
    bad = cli("ingest", SEEDS)
    assert bad.code == 2 and "unknown dedup threshold 'near_identical'" in bad.err


@pytest.mark.parametrize("args", [["merge", KAT], ["merge", KAT, "zzzz"], ["split", KAT], ["unmerge", "zzzz"]])
def test_bad_requests_change_nothing_and_exit_2(cli, args):
    cli("ingest", SEEDS)
    result = cli(*args)
    assert result.code == 2 and "Traceback" not in result.err
    assert len(_ids(cli)) == 198


def test_undo_reverts_a_merge_and_a_split(cli):
    cli("ingest", SEEDS, REVISITED)
    before = {pid: json.loads(cli("show", pid, "--format", "json").out) for pid in (KAT, KAN, "41722475")}
    cli("mark", "read", KAN)
    cli("merge", KAT, KAN)
    assert cli("undo").code == 0
    cli("mark", "new", KAN)
    new_id = cli("split", "41722475", "2").out.strip().splitlines()[-1]
    assert cli("undo").code == 0
    assert cli("show", new_id).code == 0  # its id now names the paper it went back into
    after = {pid: json.loads(cli("show", pid, "--format", "json").out) for pid in (KAT, KAN, "41722475")}
    assert after == before
