"""The query language shared by search, list, export and tag.

``parse.py`` turns text into an AST (``nodes.py``); ``plan.py`` splits the AST
into one FTS5 MATCH plus SQL filters. Nothing here touches the database: the
core passes the compiled clauses to ``Library.select``.
"""

from __future__ import annotations

from .nodes import FIELDS, And, Filter, Node, Not, Or, Phrase, Prefix, Text, Word
from .parse import QueryError, parse_query
from .plan import Plan, plan

__all__ = ["FIELDS", "And", "Filter", "Node", "Not", "Or", "Phrase", "Plan", "Prefix", "QueryError", "Text",
           "Word", "compile_query", "parse_query", "plan"]


def compile_query(query: str | None) -> Plan:
    """Parse and plan in one step: ``compile_query("kan tag:x").clause()`` -> (sql, params)."""
    return plan(parse_query(query))
