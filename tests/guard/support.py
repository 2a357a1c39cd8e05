"""Shared by the guard tests: the flawed upstream behind a guard, reached with the official client."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp import Client

from wireproof.auth import LOCAL_OPERATOR
from wireproof.connector import PrincipalSource
from wireproof.guard import GuardPolicy, PinFile, Upstream, UpstreamSpec, guarded_connector, parse_policy
from wireproof.idempotency import SqliteIdempotencyStore

REPO = Path(__file__).resolve().parents[2]
FLAWED = (sys.executable, "-m", "tests.guard.flawed_upstream")
ERROR_META = "io.wireproof/error"


def flawed_spec(**env: str) -> UpstreamSpec:
    """The flawed upstream, started from the repository root with ``env`` added."""
    environ = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", **env}
    return UpstreamSpec(command=FLAWED, env=environ)


@asynccontextmanager
async def guarded(
    tmp_path: Path,
    policy: GuardPolicy | Mapping[str, Any] | None = None,
    *,
    principal: PrincipalSource = LOCAL_OPERATOR,
    spec: UpstreamSpec | None = None,
    pin: Path | None = None,
) -> AsyncIterator[tuple[Client, Upstream]]:
    """A client of the guard (in memory) in front of a real upstream process, with a SQLite store."""
    if not isinstance(policy, GuardPolicy):
        policy = parse_policy(policy or {})
    upstream = Upstream(spec or flawed_spec(), call_timeout=policy.timeout + 5)
    store = SqliteIdempotencyStore(str(tmp_path / "guard-idempotency.sqlite"))
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(upstream.supervise)
            with anyio.fail_after(30):
                await upstream.wait_started()
            made = await guarded_connector(
                upstream, policy, pin=PinFile.open(pin) if pin else None, store=store
            )
            server = made.connector.server(None, principal=principal, store=store)
            async with Client(server, cache=None, read_timeout_seconds=30) as client:
                yield client, upstream
            tasks.cancel_scope.cancel()
    finally:
        store.close()


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
    with anyio.fail_after(30):
        return await client.session.send_request(
            types.CallToolRequest(params=types.CallToolRequestParams(name=tool, arguments=arguments)),
            types.CallToolResult,
        )


def error_of(result: types.CallToolResult) -> dict[str, Any]:
    assert result.is_error, result
    assert result.meta is not None
    error: dict[str, Any] = result.meta[ERROR_META]
    return error


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, types.TextContent))
