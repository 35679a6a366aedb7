"""The user's config file: where it is and what it says.

One YAML file, in the user config folder (``~/.config/papertriage/config.yaml``
on Linux) or wherever ``PAPERTRIAGE_CONFIG`` points. Today it lists the rules
files that ``ingest`` applies to the papers it adds::

    # papertriage config
    rules:
      - rules.yaml              # relative to this file's folder
      - ~/notes/papers/more-rules.yaml

A missing file is an empty config. Unknown keys are an error (with the line),
so a typo never silently turns a setting off.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError

CONFIG_ENV = "PAPERTRIAGE_CONFIG"
KNOWN_KEYS = ("rules",)

EXAMPLE = """\
# papertriage config
# Rules files applied to the new papers of every `papertriage ingest`
# (paths relative to this file's folder; see examples/rules.yaml):
rules:
  - rules.yaml
"""


@dataclass(slots=True)
class Config:
    path: Path
    exists: bool
    text: str = ""
    rules: list[Path] = field(default_factory=list)


def config_path() -> Path:
    """``$PAPERTRIAGE_CONFIG``, else config.yaml in the user config folder."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    import sys

    if sys.platform.startswith("linux"):  # platformdirs' answer there, without its 30 ms import (issue 16)
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "papertriage" / "config.yaml"
    import platformdirs

    return Path(platformdirs.user_config_dir("papertriage", appauthor=False)) / "config.yaml"


def load_config(path: Path | None = None) -> Config:
    """Read and check the config; a file that is not there is an empty config."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path, exists=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the config file: {getattr(exc, 'strerror', None) or exc}", file=str(path)) from None
    config = Config(path, exists=True, text=text)
    import yaml

    from .core.tags import yaml_compose as compose, yaml_fail as fail, yaml_scalar as scalar, yaml_scalars as seq_of_scalars

    root = compose(text, str(path))
    if root is None:
        return config
    if not isinstance(root, yaml.MappingNode):
        fail(root, str(path), "the config must be a mapping of settings (like `rules: [...]`)")
    for key_node, value in root.value:
        key = scalar(key_node, str(path), "a setting name")
        if key not in KNOWN_KEYS:
            fail(key_node, str(path), f"unknown setting {key!r}; known: {', '.join(KNOWN_KEYS)}")
        if key == "rules":
            for name in seq_of_scalars(value, str(path), "rules wants a list of rules files"):
                rules_path = Path(name).expanduser()
                config.rules.append(rules_path if rules_path.is_absolute() else path.parent / rules_path)
    return config
