"""Auth rules against real servers: HTTP (uvicorn on 127.0.0.1, the official client and raw HTTP) and
stdio subprocesses that take their credential from the environment (tests/check/auth_stdio_server.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.check import servers as s
from tests.check.http_server import serve_http
from wireproof.check import AuthCase, CheckConfigError, CheckOptions, Report, Target, run_check
from wireproof.check.model import AuthObservation, CallRecord
from wireproof.check.probes.auth import credential_variables, metadata_url
from wireproof.check.rules import REGISTRY
from wireproof.check.rules.auth import case_verdict, privilege_switch

ROOT = Path(__file__).resolve().parents[2]

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


def api_key_gate(auth: str | None) -> tuple[int, dict[str, str]] | None:
    """An API-key server's refusals: plain RFC 6750 Bearer challenges, no OAuth discovery named."""
    if auth == GOOD:
        return None
    return 401, {"www-authenticate": "Bearer" if auth is None else 'Bearer error="invalid_token"'}


def test_a_bearer_server_without_oauth_discovery_is_quiet() -> None:
    """No metadata and a challenge naming none: credentials come from elsewhere (API keys), which MCP allows."""
    with serve_http(s.sound_server(), api_key_gate, None) as url:
        report = check(url, {"Authorization": GOOD})
    assert report.findings == [], [(f.rule, f.message) for f in report.findings]


def test_a_challenge_pointing_to_metadata_that_is_not_served_is_invalid() -> None:
    def points_nowhere(auth: str | None) -> tuple[int, dict[str, str]] | None:
        return None if auth == GOOD else (401, {"www-authenticate": 'Bearer resource_metadata="x"'})

    with serve_http(s.sound_server(), points_nowhere, None) as url:
        report = check(url, {"Authorization": GOOD})
    assert rules(report) == {"auth.metadata-invalid"}


def test_metadata_naming_no_authorization_server_is_invalid() -> None:
    with serve_http(
        s.sound_server(), api_key_gate, {"resource": "r", "bearer_methods_supported": ["header"]}
    ) as url:
        report = check(url, {"Authorization": GOOD})
    (finding,) = report.findings
    assert finding.rule == "auth.metadata-invalid"
    assert "non-empty authorization_servers" in finding.message


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


# Over stdio: the credential is in the environment


def check_stdio(mode: str, env: dict[str, str], **options: Any) -> Report:
    target = Target(
        command=(sys.executable, "-m", "tests.check.auth_stdio_server", mode), env=env, cwd=str(ROOT)
    )
    return anyio.run(run_check, target, CheckOptions(timeout=20, **options))


GOOD_ENV = {"FIXTURE_API_KEY": "good-key"}


def test_a_stdio_server_that_lists_no_tools_for_a_bad_key_is_a_silent_failure() -> None:
    report = check_stdio(
        "empty-list",
        GOOD_ENV,
        auth_env=("FIXTURE_API_KEY",),
        auth_cases=[AuthCase("expired", env={"FIXTURE_API_KEY": "expired-key"})],
    )
    silent = [f for f in report.findings if f.rule == "auth.silent-failure"]
    assert sorted(f.message.split("'")[1] for f in silent) == [
        "FIXTURE_API_KEY garbage",
        "FIXTURE_API_KEY unset",
        "expired",
    ]
    assert all(f.severity == "error" and "listed no tools" in f.message for f in silent)
    assert report.coverage.categories["auth"].tested
    assert report.scores["auth"] is not None
    assert report.scores["auth"] < 100
    assert report.coverage.auth_cases == ["expired", "FIXTURE_API_KEY unset", "FIXTURE_API_KEY garbage"]


def test_a_credential_given_with_env_is_tried_without_auth_env_and_empty_data_is_silent() -> None:
    report = check_stdio("empty-data", GOOD_ENV)  # no --auth-env: FIXTURE_API_KEY is picked by its name
    silent = [f for f in report.findings if f.rule == "auth.silent-failure"]
    assert len(silent) == 2
    assert all(
        f.tool == "list_tickets" and "0 items, where the good credential gets 3" in f.message for f in silent
    )


