"""The reporters: JUnit, SARIF, Markdown, HTML and JSON against a hand-built report with awkward text."""

from __future__ import annotations

import html as html_module
import json
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.check.auth_stdio_server import GOOD_KEY
from wireproof.check.model import (
    CATEGORIES,
    CategoryCoverage,
    Coverage,
    Evidence,
    Finding,
    Report,
    ServerSummary,
    ToolSummary,
)
from wireproof.check.report import FORMATS, html, jsonfmt, junit, markdown, render, sarif, text
from wireproof.check.rules import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "report-schema.json"
WIREPROOF = [sys.executable, "-m", "wireproof.cli"]
SCRIPT = "<script>alert('x')</script>"
NON_ASCII = "Beschreibung fehlt für „query“ — 日本語 ☕"

FINDINGS = [
    Finding(
        "errors.crash",
        "errors",
        "error",
        "search|tickets",
        f"the server crashed on {SCRIPT} & gave no answer",
        Evidence(
            call={"tool": "search|tickets", "arguments": {"query": SCRIPT}},
            answer="crash: Traceback ```boom``` <b>bold</b> & more",
            note="reproduced twice",
        ),
    ),
    Finding(
        "errors.field-not-named",
        "errors",
        "warning",
        "create_ticket",
        "the error does not name the field | title",
        Evidence(
            call={"tool": "create_ticket", "arguments": {"title": ""}},
            answer='{"isError": true, "text": "bad input"}',
        ),
    ),
    Finding(
        "errors.field-not-named",
        "errors",
        "warning",
        "search|tickets",
        "the error does not name the field limit",
        Evidence(call={"tool": "search|tickets", "arguments": {"limit": -1}}, answer="bad"),
    ),
    Finding(
        "errors.no-retry-advice",
        "errors",
        "info",
        None,
        "no retry advice \x1b[31m in a rate-limit error",
        Evidence(answer="RateLimited \x00 & <retry>"),
    ),
    Finding(
        "schema.param-type",
        "schema",
        "error",
        "create_ticket",
        "parameter priority has no type",
        Evidence(call={"method": "tools/list"}, answer='{"priority": {}}'),
    ),
    Finding(
        "schema.param-description",
        "schema",
        "warning",
        "search|tickets",
        NON_ASCII,
        Evidence(call={"method": "tools/list"}, answer=f'{{"query": {{"description": "{NON_ASCII}"}}}}'),
    ),
    Finding(
        "schema.enum-in-prose",
        "schema",
        "info",
        "create_ticket",
        "status lists its values in prose: open | closed",
        Evidence(call={"method": "tools/list"}, answer='{"status": {"type": "string"}}'),
    ),
]
SCORES = {"schema": 65, "errors": 45, "auth": 100, "idempotency": 100, "output": 100, "protocol": 100}
ALLOW_WRITES = "rerun with --allow-writes against a test account"
AUTH_ENV = "rerun with --auth-env NAME"
SERVER = "-- helpdesk-mcp --db '/tmp/a b.db'"
WRITES_COMMAND = f"wireproof check --allow-writes --env API_KEY=... {SERVER}"
AUTH_COMMAND = f"wireproof check --env API_KEY=... --auth-env API_KEY {SERVER}"
COMMAND = f"wireproof check --allow-writes --env API_KEY=... --auth-env API_KEY {SERVER}"


def _coverage(*untested: str) -> Coverage:
    rest = {"idempotency": ALLOW_WRITES, "auth": AUTH_ENV}
    commands = {"idempotency": WRITES_COMMAND, "auth": AUTH_COMMAND}
    return Coverage(
        tools_listed=2,
        tools_checked=2,
        tools_called=["search|tickets"],
        tools_skipped={"create_ticket": "not annotated readOnlyHint: true | skipped"},
        writes="not exercised" if "idempotency" in untested else "exercised",
        auth_http=False,
        auth_cases=[] if "auth" in untested else ["API_KEY unset", "API_KEY garbage"],
        categories={
            c: CategoryCoverage(False, f"nothing for {c} <&> |", 0, rest.get(c), commands.get(c))
            if c in untested
            else CategoryCoverage(True, f"exercised {c}", 2)
            for c in CATEGORIES
        },
        command=COMMAND if untested else None,
    )


