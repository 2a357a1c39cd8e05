"""Values a description lists in prose: the sentence and parenthesis forms schema.enum-in-prose reads.

Two forms, each needing at least three distinct identifier-like values, so that ordinary prose stays quiet:
quoted values in one sentence, joined by commas or "or" (``'table' (default), 'vertical' for one column per
line, or 'json'``), and a parenthesised list (``Current status (pending, in_progress, completed)``). A
sentence or parenthesis that gives examples (``e.g.``, ``such as``) lists no closed set.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

_QUOTED: Final = re.compile(r"(?<![\w'\"`])['\"`]([A-Za-z][\w-]{0,29})['\"`](?![\w'\"`])")
_GLUE: Final = re.compile(r"[,|/]|\bor\b", re.IGNORECASE)
_EXAMPLES: Final = re.compile(
    r"\b(e\.g|i\.e|eg|for example|for instance|such as|like|examples?|etc)\b", re.IGNORECASE
)
_SENTENCE_END: Final = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])|\n")
_PARENTHESIS: Final = re.compile(r"(?<![\w)\]])\(([^()]{1,160})\)")
"""A parenthesis set apart from the word before it: ``rgb(r,g,b)`` is a form's arguments, not a list of values."""
_ITEM_SEPARATOR: Final = re.compile(r"\s*(?:,|\|)\s*(?:or\s+)?|\s+or\s+")
_IDENTIFIER: Final = re.compile(r"[`'\"]?([a-z][a-z0-9]*(?:[_-][a-z0-9]+)*)[`'\"]?")
"""A lowercase value (snake or kebab case): a parenthesis of capitalised words or formats is prose."""
_FIELD_LINE: Final = re.compile(r"^\s*(?:[-*\u2022]\s*)?`?([A-Za-z_]\w{0,40})`?\s*:\s*(.+)$", re.MULTILINE)
_MIN_VALUES: Final = 3
_MAX_GAP: Final = 60


def closed_sentences(text: str) -> list[str]:
    """The sentences of a description that give no examples (no e.g., such as, like…): the only ones that
    can list a closed set of values."""
    return [s for s in _SENTENCE_END.split(text) if not _EXAMPLES.search(s)]


def quoted_values(text: str) -> list[str] | None:
    """Three or more quoted values one sentence lists (joined by commas, bars or "or"), or None."""
    for sentence in _SENTENCE_END.split(text):
        if _EXAMPLES.search(sentence):
            continue
        matches = list(_QUOTED.finditer(sentence))
        run = matches[:1]
        for before, after in itertools.pairwise(matches):
            gap = sentence[before.end() : after.start()]
            if len(gap) <= _MAX_GAP and _GLUE.search(gap):
                run.append(after)
                continue
            if len({m.group(1) for m in run}) >= _MIN_VALUES:
                break
            run = [after]
        values = list(dict.fromkeys(m.group(1) for m in run))
        if len(values) >= _MIN_VALUES:
            return values
    return None


def parenthesised_values(text: str) -> list[str] | None:
    """Three or more identifiers a parenthesis lists and nothing else (``(pending, in_progress, completed)``)."""
    for match in _PARENTHESIS.finditer(text):
        inside = match.group(1).strip()
        if _EXAMPLES.search(inside):
            continue
        items = [i for i in _ITEM_SEPARATOR.split(inside) if i]
        words = [_IDENTIFIER.fullmatch(i) for i in items]
        values = list(dict.fromkeys(w.group(1) for w in words if w is not None))
        if all(words) and len(values) >= _MIN_VALUES and all(len(v) <= 30 for v in values):
            return values
    return None


def listed_values(text: str) -> list[str] | None:
    """The values a parameter's own description lists in a sentence or a parenthesis, or None."""
    return quoted_values(text) or parenthesised_values(text)


def field_values(text: str) -> dict[str, list[str]]:
    """The values each ``field: …`` line of a description lists in a parenthesis (``- status: … (a, b, c)``)."""
    found: dict[str, list[str]] = {}
    for match in _FIELD_LINE.finditer(text):
        values = parenthesised_values(match.group(2))
        if values:
            found.setdefault(match.group(1), values)
    return found