def test_a_stdio_server_whose_tools_list_fails_for_a_bad_key_is_loud_and_auth_is_tested() -> None:
    # FIXTURE_CURSOR_SECRET looks like a credential but gates nothing: it must not be called a silent failure.
    env = {**GOOD_ENV, "FIXTURE_CURSOR_SECRET": "cursor-signing-secret"}
    report = check_stdio("sound", env)
    assert not [f for f in report.findings if f.category == "auth"], report.findings
    assert report.scores["auth"] == 100
    auth = report.coverage.categories["auth"]
    assert auth.tested
    assert "FIXTURE_API_KEY unset" in auth.exercised
    assert "FIXTURE_CURSOR_SECRET unset, FIXTURE_CURSOR_SECRET garbage told nothing" in auth.exercised


def test_a_stdio_server_that_exits_with_a_message_for_a_bad_key_is_loud() -> None:
    report = check_stdio("exits", GOOD_ENV, auth_env=("FIXTURE_API_KEY",))
    assert not [f for f in report.findings if f.category == "auth"], report.findings
    assert report.scores["auth"] == 100


def test_auth_env_must_name_a_variable_the_server_is_given() -> None:
    with pytest.raises(CheckConfigError, match="--env FIXTURE_API_KEY=VALUE"):
        check_stdio("sound", {}, auth_env=("FIXTURE_API_KEY",))


def test_auth_env_is_refused_for_an_http_target() -> None:
    options = CheckOptions(auth_env=("API_KEY",))
    with pytest.raises(CheckConfigError, match="stdio servers"):
        anyio.run(run_check, Target(url="http://127.0.0.1:9/mcp"), options)


def test_credential_variables_are_picked_by_the_last_word_of_a_part_of_their_name() -> None:
    credentials = [
        "API_KEY",
        "GITHUB_TOKEN",
        "CLIENT_SECRET",
        "DB_PASSWORD",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ]
    others = ["HELPDESK_KEYS_FILE", "KEYBOARD", "PATH_PREFIX", "LOG_LEVEL"]
    env = dict.fromkeys([*credentials, "APIKEY", *others], "x")
    assert credential_variables(env) == [
        "API_KEY",
        "GITHUB_TOKEN",
        "CLIENT_SECRET",
        "DB_PASSWORD",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "APIKEY",
    ]


def _record(structured: Any, *, is_error: bool = False, text: str = "") -> CallRecord:
    return CallRecord(
        "list_tickets", {}, "auth-case:x", "result", 1.0, is_error=is_error, text=text, structured=structured
    )


@pytest.mark.parametrize(
    ("explicit", "answer", "verdict"),
    [
        (True, {"tickets": [1, 2, 3]}, "silent-data"),
        (False, {"tickets": [1, 2, 3]}, "not-a-credential"),  # as full as with the good value
        (False, {"tickets": []}, "silent-data"),
        (True, {"tickets": []}, "silent-data"),
    ],
)
def test_a_guessed_variable_is_judged_against_the_good_credentials_answer(
    explicit: bool, answer: Any, verdict: str
) -> None:
    case = AuthObservation(
        "X unset", True, None, _record(answer), 1, explicit=explicit, baseline=_record({"tickets": [1, 2, 3]})
    )
    assert case_verdict(case, tools_listed=1) == verdict


def test_a_typed_auth_error_result_is_a_loud_refusal_and_an_unrelated_one_is_untyped() -> None:
    loud = AuthObservation("x", True, None, _record(None, is_error=True, text="API key expired"), 1)
    vague = AuthObservation("x", True, None, _record(None, is_error=True, text="Something went wrong."), 1)
    assert case_verdict(loud, 1) == "refused"
    assert case_verdict(vague, 1) == "untyped"


@pytest.mark.parametrize("rule_id", sorted(r for r in REGISTRY if r.startswith("auth.")))
def test_every_auth_rule_has_a_firing_test_here(rule_id: str) -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert f'"{rule_id}"' in source


