"""The official MCP conformance suite (@modelcontextprotocol/conformance) against helpdesk over
Streamable HTTP: every server scenario runs (``--suite all``, pending ones included), and the CLI's own
baseline check (``--expected-failures``) fails on a scenario that fails unlisted AND on a listed one
that passes, so interop/conformance-expected-failures.yml stays honest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpdesk.app import app
from tests.interop.support import INTEROP, Helpdesk, NodeTools

CONFORMANCE = "@modelcontextprotocol/conformance"
BASELINE = INTEROP / "conformance-expected-failures.yml"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RESULT_DIR = re.compile(r"^server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")
_ENTRY = re.compile(r"^\s+-\s+(?P<name>[\w.-]+)\s*(?:#\s*(?P<reason>.*\S))?\s*$")


@dataclass(frozen=True)
class SuiteRun:
    """One run of the CLI: exit code, its output without colours, and each scenario's checks."""

    returncode: int
    output: str = field(repr=False)
    checks: dict[str, list[dict[str, Any]]] = field(repr=False)

    @property
    def summary(self) -> str:
        """The output from its summary on: per-scenario counts and the baseline verdict."""
        start = self.output.find("=== SUMMARY ===")
        return self.output[start:] if start >= 0 else self.output


def _run(node_tools: NodeTools, workdir: Path, *args: str) -> SuiteRun:
    """Run ``conformance`` in ``workdir`` (it writes results/ there), collecting each checks.json."""
    out = workdir / "results"
    done = node_tools.run(CONFORMANCE, [*args, "--output-dir", str(out)], cwd=workdir)
    checks: dict[str, list[dict[str, Any]]] = {}
    for checks_file in sorted(out.glob("*/checks.json")):
        match = _RESULT_DIR.match(checks_file.parent.name)
        assert match, f"unexpected result folder {checks_file.parent.name}"
        checks[match["scenario"]] = json.loads(checks_file.read_text())
    return SuiteRun(done.returncode, _ANSI.sub("", done.stdout + done.stderr), checks)


def _baseline() -> dict[str, str]:
    """The ``server:`` entries of the expected-failures file, each with the reason after its ``#``."""
    entries: dict[str, str] = {}
    section = None
    for line in BASELINE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            section = line.split(":", 1)[0].strip()
            continue
        match = _ENTRY.match(line)
        assert match, f"{BASELINE.name}: cannot read {line!r} (expected '  - scenario  # reason')"
        assert section == "server", f"{BASELINE.name}: {match['name']} is under {section!r}, not server"
        assert match["name"] not in entries, f"{BASELINE.name}: {match['name']} is listed twice"
        entries[match["name"]] = match["reason"] or ""
    return entries