def _untested() -> Report:
    """The sample, with auth and idempotency not exercised: no score, and what would test them."""
    scores: dict[str, int | None] = {**SCORES, "auth": None, "idempotency": None}
    return replace(_report(), scores=scores, coverage=_coverage("auth", "idempotency"))


def _report(findings: list[Finding] | None = None) -> Report:
    return Report(
        wireproof_version="0.1.0",
        server=ServerSummary("helpdesk <&>", "1.2.3", "stdio", "2025-06-18"),
        tools=[
            ToolSummary("search|tickets", True, 12, 3.456),
            ToolSummary("create_ticket", False, 0, None, "not annotated readOnlyHint: true | skipped"),
        ],
        findings=list(FINDINGS if findings is None else findings),
        scores=dict(SCORES) if findings is None else dict.fromkeys(CATEGORIES, 100),
        duration_s=1.23456,
        coverage=_coverage(),
    )


def _empty() -> Report:
    return _report([])


def _outside_fences(markdown_text: str) -> str:
    """The Markdown with every fenced code block removed."""
    return re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1$", "", markdown_text)


# JUnit


def test_junit_has_one_suite_per_category_and_one_case_per_registered_rule() -> None:
    root = ET.fromstring(junit.render(_report()))
    suites = root.findall("testsuite")
    assert root.tag == "testsuites"
    assert [s.get("package") for s in suites] == [f"wireproof.{c}" for c in CATEGORIES]
    assert all(s.get("name") == "wireproof check" for s in suites)
    assert int(root.get("tests", "-1")) == len(REGISTRY)
    assert sum(int(s.get("tests", "-1")) for s in suites) == len(REGISTRY)
    for suite in suites:
        category = suite.get("package", "").removeprefix("wireproof.")
        names = [case.get("name") for case in suite.findall("testcase")]
        assert names == [r.id for r in REGISTRY.values() if r.category == category]
        assert int(suite.get("tests", "-1")) == len(names)
        assert all(case.get("classname") == f"wireproof.{category}" for case in suite.findall("testcase"))


def test_junit_failure_counts_per_suite_and_in_total() -> None:
    root = ET.fromstring(junit.render(_report()))
    failures = {s.get("package"): int(s.get("failures", "-1")) for s in root.findall("testsuite")}
    # errors: crash (1 finding) and field-not-named (2 findings) fail; the info finding does not.
    assert failures == {
        "wireproof.schema": 2,
        "wireproof.errors": 2,
        "wireproof.auth": 0,
        "wireproof.idempotency": 0,
        "wireproof.output": 0,
        "wireproof.protocol": 0,
    }
    assert root.get("failures") == "4"
    assert {s.get("errors") for s in root.findall("testsuite")} == {"0"}
    assert {s.get("skipped") for s in root.findall("testsuite")} == {"0"}
    assert root.get("time") == "1.235"


def test_junit_failures_carry_message_type_tool_and_evidence() -> None:
    root = ET.fromstring(junit.render(_report()))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    crash = cases["errors.crash"].findall("failure")
    assert len(crash) == 1
    assert crash[0].get("message") == FINDINGS[0].message
    assert crash[0].get("type") == "error"
    body = crash[0].text or ""
    assert "tool: search|tickets" in body
    assert SCRIPT in body  # parsed back: escaped in the XML, intact in the data
    assert "crash: Traceback" in body
    not_named = cases["errors.field-not-named"].findall("failure")
    assert [f.get("type") for f in not_named] == ["warning", "warning"]
    assert cases["schema.param-description"].find("failure").get("message") == NON_ASCII  # type: ignore[union-attr]


def test_junit_info_findings_are_system_out_and_clean_rules_pass() -> None:
    root = ET.fromstring(junit.render(_report()))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    retry = cases["errors.no-retry-advice"]
    assert retry.find("failure") is None
    out = retry.findtext("system-out") or ""
    assert "no retry advice" in out
    assert "\\x1b" in out  # a control character XML cannot carry is shown, not dropped or fatal
    assert "\\x00" in out
    assert "tool: (server)" in out
    passing = cases["auth.no-credentials-accepted"]
    assert list(passing) == []


def test_junit_empty_report_passes_every_rule() -> None:
    root = ET.fromstring(junit.render(_empty()))
    assert root.get("tests") == str(len(REGISTRY))
    assert root.get("failures") == "0"
    assert not list(root.iter("failure"))


