"""auth.writes-without-credential: a stdio server started with no credential that runs writes that may destroy.

Hold-out 4 (kb-18, sh-22) and hold-out 5 (mk-16, td-13, bt-13): five of seven servers served deletes and
overwrites to whoever started them, with no principal and no scopes. Each case is a real stdio server
(tests/check/unguarded_server.py) checked through the official client.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

from wireproof.check import CheckOptions, Report, Target, run_check

ROOT = Path(__file__).resolve().parents[2]
RULE = "auth.writes-without-credential"


def check(mode: str, env: dict[str, str] | None = None, *, allow_writes: bool = True) -> Report:
    command = (sys.executable, "-m", "tests.check.unguarded_server", mode)
    target = Target(command=command, cwd=str(ROOT), env=env or {})
    arguments = {"delete_note": {"id": 2}, "calculate": {"id": 2}}
    options = CheckOptions(allow_writes=allow_writes, tool_arguments=arguments)
    return anyio.run(run_check, target, options)


def test_a_delete_served_with_no_credential_is_reported_once_for_the_server() -> None:
    report = check("open")
    (found,) = [f for f in report.findings if f.rule == RULE]
    assert found.tool is None
    assert found.severity == "warning"
    assert "delete_note" in found.message
    assert found.evidence.call == {"tool": "delete_note", "arguments": {"id": 2}}
    auth = report.coverage.categories["auth"]
    assert auth.tested
    assert "run with no credential" in auth.exercised
    assert report.scores["auth"] is not None
    assert report.scores["auth"] < 100


def test_a_server_that_needs_its_key_and_gets_it_is_not_reported() -> None:
    """NOTES_API_KEY is named like a credential: it is probed as auth cases, and the writes ran with it."""
    report = check("keyed", {"NOTES_API_KEY": "good"})
    assert not [f for f in report.findings if f.rule == RULE]
    assert report.coverage.auth_cases  # the key was unset and garbled, and the refusals were loud
    assert not [f for f in report.findings if f.category == "auth" and f.severity != "info"]


def test_a_server_that_refuses_every_call_without_its_key_is_not_reported() -> None:
    report = check("keyed")
    assert not [f for f in report.findings if f.rule == RULE]


def test_without_allow_writes_nothing_is_judged() -> None:
    report = check("open", allow_writes=False)
    assert not [f for f in report.findings if f.rule == RULE]
    assert report.scores["auth"] is None


def test_a_write_annotated_as_destroying_nothing_is_not_reported() -> None:
    assert not [f for f in check("safe").findings if f.rule == RULE]


def test_a_tool_that_is_a_write_only_for_want_of_annotations_is_not_reported() -> None:
    """A calculator's calculate has no readOnlyHint, so the check treats it as a write; its name names none."""
    report = check("pure")
    assert report.coverage.writes == "exercised"
    assert not [f for f in report.findings if f.rule == RULE]
