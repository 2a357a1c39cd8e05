"""A failure inside the checker costs the part that failed, not the check: that part is reported as
not tested, every other probe and rule still judges, and ``wireproof check`` exits 2 with the report.

The failure is injected into the checker (there is no known checker bug to use as a fixture): one
probe, or one rule, is wrapped to raise for one tool. The servers and the client are real.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import anyio
import pytest
from jsonschema import Draft202012Validator

from tests.check.test_rules import Notes
from wireproof import cli
from wireproof.check import CheckOptions, Report, Target, run_check
from wireproof.check import runner as runner_module
from wireproof.check.report import render
from wireproof.check.rules import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
SERVER = Path(__file__).resolve().parent / "drifting_server.py"


def check(server: Any, **options: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(**options))


def break_probe(monkeypatch: pytest.MonkeyPatch, name: str, tool: str) -> None:
    """Make the runner's probe ``name`` raise for ``tool`` (after the real probe's first call, for the
    inputs probe: the failure comes mid-probe) and run as usual for every other tool."""
    real = getattr(runner_module, name)

    async def broken(connection: Any, probed: Any, *args: Any, **kwargs: Any) -> None:
        if probed.name == tool:
            await connection.call(probed.name, {}, "valid")
            raise KeyError("injected checker bug")
        await real(connection, probed, *args, **kwargs)

    monkeypatch.setattr(runner_module, name, broken)


def test_a_probe_that_fails_is_not_tested_and_every_other_probe_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_probe(monkeypatch, "probe_inputs", "list_notes")
    report = check(Notes().server(), allow_writes=True)
    (failure,) = report.coverage.failures
    assert (failure.probe, failure.tool) == ("inputs", "list_notes")
    assert failure.error == "KeyError: 'injected checker bug'"
    # What the failed probe fed is not scored (errors, output); the rest is.
    assert report.scores["errors"] is None
    assert report.scores["output"] is None
    assert report.scores["schema"] is not None
    exercised = report.coverage.categories["errors"].exercised
    assert "the checker itself failed in the inputs probe of list_notes" in exercised
    # The write was still probed: the writes probe and its inputs ran, and the idempotency rule judged it.
    assert report.coverage.writes == "exercised"
    assert any(f.rule == "idempotency.repeat-duplicates" and f.tool == "add_note" for f in report.findings)
    add_note = {t.name: t for t in report.tools}["add_note"]
    assert add_note.calls > 2
    Draft202012Validator(SCHEMA).validate(json.loads(render(report, "json")))
    assert json.loads(render(report, "json"))["coverage"]["failures"] == [
        {"probe": "inputs", "tool": "list_notes", "error": "KeyError: 'injected checker bug'"}
    ]
    for fmt in ("text", "markdown", "html"):
        words = " ".join(render(report, fmt).replace("\\_", "_").split())  # text wraps, Markdown escapes
        assert "the checker itself failed in 1 part" in words, fmt
        assert "the inputs probe of list_notes (KeyError:" in words, fmt
        assert "injected checker bug" in words, fmt
    sarif = json.loads(render(report, "sarif"))
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert any(n["level"] == "error" and "list_notes" in n["message"]["text"] for n in notes)
    junit = ET.fromstring(render(report, "junit"))
    assert junit.get("errors") == "1"
    (error,) = junit.iter("error")
    assert "inputs probe of list_notes" in (error.get("message") or "")


def test_a_check_without_failures_reports_none() -> None:
    report = check(Notes().server(), allow_writes=True)
    assert report.coverage.failures == []
    assert json.loads(render(report, "json"))["coverage"]["failures"] == []
    assert json.loads(render(report, "sarif"))["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert "the checker itself failed" not in render(report, "text")


def test_a_failing_write_probe_leaves_the_reads_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    break_probe(monkeypatch, "probe_write_and_effects", "add_note")
    report = check(Notes().server(), allow_writes=True)
    assert [(f.probe, f.tool) for f in report.coverage.failures] == [("writes", "add_note")]
    assert "list_notes" in report.coverage.tools_called


def test_a_rule_that_fails_is_reported_and_the_other_rules_still_judge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = REGISTRY["idempotency.repeat-duplicates"]

    def broken(context: Any) -> Any:
        raise ValueError("injected rule bug")

    monkeypatch.setitem(REGISTRY, rule.id, dataclasses.replace(rule, check=broken))
    report = check(Notes().server(), allow_writes=True)
    assert [(f.probe, f.tool, f.error) for f in report.coverage.failures] == [
        ("rule idempotency.repeat-duplicates", None, "ValueError: injected rule bug")
    ]
    assert not any(f.rule == "idempotency.repeat-duplicates" for f in report.findings)
    assert report.findings, "the other rules still judged"


def test_the_command_writes_the_report_and_exits_2_when_a_part_failed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_probe(monkeypatch, "probe_inputs", "search_things")
    out = tmp_path / "report.json"
    argv = ["check", "--no-progress", "--format", "json", "--output", str(out), "--fail-on", "never"]
    code = cli.main([*argv, "--", sys.executable, str(SERVER)])
    assert code == cli.EXIT_CANNOT_RUN
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["coverage"]["failures"][0]["tool"] == "search_things"
    assert "get_colour_by_name" in report["coverage"]["tools"]["called"]
    assert "the checker itself failed in 1 part of the check" in capsys.readouterr().err


@pytest.mark.parametrize("wrapped", [False, True])
def test_an_operators_problem_inside_a_probe_still_ends_the_check(
    monkeypatch: pytest.MonkeyPatch, wrapped: bool
) -> None:
    """A target that broke, or any OperatorError, is the whole check's: not isolated, no report."""
    from wireproof.errors import CheckConfigError

    async def broken(*args: Any, **kwargs: Any) -> None:
        problem = CheckConfigError("injected operator problem")
        if wrapped:
            raise ExceptionGroup("in a task group", [problem])
        raise problem

    monkeypatch.setattr(runner_module, "probe_inputs", broken)
    with pytest.raises((CheckConfigError, ExceptionGroup)) as raised:
        check(Notes().server())
    found = raised.value
    if isinstance(found, ExceptionGroup):
        assert found.subgroup(CheckConfigError) is not None
    else:
        assert "injected operator problem" in str(found)


def test_a_partial_run_writes_no_baseline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_probe(monkeypatch, "probe_inputs", "search_things")
    baseline = tmp_path / "baseline.json"
    argv = ["check", "--no-progress", "--format", "json", "--write-baseline", str(baseline)]
    assert cli.main([*argv, "--", sys.executable, str(SERVER)]) == cli.EXIT_CANNOT_RUN
    assert not baseline.exists()
    assert "the lock and the baseline are not written" in capsys.readouterr().err
