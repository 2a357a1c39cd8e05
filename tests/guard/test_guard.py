"""The guard in front of a real upstream process with every flaw, driven through the official client."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from tests.guard.support import FLAWED, REPO, call, error_of, flawed_spec, guarded, text_of
from wireproof import __version__
from wireproof.auth import Principal
from wireproof.connector import Connector
from wireproof.guard import GuardConfigError
from wireproof.guard._guard import check_listing_budget, listing_bytes
from wireproof.lock import read_lock
from wireproof.tools import Tool, ToolAnswer

pytestmark = pytest.mark.anyio


async def _listed(client: object) -> dict[str, types.Tool]:
    with anyio.fail_after(30):
        page = await client.list_tools(cache_mode="refresh")  # type: ignore[attr-defined]
    return {tool.name: tool for tool in page.tools}


# -- least privilege ----------------------------------------------------------------------------


async def test_a_read_only_guard_lists_and_serves_only_read_only_tools(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"read_only": True}) as (client, _):
        listed = await _listed(client)
        assert "echo" in listed
        assert "add_note" not in listed
        assert "delete_everything" not in listed
        with pytest.raises(MCPError) as refused:
            await call(client, "delete_everything", {})
    assert refused.value.code == types.INVALID_PARAMS
    assert "Unknown tool" in refused.value.message


async def test_the_guard_introduces_itself_with_wireproofs_version(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"read_only": True}) as (client, _):
        info = client.server_info
    assert info is not None
    assert (info.name, info.version) == ("wireproof-guard", __version__)


async def test_allow_and_deny_lists_decide_what_is_served(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"allow": ["echo", "add_note"], "deny": ["add_note"]}) as (client, _):
        assert set(await _listed(client)) == {"echo"}


async def test_a_caller_without_the_write_scope_neither_sees_nor_calls_the_write(tmp_path: Path) -> None:
    reader = Principal(id="reader", scopes=frozenset({"guard:read"}))
    policy = {"tools": {"add_note": {"scopes": ["notes:write"]}}}
    async with guarded(tmp_path, policy, principal=reader) as (client, _):
        listed = await _listed(client)
        assert "echo" in listed
        assert "add_note" not in listed
        refused = await call(client, "add_note", {"title": "a", "body": "b"})
    error = error_of(refused)
    assert error["code"] == "insufficient_scope"
    assert "notes:write" in text_of(refused)


# -- schema contract ----------------------------------------------------------------------------


async def test_the_listed_schema_is_tightened_and_writes_advertise_an_idempotency_key(tmp_path: Path) -> None:
    async with guarded(tmp_path) as (client, _):
        listed = await _listed(client)
    echo = listed["echo"].input_schema
    assert echo["additionalProperties"] is False
    assert echo["properties"]["text"]["maxLength"] == 4096
    note = listed["add_note"]
    assert "idempotency_key" in note.input_schema["properties"]
    assert note.annotations is not None
    assert note.annotations.read_only_hint is False


async def test_an_unknown_argument_is_refused_naming_it_before_the_upstream_sees_it(tmp_path: Path) -> None:
    effects = tmp_path / "effects.txt"
    async with guarded(tmp_path, spec=flawed_spec(FLAWED_EFFECTS=str(effects))) as (client, _):
        refused = await call(client, "add_note", {"title": "a", "body": "b", "tittle": "x"})
    error = error_of(refused)
    assert error["type"] == "invalid_input"
    assert [f["field"] for f in error["fields"]] == ["tittle"]
    assert "Do not retry" in text_of(refused)
    assert not effects.exists()


async def test_a_number_passed_as_text_is_refused_not_coerced(tmp_path: Path) -> None:
    async with guarded(tmp_path) as (client, _):
        refused = await call(client, "count_to", {"n": "5"})
    assert error_of(refused)["fields"][0]["field"] == "n"


async def test_policy_bounds_are_enforced(tmp_path: Path) -> None:
    policy = {"tools": {"count_to": {"arguments": {"n": {"minimum": 1, "maximum": 10}}}}}
    async with guarded(tmp_path, policy) as (client, _):
        refused = await call(client, "count_to", {"n": 11})
        accepted = await call(client, "count_to", {"n": 3})
    assert error_of(refused)["fields"][0]["field"] == "n"
    assert not accepted.is_error


# -- errors -------------------------------------------------------------------------------------


async def test_a_stack_trace_never_reaches_the_caller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with guarded(tmp_path) as (client, _):
        failed = await call(client, "explode", {"what": "x"})
    error = error_of(failed)
    text = text_of(failed)
    assert "Traceback" not in text
    assert "flawed_upstream.py" not in text
    assert error["correlation_id"] in text
    assert any("Traceback" in r.getMessage() for r in caplog.records if r.name == "wireproof.guard")


async def test_failures_carry_retry_advice(tmp_path: Path) -> None:
    async with guarded(tmp_path) as (client, _):
        down = await call(client, "flaky_backend", {})
        missing = await call(client, "lookup", {"name": "zed"})
    assert error_of(down)["retryable"] is True
    assert "Safe to retry" in text_of(down)
    assert error_of(missing)["type"] == "not_found"
    assert error_of(missing)["retryable"] is False


async def test_a_failure_disguised_as_success_is_an_error_when_the_policy_says_so(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"error_when": [{"key": "success", "equals": False}]}) as (client, _):
        failed = await call(client, "charge_card", {"amount": 5})
    assert error_of(failed)["type"] == "invalid_input"
    assert "card declined" in text_of(failed)


async def test_a_hung_upstream_is_a_retryable_timeout(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"timeout": 1}) as (client, upstream):
        with anyio.fail_after(10):
            hung = await call(client, "hang", {"seconds": 20})
        await anyio.sleep(4)  # the tools/list probe that follows a timeout has been answered
    error = error_of(hung)
    assert error["code"] == "timeout"
    assert error["retryable"] is True
    assert upstream.restarts == 0  # it still answers tools/list: only that call was slow


async def test_a_guarded_call_is_bounded_by_the_pipeline_s_deadline_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float | None] = []
    fail_after = anyio.fail_after

    def counted(delay: float | None, shield: bool = False) -> Any:
        delays.append(delay)
        return fail_after(delay, shield)

    async with guarded(tmp_path, {"timeout": 2}) as (client, _):  # the relay's backstop: 7 s
        monkeypatch.setattr(anyio, "fail_after", counted)
        answer = await call(client, "echo", {"text": "one scope"})
        monkeypatch.undo()
    assert "one scope" in text_of(answer)
    assert 7 not in delays  # the pipeline's 2 s deadline reached the relay, which opened no scope of its own


async def test_an_upstream_that_hangs_whole_is_restarted_after_the_timeout(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"timeout": 1}) as (client, upstream):
        frozen = await call(client, "freeze", {"seconds": 60})
        assert error_of(frozen)["code"] == "timeout"
        with anyio.fail_after(20):
            while True:
                answer = await call(client, "echo", {"text": "thawed out"})
                if not answer.is_error:
                    break
                assert error_of(answer)["retryable"] is True
                await anyio.sleep(0.2)
        assert upstream.restarts == 1
    assert "thawed out" in text_of(answer)


async def test_a_crashed_upstream_is_restarted_and_unavailable_meanwhile(tmp_path: Path) -> None:
    async with guarded(tmp_path) as (client, upstream):
        crashed = await call(client, "crash", {})
        assert error_of(crashed)["retryable"] is True
        with anyio.fail_after(20):
            while True:
                answer = await call(client, "echo", {"text": "back"})
                if not answer.is_error:
                    break
                assert error_of(answer)["retryable"] is True
                await anyio.sleep(0.2)
        assert upstream.restarts == 1
    assert "back" in text_of(answer)


async def test_the_policy_s_rate_limit_refuses_a_burst_with_retry_advice(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"rate_limit": {"per_second": 0.1, "burst": 2}}) as (client, _):
        answers = [await call(client, "echo", {"text": "x"}) for _ in range(3)]
    assert [a.is_error for a in answers] == [False, False, True]
    assert error_of(answers[2])["type"] == "rate_limited"
    assert error_of(answers[2])["retryable"] is True


# -- idempotent writes --------------------------------------------------------------------------


def _effects(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


async def test_a_repeated_keyed_write_reaches_the_upstream_once(tmp_path: Path) -> None:
    effects = tmp_path / "effects.txt"
    async with guarded(tmp_path, spec=flawed_spec(FLAWED_EFFECTS=str(effects))) as (client, _):
        args = {"title": "one", "body": "b", "idempotency_key": "k-1"}
        first = await call(client, "add_note", args)
        again = await call(client, "add_note", args)
        other = await call(client, "add_note", {**args, "body": "changed"})
    assert not first.is_error
    assert text_of(again) == text_of(first)
    assert again.meta is not None
    assert again.meta.get("io.wireproof/replayed") is True
    assert error_of(other)["code"] == "idempotency_conflict"
    assert _effects(effects) == ["one"]


async def test_concurrent_duplicates_reach_the_upstream_once(tmp_path: Path) -> None:
    effects = tmp_path / "effects.txt"
    spec = flawed_spec(FLAWED_EFFECTS=str(effects), FLAWED_WRITE_DELAY="0.5")
    answers: list[types.CallToolResult] = []
    async with guarded(tmp_path, spec=spec) as (client, _):

        async def one() -> None:
            answers.append(
                await call(client, "add_note", {"title": "t", "body": "b", "idempotency_key": "k-2"})
            )

        async with anyio.create_task_group() as tasks:
            for _ in range(4):
                tasks.start_soon(one)
    assert _effects(effects) == ["t"]
    refused = [a for a in answers if a.is_error]
    assert all(error_of(a)["code"] == "in_progress" for a in refused)


async def test_a_create_like_tool_is_deduplicated_within_its_window(tmp_path: Path) -> None:
    effects = tmp_path / "effects.txt"
    policy = {"tools": {"add_note": {"dedupe_window": 60}}}
    async with guarded(tmp_path, policy, spec=flawed_spec(FLAWED_EFFECTS=str(effects))) as (client, _):
        first = await call(client, "add_note", {"title": "same", "body": "b"})
        second = await call(client, "add_note", {"title": "same", "body": "b"})
        third = await call(client, "add_note", {"title": "new", "body": "b"})
    assert text_of(first) == text_of(second)
    assert not third.is_error
    assert _effects(effects) == ["same", "new"]


async def test_a_restarted_guard_still_deduplicates_from_its_store(tmp_path: Path) -> None:
    effects = tmp_path / "effects.txt"
    policy = {"tools": {"add_note": {"dedupe_window": 60}}}
    spec = flawed_spec(FLAWED_EFFECTS=str(effects))
    async with guarded(tmp_path, policy, spec=spec) as (client, _):
        first = await call(client, "add_note", {"title": "once", "body": "b"})
    async with guarded(tmp_path, policy, spec=spec) as (client, _):  # a new guard, a new upstream, one store
        again = await call(client, "add_note", {"title": "once", "body": "b"})
        other = await call(client, "add_note", {"title": "twice", "body": "b"})
    assert not first.is_error
    assert text_of(again) == text_of(first)
    assert again.structured_content == first.structured_content
    assert not other.is_error
    assert _effects(effects) == ["once", "twice"]


# -- tight outputs ------------------------------------------------------------------------------


async def test_an_array_over_the_budget_is_paged_with_signed_cursors(tmp_path: Path) -> None:
    async with guarded(tmp_path, {"budget_tokens": 1000, "allow": ["count_to"]}) as (client, _):
        items: list[int] = []
        arguments: dict[str, object] = {"n": 3000}
        for _ in range(100):
            page = await call(client, "count_to", arguments)
            assert not page.is_error, text_of(page)
            body = page.structured_content
            assert body is not None
            assert len(text_of(page)) < 4000 or "structuredContent" in text_of(page)
            items.extend(body["items"])
            if "next_cursor" not in body:
                break
            arguments = {"n": 3000, "cursor": body["next_cursor"]}
        tampered = await call(client, "count_to", {"n": 3000, "cursor": str(arguments["cursor"])[:-2] + "xx"})
        elsewhere = await call(client, "count_to", {"n": 2999, "cursor": arguments["cursor"]})
    assert items == list(range(1, 3001))
    assert error_of(tampered)["fields"][0]["field"] == "cursor"
    assert error_of(elsewhere)["fields"][0]["field"] == "cursor"


async def test_a_small_answer_is_passed_on_as_the_upstream_gave_it(tmp_path: Path) -> None:
    async with guarded(tmp_path) as (client, _):
        answer = await call(client, "count_to", {"n": 3})
    assert answer.structured_content == {"result": [1, 2, 3]}


async def test_a_listing_narrowed_to_fit_the_budget_is_served_whole(tmp_path: Path) -> None:
    policy = {"budget_tokens": 512, "allow": ["echo", "count_to"]}  # all 11: 1,778 tokens
    async with guarded(tmp_path, policy) as (client, _):
        listed = await _listed(client)
    assert set(listed) == {"echo", "count_to"}
    assert listed["echo"].description == "Echo the text back."  # descriptions are never cut


def test_the_listing_is_measured_as_it_goes_on_the_wire() -> None:
    connector: Connector[None] = Connector("sized")
    connector.add(
        Tool.from_schema(
            "t",
            {"type": "object", "properties": {}},
            _nothing,
            kind="read",
            public=True,
            description="é" * 300,
        )
    )
    size = listing_bytes(connector)
    assert size > 300 * 6  # non-ASCII counted as the escapes HTTP sends
    check_listing_budget(connector, size // 4 + 1)
    with pytest.raises(GuardConfigError, match=r"over the budget of 256 tokens; largest: t \("):
        check_listing_budget(connector, 256)


async def _nothing(ctx: object, arguments: dict[str, object]) -> ToolAnswer:
    return ToolAnswer(content=[])


# -- pinning ------------------------------------------------------------------------------------


async def test_a_lock_written_by_wireproof_check_is_enforced_by_the_guard(tmp_path: Path) -> None:
    lock = tmp_path / "wireproof.lock"
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    # --tool count_to: probing echo makes the checker itself fail (a RecursionError; reported)
    command = [sys.executable, "-m", "wireproof", "check", "--no-progress", "--lock", str(lock)]
    command += ["--tool", "count_to", "--fail-on", "never", "--", *FLAWED]
    with anyio.fail_after(180):
        checked = await anyio.run_process(command, cwd=REPO, env=env, check=False)
    stderr = checked.stderr.decode()
    assert checked.returncode == 0, stderr
    assert "recorded 11 tool definitions" in stderr
    recorded = lock.read_text()
    async with guarded(tmp_path, pin=lock) as (client, _):
        listed = await _listed(client)  # the reviewer's lock is accepted as it is
        assert {"echo", "count_to", "add_note"} <= set(listed)
        assert text_of(await call(client, "echo", {"text": "hi"})) == "hi"
    assert lock.read_text() == recorded  # nothing changed, nothing written
    async with guarded(tmp_path, pin=lock, spec=flawed_spec(FLAWED_DRIFT="1")) as (client, _):
        listed = await _listed(client)
        assert "echo" not in listed
        assert "count_to" in listed
        with pytest.raises(MCPError, match="Unknown tool"):
            await call(client, "echo", {"text": "hi"})
    assert lock.read_text() == recorded  # not re-recorded unapproved
    assert read_lock(lock).tools["echo"].description == "Echo the text back."
