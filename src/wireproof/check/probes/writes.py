"""The writes probe (only with --allow-writes): each write twice, eight at once, and a reused key.

Effects are observed through the configured observers: read calls whose answers
are snapshotted before and after each step. Read-only tools are also watched, when
observers exist, to see whether a tool annotated ``readOnlyHint`` changes anything.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any, Final

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.generate import is_schema_valid, valid_samples
from wireproof.check.model import CallRecord, Observations, ToolInfo, idempotency_key_parameter

__all__ = [
    "CONCURRENT_CALLS",
    "probe_read_only_effect",
    "probe_write",
    "snapshot",
]

CONCURRENT_CALLS: Final = 8
_KEY_NAME: Final = re.compile(
    r"^(idempotency|idem|request|dedup(lication)?)[_-]?(key|id|token)$", re.IGNORECASE
)


async def snapshot(connection: Connection, options: CheckOptions) -> str | None:
    """What every observer answers now, as one comparable string (None without observers)."""
    if not options.observers:
        return None
    answers = []
    for observer in options.observers:
        record = await connection.call(observer.tool, observer.arguments, "observe")
        answers.append(
            {
                "tool": observer.tool,
                "is_error": record.is_error,
                "outcome": record.outcome,
                "structured": record.structured,
                "text": record.text,
            }
        )
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)


def _other_value(schema: dict[str, Any], name: str, current: Any) -> Any:
    """Another value the schema accepts for ``name`` (so a refusal is about the key, not the value)."""
    prop = schema.get("properties", {}).get(name, {})
    if prop.get("enum"):
        others = [v for v in prop["enum"] if v != current]
        return others[0] if others else None
    candidate = _changed(prop, current)
    return candidate if candidate is not None and is_schema_valid(prop, candidate) else None


def _changed(prop: dict[str, Any], current: Any) -> Any:
    if isinstance(current, str) and current[:1].isdigit():  # dates, weeks, ids: change the last digit
        last = current.rstrip()[-1:]
        if last.isdigit():
            return current[:-1] + str((int(last) + 1) % 10 or 1)
    if isinstance(current, str):
        return current + " (changed)" if len(current) < prop.get("maxLength", 10**6) - 10 else current[:-1]
    if isinstance(current, bool):
        return not current
    if isinstance(current, int | float):
        high = prop.get("maximum")
        return current + 1 if high is None or current + 1 <= high else current - 1
    return None


async def probe_write(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
    advance: Callable[[], None],
) -> None:
    """Exercise one write tool: first call, repeat, concurrent duplicates, then a reused key."""
    arguments = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    key = idempotency_key_parameter(tool)
    if key is not None:
        arguments[key] = f"wireproof-check-{uuid.uuid4().hex}"
    snaps: dict[str, str | None] = {"before": await snapshot(connection, options)}
    for purpose in ("write-first", "write-repeat"):
        observations.calls.append(await connection.call(tool.name, arguments, purpose))
        snaps[purpose] = await snapshot(connection, options)
        advance()

    concurrent_arguments = dict(arguments)
    if key is not None:
        concurrent_arguments[key] = f"wireproof-check-{uuid.uuid4().hex}"
    client = await connection.open()
    results: list[CallRecord] = []

    async def one() -> None:
        results.append(
            await connection.call(tool.name, concurrent_arguments, "write-concurrent", reconnect=False)
        )

    if client is not None:
        async with anyio.create_task_group() as group:
            for _ in range(CONCURRENT_CALLS):
                group.start_soon(one)
    await connection.recover()
    observations.calls.extend(results)
    advance()
    snaps["concurrent"] = await snapshot(connection, options)
    observations.calls.append(
        await connection.call(tool.name, concurrent_arguments, "write-after-concurrent")
    )
    snaps["after-concurrent"] = await snapshot(connection, options)
    advance()

    if key is not None:
        changed = next(
            (
                (name, other)
                for name, value in arguments.items()
                if name != key and (other := _other_value(tool.input_schema, name, value)) is not None
            ),
            None,
        )
        if changed is not None:
            conflict = {**arguments, changed[0]: changed[1]}
            observations.calls.append(
                await connection.call(tool.name, conflict, "key-conflict", field=changed[0])
            )
    advance()
    observations.snapshots[tool.name] = snaps


async def probe_read_only_effect(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Snapshot the observers around one valid call of a read-only tool."""
    before = await snapshot(connection, options)
    arguments = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    observations.calls.append(await connection.call(tool.name, arguments, "read-effect"))
    observations.snapshots[tool.name] = {"before": before, "after": await snapshot(connection, options)}
