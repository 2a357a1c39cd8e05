"""Baselines: adopt the checker on a server with known findings, and fail only on new ones.

``--write-baseline FILE`` records this run's findings; ``--baseline FILE`` (that file, or a JSON report
written with ``--format json``) hides the findings it holds, so only new ones are reported and fail
the run, as ruff's and semgrep's baselines do. A finding is known by its fingerprint, never its
message text (which a new wireproof may word differently)::

    fingerprint = (rule id, tool or None, field)

where ``field`` is the tool's parameters the finding names (its listed ``inputSchema`` properties,
sorted and joined with ``,``; None when it names none). Findings that share a fingerprint are
counted: a baseline with two ``schema.param-type`` findings on ``search`` hides two of them and
reports a third; the message only picks which of them are the new ones.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from wireproof._jsontext import parse_json
from wireproof._version import __version__
from wireproof.check.config import CheckConfigError
from wireproof.check.model import SEVERITIES, Finding, Report, ToolInfo

__all__ = [
    "BASELINE_FORMAT",
    "BASELINE_VERSION",
    "Baseline",
    "BaselineEntry",
    "BaselineError",
    "Fingerprint",
    "dumps_baseline",
    "fingerprint",
    "read_baseline",
    "split_findings",
    "write_baseline",
]

BASELINE_FORMAT: Final = "wireproof.baseline"
BASELINE_VERSION: Final = 1


class BaselineError(CheckConfigError):
    """A baseline file is missing, unreadable or not a baseline; the message names the file."""


@dataclass(frozen=True, slots=True, order=True)
class Fingerprint:
    """What identifies a finding across runs: its rule, its tool and the parameters it names."""

    rule: str
    tool: str | None
    field: str | None

    @property
    def digest(self) -> str:
        text = json.dumps([self.rule, self.tool, self.field], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One known finding: its identity, and its severity and message for the reader."""

    rule: str
    tool: str | None
    message: str
    severity: str


@dataclass(frozen=True, slots=True)
class Baseline:
    """The known findings, as read from a baseline file or a JSON report."""

    entries: tuple[BaselineEntry, ...]


def _parameters(listed: Sequence[ToolInfo]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for tool in listed:
        properties = tool.input_schema.get("properties", {})
        out[tool.name] = tuple(str(p) for p in properties) if isinstance(properties, dict) else ()
    return out


def _field(tool: str | None, message: str, parameters: dict[str, tuple[str, ...]]) -> str | None:
    if tool is None:
        return None
    named = sorted(
        {p for p in parameters.get(tool, ()) if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", message)}
    )
    return ",".join(named) or None


def fingerprint(finding: Finding | BaselineEntry, listed: Sequence[ToolInfo]) -> Fingerprint:
    """The finding's fingerprint; ``listed`` (the run's tools) says which words are parameters."""
    return Fingerprint(finding.rule, finding.tool, _field(finding.tool, finding.message, _parameters(listed)))


def split_findings(report: Report, baseline: Baseline) -> tuple[list[Finding], list[Finding]]:
    """The report's findings as (new, known): known are those the baseline holds, counted per fingerprint."""
    known_messages: dict[Fingerprint, list[str]] = {}
    for entry in baseline.entries:
        known_messages.setdefault(fingerprint(entry, report.listed), []).append(entry.message)
    groups: dict[Fingerprint, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(fingerprint(finding, report.listed), []).append(finding)
    known_ids: set[int] = set()
    for key, findings in groups.items():
        messages = known_messages.get(key, [])
        allowed = len(messages)
        # Those whose message the baseline holds word for word first, then the others in report order.
        ordered = sorted(findings, key=lambda f: f.message not in messages)
        known_ids.update(id(f) for f in ordered[:allowed])
    new = [f for f in report.findings if id(f) not in known_ids]
    known = [f for f in report.findings if id(f) in known_ids]
    return new, known


def dumps_baseline(report: Report) -> str:
    """The baseline file's text for ``report``'s findings (sorted, so it diffs well in review)."""
    entries = sorted(
        (
            {
                "fingerprint": fingerprint(f, report.listed).digest,
                "rule": f.rule,
                "tool": f.tool,
                "field": fingerprint(f, report.listed).field,
                "severity": f.severity,
                "message": f.message,
            }
            for f in report.findings
        ),
        key=lambda e: (e["rule"], e["tool"] or "", e["field"] or "", e["message"]),
    )
    data = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "wireproof_version": __version__,
        "server": report.server.name,
        "findings": entries,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, report: Report) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps_baseline(report), encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {path}: {exc.strerror or exc}") from None


def read_baseline(path: Path) -> Baseline:
    """Read a baseline file, or a wireproof JSON report, at ``path``; anything else is a ``BaselineError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(
            f"the baseline {path} does not exist; write one first with --write-baseline {path}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(
            f"cannot read the baseline {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    data = parse_json(text, f"the baseline {path}", BaselineError)
    if isinstance(data, dict) and data.get("format") == BASELINE_FORMAT:
        if data.get("version") != BASELINE_VERSION:
            raise BaselineError(
                f"the baseline {path} is version {data.get('version')!r}; this wireproof reads {BASELINE_VERSION}"
            )
    elif not (isinstance(data, dict) and "wireproof_version" in data and "findings" in data):
        raise BaselineError(
            f"{path} is neither a wireproof baseline (--write-baseline) nor a JSON report (--format json)"
        )
    return Baseline(tuple(_entries(data.get("findings"), path)))


def _entries(findings: Any, path: Path) -> Iterable[BaselineEntry]:
    if not isinstance(findings, list):
        raise BaselineError(f'the baseline {path}: "findings" must be an array')
    for i, item in enumerate(findings):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("rule"), str)
            and (item.get("tool") is None or isinstance(item.get("tool"), str))
            and isinstance(item.get("message"), str)
            and item.get("severity") in SEVERITIES
        ):
            raise BaselineError(
                f"the baseline {path}: findings[{i}] needs rule, tool (string or null), message and severity"
            )
        yield BaselineEntry(item["rule"], item["tool"], item["message"], item["severity"])
