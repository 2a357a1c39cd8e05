"""The HTML report: one self-contained page a reviewer reads offline (inline CSS, no JavaScript, no
external resources).

Every text from the report is escaped (a hostile server's text never becomes markup), and the page's
Content-Security-Policy forbids scripts and every external resource besides. The findings can be
filtered by severity and by category with checkboxes whose CSS rules (``:has()``) hide what is
unchecked: no script is needed, so none is allowed. The filter rules name severities and categories
by their position (``sev-0``, ``cat-1``), so no report text ever reaches the style sheet.
"""

from __future__ import annotations

import json
from html import escape as _escape
from typing import Final

from wireproof.check.model import SEVERITIES, Finding, Report, truncate
from wireproof.check.report._coverage import repair_rate_text, rest_text, score_text, summary
from wireproof.check.report._safe import visible
from wireproof.check.rules import REGISTRY

__all__ = ["render"]

_HEADINGS: Final = {"error": "Errors", "warning": "Warnings", "info": "Info"}
EVIDENCE_CHARS: Final = 2_000
"""The most characters of a call or an answer the page shows (the checker cuts answers before)."""
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
.filters { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.filters fieldset { border: 1px solid #d1d9e0; border-radius: .5rem; padding: .25rem .75rem .5rem; }
.filters label { margin-right: .75rem; white-space: nowrap; }
.why { color: #59636e; margin: .25rem 0; }
.category-label { font-size: .8rem; color: #59636e; }
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


def _finding(finding: Finding, severity_class: str, category_class: str) -> list[str]:
    """One finding as an ``<article>``: its rule and why it matters, the message, and its evidence
    (the exact call and the answer, cut) in a collapsible ``<details>``."""
    severity = escape(finding.severity)
    category = escape(str(getattr(finding, "category", "") or "other"))
    tool = f' <span class="tool">{escape(finding.tool)}</span>' if finding.tool else " (server)"
    parts = [
        f'<article class="finding {severity} {severity_class} {category_class}" data-severity="{severity}"'
        f' data-category="{category}">',
        f'<h3><span class="badge {severity}">{severity}</span> <code>{escape(finding.rule)}</code>{tool}'
        f' <span class="category-label">{category}</span></h3>',
        f"<p>{escape(finding.message)}</p>",
    ]
    registered = REGISTRY.get(finding.rule)
    if registered is not None:
        parts.append(
            f'<p class="why">{escape(registered.title)}: {escape(registered.rationale)}'
            f" ({escape(registered.reference)})</p>"
        )
    evidence = finding.evidence
    if evidence.call is not None or evidence.answer or evidence.note:
        parts.append("<details><summary>Evidence</summary>")
        if evidence.call is not None:
            call = json.dumps(evidence.call, indent=2, ensure_ascii=False, default=str)
            parts.append(f"<h4>Call</h4><pre>{escape(truncate(call, EVIDENCE_CHARS))}</pre>")
        if evidence.answer:
            parts.append(f"<h4>Answer</h4><pre>{escape(truncate(evidence.answer, EVIDENCE_CHARS))}</pre>")
        if evidence.note:
            parts.append(f"<p>Note: {escape(evidence.note)}</p>")
        parts.append("</details>")
    parts.append("</article>")
    return parts


def _classes(values: list[str], prefix: str) -> dict[str, str]:
    """A class name per distinct value, by position: report text never reaches the style sheet."""
    return {value: f"{prefix}-{index}" for index, value in enumerate(dict.fromkeys(values))}


def _filter_rules(report: Report, severities: dict[str, str], categories: dict[str, str]) -> str:
    """The CSS that hides the findings whose severity or category is unchecked, and a severity's
    section once every category it holds is unchecked."""
    rules = [
        f"body:has(#show-{name}:not(:checked)) .{name} {{ display: none; }}"
        for name in [*severities.values(), *categories.values()]
    ]
    for severity, name in severities.items():
        held = sorted({categories[_category(f)] for f in report.findings if f.severity == severity})
        unchecked = "".join(f":has(#show-{category}:not(:checked))" for category in held)
        rules.append(f"body{unchecked} section.{name} {{ display: none; }}")
    return "\n".join(rules)


def _filters(report: Report, severities: dict[str, str], categories: dict[str, str]) -> list[str]:
    """Checkboxes, one per severity and per category found, each saying how many findings it holds."""

    def box(name: str, label: str, count: int) -> str:
        return f'<label><input type="checkbox" id="show-{name}" checked> {escape(label)} ({count})</label>'

    parts = ['<form class="filters" aria-label="Filter the findings">', "<fieldset><legend>Severity</legend>"]
    parts += [
        box(name, value, sum(1 for f in report.findings if f.severity == value))
        for value, name in severities.items()
    ]
    parts += ["</fieldset>", "<fieldset><legend>Category</legend>"]
    parts += [
        box(name, value, sum(1 for f in report.findings if _category(f) == value))
        for value, name in categories.items()
    ]
    parts += ["</fieldset>", "</form>"]
    return parts


def _category(finding: Finding) -> str:
    return str(getattr(finding, "category", "") or "other")


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
        f'<tr><td>{escape(r.tool)}</td><td class="number">{repair_rate_text(r)}</td></tr>'
        for r in report.repair
    ]
    parts.append(f'<tr><th>overall</th><td class="number">{repair_rate_text(overall)}</td></tr>')
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
    order: list[str] = list(reversed(SEVERITIES))
    order += sorted({f.severity for f in report.findings} - set(order))  # a severity added later
    severities = _classes([s for s in order if any(f.severity == s for f in report.findings)], "sev")
    categories = _classes(sorted({_category(f) for f in report.findings}), "cat")
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
        f"<style>{_STYLE}{_filter_rules(report, severities, categories)}\n</style>",
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
        f"<td>{escape(covered.exercised)}</td><td>{escape(rest_text(covered))}</td></tr>"
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
            f"{sum(1 for f in report.findings if f.severity == s)} {escape(s)}" for s in severities
        )
        parts.append(f"<p>Findings: {counts}.</p>")
        parts += _filters(report, severities, categories)
    for severity, severity_class in severities.items():
        group = [f for f in report.findings if f.severity == severity]
        heading = _HEADINGS.get(severity, escape(severity))
        parts.append(
            f'<section class="{escape(severity)} {severity_class}"><h2>{heading} ({len(group)})</h2>'
        )
        for finding in group:
            parts += _finding(finding, severity_class, categories[_category(finding)])
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
