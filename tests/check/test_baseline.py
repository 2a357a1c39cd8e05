"""``--baseline`` and ``--write-baseline``: adopt the checker on a server with known findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.check._cli import check, findings
from wireproof.check.baseline import Baseline, BaselineEntry, BaselineError, read_baseline, split_findings
from wireproof.check.model import Finding, Report, ServerSummary, ToolInfo


def test_a_baseline_hides_the_known_findings_and_fails_on_a_new_one(tmp_path: Path) -> None:
    baseline = tmp_path / "wireproof-baseline.json"
    written = check("--write-baseline", str(baseline), "--format", "json")
    assert written.returncode == 0, written.stderr  # what it wrote is known now
    assert [f["rule"] for f in findings(written)] == ["schema.param-type"]  # and still reported
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["format"] == "wireproof.baseline"
    assert [(f["rule"], f["tool"], f["field"]) for f in data["findings"]] == [
        ("schema.param-type", "search_things", "tag")
    ]

    known = check("--baseline", str(baseline), "--format", "json")
    assert known.returncode == 0, known.stdout
    assert findings(known) == []
    assert "1 finding in the baseline, not reported" in known.stderr

    new = check("--baseline", str(baseline), "--format", "json", drift="untyped-colour")
    assert new.returncode == 1
    assert [(f["rule"], f["message"]) for f in findings(new)] == [
        ("schema.param-type", "Parameter colour has no type.")
    ]


def test_a_json_report_serves_as_a_baseline(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    assert check("--output", str(report), "--fail-on", "never").returncode == 0
    done = check("--baseline", str(report))
    assert done.returncode == 0, done.stdout
    assert "No findings." in done.stdout


def _report(*found: Finding) -> Report:
    search = ToolInfo(
        "search",
        "Search.",
        {"type": "object", "properties": {"tag": {}, "colour": {}, "text": {"type": "string"}}},
        None,
        None,
    )
    return Report("0", ServerSummary("s", "1", "stdio", None), [], list(found), {}, 0.0, listed=[search])


def _untyped(name: str, wording: str = "Parameter {} has no type.") -> Finding:
    return Finding("schema.param-type", "schema", "error", "search", wording.format(name))


def test_findings_match_by_rule_tool_and_field_not_by_message() -> None:
    baseline = Baseline(
        (BaselineEntry("schema.param-type", "search", "Parameter tag has no type.", "error"),)
    )
    reworded = _untyped("tag", "The parameter tag is untyped: give it a type.")
    new, known = split_findings(_report(reworded, _untyped("colour")), baseline)
    assert known == [reworded]
    assert new == [_untyped("colour")]


def test_findings_of_one_fingerprint_are_counted() -> None:
    entry = BaselineEntry(
        "schema.param-description", "search", "Parameters without a description.", "warning"
    )
    first = Finding(
        "schema.param-description", "schema", "warning", "search", "Parameters without a description."
    )
    again = Finding("schema.param-description", "schema", "warning", "search", "No description anywhere.")
    new, known = split_findings(_report(again, first), Baseline((entry,)))
    assert known == [first]  # the one the baseline holds word for word is the known one
    assert new == [again]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", r"is not JSON \(line 1, column 1"),
        ('{"findings": []}', "neither a wireproof baseline .* nor a JSON report"),
        (
            '{"format": "wireproof.baseline", "version": 2, "findings": []}',
            "is version 2; this wireproof reads 1",
        ),
        ('{"format": "wireproof.baseline", "version": 1, "findings": {}}', '"findings" must be an array'),
        (
            '{"format": "wireproof.baseline", "version": 1, "findings": [{"rule": "x"}]}',
            r"findings\[0\] needs rule, tool",
        ),
    ],
)
def test_a_garbled_baseline_is_a_clear_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=problem):
        read_baseline(path)


def test_a_missing_baseline_stops_the_check_and_says_how_to_write_one(tmp_path: Path) -> None:
    done = check("--baseline", str(tmp_path / "absent.json"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"wireproof check: error: the baseline {tmp_path / 'absent.json'} does not exist; "
        f"write one first with --write-baseline {tmp_path / 'absent.json'}"
    )
