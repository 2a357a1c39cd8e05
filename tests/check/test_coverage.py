"""Coverage: what a check exercised, per category; a category with nothing exercised is not tested.

Servers are built with the official SDK (tests/check/servers.py) and checked in memory through the
official client.
"""

from __future__ import annotations

from typing import Any

import anyio

from tests.check import servers as s
from tests.check.test_rules import Notes, one
from wireproof.check import CheckOptions, Observer, Report, Target, run_check


def check(server: Any, **options: Any) -> Report:
    return anyio.run(run_check, Target(server=server), CheckOptions(**options))


def test_writes_not_called_leave_idempotency_not_tested_with_the_command_that_would_test_it() -> None:
    report = check(Notes().server())
    assert report.scores["idempotency"] is None
    idempotency = report.coverage.categories["idempotency"]
    assert not idempotency.tested
    assert idempotency.to_test_the_rest is not None
    assert "--allow-writes against a test account" in idempotency.to_test_the_rest
    assert report.coverage.writes == "not exercised"
    assert set(report.coverage.tools_skipped) == {"add_note"}
    assert report.coverage.tools_called == ["list_notes"]


def test_a_server_of_unannotated_tools_is_scored_in_nothing_it_never_called() -> None:
    report = check(one(annotations=None)())  # treated as a write: never called without --allow-writes
    assert report.coverage.tools_called == []
    for category in ("errors", "idempotency", "output", "auth"):
        assert report.scores[category] is None, category
    assert report.scores["schema"] is not None
    (called,) = [f for f in report.findings if f.rule == "protocol.no-tool-called"]
    assert called.severity == "error"
    assert "--allow-writes" in called.message


def test_writes_called_twice_make_idempotency_tested_and_scored() -> None:
    report = check(
        Notes(keyed=True, dedupe=True).server(), allow_writes=True, observers=[Observer("list_notes", {})]
    )
    assert report.coverage.writes == "exercised"
    assert report.coverage.categories["idempotency"].tested
    assert report.scores["idempotency"] == 100
    assert report.coverage.categories["idempotency"].tools == 1


def test_a_write_whose_first_call_fails_is_not_tested_and_names_sample_arguments() -> None:
    report = check(Notes(fail=True).server(), allow_writes=True)
    assert report.coverage.writes == "failed"
    assert report.scores["idempotency"] is None
    rest = report.coverage.categories["idempotency"].to_test_the_rest
    assert rest is not None
    assert "[tools.NAME] arguments" in rest
    assert "add_note" in rest


def test_no_tools_listed_is_an_error_and_only_the_protocol_is_scored() -> None:
    report = check(s.build([]))
    assert [f.rule for f in report.findings] == ["protocol.no-tools"]
    assert report.findings[0].severity == "error"
    assert [c for c, v in report.scores.items() if v is not None] == ["protocol"]
    assert report.coverage.tools_listed == 0


def test_awkward_calls_that_all_hang_leave_errors_tested_by_the_hang_finding() -> None:
    async def hang(args: dict[str, Any]) -> Any:
        await anyio.sleep(30)
        return s.ok({})

    report = check(one(handler=hang)(), timeout=0.3)
    errors = report.coverage.categories["errors"]
    assert "none of " in errors.exercised  # nothing answered ...
    assert errors.tested  # ... but the hang is evidence, and it is scored
    assert report.scores["errors"] is not None
    assert report.scores["output"] is None


def test_tool_option_limits_schema_lint_to_the_named_tools() -> None:
    server = s.build(
        [
            s.FakeTool("get_colour_by_name", s.strict_colour),
            s.FakeTool("get_shade", s.strict_colour, description=""),  # schema.tool-description
        ]
    )
    everything = check(server)
    assert "get_shade" in {f.tool for f in everything.findings if f.rule == "schema.tool-description"}
    limited = check(server, only_tools=frozenset({"get_colour_by_name"}))
    assert {f.tool for f in limited.findings} <= {"get_colour_by_name", None}
    assert [t.name for t in limited.tools] == ["get_colour_by_name"]
    assert (limited.coverage.tools_listed, limited.coverage.tools_checked) == (2, 1)
    assert "--tool limited the check to 1 of 2" in limited.coverage.categories["schema"].exercised
