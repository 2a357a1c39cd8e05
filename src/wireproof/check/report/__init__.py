"""Reporters: each renders a ``Report`` in one format, and only renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from wireproof.check.model import Report
from wireproof.check.report import html, jsonfmt, junit, markdown, sarif, text

__all__ = ["FORMATS", "render"]

FORMATS: Final[dict[str, Callable[[Report], str]]] = {
    "text": text.render,
    "json": jsonfmt.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "html": html.render,
}


def render(report: Report, fmt: str) -> str:
    """Render ``report`` as ``fmt`` (one of ``FORMATS``)."""
    return FORMATS[fmt](report)
