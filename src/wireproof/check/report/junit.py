"""The JUnit XML report: one test suite per category, one test case per registered rule."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Final

from wireproof.check.model import CATEGORIES, Category, Finding, Report
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


def _testcase(suite: ET.Element, category: Category, rule_id: str, findings: list[Finding]) -> bool:
    """Add the test case for ``rule_id`` to ``suite``; true when it failed."""
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
    if notes:
        ET.SubElement(case, "system-out").text = "\n\n".join(notes)
    return failed


def render(report: Report) -> str:
    """Render ``report`` as JUnit XML.

    Each category is a ``<testsuite>`` and each rule of it a ``<testcase>``: a rule
    passes when it found nothing; each warning or error finding is a ``<failure>``
    (a rule with several findings is one failed test with several failures); info
    findings go to the test case's ``<system-out>``. A suite's ``failures`` counts its
    failed test cases. Rules are judged after the probes, so test cases and suites take
    no time of their own; the whole check's duration is on the root ``<testsuites>``.

    Args:
        report: The checker's result.

    Returns:
        The XML document, with its declaration.
    """
    root = ET.Element("testsuites", {"name": SUITE_NAME})
    total_tests = total_failures = 0
    for index, (category, rule_ids) in enumerate(_rules_by_category(report).items()):
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
        ):
            ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
        failures = 0
        for rule_id in rule_ids:
            findings = [f for f in report.findings if f.rule == rule_id]
            failures += _testcase(suite, category, rule_id, findings)
        suite.set("tests", str(len(rule_ids)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0.000")
        total_tests += len(rule_ids)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("skipped", "0")
    root.set("time", f"{report.duration_s:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