# -- "auth.path-not-confined": a path argument reaching a planted file (more in test_rules_readonly.py) ---------


def test_a_path_argument_that_reads_a_planted_file_outside_the_servers_root_is_an_auth_error(
    tmp_path: Path,
) -> None:
    command = (sys.executable, "-m", "tests.check.file_server", "unconfined", str(tmp_path))
    report = anyio.run(
        run_check, Target(command=command, cwd=str(ROOT)), CheckOptions(timeout=20, concurrency=1)
    )
    found = [f for f in report.findings if f.rule == "auth.path-not-confined"]
    assert {(f.tool, f.category, f.severity) for f in found} == {
        ("read_text_file", "auth", "error"),
        ("list_folder", "auth", "error"),
    }


@pytest.mark.parametrize("mode", ["unconfined", "confined"])
def test_an_output_path_that_writes_outside_the_servers_root_is_an_auth_error(
    mode: str, tmp_path: Path
) -> None:
    """hold-out 4's cv-16: an export's output_path written wherever it points, though the server was given a root."""
    root = tmp_path / "root"
    root.mkdir()
    command = (sys.executable, "-m", "tests.check.export_server", mode, str(root))
    config = {"export_report": {"output_path": "report.csv"}}
    options = CheckOptions(timeout=20, concurrency=1, allow_writes=True, tool_arguments=config)
    report = anyio.run(run_check, Target(command=command, cwd=str(ROOT)), options)
    found = [f for f in report.findings if f.rule == "auth.path-not-confined"]
    if mode == "confined":
        assert found == []
        return
    (finding,) = found
    assert (finding.tool, finding.severity) == ("export_report", "error")
    assert "wrote a new file" in finding.message
    assert str(root) in finding.message
    assert finding.evidence.call is not None
    written = finding.evidence.call["arguments"]["output_path"]
    assert "wireproof-written-" in written
    assert not Path(written).exists()
    assert not [p for p in root.iterdir() if "wireproof-written-" in p.name]  # it went outside, not here


def test_an_output_folder_written_outside_the_root_is_found_and_no_checker_failure(tmp_path: Path) -> None:
    """Review of 34d8ec6: a folder made at the checker's path must not end the probe in IsADirectoryError."""
    root = tmp_path / "root"
    root.mkdir()
    command = (sys.executable, "-m", "tests.check.export_server", "folder", str(root))
    config = {"export_report": {"export_dir": "out"}}
    options = CheckOptions(timeout=20, concurrency=1, allow_writes=True, tool_arguments=config)
    report = anyio.run(run_check, Target(command=command, cwd=str(ROOT)), options)
    assert report.coverage.failures == []
    found = [f for f in report.findings if f.rule == "auth.path-not-confined"]
    assert [(f.tool, f.severity) for f in found] == [("export_report", "error")]


# -- "auth.caller-sets-privilege": a tool argument that lifts the operator's limit --------------------------


def _query_tool(properties: dict[str, Any]) -> s.FakeTool:
    async def run_query(args: dict[str, Any]) -> Any:
        return s.ok({"rows": [{"n": 1}]})

    schema = {
        "type": "object",
        "properties": {"sql": {"type": "string", "maxLength": 500, "description": "A SELECT."}, **properties},
        "required": ["sql"],
        "additionalProperties": False,
    }
    return s.FakeTool("run_query", run_query, description="Run a query.", input_schema=schema)


def test_a_boolean_that_lifts_read_only_mode_is_the_caller_setting_its_own_privilege() -> None:
    switch = {"readonly": {"type": "boolean", "default": True, "description": "Run read-only."}}
    report = anyio.run(run_check, Target(server=s.build([_query_tool(switch)])), CheckOptions())
    (finding,) = [f for f in report.findings if f.rule == "auth.caller-sets-privilege"]
    assert (finding.tool, finding.category, finding.severity) == ("run_query", "auth", "warning")
    assert "readonly" in finding.message
    assert '"readonly"' in (finding.evidence.answer or "")


