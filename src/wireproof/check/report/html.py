"""The HTML report: one self-contained page (inline CSS, no JavaScript, no external resources)."""

from __future__ import annotations

import json
from html import escape as _escape
from typing import Final

from wireproof.check.model import SEVERITIES, Finding, Report
from wireproof.check.report._coverage import score_text, summary
from wireproof.check.report._safe import visible

__all__ = ["render"]

_HEADINGS: Final = {"error": "Errors", "warning": "Warnings", "info": "Info"}
_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_STYLE: Final = """
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
body { max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
.meta { color: #59636e; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; list-style: none; }
.card { min-width: 8rem; padding: .75rem 1rem; border-radius: .5rem; border: 1px solid; }
.card .category { display: block; font-size: .9rem; }
.card .score { display: block; font-size: 1.8rem; font-weight: 700; }
.good { background: #dafbe1; border-color: #1a7f37; color: #116329; }
.fair { background: #fff8c5; border-color: #9a6700; color: #7d4e00; }
.poor { background: #ffebe9; border-color: #cf222e; color: #a40e26; }
.untested { background: #f6f8fa; border-color: #818b98; color: #59636e; }
.untested .score { font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: .35rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.finding { border-left: 4px solid; padding: .25rem 1rem; margin: 1rem 0; }
.finding.error { border-color: #cf222e; }
.finding.warning { border-color: #9a6700; }
.finding.info { border-color: #0969da; }
.finding h3 { font-size: 1rem; margin: .25rem 0; }
.badge { font-size: .75rem; text-transform: uppercase; padding: .1rem .4rem; border-radius: .25rem; }
.badge.error { background: #ffebe9; color: #a40e26; }
.badge.warning { background: #fff8c5; color: #7d4e00; }
.badge.info { background: #ddf4ff; color: #0550ae; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
.none { font-weight: 700; color: #116329; }
"""


def escape(text: str) -> str:
    """``html.escape`` (quotes included), after showing control characters as ``\\xNN`` escapes."""
    return _escape(visible(text))


def _grade(score: int | None) -> str:
    """The card class for a score: good at 90 and above, fair at 60 and above, poor below; untested without one."""
    if score is None:
        return "untested"
    if score >= 90:
        return "good"
    return "fair" if score >= 60 else "poor"


def _finding(finding: Finding) -> list[str]:
    """One finding as an ``<article>``, its evidence in a collapsible ``<details>``."""
    severity = escape(finding.severity)
    tool = f' <span class="tool">{escape(finding.tool)}</span>' if finding.tool else " (server)"
    parts = [
        f'<article class="finding {severity}">',
        f'<h3><span class="badge {severity}">{severity}</span> <code>{escape(finding.rule)}</code>{tool}</h3>',
        f"<p>{escape(finding.message)}</p>",
    ]
    evidence = finding.evidence
    if evidence.call is not None or evidence.answer or evidence.note:
        parts.append("<details><summary>Evidence</summary>")
        if evidence.call is not None:
            call = json.dumps(evidence.call, indent=2, ensure_ascii=False, default=str)
            parts.append(f"<h4>Call</h4><pre>{escape(call)}</pre>")
        if evidence.answer:
            parts.append(f"<h4>Answer</h4><pre>{escape(evidence.answer)}</pre>")
        if evidence.note:
            parts.append(f"<p>Note: {escape(evidence.note)}</p>")
        parts.append("</details>")
    parts.append("</article>")
    return parts


def _rate(repaired: int, rejections: int) -> str:
    return (
        f"{repaired} of {rejections} ({100 * repaired / rejections:.0f}%)" if rejections else "no rejections"
    )


def _repair_section(report: Report) -> list[str]:
    """The repair rate as a table: rejected calls fixed from the error alone, per tool and overall."""
    if not report.repair:
        return []
    overall = report.repair_overall
    parts = [
        "<h2>Repair rate</h2>",
        "<p>Rejected awkward calls that a deterministic repairer fixed from the error alone.</p>",
        "<table><thead><tr><th>Tool</th><th>Repaired</th></tr></thead><tbody>",
    ]
    parts += [
        f'<tr><td>{escape(r.tool)}</td><td class="number">{_rate(r.repaired, r.rejections)}</td></tr>'
        for r in report.repair
    ]
    parts.append(
        f'<tr><th>overall</th><td class="number">{_rate(overall.repaired, overall.rejections)}</td></tr>'
    )
    parts.append("</tbody></table>")
    return parts


def render(report: Report) -> str:
    """Render ``report`` as a single self-contained HTML page.

    Every value from the report is escaped with ``html.escape``; the page carries a
    Content-Security-Policy that forbids scripts and any external resource.

    Args:
        report: The checker's result.

    Returns:
        The HTML document.
    """
    server = report.server
    title = " ".join(part for part in (server.name or "(unnamed server)", server.version) if part)
    meta = (
        f"Transport {server.transport} · protocol {server.protocol_version or 'unknown'}"
        f" · {report.duration_s:.1f} s · wireproof {report.wireproof_version}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>wireproof check: {escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>wireproof check: {escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        "<h2>Scorecard</h2>",
        '<ul class="cards">',
    ]
    parts += [
        f'<li class="card {_grade(value)}"><span class="category">{escape(category)}</span>'
        f'<span class="score">{escape(score_text(value))}</span></li>'
        for category, value in report.scores.items()
    ]
    parts += ["</ul>", "<h2>Coverage</h2>", "<ul>"]
    parts += [f"<li>{escape(line)}</li>" for line in summary(report.coverage)]
    parts += [
        "</ul>",
        "<table><thead><tr><th>Category</th><th>Tested</th><th>Exercised</th><th>To test the rest</th></tr>"
        "</thead><tbody>",
    ]
    parts += [
        f"<tr><td>{escape(category)}</td><td>{'yes' if covered.tested else 'no'}</td>"
        f"<td>{escape(covered.exercised)}</td><td>{escape(covered.to_test_the_rest or '')}</td></tr>"
        for category, covered in report.coverage.categories.items()
    ]
    parts += ["</tbody></table>", "<h2>Tools</h2>"]
    if report.tools:
        parts.append(
            "<table><thead><tr><th>Tool</th><th>Read-only</th><th>Calls</th><th>p50 ms</th><th>Note</th></tr>"
            "</thead><tbody>"
        )
        for tool in report.tools:
            p50 = "" if tool.p50_ms is None else f"{tool.p50_ms:.1f}"
            parts.append(
                f"<tr><td>{escape(tool.name)}</td><td>{'yes' if tool.read_only else 'no'}</td>"
                f'<td class="number">{tool.calls}</td><td class="number">{p50}</td>'
                f"<td>{escape(tool.skipped or '')}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No tools listed.</p>")
    parts += _repair_section(report)
    parts.append("<h2>Findings</h2>")
    if not report.findings:
        parts.append('<p class="none">No findings.</p>')
    else:
        counts = ", ".join(
            f"{sum(1 for f in report.findings if f.severity == s)} {s}" for s in reversed(SEVERITIES)
        )
        parts.append(f"<p>Findings: {counts}.</p>")
    for severity in reversed(SEVERITIES):
        group = [f for f in report.findings if f.severity == severity]
        if group:
            parts.append(f'<section class="{severity}"><h2>{_HEADINGS[severity]} ({len(group)})</h2>')
            for finding in group:
                parts += _finding(finding)
            parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
