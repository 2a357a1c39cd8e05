"""The JUnit XML report: one test suite per category, one test case per registered rule."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Final

from wireproof.check.model import CATEGORIES, Category, CategoryCoverage, Coverage, Finding, Report
from wireproof.check.report._coverage import (
    NOT_TESTED,
    auth_state,
    failure_text,
    rest_text,
    score_text,
    summary,
)
from wireproof.check.rules import REGISTRY

__all__ = ["render"]

SUITE_NAME: Final = "wireproof check"
_FAILING: Final = frozenset({"warning", "error"})
# Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates…).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Make ``text`` safe for XML 1.0: show characters it cannot carry as ``\\xNN`` escapes."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _describe(finding: Finding) -> str:
    """The body of a failure or a system-out block: the tool, then the evidence."""
    lines = [f"tool: {finding.tool or '(server)'}"]
    evidence = finding.evidence
    if evidence.call is not None:
        lines.append(f"call: {json.dumps(evidence.call, ensure_ascii=False, default=str)}")
    if evidence.answer:
        lines.append(f"answer: {evidence.answer}")
    if evidence.note:
        lines.append(f"note: {evidence.note}")
    return _clean("\n".join(lines))


def _rules_by_category(report: Report) -> dict[Category, list[str]]:
    """Every registered rule id per category, then any rule a finding names that is not registered."""
    ids: dict[Category, list[str]] = {category: [] for category in CATEGORIES}
    for rule in REGISTRY.values():
        ids[rule.category].append(rule.id)
    for finding in report.findings:
        if finding.rule not in REGISTRY and finding.rule not in ids.setdefault(finding.category, []):
            ids[finding.category].append(finding.rule)
    return ids


def _testcase(
    suite: ET.Element, category: Category, rule_id: str, findings: list[Finding], untested: str | None
) -> bool:
    """Add the test case for ``rule_id`` to ``suite``; true when it failed. ``untested`` marks it skipped."""
    case = ET.SubElement(
        suite, "testcase", {"classname": f"wireproof.{category}", "name": _clean(rule_id), "time": "0.000"}
    )
    failed = False
    notes: list[str] = []
    for finding in findings:
        if finding.severity in _FAILING:
            failed = True
            failure = ET.SubElement(
                case, "failure", {"message": _clean(finding.message), "type": finding.severity}
            )
            failure.text = _describe(finding)
        else:
            notes.append(f"[{finding.severity}] {_clean(finding.message)}\n{_describe(finding)}")
    if untested is not None and not failed:
        ET.SubElement(case, "skipped", {"message": _clean(untested)})
    if notes:
        ET.SubElement(case, "system-out").text = "\n\n".join(notes)
    return failed


def _untested(covered: CategoryCoverage | None) -> str | None:
    """The skip message for a category not tested, or None when it was."""
    if covered is None or covered.tested:
        return None
    rest = f"; to test it: {rest_text(covered)}" if rest_text(covered) else ""
    return f"{NOT_TESTED}: {covered.exercised}{rest}"


def _coverage_properties(coverage: Coverage) -> list[tuple[str, str]]:
    """The run's coverage as properties, the same in every suite: tools, why each skipped one was,
    writes, auth, and the command that would test the rest."""
    return [
        ("coverage.tools.listed", str(coverage.tools_listed)),
        ("coverage.tools.checked", str(coverage.tools_checked)),
        ("coverage.tools.called", ", ".join(coverage.tools_called)),
        ("coverage.tools.skipped", ", ".join(coverage.tools_skipped)),
        *((f"coverage.skipped.{tool}", why) for tool, why in coverage.tools_skipped.items()),
        ("coverage.writes", coverage.writes),
        ("coverage.auth", auth_state(coverage)),
        ("coverage.command", coverage.command or ""),
    ]


def _checker_failures(root: ET.Element, report: Report) -> int:
    """A ``checker`` suite with an ``<error>`` test case per part of the check that failed inside the
    checker, when any did; how many."""
    failures = report.coverage.failures
    if not failures:
        return 0
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": SUITE_NAME,
            "id": str(len(root)),
            "package": "wireproof.checker",
            "tests": str(len(failures)),
        },
    )
    for failure in failures:
        name = f"{failure.probe} {failure.tool}" if failure.tool else failure.probe
        case = ET.SubElement(suite, "testcase", {"classname": "wireproof.checker", "name": _clean(name)})
        ET.SubElement(
            case,
            "error",
            {"message": _clean(f"not tested, the checker itself failed: {failure_text(failure)}")},
        )
    suite.set("failures", "0")
    suite.set("errors", str(len(failures)))
    suite.set("skipped", "0")
    suite.set("time", "0.000")
    return len(failures)


def render(report: Report) -> str:
    """Render ``report`` as JUnit XML.

    Each category is a ``<testsuite>`` and each rule of it a ``<testcase>``: a rule
    passes when it found nothing; each warning or error finding is a ``<failure>``
    (a rule with several findings is one failed test with several failures); info
    findings go to the test case's ``<system-out>``. A suite's ``failures`` counts its
    failed test cases. In a category not tested every rule's test case is ``<skipped>``, its
    message saying what was not exercised and what would test it (the command line too); the suite
    carries the score ("not tested"), its category's coverage and the run's (tools listed, called,
    skipped and why, writes, auth, the command that would test the rest) as properties, and the
    run's coverage summary, as the other formats word it, in its ``<system-out>``. Rules are judged
    after the probes, so test cases and suites take no time of their own; the whole check's duration
    is on the root ``<testsuites>``. A part of the check that failed inside the checker is an
    ``<error>`` test case of a last ``checker`` suite.

    Args:
        report: The checker's result.

    Returns:
        The XML document, with its declaration.
    """
    root = ET.Element("testsuites", {"name": SUITE_NAME})
    total_tests = total_failures = total_skipped = 0
    for index, (category, rule_ids) in enumerate(_rules_by_category(report).items()):
        covered = report.coverage.categories.get(category)
        suite = ET.SubElement(
            root, "testsuite", {"name": SUITE_NAME, "id": str(index), "package": f"wireproof.{category}"}
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("category", category),
            ("server", report.server.name or ""),
            ("server.version", report.server.version or ""),
            ("transport", report.server.transport),
            ("wireproof.version", report.wireproof_version),
            ("score", score_text(report.scores.get(category))),
            ("coverage.exercised", covered.exercised if covered else ""),
            ("coverage.to_test_the_rest", (covered.to_test_the_rest or "") if covered else ""),
            ("coverage.to_test_the_rest.command", (covered.command or "") if covered else ""),
            *_coverage_properties(report.coverage),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
        failures = skipped = 0
        untested = _untested(covered)
        for rule_id in rule_ids:
            findings = [f for f in report.findings if f.rule == rule_id]
            failed = _testcase(suite, category, rule_id, findings, untested)
            failures += failed
            skipped += untested is not None and not failed
        ET.SubElement(suite, "system-out").text = _clean("\n".join(summary(report.coverage)))
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suite.set("time", "0.000")
        total_tests += len(rule_ids)
        total_failures += failures
        total_skipped += skipped
    errors = _checker_failures(root, report)
    total_tests += errors
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(errors))
    root.set("skipped", str(total_skipped))
    root.set("time", f"{report.duration_s:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