def test_ordinary_parameters_and_options_are_no_privilege_switch() -> None:
    ordinary = {
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "Rows."},
        "dry_run": {"type": "boolean", "description": "Plan only."},
        "force": {"type": "boolean", "description": "Overwrite an existing file."},
    }
    report = anyio.run(run_check, Target(server=s.build([_query_tool(ordinary)])), CheckOptions())
    assert "auth.caller-sets-privilege" not in rules(report)


def test_privilege_switch_names() -> None:
    boolean = {"type": "boolean"}
    for name in (
        "read_only",
        "readOnly",
        "readonly",
        "allow_writes",
        "allowWrite",
        "unsafe_mode",
        "dangerouslySkipChecks",
        "bypass_guard",
        "skip_auth",
        "disable_sandbox",
        "sudo",
        "admin_mode",
        "safe_mode",
        "write_mode",
        "allow_dangerous_operations",
    ):
        assert privilege_switch(name, boolean), name
    for name in (
        "read",
        "only_open",
        "dry_run",
        "force",
        "recursive",
        "include_deleted",
        "overwrite",
        "allowed_values",
        "safety_margin",
        "readme",
        "writer",
        "mode",
    ):
        assert not privilege_switch(name, boolean), name
    assert not privilege_switch("read_only", {"type": "string"})
    for name in ("write_access", "writable", "privileged", "sandbox", "allow_all", "allow_delete"):
        assert not privilege_switch(name, boolean), (
            name
        )  # rights granted to someone else, or ordinary options


# -- "auth.name-not-confined": a name joined into a file path unchecked (stdio, --allow-writes) -------------


def _notes_check(mode: str, root: Path, **options: Any) -> Report:
    command = (sys.executable, "-m", "tests.check.note_files_server", mode, str(root))
    target = Target(command=command, cwd=str(ROOT))
    return anyio.run(run_check, target, CheckOptions(timeout=20, concurrency=1, **options))


def test_a_title_joined_into_a_path_is_a_name_that_escapes_its_folder(tmp_path: Path) -> None:
    report = _notes_check("joins", tmp_path, allow_writes=True)
    (finding,) = [f for f in report.findings if f.rule == "auth.name-not-confined"]
    assert (finding.tool, finding.category, finding.severity) == ("save_note", "auth", "error")
    assert str(tmp_path / "notes") in finding.message
    assert not list(tmp_path.glob("wireproof-name-*"))  # the escaped file, the checker's own, is gone
    assert list((tmp_path / "notes").glob("wireproof-name-*-here.md"))  # the control stayed where it belongs
    exercised = report.coverage.categories["auth"].exercised
    assert "searched for on disk for 1 write tool (save_note)" in exercised
    assert "not tested" not in exercised


def test_a_name_the_probe_cannot_find_on_disk_is_reported_as_not_tested(tmp_path: Path) -> None:
    report = _notes_check("hashes", tmp_path, allow_writes=True)
    assert "auth.name-not-confined" not in rules(report)
    assert not list(tmp_path.rglob("wireproof-name-*"))  # stored under digests: no name shows on disk
    exercised = report.coverage.categories["auth"].exercised
    assert "name confinement not tested for save_note" in exercised
    assert "searched for on disk" not in exercised


def test_a_title_with_dot_dot_refused_is_quiet_and_nothing_is_probed_without_allow_writes(
    tmp_path: Path,
) -> None:
    report = _notes_check("refuses", tmp_path, allow_writes=True)
    assert "auth.name-not-confined" not in rules(report)
    assert list((tmp_path / "notes").glob("wireproof-name-*-here.md"))  # the probe ran: its control was saved
    assert not list(tmp_path.glob("wireproof-name-*"))  # and the ../ title was refused
    flawed = _notes_check("joins", tmp_path / "other")
    assert "auth.name-not-confined" not in rules(flawed)
    assert not list((tmp_path / "other").rglob("wireproof-name-*"))


