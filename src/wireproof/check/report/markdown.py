"""The Markdown report (GitHub-flavoured): scorecard, coverage, tools, then findings by severity with evidence."""

from __future__ import annotations

import json
import re
from typing import Final

from wireproof.check.model import SEVERITIES, Finding, Report
from wireproof.check.report._coverage import rest_text, score_text, summary
from wireproof.check.report._safe import visible

__all__ = ["render"]

_HEADINGS: Final = {"error": "Errors", "warning": "Warnings", "info": "Info"}
# ASCII punctuation that Markdown or inline HTML could interpret; CommonMark lets a backslash escape each.
_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|&~])")


def _visible(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` escapes."""
    return visible(text)


def _inline(text: str) -> str:
    """Escape ``text`` for a Markdown paragraph, heading or table cell (``|`` included), on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(_visible(text).splitlines()))


def _fenced(text: str, language: str = "") -> str:
    """``text`` in a fenced code block whose fence is longer than any run of backticks inside it."""
    text = _visible(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _finding(finding: Finding) -> list[str]:
    """The lines for one finding: a heading (rule id and tool), the message, then the evidence."""
    where = f" · {_inline(finding.tool)}" if finding.tool else " · (server)"
    lines = [f"### {_inline(finding.rule)}{where}", "", _inline(finding.message), ""]
    evidence = finding.evidence
    if evidence.call is not None:
        call = json.dumps(evidence.call, indent=2, ensure_ascii=False, default=str)
        lines += ["Call:", "", _fenced(call, "json"), ""]
    if evidence.answer:
        lines += ["Answer:", "", _fenced(evidence.answer), ""]
    if evidence.note:
        lines += [f"Note: {_inline(evidence.note)}", ""]
    return lines


def render(report: Report) -> str:
    """Render ``report`` as a GitHub-flavoured Markdown document.

    Everything that comes from the server (names, messages, notes) is escaped so it
    shows literally; evidence goes in fenced code blocks, which Markdown never
    interprets.

    Args:
        report: The checker's result.

    Returns:
        The Markdown document.
    """
    server = report.server
    title = " ".join(part for part in (server.name or "(unnamed server)", server.version) if part)
    lines = [
        f"# wireproof check: {_inline(title)}",
        "",
        f"Transport {_inline(server.transport)} · protocol {_inline(server.protocol_version or 'unknown')}"
        f" · {report.duration_s:.1f} s · wireproof {_inline(report.wireproof_version)}",
        "",
        "## Scorecard",
        "",
        "| Category | Score |",
        "| --- | ---: |",
    ]
    lines += [f"| {_inline(category)} | {score_text(value)} |" for category, value in report.scores.items()]
    lines += ["", "## Coverage", ""]
    lines += [f"- {_inline(line)}" for line in summary(report.coverage)]
    lines += [
        "",
        "| Category | Tested | Exercised | To test the rest |",
        "| --- | --- | --- | --- |",
    ]
    for category, covered in report.coverage.categories.items():
        lines.append(
            f"| {_inline(category)} | {'yes' if covered.tested else 'no'} | {_inline(covered.exercised)} "
            f"| {_inline(rest_text(covered))} |"
        )
    lines += ["", "## Tools", ""]
    if report.tools:
        lines += ["| Tool | Read-only | Calls | p50 ms | Note |", "| --- | --- | ---: | ---: | --- |"]
        for tool in report.tools:
            p50 = "" if tool.p50_ms is None else f"{tool.p50_ms:.1f}"
            read_only = "yes" if tool.read_only else "no"
            lines.append(
                f"| {_inline(tool.name)} | {read_only} | {tool.calls} | {p50} | {_inline(tool.skipped or '')} |"
            )
    else:
        lines.append("No tools listed.")
    lines += ["", "## Findings", ""]
    if not report.findings:
        lines += ["No findings.", ""]
    else:
        counts = ", ".join(
            f"{sum(1 for f in report.findings if f.severity == s)} {s}" for s in reversed(SEVERITIES)
        )
        lines += [f"Findings: {counts}.", ""]
    for severity in reversed(SEVERITIES):
        group = [f for f in report.findings if f.severity == severity]
        if group:
            lines += [f"## {_HEADINGS[severity]} ({len(group)})", ""]
            for finding in group:
                lines += _finding(finding)
    return "\n".join(lines).rstrip("\n") + "\n"
