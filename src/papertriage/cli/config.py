"""`papertriage config`: where the config file is, and what it says."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import app


@app.command()
def config(
    path_only: Annotated[bool, typer.Option("--path", help="Print only the config file's path.")] = False,
) -> None:
    """Show where the config file is (env PAPERTRIAGE_CONFIG moves it) and what it says.

    The config lists rules files applied to the new papers of every ingest:

        rules:
          - rules.yaml       # relative to the config file's folder
    """
    from ..config import EXAMPLE, config_path, load_config
    from ..core.rules import load_rules
    from ..errors import UserError
    from ..render.safe import terminal_safe

    path = config_path()
    if path_only:
        print(path)
        return
    print(f"config file: {path}")
    if not path.exists():
        print("(no config file yet; it could say, for example:)\n")
        sys.stdout.write(EXAMPLE)
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"cannot read the config file: {exc.strerror or exc}", file=str(path)) from None
    print()
    print(terminal_safe(text.rstrip("\n")))
    sys.stdout.flush()
    cfg = load_config(path)  # the contents are shown first, then any mistake in them
    if cfg.rules:
        print()
    for rules_path in cfg.rules:
        rules = load_rules(rules_path)
        print(f"rules file {rules_path}: {len(rules)} rule{'s' if len(rules) != 1 else ''}")