def test_a_name_the_write_strips_but_the_reads_and_deletes_join_into_a_path_is_not_confined(
    tmp_path: Path,
) -> None:
    # Hold-out 6 (tr-6): create_project strips '/' from a name, every other tool joins the raw name into a path.
    report = _notes_check("strips", tmp_path, allow_writes=True)
    found = {f.tool: f for f in report.findings if f.rule == "auth.name-not-confined"}
    assert set(found) == {"read_note", "delete_note"}
    read, delete = found["read_note"], found["delete_note"]
    assert read.severity == delete.severity == "error"
    assert "answered the same as for the plain name" in read.message
    assert "nowhere" in read.message
    assert "deleted the file" in delete.message
    assert str(tmp_path / "notes") in delete.message
    assert not list(
        (tmp_path / "notes").glob("wireproof-name-*-here.md")
    )  # the delete took the checker's control
    exercised = report.coverage.categories["auth"].exercised
    assert "path round trip" in exercised
    assert "read_note" in exercised


def test_names_read_and_deleted_by_their_last_part_only_are_confined(tmp_path: Path) -> None:
    # The sound twin: the missing folder finds the same note, so the name is not resolved as a path.
    report = _notes_check("basename", tmp_path, allow_writes=True)
    assert "auth.name-not-confined" not in rules(report)
    exercised = report.coverage.categories["auth"].exercised
    assert "path round trip" in exercised
    assert "name round trip not tested for delete_note" in exercised


def test_names_refused_by_the_reads_and_deletes_are_confined(tmp_path: Path) -> None:
    report = _notes_check("refuses", tmp_path, allow_writes=True)
    assert "auth.name-not-confined" not in rules(report)


# -- "auth.writes-without-credential": a stdio server started with no credential that runs writes that destroy --
# Hold-out 4 (kb-18, sh-22) and hold-out 5 (mk-16, td-13, bt-13): five of seven servers served deletes and
# overwrites to whoever started them. Each case is a real stdio server (tests/check/unguarded_server.py).


UNAUTHENTICATED = "auth.writes-without-credential"


def check_unguarded(mode: str, env: dict[str, str] | None = None, *, allow_writes: bool = True) -> Report:
    command = (sys.executable, "-m", "tests.check.unguarded_server", mode)
    target = Target(command=command, cwd=str(ROOT), env=env or {})
    arguments = {"delete_note": {"id": 2}, "calculate": {"id": 2}}
    options = CheckOptions(allow_writes=allow_writes, tool_arguments=arguments)
    return anyio.run(run_check, target, options)


def test_a_delete_served_with_no_credential_is_reported_once_for_the_server() -> None:
    report = check_unguarded("open")
    (found,) = [f for f in report.findings if f.rule == UNAUTHENTICATED]
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
    report = check_unguarded("keyed", {"NOTES_API_KEY": "good"})
    assert not [f for f in report.findings if f.rule == UNAUTHENTICATED]
    assert report.coverage.auth_cases  # the key was unset and garbled, and the refusals were loud
    assert not [f for f in report.findings if f.category == "auth" and f.severity != "info"]


def test_a_server_that_refuses_every_call_without_its_key_is_not_reported() -> None:
    report = check_unguarded("keyed")
    assert not [f for f in report.findings if f.rule == UNAUTHENTICATED]


def test_without_allow_writes_nothing_is_judged() -> None:
    report = check_unguarded("open", allow_writes=False)
    assert not [f for f in report.findings if f.rule == UNAUTHENTICATED]
    assert report.scores["auth"] is None


def test_a_write_annotated_as_destroying_nothing_is_not_reported() -> None:
    assert not [f for f in check_unguarded("safe").findings if f.rule == UNAUTHENTICATED]


def test_a_tool_that_is_a_write_only_for_want_of_annotations_is_not_reported() -> None:
    """A calculator's calculate has no readOnlyHint, so the check treats it as a write; its name names none."""
    report = check_unguarded("pure")
    assert report.coverage.writes == "exercised"
    assert not [f for f in report.findings if f.rule == UNAUTHENTICATED]