@pytest.fixture(scope="module")
def server_scenarios(node_tools: NodeTools, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every server scenario the pinned CLI knows, from ``conformance list --server``."""
    done = node_tools.run(CONFORMANCE, ["list", "--server"], cwd=tmp_path_factory.mktemp("conformance"))
    assert done.returncode == 0, done.stdout + done.stderr
    names = re.findall(r"^\s+- (\S+)", done.stdout, flags=re.MULTILINE)
    assert len(names) >= 20, f"too few server scenarios listed:\n{done.stdout}"
    return names


@pytest.fixture(scope="module")
def suite(
    node_tools: NodeTools, helpdesk_http: Helpdesk, tmp_path_factory: pytest.TempPathFactory
) -> SuiteRun:
    """The whole server suite against helpdesk, judged against the baseline by the CLI itself."""
    workdir = tmp_path_factory.mktemp("conformance")
    return _run(
        node_tools,
        workdir,
        *("server", "--url", helpdesk_http.url, "--suite", "all"),
        *("--expected-failures", str(BASELINE)),
    )


def test_every_scenario_passes_or_is_a_listed_expected_failure(suite: SuiteRun) -> None:
    """The gate: the CLI's baseline check fails on unlisted failures and on stale (now passing) entries."""
    assert suite.returncode == 0, f"conformance baseline check failed:\n{suite.summary}"
    assert "Baseline check passed" in suite.output, suite.summary


def test_the_suite_ran_every_server_scenario(suite: SuiteRun, server_scenarios: list[str]) -> None:
    """A scenario that never ran would count as neither failed nor stale: make sure none went missing."""
    assert f"Running all suite ({len(server_scenarios)} scenarios)" in suite.output, suite.output
    assert sorted(suite.checks) == sorted(server_scenarios)


def test_scenarios_outside_the_baseline_pass_real_checks(suite: SuiteRun) -> None:
    """Each scenario that applies to a connector ran at least one check, and every check succeeded
    (a scenario with no checks at all would pass vacuously)."""
    applicable = sorted(set(suite.checks) - set(_baseline()))
    assert {"server-initialize", "ping", "tools-list", "dns-rebinding-protection"} <= set(applicable)
    for scenario in applicable:
        statuses = [check["status"] for check in suite.checks[scenario]]
        assert statuses, f"{scenario} ran no check"
        assert set(statuses) == {"SUCCESS"}, f"{scenario}: {json.dumps(suite.checks[scenario], indent=1)}"


def test_tools_list_scenario_saw_the_helpdesk_tools(suite: SuiteRun) -> None:
    """The suite talked to helpdesk itself: its tools/list saw exactly the connector's tools."""
    (check,) = suite.checks["tools-list"]
    assert check["details"]["tools"] == list(app.tools)


def test_dns_rebinding_scenario_saw_a_foreign_host_refused(suite: SuiteRun) -> None:
    """A request with Host/Origin evil.example.com is refused with a 4xx; a loopback one is served."""
    details = {check["id"]: check["details"] for check in suite.checks["dns-rebinding-protection"]}
    assert 400 <= details["localhost-host-rebinding-rejected"]["statusCode"] < 500
    assert details["localhost-host-valid-accepted"]["statusCode"] == 200


def test_baseline_entries_are_real_scenarios_with_reasons(server_scenarios: list[str]) -> None:
    """Every expected failure names a scenario the pinned CLI has, and says why it is expected."""
    baseline = _baseline()
    assert baseline, f"{BASELINE.name} lists nothing"
    unknown = sorted(set(baseline) - set(server_scenarios))
    assert not unknown, f"{BASELINE.name} lists scenarios the CLI does not have: {unknown}"
    unexplained = sorted(name for name, reason in baseline.items() if len(reason) < 10)
    assert not unexplained, f"{BASELINE.name}: give each entry a reason after '#': {unexplained}"


def test_listed_expected_failures_really_fail(suite: SuiteRun) -> None:
    """Each baseline entry failed (or warned, which the CLI counts as failing) in this run."""
    for scenario in _baseline():
        statuses = {check["status"] for check in suite.checks[scenario]}
        assert statuses & {"FAILURE", "WARNING"}, f"{scenario} passed: remove it from {BASELINE.name}"


@pytest.mark.parametrize(
    ("scenario", "baseline", "verdict"),
    [
        pytest.param("ping", "server:\n  - ping\n", "Stale baseline entries", id="stale-entry"),
        pytest.param("prompts-list", "server: []\n", "Unexpected failures", id="unlisted-failure"),
    ],
)
def test_the_cli_baseline_check_is_in_force(
    node_tools: NodeTools,
    helpdesk_http: Helpdesk,
    tmp_path: Path,
    scenario: str,
    baseline: str,
    verdict: str,
) -> None:
    """The pinned CLI exits non-zero on a stale entry and on an unlisted failure, as the gate relies on."""
    baseline_file = tmp_path / "baseline.yml"
    baseline_file.write_text(baseline)
    run = _run(
        node_tools,
        tmp_path,
        *("server", "--url", helpdesk_http.url, "--scenario", scenario),
        *("--expected-failures", str(baseline_file)),
    )
    assert run.returncode == 1, run.output
    assert verdict in run.output, run.output