def test_junit_skips_every_rule_of_a_category_not_tested_and_says_what_would_test_it() -> None:
    root = ET.fromstring(junit.render(_untested()))
    suites = {s.get("package"): s for s in root.findall("testsuite")}
    idempotency = suites["wireproof.idempotency"]
    cases = idempotency.findall("testcase")
    assert cases
    assert all(case.find("skipped") is not None for case in cases)
    message = cases[0].find("skipped").get("message", "")  # type: ignore[union-attr]
    assert message.startswith("not tested: nothing for idempotency")
    assert ALLOW_WRITES in message
    assert idempotency.get("skipped") == str(len(cases))
    properties = {p.get("name"): p.get("value") for p in idempotency.iter("property")}
    assert properties["score"] == "not tested"
    assert properties["coverage.to_test_the_rest"] == ALLOW_WRITES
    assert suites["wireproof.errors"].get("skipped") == "0"
    assert int(root.get("skipped", "-1")) == sum(
        len(suites[f"wireproof.{c}"].findall("testcase")) for c in ("auth", "idempotency")
    )


def test_junit_names_an_unregistered_rule_instead_of_dropping_it() -> None:
    stray = Finding("output.made-up", "output", "error", "t", "m")
    root = ET.fromstring(junit.render(_report([stray])))
    assert root.get("tests") == str(len(REGISTRY) + 1)
    output = next(s for s in root.findall("testsuite") if s.get("package") == "wireproof.output")
    assert output.get("failures") == "1"
    assert output.findall("testcase")[-1].get("name") == "output.made-up"


# SARIF


def _sarif(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(report))
    return log


def test_sarif_header_driver_and_rules() -> None:
    log = _sarif(_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "wireproof"
    assert driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    assert [r["id"] for r in driver["rules"]] == list(REGISTRY)
    for descriptor in driver["rules"]:
        rule = REGISTRY[descriptor["id"]]
        assert descriptor["name"] == rule.title
        assert descriptor["shortDescription"] == {"text": rule.title}
        assert descriptor["fullDescription"] == {"text": rule.rationale}
        assert descriptor["help"] == {"text": rule.reference}
        assert "helpUri" not in descriptor
        assert descriptor["defaultConfiguration"]["level"] == sarif.LEVELS[rule.severity]
        assert descriptor["properties"]["category"] == rule.category
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_results_point_at_their_rules_with_mapped_levels() -> None:
    run = _sarif(_report())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(FINDINGS)
    for result, finding in zip(results, FINDINGS, strict=True):
        assert result["ruleId"] == finding.rule
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity]
        expected = f"[{finding.tool}] {finding.message}" if finding.tool else finding.message
        assert result["message"]["text"] == expected
        assert result["properties"]["evidence"] == {
            "call": finding.evidence.call,
            "answer": finding.evidence.answer,
            "note": finding.evidence.note,
        }
    assert Counter(r["level"] for r in results) == {"error": 2, "warning": 3, "note": 2}


def test_sarif_locations_are_logical_tool_locations() -> None:
    results = _sarif(_report())["runs"][0]["results"]
    crash = results[0]
    assert crash["locations"] == [
        {
            "logicalLocations": [
                {
                    "name": "search|tickets",
                    "kind": "function",
                    "fullyQualifiedName": "helpdesk <&>/search|tickets",
                }
            ]
        }
    ]
    assert all("physicalLocation" not in loc for r in results for loc in r.get("locations", []))
    server_level = results[3]
    assert server_level["ruleId"] == "errors.no-retry-advice"
    assert "locations" not in server_level


def test_sarif_describes_an_unregistered_rule_so_its_index_is_valid() -> None:
    run = _sarif(_report([Finding("output.made-up", "output", "warning", None, "m")]))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = run["results"]
    assert result["ruleIndex"] == len(REGISTRY)
    assert rules[result["ruleIndex"]]["id"] == "output.made-up"