def test_writes_named_in_italian_count_as_writes_run_without_a_credential() -> None:
    """mcp-cronos (hold-out 6 cr-18): cronos_aggiungi_entry (add), cronos_elimina (delete); cronos_cerca is no write."""
    from wireproof.check.model import Observations, ToolInfo
    from wireproof.check.rules.auth import writes_run_without_credential

    schema = {"type": "object", "properties": {}}
    observations = Observations(
        tools=[ToolInfo(n, "", schema, None, None) for n in ("cronos_aggiungi_entry", "cronos_cerca")]
    )
    for name in ("cronos_aggiungi_entry", "cronos_cerca"):
        observations.calls.append(CallRecord(name, {}, "write-first", "result", 1.0, text='{"ok": true}'))
    ran = writes_run_without_credential(observations, CheckOptions(allow_writes=True), "stdio")
    assert list(ran) == ["cronos_aggiungi_entry"]


def test_computations_named_with_a_write_word_are_not_writes() -> None:
    """Review of session 8: a calculator's add(a, b), get_store_hours, replace_text are no writes; delete is."""
    from wireproof.check.model import Observations, ToolInfo
    from wireproof.check.rules.auth import writes_run_without_credential

    names = (
        "add",
        "add_numbers",
        "get_store_hours",
        "replace_text",
        "merge_pdfs",
        "delete",
        "add_note",
        "save",
    )
    schema = {"type": "object", "properties": {}}
    observations = Observations(tools=[ToolInfo(n, "", schema, None, None) for n in names])
    for name in names:
        observations.calls.append(CallRecord(name, {}, "write-first", "result", 1.0, text='{"ok": true}'))
    ran = writes_run_without_credential(observations, CheckOptions(allow_writes=True), "stdio")
    assert sorted(ran) == ["add_note", "delete", "save"]


# -- "errors.name-changed-silently": a ../ name stored under another name without a word (hold-out 6 tr-16) --

# the one non-auth rule whose firing case is here (it needs the name probe)
COVERED = {"errors.name-changed-silently"}


def test_a_name_stripped_of_its_dots_and_slash_without_a_word_is_a_name_changed_silently(
    tmp_path: Path,
) -> None:
    report = _notes_check("strips", tmp_path, allow_writes=True)
    (finding,) = [f for f in report.findings if f.rule == "errors.name-changed-silently"]
    assert (finding.tool, finding.category, finding.severity) == ("save_note", "errors", "warning")
    assert "'../wireproof-name-" in finding.message
    assert "stored as '" in finding.message
    assert "stored as '..wireproof" not in finding.message
    assert finding.evidence.call["arguments"]["title"].startswith("../wireproof-name-")


def test_a_name_kept_as_sent_or_refused_is_no_name_changed_silently(tmp_path: Path) -> None:
    for mode in ("hashes", "refuses", "joins"):  # echoed as sent (hashes, joins) or refused naming the field
        report = _notes_check(mode, tmp_path / mode, allow_writes=True)
        assert "errors.name-changed-silently" not in rules(report), mode


# -- auth.path-not-confined on a binary file: a copy of the sample is planted (hold-out 7 xl-3) -------------


def _zip_check(mode: str, root: Path) -> Report:
    import zipfile

    (root / "books").mkdir()
    sample = root / "books" / "book.xlsx"
    with zipfile.ZipFile(sample, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<sheet/>")
    command = (sys.executable, "-m", "tests.check.zip_server", mode, str(root))
    options = CheckOptions(timeout=20, tool_arguments={"list_archive": {"path": str(sample)}})
    return anyio.run(run_check, Target(command=command, cwd=str(ROOT)), options)


def test_a_binary_file_outside_the_root_read_like_the_sample_is_not_confined(tmp_path: Path) -> None:
    report = _zip_check("open", tmp_path)
    (finding,) = [f for f in report.findings if f.rule == "auth.path-not-confined"]
    assert (finding.tool, finding.severity) == ("list_archive", "error")
    assert "copy of its sample file" in finding.message
    assert str(tmp_path) in finding.message  # the root it was given


def test_a_binary_file_outside_the_root_refused_is_confined(tmp_path: Path) -> None:
    report = _zip_check("confined", tmp_path)
    assert "auth.path-not-confined" not in rules(report)
