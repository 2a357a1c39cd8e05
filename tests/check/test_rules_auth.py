"""Auth rules against real HTTP servers (uvicorn on 127.0.0.1), through the official client and raw HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.check import servers as s
from tests.check.http_server import serve_http
from wireproof.check import AuthCase, CheckOptions, Report, Target, run_check
from wireproof.check.probes.auth import metadata_url
from wireproof.check.rules import REGISTRY

GOOD = "Bearer good-token"


def check(url: str, headers: dict[str, str] | None = None, **options: Any) -> Report:
    return anyio.run(run_check, Target(url=url, headers=headers or {}), CheckOptions(**options))


def rules(report: Report) -> set[str]:
    return {f.rule for f in report.findings}


def proper_gate(url_holder: list[str]) -> Any:
    def gate(auth: str | None) -> tuple[int, dict[str, str]] | None:
        if auth == GOOD:
            return None
        challenge = f'Bearer error="invalid_token", resource_metadata="{metadata_url(url_holder[0])}"'
        return 401, {"www-authenticate": challenge}

    return gate


def test_open_server_on_loopback_is_reported_as_info_only() -> None:
    with serve_http(s.sound_server()) as url:
        report = check(url)
    (finding,) = [f for f in report.findings if f.rule == "auth.no-credentials-accepted"]
    assert finding.severity == "info"
    assert report.count("warning") == 0


def test_a_properly_protected_server_is_quiet() -> None:
    holder: list[str] = []
    metadata = {"resource": "http://127.0.0.1/mcp", "authorization_servers": ["https://auth.example"]}
    gate = proper_gate(holder)
    with serve_http(s.sound_server(), gate, metadata) as url:
        holder.append(url)
        report = check(url, {"Authorization": GOOD})
    assert report.findings == [], [(f.rule, f.message) for f in report.findings]


def test_credentials_demanded_but_not_enforced_fire_both_acceptance_rules() -> None:
    with serve_http(s.sound_server()) as url:
        report = check(url, {"Authorization": GOOD})
    assert {"auth.no-credentials-accepted", "auth.garbage-token-accepted"} <= rules(report)


def test_garbage_token_accepted_when_only_presence_is_checked() -> None:
    def presence_only(auth: str | None) -> tuple[int, dict[str, str]] | None:
        return None if auth else (401, {"www-authenticate": 'Bearer resource_metadata="x"'})

    with serve_http(
        s.sound_server(), presence_only, {"resource": "r", "authorization_servers": ["a"]}
    ) as url:
        report = check(url, {"Authorization": GOOD})
    assert "auth.garbage-token-accepted" in rules(report)
    assert "auth.no-credentials-accepted" not in rules(report)


def test_bare_401_without_challenge_or_metadata() -> None:
    def bare(auth: str | None) -> tuple[int, dict[str, str]] | None:
        return None if auth == GOOD else (401, {})

    with serve_http(s.sound_server(), bare, None) as url:
        report = check(url, {"Authorization": GOOD})
    assert {"auth.challenge-missing", "auth.metadata-invalid"} <= rules(report)


def test_bad_credentials_answered_with_data_is_a_silent_failure() -> None:
    async def empty_list(args: dict[str, Any]) -> Any:
        return s.ok({"name": str(args.get("name")), "colour": ""})

    with serve_http(s.build([s.FakeTool("get_colour_by_name", empty_list)])) as url:
        report = check(url, auth_cases=[AuthCase("expired", headers={"Authorization": "Bearer expired"})])
    assert "auth.silent-failure" in rules(report)


def test_bad_credentials_answered_with_an_unrelated_error_is_untyped() -> None:
    async def vague(args: dict[str, Any]) -> Any:
        return s.tool_error("Something went wrong.")

    with serve_http(s.build([s.FakeTool("get_colour_by_name", vague)])) as url:
        report = check(url, auth_cases=[AuthCase("expired", headers={"Authorization": "Bearer expired"})])
    assert "auth.untyped-failure" in rules(report)
    assert "auth.silent-failure" not in rules(report)


def test_a_loud_auth_refusal_keeps_both_case_rules_quiet() -> None:
    holder: list[str] = []
    gate = proper_gate(holder)
    metadata = {"resource": "r", "authorization_servers": ["https://auth.example"]}
    with serve_http(s.sound_server(), gate, metadata) as url:
        holder.append(url)
        report = check(
            url,
            {"Authorization": GOOD},
            auth_cases=[AuthCase("expired", headers={"Authorization": "Bearer expired"})],
        )
    assert not {"auth.silent-failure", "auth.untyped-failure"} & rules(report)


def test_a_server_that_ignores_the_origin_header_is_open_to_dns_rebinding() -> None:
    with serve_http(s.sound_server(), check_origin=False) as url:
        report = check(url)
    (finding,) = [f for f in report.findings if f.rule == "auth.origin-not-checked"]
    assert finding.severity == "error"
    assert "dns-rebinding.wireproof.invalid" in finding.message
    with serve_http(s.sound_server()) as url:  # the SDK's protection on: 403, quiet
        assert "auth.origin-not-checked" not in rules(check(url))


@pytest.mark.parametrize("rule_id", sorted(r for r in REGISTRY if r.startswith("auth.")))
def test_every_auth_rule_has_a_firing_test_here(rule_id: str) -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert f'"{rule_id}"' in source
