"""The runner's scoring: findings weighed per rule by severity and breadth; no score for what was not tested."""

from __future__ import annotations

from wireproof.check.model import CATEGORIES, CategoryCoverage, Coverage, Finding, Severity
from wireproof.check.runner import WEIGHTS, score


def coverage(tools: int = 10, *untested: str) -> Coverage:
    return Coverage(
        categories={
            c: CategoryCoverage(c not in untested, "exercised" if c not in untested else "not", tools)
            for c in CATEGORIES
        }
    )


def findings(rule: str, severity: Severity, tools: list[str | None]) -> list[Finding]:
    category = rule.split(".", maxsplit=1)[0]
    return [Finding(rule, category, severity, tool, "m") for tool in tools]  # type: ignore[arg-type]


def test_a_category_not_tested_has_no_score_even_with_info_findings() -> None:
    info = findings("idempotency.not-exercised", "info", ["add_note"])
    scores = score(info, coverage(10, "idempotency", "auth"))
    assert scores["idempotency"] is None
    assert scores["auth"] is None
    assert scores["schema"] == 100


def test_one_rule_on_every_tool_costs_its_weight_once() -> None:
    many = findings("schema.open-object", "warning", [f"tool_{i}" for i in range(46)])
    assert score(many, coverage(46))["schema"] == 100 - WEIGHTS["warning"]


def test_a_rule_on_one_tool_of_many_costs_about_half_its_weight() -> None:
    crash = findings("errors.crash", "error", ["search"])
    assert score(crash, coverage(10))["errors"] == 78  # 100 - 40 * (1 + 1/10) / 2


def test_a_server_level_finding_counts_as_hitting_every_tool() -> None:
    assert score(findings("protocol.no-tools", "error", [None]), coverage(10))["protocol"] == 60


def test_a_rule_is_weighed_at_its_worst_severity_only() -> None:
    mixed = findings("errors.leak", "warning", ["a", "b"]) + findings("errors.leak", "error", ["c"])
    assert score(mixed, coverage(10))["errors"] == 78


def test_any_error_scores_below_a_warning_on_every_tool() -> None:
    one_error = score(findings("errors.crash", "error", ["a"]), coverage(10))["errors"]
    warnings_everywhere = score(
        findings("errors.no-retry-advice", "warning", list("abcdefghij")), coverage(10)
    )
    assert one_error is not None
    assert warnings_everywhere["errors"] is not None
    assert one_error < warnings_everywhere["errors"]


def test_harmless_rules_on_every_tool_do_not_zero_two_categories() -> None:
    coercions = findings("errors.malformed-accepted", "warning", list("abcd"))
    coercions += findings("schema.param-type", "warning", list("abcd"))
    scores = score(coercions, coverage(4))
    assert scores["errors"] == scores["schema"] == 85


def test_scores_never_go_below_zero() -> None:
    rules = [f"errors.rule-{i}" for i in range(5)]
    many = [f for rule in rules for f in findings(rule, "error", list("ab"))]
    assert score(many, coverage(2))["errors"] == 0
