"""The user's config file: where it is and what it says.

One YAML file, in the user config folder (``~/.config/papertriage/config.yaml``
on Linux) or wherever ``PAPERTRIAGE_CONFIG`` points. Today it lists the rules
files that ``ingest`` applies to the papers it adds::

    # papertriage config
    rules:
      - rules.yaml              # relative to this file's folder
      - ~/notes/papers/more-rules.yaml

and may tune the deduplicator's thresholds (names and reasons:
``papertriage.dedup.THRESHOLD_REASONS``; `papertriage dupes --rules` lists
them with their values)::

    dedup:
      near_identical_abstract: 90
      near_miss: 100

A missing file is an empty config. Unknown keys are an error (with the line),
so a typo never silently turns a setting off.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UserError

CONFIG_ENV = "PAPERTRIAGE_CONFIG"
KNOWN_KEYS = ("rules", "confirm_above", "dedup")
CONFIRM_ABOVE = 50  # a batch `mark --query` deciding more papers than this asks first (issue 13)

EXAMPLE = """\
# papertriage config
# Rules files applied to the new papers of every `papertriage ingest`
# (paths relative to this file's folder; see examples/rules.yaml):
rules:
  - rules.yaml
# A batch `mark ... --query` deciding more papers than this asks first (--yes skips it):
confirm_above: 50
"""


class Config:
    """What the config file says (``exists``: whether there is one). A plain class, not a
    dataclass: a daily ingest reads it at start-up, before anything needs ``dataclasses``
    and the ``inspect`` it imports (~17 ms; issue 16)."""

    __slots__ = ("path", "exists", "text", "rules", "confirm_above", "dedup")

    def __init__(self, path: Path, exists: bool, text: str = "", rules: list[Path] | None = None,
                 confirm_above: int = CONFIRM_ABOVE, dedup: dict[str, str] | None = None):
        self.path = path
        self.exists = exists
        self.text = text
        self.rules: list[Path] = [] if rules is None else rules
        self.confirm_above = confirm_above
        self.dedup: dict[str, str] = {} if dedup is None else dedup  # threshold name -> value as written

    def __repr__(self) -> str:
        return (f"Config(path={self.path!r}, exists={self.exists!r}, rules={self.rules!r}, "
                f"confirm_above={self.confirm_above!r}, dedup={self.dedup!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def dedup_thresholds(self):
        """The dedup thresholds: defaults, with what the config sets."""
        from . import dedup

        try:
            return dedup.Thresholds.from_mapping(self.dedup, str(self.path))
        except ValueError as exc:
            raise UserError(str(exc)) from None


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

    from .yamlnodes import compose, fail, scalar, scalars

    root = compose(text, str(path))
    if root is None:
        return config
    if not isinstance(root, yaml.MappingNode):
        fail(root, str(path), "the config must be a mapping of settings (like `rules: [...]`)")
    for key_node, value in root.value:
        key = scalar(key_node, str(path), "a setting name")
        if key not in KNOWN_KEYS:
            fail(key_node, str(path), f"unknown setting {key!r}; known: {', '.join(KNOWN_KEYS)}")
        if key == "dedup":
            if not isinstance(value, yaml.MappingNode):
                fail(value, str(path), "dedup wants a mapping of threshold names to numbers")
            for name_node, number in value.value:
                config.dedup[scalar(name_node, str(path), "a threshold name")] = scalar(
                    number, str(path), "a number")
        if key == "rules":
            for name in scalars(value, str(path), "rules wants a list of rules files"):
                rules_path = Path(name).expanduser()
                config.rules.append(rules_path if rules_path.is_absolute() else path.parent / rules_path)
        elif key == "confirm_above":
            number = scalar(value, str(path), "a number of papers")
            if not number.isdigit():
                fail(value, str(path), f"confirm_above wants a whole number of papers, not {number!r}")
            config.confirm_above = int(number)
    return config