def test_sarif_notes_each_category_not_tested_and_keeps_null_scores() -> None:
    run = _sarif(_untested())["runs"][0]
    (invocation,) = run["invocations"]
    notes = invocation["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["coverage.auth", "coverage.idempotency"]
    descriptors = run["tool"]["driver"]["notifications"]
    assert all(descriptors[n["descriptor"]["index"]]["id"] == n["descriptor"]["id"] for n in notes)
    assert all(n["level"] == "note" for n in notes)
    assert "idempotency: not tested" in notes[1]["message"]["text"]
    assert ALLOW_WRITES in notes[1]["message"]["text"]
    assert run["properties"]["scores"]["idempotency"] is None
    assert run["properties"]["coverage"]["categories"]["idempotency"]["tested"] is False


# Markdown


def test_markdown_has_title_scorecard_and_tools() -> None:
    md = markdown.render(_report())
    assert md.startswith("# wireproof check: helpdesk \\<\\&\\> 1.2.3\n")
    assert "Transport stdio · protocol 2025-06-18 · 1.2 s" in md
    assert "| Category | Score |" in md
    for category, value in SCORES.items():
        assert f"| {category} | {value} |" in md
    assert "| search\\|tickets | yes | 12 | 3.5 |  |" in md
    assert "| create\\_ticket | no | 0 |  | not annotated readOnlyHint: true \\| skipped |" in md


def test_markdown_lists_every_finding_grouped_by_severity() -> None:
    md = markdown.render(_report())
    for finding in FINDINGS:
        assert f"### {finding.rule} · " in md
    errors, warnings, info = (md.index(h) for h in ("## Errors (2)", "## Warnings (3)", "## Info (2)"))
    assert errors < warnings < info
    assert md.index("### errors.crash") < warnings
    assert warnings < md.index("### schema.param-description") < info
    assert NON_ASCII in md
    assert "No findings." not in md


def test_markdown_escapes_data_outside_code_blocks() -> None:
    md = markdown.render(_report())
    prose = _outside_fences(md)
    assert "<script>" not in prose
    assert "\\<script\\>" in prose
    # Table cells keep their column count: every | inside data is escaped.
    rows = [line for line in md.splitlines() if line.startswith(("| search", "| create"))]
    assert len(rows) == 2
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6


def test_markdown_evidence_sits_in_fences_longer_than_any_backticks_inside() -> None:
    md = markdown.render(_report())
    assert f'"query": "{SCRIPT}"' in md
    assert "````\ncrash: Traceback ```boom``` <b>bold</b> & more\n````" in md


@pytest.mark.parametrize(
    ("render_fn", "shown"),
    [(markdown.render, "\\\\x1b\\[31m"), (html.render, "\\x1b[31m")],  # Markdown escapes \ and [ too
    ids=["markdown", "html"],
)
def test_control_characters_are_shown_not_embedded(render_fn: Any, shown: str) -> None:
    out = render_fn(_report())
    assert "\x1b" not in out
    assert "\x00" not in out
    assert f"no retry advice {shown} in a rate-limit error" in out
    assert "RateLimited \\x00 &" in out  # in a code block (Markdown) or escaped (&amp; in HTML)


# HTML


def test_html_is_self_contained_and_escapes_data() -> None:
    page = html.render(_report())
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>wireproof check: helpdesk &lt;&amp;&gt; 1.2.3</title>" in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page
    assert "<retry>" not in page
    assert not re.search(r"\b(src|href)\s*=", page)
    assert "http://" not in page
    assert "https://" not in page
    assert NON_ASCII in page


def test_html_shows_cards_tools_and_every_finding_with_evidence() -> None:
    page = html.render(_report())
    assert page.count('class="card ') == len(SCORES)
    assert (
        '<li class="card poor"><span class="category">errors</span><span class="score">45</span></li>' in page
    )
    assert (
        '<li class="card fair"><span class="category">schema</span><span class="score">65</span></li>' in page
    )
    assert (
        '<li class="card good"><span class="category">auth</span><span class="score">100</span></li>' in page
    )
    assert "<td>search|tickets</td><td>yes</td>" in page
    for finding in FINDINGS:
        assert f"<code>{finding.rule}</code>" in page
    assert page.count("<details><summary>Evidence</summary>") == len(FINDINGS)
    assert page.count('<article class="finding ') == len(FINDINGS)


@pytest.mark.parametrize(
    ("score", "grade"), [(100, "good"), (90, "good"), (89, "fair"), (60, "fair"), (59, "poor")]
)
def test_html_card_thresholds(score: int, grade: str) -> None:
    report = replace(_empty(), scores={"schema": score})
    assert f'<li class="card {grade}"><span class="category">schema</span>' in html.render(report)


def test_html_card_of_a_category_not_tested_says_so_without_a_number() -> None:
    page = html.render(_untested())
    assert (
        '<li class="card untested"><span class="category">idempotency</span>'
        '<span class="score">not tested</span></li>' in page
    )
    assert "<h2>Coverage</h2>" in page
    assert "nothing for auth &lt;&amp;&gt; |" in page


# Not tested, in every format


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_says_not_tested_and_what_would_test_the_rest(fmt: str) -> None:
    out = render(_untested(), fmt)
    if fmt == "json":
        document = json.loads(out)
        assert document["scores"]["idempotency"] is None
        assert document["coverage"]["categories"]["idempotency"]["to_test_the_rest"] == ALLOW_WRITES
    else:
        assert "not tested" in out
    assert ALLOW_WRITES in out
    assert AUTH_ENV in out
    assert "100" not in [
        line.split("|")[2].strip() for line in out.splitlines() if line.startswith("| idempotency |")
    ]


def _plain(out: str, fmt: str) -> str:
    """What a reader of ``out`` sees: Markdown's backslash escapes and HTML's entities undone."""
    if fmt == "markdown":
        return re.sub(r"\\([\\`*_\[\]<>|&~])", r"\1", out)
    if fmt == "html":
        return html_module.unescape(out)
    return out


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_coverage_section_lists_tools_called_and_skipped_with_the_reason(fmt: str) -> None:
    out = _plain(render(_untested(), fmt), fmt)
    assert "Coverage" in out
    assert "2 listed, 2 checked, 1 called, 1 skipped" in out
    assert "Skipped: create_ticket (not annotated readOnlyHint: true | skipped)" in out
    assert "Writes: not exercised" in out
    assert "Auth: not probed" in out
    assert f"To test the rest, run: {COMMAND}" in out
    assert f"run: {WRITES_COMMAND}" in out
    assert f"run: {AUTH_COMMAND}" in out


def test_text_report_keeps_the_command_on_one_line() -> None:
    long = replace(_untested().coverage, command=COMMAND + " --verbose" * 20)
    out = text.render(replace(_untested(), coverage=long))
    assert any(
        line.startswith("To test the rest, run: ") and line.endswith("--verbose") for line in out.splitlines()
    )


def test_junit_states_the_coverage_in_every_suite() -> None:
    root = ET.fromstring(junit.render(_untested()))
    for suite in root.findall("testsuite"):
        children = [child.tag for child in suite]
        assert children[0] == "properties"
        assert children[-1] == "system-out"
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties["coverage.tools.listed"] == "2"
        assert properties["coverage.tools.checked"] == "2"
        assert properties["coverage.tools.called"] == "search|tickets"
        assert properties["coverage.tools.skipped"] == "create_ticket"
        assert properties["coverage.skipped.create_ticket"] == "not annotated readOnlyHint: true | skipped"
        assert properties["coverage.writes"] == "not exercised"
        assert properties["coverage.auth"] == "not probed"
        assert properties["coverage.command"] == COMMAND
        summary = suite.findtext("system-out") or ""
        assert "2 listed, 2 checked, 1 called, 1 skipped" in summary
        assert f"To test the rest, run: {COMMAND}" in summary
    by_category = {s.get("package"): s for s in root.findall("testsuite")}
    idempotency = {
        p.get("name"): p.get("value") for p in by_category["wireproof.idempotency"].iter("property")
    }
    assert idempotency["coverage.to_test_the_rest.command"] == WRITES_COMMAND
    skipped = by_category["wireproof.idempotency"].find("testcase/skipped")
    assert skipped is not None
    assert f"run: {WRITES_COMMAND}" in skipped.get("message", "")


def test_json_and_sarif_carry_the_coverage_and_the_commands() -> None:
    for coverage in (
        json.loads(jsonfmt.render(_untested()))["coverage"],
        json.loads(sarif.render(_untested()))["runs"][0]["properties"]["coverage"],
    ):
        assert coverage["tools"] == {
            "listed": 2,
            "checked": 2,
            "called": ["search|tickets"],
            "skipped": {"create_ticket": "not annotated readOnlyHint: true | skipped"},
        }
        assert coverage["writes"] == "not exercised"
        assert coverage["auth"] == {"http": False, "cases": []}
        assert coverage["command"] == COMMAND
        assert coverage["categories"]["idempotency"]["command"] == WRITES_COMMAND
        assert coverage["categories"]["auth"]["command"] == AUTH_COMMAND
    notes = json.loads(sarif.render(_untested()))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(f"run: {WRITES_COMMAND}" in note["message"]["text"] for note in notes)


def test_markdown_scorecard_shows_not_tested() -> None:
    md = markdown.render(_untested())
    assert "| idempotency | not tested |" in md
    assert "| auth | no | nothing for auth \\<\\&\\> \\| | rerun with --auth-env NAME; run: wireproof" in md


def test_text_scorecard_shows_not_tested() -> None:
    out = text.render(_untested())
    assert "not tested" in out.split("Coverage")[0]  # in the scorecard, before the coverage table


# JSON and its schema


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("report", [_report(), _empty(), _untested()], ids=["findings", "empty", "untested"])
def test_json_report_validates_against_the_schema(validator: Draft202012Validator, report: Report) -> None:
    document = json.loads(jsonfmt.render(report))
    assert list(validator.iter_errors(document)) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].update(category="style"),
        lambda d: d["findings"][0]["evidence"].update(extra=1),
        lambda d: d["scores"].update(schema=101),
        lambda d: d["scores"].update(errors=50.5),
        lambda d: d["tools"][0].pop("skipped"),
        lambda d: d["server"].update(port=1),
        lambda d: d.update(extra=True),
        lambda d: d.pop("coverage"),
        lambda d: d["coverage"].update(writes="maybe"),
        lambda d: d["coverage"]["categories"].pop("auth"),
        lambda d: d["coverage"]["categories"]["auth"].update(tested="yes"),
    ],
    ids=[
        "severity",
        "category",
        "evidence-key",
        "score-range",
        "score-int",
        "tool-key",
        "server-key",
        "top-key",
        "coverage-missing",
        "coverage-writes",
        "coverage-category-missing",
        "coverage-tested-bool",
    ],
)
def test_schema_rejects_a_spoiled_report(validator: Draft202012Validator, spoil: Any) -> None:
    document = json.loads(jsonfmt.render(_report()))
    spoil(document)
    assert list(validator.iter_errors(document)) != []


