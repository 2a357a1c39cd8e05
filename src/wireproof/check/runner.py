"""Run a check: connect, list, probe every tool (bounded concurrency), judge, and summarise.

Read-only tools are probed concurrently, each worker on its own connection. Tools
not annotated ``readOnlyHint: true`` are treated as writes: they are called only
with ``allow_writes``, one at a time, and so are read-only tools when observers
are configured (their before/after snapshots must not interleave).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol

import anyio

from wireproof._version import __version__
from wireproof.check.client import CheckTargetError, Connection, Target, connect
from wireproof.check.config import CheckOptions
from wireproof.check.model import (
    CATEGORIES,
    Finding,
    Observations,
    Report,
    ServerSummary,
    ToolInfo,
    ToolSummary,
)
from wireproof.check.probes.auth import probe_auth_cases, probe_http_auth
from wireproof.check.probes.inputs import planned_input_calls, probe_inputs
from wireproof.check.probes.writes import probe_read_only_effect, probe_write
from wireproof.check.repair import repair_rates
from wireproof.check.rules import RuleContext, evaluate

__all__ = ["Progress", "run_check", "score"]

WRITE_STEPS: Final = 4
PENALTY: Final = {"error": 25, "warning": 10, "info": 0}
_SKIP_WRITE: Final = (
    "not annotated readOnlyHint: true, so treated as a write; run with --allow-writes (test account)"
)


class Progress(Protocol):
    """Told how many steps there are, then each step as it is done."""

    def start(self, total: int) -> None: ...

    def advance(self, label: str) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        return None

    def advance(self, label: str) -> None:
        return None


def score(findings: list[Finding]) -> dict[str, int]:
    """0 to 100 per category: 100 less 25 per error and 10 per warning, never below 0."""
    scores: dict[str, int] = dict.fromkeys(CATEGORIES, 100)
    for finding in findings:
        scores[finding.category] = max(0, scores[finding.category] - PENALTY[finding.severity])
    return scores


async def _list_tools(connection: Connection, observations: Observations) -> None:
    tools = await connection.list_tools()
    again = await connection.list_tools()
    observations.tools = tools
    observations.listings = [
        [json.dumps(_tool_dump(t), sort_keys=True) for t in listing] for listing in (tools, again)
    ]


def _tool_dump(tool: ToolInfo) -> dict[str, Any]:
    return {
        "name": tool.name,
        "description": tool.description,
        "input": tool.input_schema,
        "output": tool.output_schema,
        "annotations": tool.annotations,
    }


async def run_check(target: Target, options: CheckOptions, progress: Progress | None = None) -> Report:
    """Check ``target``; raises ``CheckTargetError`` only when it cannot be reached at all."""
    options.validate()
    progress = progress or _Silent()
    started = time.perf_counter()
    observations = Observations()
    observations.extra["credentials_given"] = any(k.lower() == "authorization" for k in target.headers)
    async with connect(target, options.timeout) as first:
        client = first.client
        server_name = client.server_info.name if client and client.server_info else None
        server_version = client.server_info.version if client and client.server_info else None
        protocol_version = client.protocol_version if client else None
        try:
            with anyio.fail_after(options.timeout * 2):
                await _list_tools(first, observations)
        except Exception as exc:  # noqa: BLE001 - any failure to list is itself the finding
            observations.listing_error = f"{type(exc).__name__}: {exc}"[:500]
    tools = [t for t in observations.tools if not options.only_tools or t.name in options.only_tools]
    unknown = options.only_tools - {t.name for t in observations.tools}
    if unknown:
        raise CheckTargetError(f"the server has no tool named {', '.join(sorted(unknown))}")
    reads = [t for t in tools if t.read_only]
    writes = [t for t in tools if not t.read_only]
    for tool in writes if not options.allow_writes else []:
        observations.skipped[tool.name] = _SKIP_WRITE
    callable_tools = reads + (writes if options.allow_writes else [])
    total = sum(planned_input_calls(t, options) for t in callable_tools)
    total += WRITE_STEPS * len(writes) if options.allow_writes else 0
    total += (1 if target.url else 0) + len(options.auth_cases)
    progress.start(total)

    def advance_for(tool: str) -> Callable[[], None]:
        return lambda: progress.advance(tool)

    sequential = bool(options.observers)

    def job_for(tool: ToolInfo) -> Callable[[Connection], Awaitable[None]]:
        return lambda connection: probe_inputs(
            connection, tool, options, observations, advance_for(tool.name)
        )

    jobs = [job_for(tool) for tool in callable_tools]
    await _run_jobs(target, options, jobs, 1 if sequential else options.concurrency)
    if options.allow_writes and (writes or (options.observers and reads)):
        async with connect(target, options.timeout) as connection:
            for tool in reads if options.observers else []:
                await probe_read_only_effect(connection, tool, options, observations)
            for tool in writes:
                await probe_write(connection, tool, options, observations, advance_for(tool.name))
    if target.url:
        await probe_http_auth(target, options, observations)
        progress.advance("auth")
    if options.auth_cases:
        await probe_auth_cases(target, tools, options, observations)
        for case in options.auth_cases:
            progress.advance(f"auth case {case.name}")

    findings = evaluate(RuleContext(observations, options, target.transport))
    summaries = []
    for tool in observations.tools:
        latencies = [
            c.elapsed_ms for c in observations.calls if c.tool == tool.name and c.outcome == "result"
        ]
        summaries.append(
            ToolSummary(
                tool.name,
                tool.read_only,
                len(observations.calls_for(tool.name)),
                round(statistics.median(latencies), 2) if latencies else None,
                observations.skipped.get(tool.name),
            )
        )
    return Report(
        wireproof_version=__version__,
        server=ServerSummary(server_name, server_version, target.transport, protocol_version),
        tools=summaries,
        findings=findings,
        scores=score(findings),
        duration_s=time.perf_counter() - started,
        repair=repair_rates(observations),
    )


async def _run_jobs(
    target: Target, options: CheckOptions, jobs: list[Callable[[Connection], Awaitable[None]]], workers: int
) -> None:
    """Run ``jobs`` on ``workers`` workers, each with its own connection."""
    send, receive = anyio.create_memory_object_stream[Callable[[Connection], Awaitable[None]]](len(jobs) or 1)
    for job in jobs:
        send.send_nowait(job)
    send.close()

    async def worker() -> None:
        async with connect(target, options.timeout) as connection:
            async for job in receive:
                await job(connection)

    with receive:
        async with anyio.create_task_group() as group:
            for _ in range(min(workers, len(jobs))):
                group.start_soon(worker)
