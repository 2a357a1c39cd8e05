"""junit report (written by a helper)."""

from __future__ import annotations

from wireproof.check.model import Report


def render(report: Report) -> str:
    raise NotImplementedError("junit")
