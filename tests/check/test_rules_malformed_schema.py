"""schema.malformed-input-schema: a tool whose inputSchema is broken is one finding and is skipped, never the end
of the check; every other tool is still probed and scored. Real stdio servers (tests/check/schema_servers.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import anyio
import pytest

from tests.check import schema_servers as fixture
from tests.check._cli import ROOT
from wireproof.check import CheckOptions, Target, run_check
from wireproof.check.generate import schema_problem
from wireproof.check.model import SKIP_MALFORMED, Report

MALFORMED = "schema.malformed-input-schema"
COVERED = {MALFORMED}
"""The rules this file adds, each made to fire (and kept quiet) here."""
BROKEN = sorted(
    set(fixture.MALFORMED) - {"lookup_deep"}
)  # nesting that reaches the checker is still a schema
PROBLEMS = {
    "lookup_unknown_type": "'strnig'",
    "lookup_dangling_ref": "$ref #/$defs/missing points to nothing",
    "lookup_bad_pattern": "'(' is not a 'regex'",
    "lookup_required_not_list": "at required",
    "lookup_ref_loop": "is a loop",
}


def stdio(name: str) -> Target:
    return Target(command=(sys.executable, "-m", "tests.check.schema_servers", name), cwd=str(ROOT))


def run(name: str) -> Report:
    return anyio.run(run_check, stdio(name), CheckOptions(timeout=5, concurrency=2))


def calls(report: Report, tool: str) -> int:
    return next(t.calls for t in report.tools if t.name == tool)


def test_each_malformed_input_schema_is_one_finding_naming_the_tool_and_the_problem() -> None:
    report = run("malformed")
    found = {f.tool: f for f in report.findings if f.rule == MALFORMED}
    assert sorted(found) == BROKEN
    for tool, problem in PROBLEMS.items():
        assert found[tool].severity == "error"
        assert problem in found[tool].message
        assert found[tool].evidence.call == {"method": "tools/list"}


def test_a_tool_with_a_malformed_schema_is_skipped_with_the_reason_and_the_others_are_still_checked() -> None:
    report = run("malformed")
    for tool in BROKEN:
        assert calls(report, tool) == 0
        assert report.coverage.tools_skipped[tool].startswith(SKIP_MALFORMED)
        assert PROBLEMS[tool] in report.coverage.tools_skipped[tool]
    assert calls(report, fixture.GOOD_TOOL) > 0
    assert calls(report, "lookup_deep") > 0
    assert report.coverage.tools_checked == len(fixture.MALFORMED) + 1
    assert report.scores["schema"] is not None
    assert report.scores["errors"] is not None
    errors = report.coverage.categories["errors"].to_test_the_rest or ""
    assert "malformed" in errors
    assert "--allow-writes" not in errors  # the tools were skipped for their schema, not for want of writes


def test_well_formed_schemas_raise_no_such_finding_and_every_tool_is_called() -> None:
    report = run("sound")
    assert not [f for f in report.findings if f.rule == MALFORMED]
    assert not report.coverage.tools_skipped
    for tool in [fixture.GOOD_TOOL, *fixture.SOUND]:
        assert calls(report, tool) > 0


def test_the_cli_reports_the_malformed_tools_without_a_traceback_and_exits_on_the_error() -> None:
    command = [
        sys.executable,
        "-m",
        "wireproof",
        "check",
        "--no-progress",
        "--timeout",
        "5",
        "--format",
        "json",
    ]
    command += ["--", sys.executable, "-m", "tests.check.schema_servers", "malformed"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=ROOT, check=False)
    assert done.returncode == 1, (
        done.stderr
    )  # an error finding, --fail-on error by default; 2 is a checker failure
    assert "Traceback" not in done.stderr
    assert "checker itself failed" not in done.stderr
    report = json.loads(done.stdout)
    assert sorted(f["tool"] for f in report["findings"] if f["rule"] == MALFORMED) == BROKEN
    assert "Traceback" not in done.stdout


@pytest.mark.parametrize("name", sorted(fixture.MALFORMED))
def test_schema_problem_names_each_broken_kind_and_passes_its_sound_twin(name: str) -> None:
    problem = schema_problem(fixture.MALFORMED[name])
    if name in PROBLEMS:
        assert problem is not None
        assert PROBLEMS[name] in problem
    else:
        assert problem is None
    assert schema_problem(fixture.SOUND[name]) is None


def test_schema_problem_takes_a_recursive_schema_that_does_reach_a_schema() -> None:
    tree = {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/node"}},
        "$defs": {
            "node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}
        },
    }
    assert schema_problem(tree) is None
    assert schema_problem({"$ref": "#"}) is not None


def test_a_schema_nested_too_deeply_for_the_client_is_a_failed_listing_said_in_one_line() -> None:
    """Past about 200 JSON levels the SDK client's parser drops the whole tools/list answer: a report, no traceback."""
    command = [
        sys.executable,
        "-m",
        "wireproof",
        "check",
        "--no-progress",
        "--timeout",
        "3",
        "--format",
        "json",
    ]
    command += [
        "--env",
        "FIXTURE_DEPTH=100",
        "--",
        sys.executable,
        "-m",
        "tests.check.schema_servers",
        "malformed",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=ROOT, check=False)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "nested too deeply for the client to parse" in done.stderr
    assert "not JSON-RPC" not in done.stderr
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    assert "protocol.list-tools-failed" in rules
