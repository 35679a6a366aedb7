"""The triage pass: its order and resume logic (core), and a real interactive
session driven through a pseudo-terminal with pexpect."""

from __future__ import annotations

import os
import sys

import pytest

from papertriage.core import decisions, tags
from papertriage.core.papers import get_paper
from papertriage.core.select import select_papers
from papertriage.core.triage import TriageSession, triage_order
from papertriage.errors import NoMatch
from papertriage.store import Library

sys.path.insert(0, os.path.dirname(__file__))


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
    assert b in again.ids  # b was looked at but not decided: still new, still to walk
    assert a not in again.ids and c not in again.ids
    other.close()


def test_the_next_session_starts_at_the_paper_left_on_screen(seeded):
    session = TriageSession.start(seeded)
    session.next()
    session.next()                                   # looked past two papers without deciding
    on_screen = session.current().id
    session.save_position()
    again = TriageSession.start(Library(seeded.path))
    assert again.current().id == on_screen and again.resumed == on_screen
    assert sorted(again.ids) == sorted(session.ids)  # the same papers, only that one moved first
    assert TriageSession.start(seeded, "status:new").resumed is None  # another walk keeps its own place


def test_the_o_key_opens_the_papers_arxiv_page_when_its_id_is_known(seeded):
    session = TriageSession.start(seeded)
    assert session.page_url().startswith("https://arxiv.org/")


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


# -- a real session in a pseudo-terminal, read through a screen emulator ----------------

SIZES = [(24, 80), (50, 200)]


def spawn(library_path: str, *args: str, rows: int = 24, cols: int = 80):
    pytest.importorskip("pexpect")
    pytest.importorskip("pyte")
    from terminal import Terminal, papertriage_env

    return Terminal(["-m", "papertriage", "triage", *args], papertriage_env(library_path), rows, cols)


def check_layout(term, n_total: int, position: int, paper) -> None:
    """What must always be visible: progress, title (its start), metadata, key bar; nothing wider than the screen."""
    lines = term.lines()
    assert lines[0].startswith(f"triage {position}/{n_total}"), lines[0]
    assert paper.id in lines[0]
    assert " ".join(paper.title.split()[:3]) in " ".join(" ".join(lines[1:4]).split())
    assert any("seen in" in line for line in lines[1:6])
    assert "q quit" in lines[-1] and "k keep" in lines[-1]
    assert len(lines) == term.rows and all(len(line) <= term.cols for line in lines)


@pytest.mark.parametrize("rows, cols", SIZES, ids=["80x24", "200x50"])
def test_every_key_is_safe_and_the_layout_fits(seeded, rows, cols):
    from terminal import KEYS

    tags.add_tags(seeded, triage_order(seeded)[-1:], ["method/kan"])
    order = triage_order(seeded)
    n = len(order)
    first = status(seeded, order[0])
    term = spawn(seeded.path, rows=rows, cols=cols)
    term.wait_for(f"triage 1/{n}", "q quit")
    check_layout(term, n, 1, first)
    assert "not enough decisions to learn from yet" in term.text()  # the cold start says so
    for key in ["pagedown", "pagedown", "up", "down", "home", "end", "pageup", "insert", "delete", "f5", "f12",
                "tab", "shift-tab", "backspace", "ctrl-left", "alt-x", "esc", "x", "Z", "1", "é", "ctrl-s",
                "ctrl-q", "ctrl-z"]:
        term.send(key)
        term.settle(0.2)
        check_layout(term, n, 1, first)  # still on the first paper, nothing broken
    term.send("end")
    if "lines (↑↓ scroll)" in term.settle(0.3):
        last = " ".join(first.abstract.split()[-3:])
        assert last in " ".join(term.text().split())  # End shows the end of a long abstract
    term.send("?")
    term.wait_for("this help")
    term.send("j")                                   # any key closes the help
    term.settle(0.3)
    assert "this help" not in term.text()
    term.send("k")                                   # keep the first
    term.wait_for(f"triage 2/{n}", order[1])
    check_layout(term, n, 2, status(seeded, order[1]))
    term.send("t")                                   # tag the second, completing an existing tag
    term.wait_for("add tags")
    term.send("LLM,meth")
    term.wait_for("method/kan")                      # offered in the completion menu
    term.send("tab")
    term.settle(0.3)
    term.send("enter")
    term.settle(0.3)
    if "added" not in term.text():
        term.send("enter")                           # the first Enter may have closed the menu
    term.wait_for("added LLM, method/kan")
    term.send("n")                                   # and give it a note
    term.wait_for("note:")
    term.send("[bold]see fig 3[/bold]\r")
    term.wait_for("note saved", "note: [bold]see fig 3[/bold]")   # shown literally, never as markup
    term.send("o")                                   # its page (no browser in a test: the address)
    term.wait_for("page: https://")
    term.send("right")                               # move on without deciding
    term.wait_for(f"triage 3/{n}")
    term.send("s")                                   # skip the third
    term.wait_for(f"triage 4/{n}")
    term.send("u")                                   # undo that skip: back on the third
    term.wait_for("undone: ", f"triage 3/{n}", order[2])
    term.send("r")                                   # read it after all
    term.wait_for(f"triage 4/{n}")
    term.send("m")                                   # more like this
    term.wait_for("like this one")
    term.resize(rows + 6, cols + 20)                 # the layout follows a resize
    term.wait_for(f"triage 4/{n}")
    term.settle(0.5)
    assert "q quit" in term.lines()[-1]
    term.send("q")
    assert term.wait_exit() == 0
    assert f"decisions saved: 1 keep, 1 read; {n - 2} papers still new" in term.output

    lib = Library(seeded.path)
    first_now, second, third = (status(lib, pid) for pid in order[:3])
    assert first_now.status == "keep" and third.status == "read"
    assert (second.status, second.tags, second.note) == ("new", ["LLM", "method/kan"], "[bold]see fig 3[/bold]")
    assert [e.action for e in decisions.history(lib, order[2])] == ["status"] * 3  # skip, undone, read
    lib.close()


