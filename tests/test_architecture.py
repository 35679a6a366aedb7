"""The house rules that no tool checks for us (issue 10): `core/` holds no
SQL text. (The import direction and "only the store talks to SQLite" are
import-linter contracts in pyproject.toml, run by .ci/run.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "src" / "papertriage" / "core"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+(TABLE|INDEX))\b"
                 r"|\bp\.(pk|id|status|seen|upvotes|published|title)\b\s*(=|!=|<|>|IS|IN|DESC)", re.IGNORECASE | re.DOTALL)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants, docstrings left out (they may talk about SQL)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_holds_no_sql(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = [f"{module.name}:{line}: {text[:60]!r}" for line, text in _strings(tree) if SQL.search(text)]
    assert not found, "SQL belongs in store/ (a Selection, or a store method): " + "; ".join(found)


def test_the_check_finds_sql():
    tree = ast.parse('x = "SELECT id FROM papers WHERE x"\ny = "p.status = \'new\'"\n"""SELECT in a docstring"""')
    assert len([t for _, t in _strings(tree) if SQL.search(t)]) == 2
