"""General edge probes (issue 12, the hold-out's errors and protocol misses): each rule fires on a fixture
server that has the flaw (tests/check/edge_servers.py) and stays quiet on its sound twin."""

from __future__ import annotations

from tests.check import edge_servers as e
from tests.check.test_rules import check
from wireproof.check.model import Finding, Report

UNKNOWN_AS_RESULT = "protocol.unknown-tool-as-result"


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


# -- 1. an unknown tool answered as a tool result -------------------------------------------------------


def test_an_unknown_tool_answered_as_an_is_error_result_is_a_protocol_warning() -> None:
    report = check(e.unknown_tool_server(as_result=True))
    (finding,) = found(report, UNKNOWN_AS_RESULT)
    assert finding.severity == "warning"
    assert finding.category == "protocol"
    assert finding.evidence.call == {"tool": "wireproof_no_such_tool", "arguments": {}}
    assert finding.evidence.answer is not None
    assert '"isError": true' in finding.evidence.answer
    assert not found(report, "protocol.unknown-tool-accepted")  # a refusal, not a success


def test_an_unknown_tool_answered_with_json_rpc_invalid_params_is_quiet() -> None:
    report = check(e.unknown_tool_server(as_result=False))
    assert not found(report, UNKNOWN_AS_RESULT)
    assert not found(report, "protocol.unknown-tool-accepted")
