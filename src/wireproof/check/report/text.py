"""The terminal report: a scorecard ("not tested" where nothing was exercised), the coverage, the tools,
then the findings with their evidence."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from wireproof.check.model import SEVERITIES, Report
from wireproof.check.report._coverage import NOT_TESTED, RUN, repair_rate_text, summary
from wireproof.check.report._safe import visible

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def renderables(report: Report) -> list[RenderableType]:
    """The report as rich renderables, for a live console. Server text is never read as markup."""
    server = report.server
    head = Text.assemble(
        ("wireproof check ", "bold"),
        visible(f"{server.name or '(unnamed server)'} {server.version or ''}"),
        f" over {server.transport} (protocol {visible(server.protocol_version or 'unknown')}), "
        f"{report.duration_s:.1f} s",
    )
    scores = Table(title="Scorecard", show_header=True, header_style="bold")
    for category in report.scores:
        scores.add_column(category, justify="center")
    scores.add_row(*[_score(v) for v in report.scores.values()])
    coverage = Table(title="Coverage", header_style="bold")
    for column in ("category", "tested", "exercised", "to test the rest"):
        coverage.add_column(column)
    for category, covered in report.coverage.categories.items():
        coverage.add_row(
            category,
            "yes" if covered.tested else "no",
            Text(visible(covered.exercised)),
            Text(visible(covered.to_test_the_rest or "")),
        )
    tools = Table(title="Tools", header_style="bold")
    for column in ("tool", "read-only", "calls", "p50 ms", "note"):
        tools.add_column(column)
    for tool in report.tools:
        tools.add_row(
            Text(visible(tool.name)),
            "yes" if tool.read_only else "no",
            str(tool.calls),
            "" if tool.p50_ms is None else f"{tool.p50_ms:.1f}",
            Text(tool.skipped or ""),
        )
    parts: list[RenderableType] = [head, scores, coverage]
    # Commands stay on one line each, to be copied whole (render prints without cropping).
    parts += [_line(line, whole=line.startswith(RUN)) for line in summary(report.coverage)]
    parts += [
        _line(f"{category}, run: {covered.command}", whole=True)
        for category, covered in report.coverage.categories.items()
        if covered.command
    ]
    parts.append(tools)
    parts += _repair_block(report)
    if not report.findings:
        parts.append(Text("No findings.", style="bold green"))
    for finding in report.findings:
        parts.append(
            Text.assemble(
                (f"{finding.severity.upper():7} ", _STYLE[finding.severity]),
                (finding.rule, "bold"),
                f" [{visible(finding.tool)}] " if finding.tool else " ",
                visible(finding.message),
            )
        )
        if finding.evidence.call is not None:
            parts.append(Text(f"          call:   {visible(str(finding.evidence.call))}", style="dim"))
        if finding.evidence.answer:
            parts.append(Text(f"          answer: {visible(finding.evidence.answer[:300])}", style="dim"))
    counts = ", ".join(
        f"{sum(1 for f in report.findings if f.severity == s)} {s}" for s in reversed(SEVERITIES)
    )
    parts.append(Text(f"Findings: {counts}.", style="bold"))
    return parts


def _line(line: str, *, whole: bool) -> Text:
    """A line of text; ``whole`` keeps it on one line however long (a command to copy)."""
    return Text(visible(line), no_wrap=whole, overflow="ignore") if whole else Text(visible(line))


def _repair_block(report: Report) -> list[RenderableType]:
    """The repair rate: how many rejected calls were fixed from the error alone, overall and per tool."""
    if not report.repair:
        return []
    overall = report.repair_overall
    table = Table(title="Repair rate (rejected calls fixed from the error alone)", header_style="bold")
    table.add_column("tool")
    table.add_column("repaired", justify="right")
    for rate in report.repair:
        table.add_row(Text(visible(rate.tool)), repair_rate_text(rate))
    table.add_row(Text("overall", style="bold"), repair_rate_text(overall))
    return [table]


def _score(value: int | None) -> str:
    if value is None:
        return f"[dim]{NOT_TESTED}[/]"
    style = "green" if value >= 90 else "yellow" if value >= 60 else "red"
    return f"[{style}]{value}[/]"


def render(report: Report) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, no_color=True, force_terminal=False).print(
        Group(*renderables(report)), crop=False
    )
    return buffer.getvalue()
