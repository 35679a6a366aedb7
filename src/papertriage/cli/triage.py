"""`papertriage triage`: the interactive pass (issue 5)."""

from __future__ import annotations

from . import app  # noqa: F401