# Empty report and the format table


@pytest.mark.parametrize(
    "render_fn", [text.render, markdown.render, html.render], ids=["text", "markdown", "html"]
)
def test_empty_report_says_no_findings(render_fn: Any) -> None:
    assert "No findings." in render_fn(_empty())


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_sample(fmt: str) -> None:
    out = render(_report(), fmt)
    assert out.endswith("\n")
    assert "errors.crash" in out


# Credentials never reach a report


@pytest.mark.parametrize(
    "server",
    [["tests.check.auth_stdio_server", "sound"], ["tests.check.writes_only_stdio"]],
    ids=["credential-used", "command-built"],
)
def test_a_credential_given_with_env_appears_in_no_format(server: list[str], tmp_path: Path) -> None:
    """The first server takes the key and is probed with it; the second leaves writes to test, so every
    format shows a command line built from the ``--env`` options."""
    cursor_secret = f"cursor-{uuid.uuid4().hex}"
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in FORMATS}
    formats = [arg for fmt, path in outputs.items() for arg in ("--format", fmt, "--output", str(path))]
    done = subprocess.run(
        [
            *WIREPROOF,
            "check",
            "--no-progress",
            *formats,
            "--env",
            f"FIXTURE_API_KEY={GOOD_KEY}",
            "--env",
            f"FIXTURE_CURSOR_SECRET={cursor_secret}",
            "--",
            sys.executable,
            "-m",
            *server,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    shown = {fmt: path.read_text(encoding="utf-8") for fmt, path in outputs.items()}
    shown["stdout"] = done.stdout
    for where, out in shown.items():
        assert GOOD_KEY not in out, where
        assert cursor_secret not in out, where
    command = json.loads(shown["json"])["coverage"]["command"]
    if server[0].endswith("auth_stdio_server"):
        assert command is None  # everything was tested
        return
    assert "--env FIXTURE_API_KEY=... --env FIXTURE_CURSOR_SECRET=..." in command
    for fmt in ("text", "markdown", "html", "junit", "sarif"):
        assert command in _plain(shown[fmt], fmt), fmt
