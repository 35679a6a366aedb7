"""Query text -> AST, as a table; malformed queries -> errors pointing at the bad part."""

from __future__ import annotations

import pytest

from papertriage.errors import ExitCode, QuerySyntaxError
from papertriage.query import And, Filter, Not, Or, Phrase, Prefix, Word, parse_query

W = Word

PARSES = [
    ("kan", W("kan")),
    ("kolmogorov arnold", And((W("kolmogorov"), W("arnold")))),
    ('"exact phrase"', Phrase("exact phrase")),
    ("“smart quotes”", Phrase("smart quotes")),
    ("transfo*", Prefix("transfo")),
    ('"gpt 4"*', Prefix("gpt 4")),
    ("diffusion OR flow", Or((W("diffusion"), W("flow")))),
    ("a OR b c", And((Or((W("a"), W("b"))), W("c")))),
    ("a OR b OR c", Or((W("a"), W("b"), W("c")))),
    ("kan -survey", And((W("kan"), Not(W("survey"))))),
    ("kan NOT survey", And((W("kan"), Not(W("survey"))))),
    ("kan AND mlp", And((W("kan"), W("mlp")))),
    ("kan or mlp", And((W("kan"), W("or"), W("mlp")))),  # lower-case: a word
    ('-"large language"', Not(Phrase("large language"))),
    # punctuation is part of the word, never syntax
    ("x-ray", W("x-ray")),
    ("GPT-2", W("GPT-2")),
    ("C++", W("C++")),
    ("chile's", W("chile's")),
    ("e(3)", W("e(3)")),
    ('5"', W('5"')),
    ("a*b", W("a*b")),
    ("NEAR(a b)", And((W("NEAR(a"), W("b)")))),
    ("arXiv:2401.12345v2", Filter("arxiv", ":", "2401.12345")),  # issue 12: a field, version ignored
    ("doi:10.1000", W("doi:10.1000")),  # not a field: a word
    ("http://x.org", W("http://x.org")),
    # text fields
    ("title:kan", W("kan", "title")),
    ("Title:KAN", W("KAN", "title")),
    ('abstract:"graph neural"', Phrase("graph neural", "abstract")),
    ("title:transfo*", Prefix("transfo", "title")),
    ("-title:survey", Not(W("survey", "title"))),
    # filters
    ("tag:interp", Filter("tag", ":", "interp")),
    ('tag:"to read"', Filter("tag", ":", "to read")),
    ("tag:inter*", Filter("tag", ":", "inter*")),
    ("-tag:skip", Not(Filter("tag", ":", "skip"))),
    ("tags:x", Filter("tag", ":", "x")),
    ("status:NEW", Filter("status", ":", "new")),
    ("upvotes>=5", Filter("upvotes", ">=", 5)),
    ("upvotes:>=5", Filter("upvotes", ">=", 5)),
    ("upvotes:5", Filter("upvotes", ":", 5)),
    ("upvotes>5", Filter("upvotes", ">", 5)),
    ("upvotes<5", Filter("upvotes", "<", 5)),
    ("upvotes=5", Filter("upvotes", "=", 5)),
    ("authors<=3", Filter("authors", "<=", 3)),
    ("author:hinton", Filter("author", ":", "hinton")),  # issue 12: names; authors<=3 counts them
    ("id:E922", Filter("id", ":", "e922")),
    ("seen>=2", Filter("seen", ">=", 2)),
    ("year:2024", Filter("year", ":", 2024)),
    ("date:2024-06", Filter("date", ":", "2024-06")),
    ("after:2024-06-01", Filter("after", ":", "2024-06-01")),
    ("before:2024", Filter("before", ":", "2024")),
    ("file:003", Filter("file", ":", "003")),
    ("kan OR tag:kan", Or((W("kan"), Filter("tag", ":", "kan")))),
    # parentheses group (issue 14); inside a word they are text
    ("(kan OR mlp) transformer", And((Or((W("kan"), W("mlp"))), W("transformer")))),
    ("((a OR b) c) OR d", Or((And((Or((W("a"), W("b"))), W("c"))), W("d")))),
    ("-(survey OR review) kan", And((Not(Or((W("survey"), W("review")))), W("kan")))),
    ("NOT (a b) c", And((Not(And((W("a"), W("b")))), W("c")))),
    ("(a b) c", And((W("a"), W("b"), W("c")))),
    ('kan ("graph neural" OR tag:gnn)', And((W("kan"), Or((Phrase("graph neural"), Filter("tag", ":", "gnn")))))),
    ("(e(3) OR x)", Or((W("e(3)"), W("x")))),
    ("(C++)", W("(C++)")),
    # nothing searchable: dropped
    ("kan & —", W("kan")),
    ("kan ()", W("kan")),
    ("", None),
    ("   ", None),
    ("- *", None),
]


@pytest.mark.parametrize("text,tree", PARSES, ids=[p[0] or "<empty>" for p in PARSES])
def test_parse(text, tree):
    assert parse_query(text) == tree


@pytest.mark.parametrize("text", [p[0] for p in PARSES if p[1] is not None])
def test_printed_query_parses_back_to_the_same_tree(text):
    tree = parse_query(text)
    assert parse_query(str(tree)) == tree


ERRORS = [
    # query, words in the message, offset of the caret, its length
    ("upvotes>=abc", "upvotes wants a whole number, not 'abc'", 9, 3),
    ("kan after:notadate", "after wants a date", 10, 8),
    ("after:2024-13-01", "after wants a date", 6, 10),
    ("year:24", "year wants a year", 5, 2),
    ("status:bogus", "status is one of new, keep, skip, read", 7, 5),
    ("tga:foo", "unknown field tga: (did you mean tag:?", 0, 3),
    ("titel:kan", "did you mean title:", 0, 5),
    ("years:2024", "did you mean year:", 0, 5),
    ("title>=3", "title takes title:word", 0, 7),
    ("after>=2024", "after takes after:VALUE", 0, 7),
    ("tag:", "tag: needs a value", 0, 4),
    ("title:", "title: needs a word", 0, 6),
    ("a OR", "OR needs a term after it", 2, 2),
    ("OR a", "OR needs a term before it", 0, 2),
    ("a OR OR b", "OR needs a term before it", 5, 2),
    ("kan NOT", "NOT needs a term after it", 4, 3),
    ('kan "unclosed phrase', "unclosed quote", 4, 16),
    ("x*", "a prefix needs at least 2 letters", 0, 2),
    ("(kan OR mlp transformer", "unclosed parenthesis", 0, 1),
    ("kan (a (b c)", "unclosed parenthesis", 4, 1),
    ("kan OR mlp) transformer", "unbalanced parenthesis: this ) closes no (", 10, 1),
    ("-(survey", "unclosed parenthesis", 0, 2),
    ("(OR a)", "OR needs a term before it", 1, 2),
]


@pytest.mark.parametrize("text,message,position,length", ERRORS, ids=[e[0] for e in ERRORS])
def test_malformed_queries_point_at_the_bad_part(text, message, position, length):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    exc = info.value
    assert exc.exit_code == ExitCode.USER_ERROR
    assert message in exc.message
    assert (exc.position, exc.length) == (position, length)
    first, shown, caret = str(exc).split("\n")
    assert first == f"bad query: {exc.message}"
    assert shown == f"  {text}"
    assert caret == "  " + " " * position + "^" * length


def test_error_in_a_long_query_shows_a_window_around_it():
    text = "word " * 60 + "upvotes>=many " + "word " * 60
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    _, shown, caret = str(info.value).split("\n")
    assert len(shown) < 120
    assert shown[caret.index("^"):].startswith("many")
