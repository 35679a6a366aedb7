"""A query on the command line may begin with an exclusion: ``papertriage
search -survey kan`` (issue 14).

Click reads ``-survey`` as ``-s urvey`` (the sort option) or as an unknown
option. ``QueryCommand`` sorts the arguments before Click sees them: the
command's own options (``-n 5``, ``--sort date``, ``-n5``, ``-fjson``) stay
options, and every other argument that starts with ``-`` is a query term,
moved after a ``--``. An attached value counts as an option only when it is
valid for it (``-n5`` is a limit, ``-nlp`` is the exclusion of ``nlp``).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

# Typer carries its own copy of Click: parameters are recognised by what they
# have, not by their class.


def _attached_value_fits(param: Any, value: str) -> bool:
    kind = param.type
    if getattr(kind, "choices", None) is not None:
        return value in kind.choices
    if getattr(kind, "name", "") in ("integer", "integer range", "int", "int range"):  # Click's names vary
        return value.isdigit()
    if param.name == "fmt":  # --format: a renderer's name
        from ..render import FORMATS

        return value in FORMATS
    return False


class _Flag:
    is_flag, count, type = True, False, None


def query_terms_last(command: Any, args: list[str], help_names: tuple[str, ...] = ("--help",)) -> list[str]:
    """``args`` with the query terms that look like options moved after ``--``."""
    options: dict[str, Any] = {name: _Flag() for name in help_names}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            for name in (*param.opts, *param.secondary_opts):
                options[name] = param
    kept: list[str] = []
    terms: list[str] = []
    moved = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            terms.extend(args[i + 1:])
            moved = True
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg[:2]
        param = options.get(name, None) if arg.startswith("-") and len(arg) > 1 else None
        if arg.startswith("--") or (param is not None and (len(arg) == 2 or _attached_value_fits(param, arg[2:]))):
            kept.append(arg)  # an option (or an unknown --long one, for Click to report)
            takes_value = param is not None and not param.is_flag and not param.count
            if takes_value and len(arg) == 2 or takes_value and arg.startswith("--") and "=" not in arg:
                if i + 1 < len(args):
                    kept.append(args[i + 1])
                    i += 1
        elif arg.startswith("-") and len(arg) > 1:
            terms.append(arg)
            moved = True
        else:
            terms.append(arg)
        i += 1
    return kept + (["--"] if moved else []) + terms


class QueryCommand(TyperCommand):
    """A command whose arguments are a query that may start with ``-word``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, query_terms_last(self, args, tuple(ctx.help_option_names)))
