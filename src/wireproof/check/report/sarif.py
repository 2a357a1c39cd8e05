"""The SARIF 2.1.0 report: every registered rule as a descriptor, every finding as a result."""

from __future__ import annotations

import json
from typing import Any, Final

from wireproof.check.model import CATEGORIES, Finding, Report, Severity
from wireproof.check.report._coverage import failure_text, rest_text
from wireproof.check.rules import REGISTRY

__all__ = ["LEVELS", "render"]

SCHEMA_URI: Final = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS: Final[dict[Severity, str]] = {"error": "error", "warning": "warning", "info": "note"}


def _descriptors(report: Report) -> list[dict[str, Any]]:
    """A reportingDescriptor per registered rule, then one per unregistered rule a finding names."""
    descriptors = [
        {
            "id": rule.id,
            "name": rule.title,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.rationale},
            "help": {"text": rule.reference},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"category": rule.category},
        }
        for rule in REGISTRY.values()
    ]
    known = set(REGISTRY)
    for finding in report.findings:
        if finding.rule not in known:
            known.add(finding.rule)
            descriptors.append(
                {
                    "id": finding.rule,
                    "defaultConfiguration": {"level": LEVELS[finding.severity]},
                    "properties": {"category": finding.category},
                }
            )
    return descriptors


def _result(finding: Finding, rule_index: int, server: str) -> dict[str, Any]:
    """A SARIF result for ``finding``, located logically at its tool (there is no source file)."""
    prefix = f"[{finding.tool}] " if finding.tool else ""
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": prefix + finding.message},
    }
    if finding.tool:
        result["locations"] = [
            {
                "logicalLocations": [
                    {
                        "name": finding.tool,
                        "kind": "function",
                        "fullyQualifiedName": f"{server}/{finding.tool}",
                    }
                ]
            }
        ]
    evidence = finding.evidence
    result["properties"] = {
        "category": finding.category,
        "evidence": {"call": evidence.call, "answer": evidence.answer, "note": evidence.note},
    }
    return result


def _coverage_descriptors() -> list[dict[str, Any]]:
    """The notifications a run may raise: one per category, "not tested", and ``checker.failure``."""
    return [
        {
            "id": f"coverage.{category}",
            "shortDescription": {"text": f"{category} not tested"},
            "defaultConfiguration": {"level": "note"},
        }
        for category in CATEGORIES
    ] + [
        {
            "id": "checker.failure",
            "shortDescription": {"text": "a part of the check failed inside the checker"},
            "defaultConfiguration": {"level": "error"},
        }
    ]


def _not_tested(report: Report) -> list[dict[str, Any]]:
    """A note per category not tested, saying what would test it (SARIF has no "skipped" result)."""
    notes = []
    for category, covered in report.coverage.categories.items():
        if not covered.tested:
            rest = f" To test it: {rest_text(covered)}" if rest_text(covered) else ""
            notes.append(
                {
                    "level": "note",
                    "message": {"text": f"{category}: not tested ({covered.exercised}).{rest}"},
                    "descriptor": {"id": f"coverage.{category}", "index": CATEGORIES.index(category)},
                }
            )
    return notes


def _failures(report: Report) -> list[dict[str, Any]]:
    """An error notification per part of the check that failed inside the checker (not tested)."""
    return [
        {
            "level": "error",
            "message": {"text": f"not tested, the checker itself failed: {failure_text(failure)}"},
            "descriptor": {"id": "checker.failure", "index": len(CATEGORIES)},
        }
        for failure in report.coverage.failures
    ]


def _invocation(report: Report) -> dict[str, Any]:
    notes = _failures(report) + _not_tested(report)
    return {
        "executionSuccessful": not report.coverage.failures,
        **({"toolExecutionNotifications": notes} if notes else {}),
    }


def render(report: Report) -> str:
    """Render ``report`` as a SARIF 2.1.0 log with one run.

    ``tool.driver.rules`` lists every registered rule (so a clean run still documents
    what was checked); each finding is a result pointing at its rule by id and index.
    Findings about a tool carry a logical location ``<server>/<tool>``; findings about
    the whole server carry none. The evidence (call, answer, note) is in the result's
    property bag. ``runs[0].properties`` carries the scores (null for a category not tested) and the
    coverage; each category not tested is also a note in the invocation's ``toolExecutionNotifications``.

    Args:
        report: The checker's result.

    Returns:
        The SARIF log as indented JSON.
    """
    descriptors = _descriptors(report)
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    server = report.server.name or "server"
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wireproof",
                        "version": report.wireproof_version,
                        "rules": descriptors,
                        "notifications": _coverage_descriptors(),
                    }
                },
                "invocations": [_invocation(report)],
                "results": [_result(f, index[f.rule], server) for f in report.findings],
                "properties": {
                    "server": {
                        "name": report.server.name,
                        "version": report.server.version,
                        "transport": report.server.transport,
                        "protocolVersion": report.server.protocol_version,
                    },
                    "scores": dict(report.scores),
                    "coverage": report.coverage.to_json(),
                    "durationSeconds": round(report.duration_s, 3),
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False, default=str) + "\n"
