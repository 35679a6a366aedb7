"""Habits people bring from other tools (issue 15): tag hierarchies, Markdown
notes, the editor fallback, folders with other files in them, plurals,
counts per rule, exports for spreadsheets and reference managers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def ids(cli, *args: str) -> set[str]:
    r = cli("list", "--format", "ids", "--limit", "0", *args)
    assert r.code in (0, 1), r.err
    return set(r.out.split())


@pytest.fixture
def hierarchy(seeded, cli):
    cli("tag", "add", "method", "2d3b")
    cli("tag", "add", "method/kan", "e922")
    cli("tag", "add", "method/transformer/attention", "166c")
    cli("tag", "add", "methodology", "1d99")  # a sibling whose name only starts the same
    return seeded


def test_tag_query_matches_the_subtree(hierarchy, cli):
    kan, attention, method = "e92269d6", "166c5d5b", "2d3b1a4b"
    assert ids(cli, "tag:method") == {method, kan, attention}  # not methodology
    assert ids(cli, "tag:method/") == {kan, attention}  # only below method
    assert ids(cli, "tag:method/transformer") == {attention}
    assert ids(cli, "tag:METHOD/KAN") == {kan}
    assert len(ids(cli, "--", "-tag:method")) == 198 - 3


def test_tag_rename_moves_the_subtree(hierarchy, cli):
    r = cli("tag", "rename", "method", "approach")
    assert r.code == 0 and "and 2 tags under it" in r.out
    listed = cli("tag", "list").out
    assert "approach/kan" in listed and "approach/transformer/attention" in listed
    assert "method/" not in listed and "methodology" in listed
    assert len(ids(cli, "tag:approach")) == 3
    assert cli("tag", "rename", "approach", "approach/sub").code == 2  # not under itself
    history = cli("history", "e922").out
    assert "method/kan" in history and "approach/kan" in history
