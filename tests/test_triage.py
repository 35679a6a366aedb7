"""The triage pass: its order and resume logic (core), and a real interactive
session driven through a pseudo-terminal with pexpect."""

from __future__ import annotations

import os
import sys

import pytest

from papertriage.core import decisions
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.core.triage import TriageSession, triage_order
from papertriage.errors import NoMatch
from papertriage.store import Library


def promising_by_hand(lib) -> list[str]:
    """The order spelled out: most seen, then most upvoted (unknown last), then newest (unknown last)."""
    papers = [p for p in select_papers(lib, reverse=True) if p.status == "new"]  # oldest first
    papers.sort(key=lambda p: p.published.toordinal() if p.published else -1, reverse=True)
    papers.sort(key=lambda p: p.upvotes if p.upvotes is not None else -1, reverse=True)
    papers.sort(key=lambda p: p.seen, reverse=True)
    return [p.id for p in papers]


def status(lib, paper_id):
    return get_paper(lib, paper_id)


def test_order_is_most_promising_first(seeded):
    order = triage_order(seeded)
    assert len(order) == seeded.count() == len(set(order))
    assert order == promising_by_hand(seeded)
    first, second = status(seeded, order[0]), status(seeded, order[-1])
    assert first.seen >= second.seen


def test_decisions_are_saved_at_once_and_the_next_session_resumes(seeded):
    session = TriageSession.start(seeded)
    total = session.total
    a = session.current().id
    session.decide("keep")
    b = session.current().id
    assert session.add_tags("llm, method/kan") == ["llm", "method/kan"]
    assert session.set_note("fig 3") is True
    session.next()
    c = session.current().id
    session.decide("skip")
    assert session.progress() == f"4/{total}"
    assert session.summary() == {"keep": 1, "skip": 1}

    # Another connection (another process, after a crash) sees every decision already.
    other = Library(seeded.path)
    assert (status(other, a).status, status(other, c).status) == ("keep", "skip")
    b_now = status(other, b)
    assert (b_now.status, b_now.tags, b_now.note) == ("new", ["llm", "method/kan"], "fig 3")
    again = TriageSession.start(other)
    assert again.total == total - 2
    assert again.current().id == b  # b was looked at but not decided: still new, first again
    assert a not in again.ids and c not in again.ids
    other.close()


def test_back_and_next_stay_in_bounds(seeded):
    session = TriageSession.start(seeded)
    session.back()
    assert session.position == 0 and session.progress() == f"1/{session.total}"
    for _ in range(session.total + 3):
        session.next()
    assert session.done and session.progress() == f"{session.total}/{session.total}"
    session.back()
    assert session.current().id == session.ids[-1]


def test_nothing_to_triage(seeded):
    decisions.mark(seeded, triage_order(seeded), "skip")
    with pytest.raises(NoMatch, match="no paper is new"):
        TriageSession.start(seeded)


def test_triage_with_a_query_puts_new_papers_first(seeded):
    kan = [p.id for p in select_papers(seeded) if "kolmogorov" in (p.title + " " + p.abstract).lower()]
    assert len(kan) >= 3
    decisions.mark(seeded, kan[:1], "keep")
    order = triage_order(seeded, "kolmogorov")
    assert sorted(order) == sorted(kan)
    assert order[-1] == kan[0]  # the decided one comes after every new one


def test_triage_refuses_without_a_terminal(seeded, cli):
    r = cli("triage")
    assert r.code == 2
    assert "needs a terminal" in r.err and "Traceback" not in r.err


# -- a real session in a pseudo-terminal ---------------------------------------------

# Seconds each `expect` may wait. Generous: a loaded machine can take many
# seconds to start a Python process, and a match returns at once anyway.
PTY_TIMEOUT = 180


def spawn(library_path: str, *args: str):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRIAGE")}
    env.update(PAPERTRIAGE_LIBRARY=library_path, TERM="xterm-256color", COLUMNS="120", LINES="50")
    return pexpect.spawn(sys.executable, ["-m", "papertriage", "triage", *args], env=env,
                         dimensions=(50, 120), encoding="utf-8", timeout=PTY_TIMEOUT)


def test_interactive_session_in_a_pty(seeded):
    import pexpect

    order = triage_order(seeded)
    n = len(order)
    child = spawn(seeded.path)
    child.expect(f"triage 1/{n}")
    child.expect(order[0])
    child.send("k")                                   # keep the first
    child.expect(f"triage 2/{n}")
    child.expect(order[1])
    child.send("t")                                   # tag the second
    child.expect("add tags")
    child.send("LLM,method/kan\r")
    child.expect("added LLM, method/kan")
    child.send("n")                                   # and give it a note
    child.expect("note")
    child.send("[bold]see fig 3[/bold]\r")
    child.expect(r"note: \[bold\]see fig 3\[/bold\]")  # shown literally, never as markup
    child.expect("note saved")
    child.send("o")                                   # move on without deciding
    child.expect(f"triage 3/{n}")
    child.send("s")                                   # skip the third
    child.expect(f"triage 4/{n}")
    child.send("b")                                   # back to the third: read it after all
    child.expect(f"triage 3/{n}")
    child.send("r")
    child.expect(f"triage 4/{n}")
    child.send("x")
    child.expect("unknown key")
    child.send("q")
    child.expect(f"decisions saved: 1 keep, 1 read; {n - 2} papers still new")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    lib = Library(seeded.path)
    first, second, third = (status(lib, pid) for pid in order[:3])
    assert first.status == "keep" and third.status == "read"
    assert (second.status, second.tags, second.note) == ("new", ["LLM", "method/kan"], "[bold]see fig 3[/bold]")
    assert [e.action for e in decisions.history(lib, order[2])] == ["status", "status"]  # skip, then read
    lib.close()

    # The next run resumes: the undecided second paper comes first, the decided ones are gone.
    child = spawn(seeded.path)
    child.expect(f"triage 1/{n - 2}")
    child.expect(order[1])
    child.expect("tags: LLM method/kan")
    child.send("s")
    child.expect(f"triage 2/{n - 2}")
    child.expect(order[3])
    child.sendcontrol("c")                           # an interrupt loses nothing either
    child.expect(f"decisions saved: 1 skip; {n - 3} papers still new")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    lib = Library(seeded.path)
    assert status(lib, order[1]).status == "skip"
    lib.close()


def test_dump_text_is_never_markup_on_the_triage_screen(seeded):
    import pexpect

    order = triage_order(seeded)
    with seeded.transaction():
        seeded.execute("UPDATE papers SET title = ?, abstract = ? WHERE id = ?",
                       ("[red]Not red[/red] :smile: \x1b[31mX", "An [link=http://x]abstract[/link] \u202eevil", order[0]))
    child = spawn(seeded.path)
    child.expect(r"\[red\]Not red\[/red\] :smile: \\u001b\[31mX")
    child.expect(r"An \[link=http://x\]abstract\[/link\] \\u202eevil")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
