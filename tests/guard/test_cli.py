"""``wireproof guard`` as a user runs it: a stdio subprocess in front of a stdio upstream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.guard.support import FLAWED, REPO, call, error_of, text_of
from wireproof.cli import main


def _guard(tmp_path: Path, *options: str) -> StdioServerParameters:
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "wireproof.cli", "guard", *options, "--", *FLAWED],
        env=env,
        cwd=str(REPO),
    )


@pytest.mark.anyio
async def test_the_guard_serves_a_stdio_upstream_over_stdio_with_an_audit_line(tmp_path: Path) -> None:
    log = tmp_path / "stderr.txt"
    with log.open("w") as errlog:
        params = _guard(tmp_path, "--allow", "echo", "--allow", "explode")
        async with Client(stdio_client(params, errlog=errlog), cache=None, read_timeout_seconds=30) as client:
            with anyio.fail_after(30):
                listed = await client.list_tools()
            answer = await call(client, "echo", {"text": "hi"})
            failed = await call(client, "explode", {"what": "x"})
    assert {t.name for t in listed.tools} == {"echo", "explode"}
    assert text_of(answer) == "hi"
    assert "Traceback" not in text_of(failed)
    assert error_of(failed)["correlation_id"]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith('{"time"')]
    assert [(line["tool"], line["outcome"]) for line in lines] == [
        ("echo", "ok"),
        ("explode", "invalid_input"),
    ]
    assert "serving 2 of 11 upstream tools" in log.read_text()
    assert list(
        (tmp_path / "state" / "wireproof" / "guard").glob("idempotency-*.sqlite")
    )  # the default store


def test_a_bad_policy_stops_the_guard_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "guard.toml"
    policy.write_text("alow = ['echo']\n")
    assert main(["guard", "--policy", str(policy), "--", *FLAWED]) == 2
    assert "unknown key alow" in capsys.readouterr().err


def test_a_listing_over_the_budget_stops_the_guard_at_start_saying_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    policy = tmp_path / "guard.toml"
    policy.write_text("budget_tokens = 256\n")  # the 11 tools' listing is about 1,800 tokens
    assert main(["guard", "--store", "memory:", "--policy", str(policy), "--", *FLAWED]) == 2
    err = capsys.readouterr().err
    assert "the tools/list answer of the 11 served tools is about" in err
    assert "over the budget of 256 tokens; largest: " in err
    assert "--allow" in err
    assert "budget_tokens" in err
    assert "Traceback" not in err


def test_the_guard_needs_exactly_one_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guard"]) == 2
    assert "give the upstream as a command after --" in capsys.readouterr().err


def test_an_upstream_that_cannot_start_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert main(["guard", "--store", "memory:", "--", str(tmp_path / "no-such-server")]) == 2
    err = capsys.readouterr().err
    assert "cannot start the upstream" in err
    assert "Traceback" not in err


def test_an_upstream_that_exits_at_once_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert main(["guard", "--store", "memory:", "--", sys.executable, "-c", "raise SystemExit(3)"]) == 2
    err = capsys.readouterr().err
    assert "the server exited (or closed its stdout) before it answered the handshake" in err
    assert "Traceback" not in err


def test_an_unknown_guard_option_is_told_with_the_guard_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["guard", "--config", "x.toml", "--", "true"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage: wireproof guard" in err
    assert "unrecognized arguments: --config x.toml" in err


def test_http_serving_fails_closed_without_an_auth_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guard", "--transport", "http", "--store", "memory:", "--", *FLAWED]) == 2
    assert "--auth" in capsys.readouterr().err


@pytest.mark.anyio
async def test_the_guard_serves_over_http_with_api_keys_and_never_passes_the_caller_s_token(
    tmp_path: Path,
) -> None:
    from harness.cluster import free_port

    from wireproof.auth import hash_key

    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nprincipal = "agent"\nsha256 = "{hash_key("k-agent-1")}"\nscopes = ["guard:read"]\n',
        encoding="utf-8",
    )
    port = free_port()
    params = _guard(
        tmp_path,
        "--transport",
        "http",
        "--auth",
        "keys",
        "--keys-file",
        str(keys),
        "--port",
        str(port),
        "--allow",
        "echo",
    )
    log = tmp_path / "stderr.txt"
    with log.open("w") as errlog:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once; its output goes to a file, never awaited
            [params.command, *params.args], env=params.env, cwd=params.cwd, stdout=errlog, stderr=errlog
        )
        try:
            url = f"http://127.0.0.1:{port}/mcp"
            with anyio.fail_after(30):
                await _wait_listening(port, process)
            headers = {"Authorization": "Bearer k-agent-1"}
            async with (
                httpx2.AsyncClient(headers=headers) as http,
                Client(streamable_http_client(url, http_client=http), cache=None) as client,
            ):
                answer = await call(client, "echo", {"text": "over http"})
            async with httpx2.AsyncClient() as http:
                refused = await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert text_of(answer) == "over http"
    assert refused.status_code == 401


async def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    while True:
        assert process.poll() is None, "the guard exited before it listened"
        try:
            stream = await anyio.connect_tcp("127.0.0.1", port)
        except OSError:
            await anyio.sleep(0.1)
        else:
            await stream.aclose()
            return


@pytest.mark.anyio
async def test_the_guard_reaches_a_streamable_http_upstream(tmp_path: Path) -> None:
    from harness.cluster import free_port

    from tests.guard.support import flawed_spec, guarded
    from wireproof.guard import UpstreamSpec

    port = free_port()
    spec = flawed_spec()
    log = tmp_path / "upstream.txt"
    with log.open("w") as errlog:
        upstream = subprocess.Popen(  # noqa: ASYNC220 - started once; its output goes to a file
            [*FLAWED, "--http", str(port)], env=dict(spec.env), cwd=str(REPO), stdout=errlog, stderr=errlog
        )
        try:
            with anyio.fail_after(30):
                await _wait_listening(port, upstream)
            http = UpstreamSpec(url=f"http://127.0.0.1:{port}/mcp", headers={"X-Guard-Credential": "its-own"})
            async with guarded(tmp_path, {"allow": ["echo", "explode"]}, spec=http) as (client, _):
                answer = await call(client, "echo", {"text": "via http"})
                failed = await call(client, "explode", {"what": "x"})
        finally:
            upstream.terminate()
            upstream.wait(timeout=20)
    assert text_of(answer) == "via http"
    assert "Traceback" not in text_of(failed)


@pytest.mark.anyio
async def test_upstream_headers_reach_an_http_upstream_and_the_caller_s_authorization_never_does(
    tmp_path: Path,
) -> None:
    from harness.cluster import free_port

    from wireproof.auth import hash_key

    keys = tmp_path / "keys.toml"
    keys.write_text(
        f'[[keys]]\nprincipal = "agent"\nsha256 = "{hash_key("k-agent-1")}"\nscopes = ["guard:read"]\n',
        encoding="utf-8",
    )
    record = tmp_path / "upstream-headers.jsonl"
    upstream_port, guard_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    guard_command = [sys.executable, "-m", "wireproof.cli", "guard", "--transport", "http", "--auth", "keys"]
    guard_command += ["--keys-file", str(keys), "--port", str(guard_port), "--allow", "echo"]
    guard_command += ["--upstream", f"http://127.0.0.1:{upstream_port}/mcp"]
    guard_command += ["--upstream-header", "X-Upstream-Token: the-guard-s-own"]
    log = tmp_path / "stderr.txt"
    with log.open("w") as errlog:
        upstream = subprocess.Popen(  # noqa: ASYNC220 - started once; its output goes to a file
            [*FLAWED, "--http-recording", str(upstream_port), str(record)],
            env=env,
            cwd=str(REPO),
            stdout=errlog,
            stderr=errlog,
        )
        guard = None
        try:
            with anyio.fail_after(30):
                await _wait_listening(upstream_port, upstream)
            guard = subprocess.Popen(  # noqa: ASYNC220 - started once; its output goes to a file
                guard_command, env=env, cwd=str(REPO), stdout=errlog, stderr=errlog
            )
            with anyio.fail_after(30):
                await _wait_listening(guard_port, guard)
            listing_requests = len(record.read_text().splitlines())  # the guard's own start: list tools
            headers = {"Authorization": "Bearer k-agent-1", "X-Upstream-Token": "the-caller-s"}
            async with (
                httpx2.AsyncClient(headers=headers) as http,
                Client(
                    streamable_http_client(f"http://127.0.0.1:{guard_port}/mcp", http_client=http)
                ) as client,
            ):
                answer = await call(client, "echo", {"text": "over two hops"})
        finally:
            for process in (guard, upstream):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=20)
    assert text_of(answer) == "over two hops"
    seen = [json.loads(line) for line in record.read_text().splitlines()]
    assert listing_requests >= 1
    assert len(seen) > listing_requests  # the call reached the upstream after the start
    assert all(request["headers"].get("x-upstream-token") == "the-guard-s-own" for request in seen)
    assert not any("authorization" in request["headers"] for request in seen)
    assert "k-agent-1" not in record.read_text()
    assert "the-caller-s" not in record.read_text()


def test_the_stdio_guard_s_log_records_skip_the_thread_and_process_look_ups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    from wireproof.cli import _records_without_thread_or_process

    for flag in ("logThreads", "logProcesses", "logMultiprocessing", "logAsyncioTasks"):
        monkeypatch.setattr(logging, flag, True, raising=False)  # restored after the test
    _records_without_thread_or_process()
    record = logging.getLogger("wireproof.audit").makeRecord(
        "wireproof.audit", logging.INFO, "f", 0, "a line", (), None
    )
    assert (record.thread, record.threadName, record.process, record.processName) == (None, None, None, None)
    assert logging.Formatter("%(message)s").format(record) == "a line"  # the audit line as it was
