"""Many writers at once: eight real `papertriage` processes tagging the same
library together lose no tag and fail none (WAL, busy timeout, BEGIN IMMEDIATE)."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from papertriage.core.ingest import ingest
from papertriage.core.select import select_papers
from papertriage.store import Library

PAPERS = 1000
WRITERS = 8


def synthetic_trending_dump(n: int, seed: int = 7) -> str:
    """A "Trending papers" page with ``n`` made-up papers, no two alike."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ner", "tra", "vo", "zen", "qui", "dro", "pha", "sen", "tor", "lum", "rix"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    lines = ["Get trending papers in your email inbox once a day!", "Get trending papers in your email inbox!"]
    for i in range(n):
        title = " ".join(word().capitalize() for _ in range(6))
        lines += [("Subscribe" if i == 0 else "") + title, " ".join(word() for _ in range(40)) + "."]
    return "\n".join(lines) + "\n"


@pytest.fixture
def big_library(tmp_path):
    dump = tmp_path / "trending.txt"
    dump.write_text(synthetic_trending_dump(PAPERS))
    lib = Library(tmp_path / "library.db")
    report = ingest(lib, [str(dump)])
    assert not report.errors and lib.count() == PAPERS
    ids = [p.id for p in select_papers(lib)]
    lib.close()
    return tmp_path / "library.db", ids


def run_writers(library_path, commands: list[list[str]], stdin: str) -> list[subprocess.CompletedProcess]:
    return run_writers_each(library_path, commands, [stdin] * len(commands))


def run_writers_each(library_path, commands: list[list[str]], stdins: list[str]) -> list[subprocess.CompletedProcess]:
    """Start every writer, then feed them all, so they really write at the same time."""
    env = dict(os.environ, PAPERTRIAGE_LIBRARY=str(library_path))
    procs = [subprocess.Popen([sys.executable, "-m", "papertriage", *cmd], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for cmd in commands]
    for p, stdin in zip(procs, stdins):
        p.stdin.write(stdin)
        p.stdin.close()
    results = []
    for p, cmd in zip(procs, commands):
        out, err = p.stdout.read(), p.stderr.read()
        results.append(subprocess.CompletedProcess(cmd, p.wait(timeout=120), out, err))
    return results


def test_eight_writers_each_adding_a_thousand_tags(big_library):
    path, ids = big_library
    ids_text = "#id\n" + "\n".join(ids) + "\n"
    results = run_writers(path, [["tag", "add", f"t{n}", "-"] for n in range(WRITERS)], ids_text)
    for r in results:
        assert r.returncode == 0, r.stderr
        assert f"{r.args[2]}: added to {PAPERS} papers" in r.stdout
    lib = Library(path)
    assert lib.tag_counts() == [(f"t{n}", PAPERS) for n in range(WRITERS)]
    assert lib.execute("SELECT count(*) FROM tags").fetchone()[0] == WRITERS * PAPERS
    assert lib.execute("SELECT count(*) FROM history WHERE action = 'tag+'").fetchone()[0] == WRITERS * PAPERS
    lib.close()


def test_eight_writers_racing_on_one_tag_in_different_cases(big_library):
    path, ids = big_library
    spellings = ["Shared", "shared", "SHARED", "sHaReD"] * 2
    # Overlapping slices: every paper is tagged by two writers, each with its own spelling.
    step = PAPERS // WRITERS
    slices = [[ids[(k * step + i) % PAPERS] for i in range(2 * step)] for k in range(WRITERS)]
    results = run_writers_each(path, [["tag", "add", s, "-"] for s in spellings],
                               ["\n".join(part) + "\n" for part in slices])
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    lib = Library(path)
    # One row per paper, one spelling library-wide (the first writer's), one history row per real change.
    assert lib.execute("SELECT count(*), count(DISTINCT tag COLLATE BINARY) FROM tags").fetchone() == (PAPERS, 1)
    assert lib.execute("SELECT count(*) FROM history").fetchone()[0] == PAPERS
    assert sum(int(r.stdout.split("added to ")[1].split()[0]) for r in results if "added to" in r.stdout) == PAPERS
    lib.close()


def test_four_ingests_of_the_same_dumps_into_a_new_library_at_once(tmp_path):
    # Each process creates the schema, parses and writes; the loser of every
    # race must wait and then skip, never fail.
    from conftest import SEEDS

    library_path = tmp_path / "new.db"
    procs = run_writers(library_path, [["ingest", "-q", str(SEEDS)]] * 4, "")
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [p.stderr for p in procs]
    lib = Library(library_path)
    assert (lib.stats()["dumps"], lib.stats()["sightings"], lib.stats()["papers"]) == (5, 278, 198)
    lib.close()