def test_the_next_run_resumes_and_ctrl_c_saves(seeded):
    order = triage_order(seeded)
    n = len(order)
    decisions.mark(seeded, order[:1], "keep")
    term = spawn(seeded.path)
    term.wait_for(f"triage 1/{n - 1}", order[1])
    term.send("s")
    term.wait_for(f"triage 2/{n - 1}")
    term.send("\x03")                               # Ctrl-C: leaves, with the decision saved
    assert term.wait_exit() == 130
    assert f"decisions saved: 1 skip; {n - 2} papers still new" in term.output
    lib = Library(seeded.path)
    assert status(lib, order[1]).status == "skip"
    lib.close()


def test_it_learns_as_the_user_decides(seeded):
    mlp = [p.id for p in select_papers(seeded) if "mlp" in p.title.lower()]
    other = [p.id for p in select_papers(seeded) if "diffusion" in p.title.lower()]
    decisions.mark(seeded, mlp[:2], "keep")  # nothing skipped yet: nothing to learn from
    assert other
    session = TriageSession.start(seeded)
    assert session.interest() is None and "not enough decisions" in session.status_line()
    while session.current().id in mlp:
        session.next()
    cold = session.ids[session.position + 1:session.position + 11]
    session.decide("skip")                           # the first skip: now it can learn
    assert session.interest() is not None and "ranked by interest learned from 2 kept" in session.status_line()
    learned = session.ids[session.position:session.position + 10]
    assert sum(pid in mlp for pid in learned) > max(1, sum(pid in mlp for pid in cold))  # MLP papers came forward


def test_nothing_typed_reaches_the_shell_after_exit(seeded):
    pytest.importorskip("pexpect")
    from terminal import Terminal, papertriage_env

    script = f"{sys.executable} -m papertriage triage; echo AFTER; read -r -t 3 rest; echo \"LEFT:[$rest]\""
    term = Terminal(["-c", "import os, sys; os.execvp('bash', ['bash', '-c', sys.argv[1]])", script],
                    papertriage_env(seeded.path))
    term.wait_for("triage 1/")
    for key in ["up", "down", "pageup", "pagedown", "home", "end", "f1", "esc", "left", "right"]:
        term.send(key)
        term.settle(0.2)
    term.send("q")
    term.wait_for("AFTER")
    term.send("\r")
    term.wait_exit()
    assert "LEFT:[]" in term.output


def test_dump_text_is_never_markup_on_the_triage_screen(seeded):
    order = triage_order(seeded)
    with seeded.transaction():
        seeded.execute("UPDATE papers SET title = ?, abstract = ? WHERE id = ?",
                       ("[red]Not red[/red] :smile: \x1b[31mX", "An [link=http://x]abstract[/link] \u202eevil", order[0]))
    term = spawn(seeded.path)
    term.wait_for("[red]Not red[/red] :smile: \\u001b[31mX", "An [link=http://x]abstract[/link] \\u202eevil")
    term.send("q")
    assert term.wait_exit() == 0
