"""Reading YAML node by node, so every mistake is reported at its file:line.

Used for the files people write by hand: rules files, the config, decision
exports. PyYAML is imported only when a file is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import UserError

if TYPE_CHECKING:
    import yaml

__all__ = ["compose", "fail", "is_null", "scalar", "scalars", "mapping", "read_text"]


def compose(text: str, source: str) -> "yaml.Node | None":
    """The YAML node tree of ``text``; malformed YAML is a UserError at file:line."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot read it"
        raise UserError(f"malformed YAML: {problem}", file=source,
                        line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise UserError(f"malformed YAML: {exc}", file=source) from None


def fail(node: "yaml.Node", source: str, message: str) -> NoReturn:
    raise UserError(message, file=source, line=node.start_mark.line + 1)


def is_null(node: "yaml.Node") -> bool:
    return bool(node.tag == "tag:yaml.org,2002:null")


def scalar(node: "yaml.Node", source: str, what: str) -> str:
    """A scalar's text exactly as written (ids like 12345678 stay strings)."""
    import yaml

    if not isinstance(node, yaml.ScalarNode) or is_null(node):
        fail(node, source, f"expected {what} here")
    return str(node.value)


def scalars(node: "yaml.Node", source: str, message: str) -> list[str]:
    import yaml

    if is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        fail(node, source, message)
    return [scalar(item, source, "a plain value") for item in node.value]


def mapping(node: "yaml.Node", source: str, message: str) -> list[tuple[str, "yaml.Node", "yaml.Node"]]:
    """(key, key node, value node) of a mapping; repeated keys are an error."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        fail(node, source, message)
    items, seen = [], set()
    for key_node, value in node.value:
        key = scalar(key_node, source, "a key")
        if key in seen:
            fail(key_node, source, f"{key!r} appears twice")
        seen.add(key)
        items.append((key, key_node, value))
    return items


def read_text(path: str | Path) -> tuple[str, str]:
    """(text, source name) of a UTF-8 file; UserError when it cannot be read."""
    source = str(path)
    try:
        return Path(path).read_text(encoding="utf-8"), source
    except FileNotFoundError:
        raise UserError("no such file", file=source) from None
    except UnicodeDecodeError:
        raise UserError("not UTF-8 text", file=source) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror or exc}", file=source) from None
