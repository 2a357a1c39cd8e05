"""The writes probe (only with --allow-writes): each write twice, eight at once, and a reused key.

Effects are observed through the configured observers: read calls whose answers
are snapshotted before and after each step. Read-only tools are also watched, when
observers exist (with or without --allow-writes: they are called anyway), to see
whether a tool annotated ``readOnlyHint`` changes anything. A tool that claims to be
read-only (annotated, or so described) and takes code or a query is, with --allow-writes
only, asked to escape: create a table
(after ``COMMIT;`` or not), attach a database or ``COPY … TO`` a file in the checker's
own temp folder, and read back a secret planted there; the effect is verified through
the same tool (the table visible after, not before) or the file system. The file attempts speak
SQLite, PostgreSQL and DuckDB (``read_text``/``read_csv``/``read_blob``, ``SELECT 1; COPY … TO``).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, Final

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.generate import is_schema_valid, valid_samples
from wireproof.check.model import (
    CallRecord,
    EscapeKind,
    EscapeObservation,
    Observations,
    Purpose,
    ToolInfo,
    code_parameters,
    idempotency_key_parameter,
    volatile_paths,
)

__all__ = [
    "CONCURRENT_CALLS",
    "probe_read_only_effect",
    "probe_read_only_escapes",
    "probe_write",
    "snapshot",
]

CONCURRENT_CALLS: Final = 8


async def snapshot(connection: Connection, options: CheckOptions) -> str | None:
    """What every observer answers now, as one comparable string (None without observers)."""
    if not options.observers:
        return None
    if connection.observer_noise is None:  # learn once what the observers change on every call
        first = [await connection.call(o.tool, o.arguments, "observe") for o in options.observers]
        second = [await connection.call(o.tool, o.arguments, "observe") for o in options.observers]
        connection.observer_noise = {
            str(i): volatile_paths(_answer(a), _answer(b))
            for i, (a, b) in enumerate(zip(first, second, strict=True))
        }
        records = second
    else:
        records = [await connection.call(o.tool, o.arguments, "observe") for o in options.observers]
    answers = []
    for index, (observer, record) in enumerate(zip(options.observers, records, strict=True)):
        entry: dict[str, Any] = {
            "tool": observer.tool,
            "is_error": record.is_error,
            "outcome": record.outcome,
            "structured": record.structured,
            "text": record.text,
        }
        noise = connection.observer_noise.get(str(index))
        if noise:
            entry["volatile"] = noise
        answers.append(entry)
    return json.dumps(answers, sort_keys=True, ensure_ascii=False)


def _answer(record: CallRecord) -> Any:
    """An observer call's answer as compared: its JSON, else its text; None for no result."""
    if record.outcome != "result":
        return None
    value = record.answer_json()
    return record.text if value is None else value


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
    purposes: tuple[Purpose, ...] = ("write-first", "write-repeat")
    for purpose in purposes:
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
    """Snapshot the observers twice, then around one valid call of a read-only tool.

    The two snapshots before the call tell a steady observer from one whose answer moves by itself
    (a clock, a counter): only a steady one can show that the call changed something.
    """
    before = await snapshot(connection, options)
    again = await snapshot(connection, options)
    arguments = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    observations.calls.append(await connection.call(tool.name, arguments, "read-effect"))
    observations.snapshots[tool.name] = {
        "before": before,
        "before-again": again,
        "after": await snapshot(connection, options),
    }


_TABLE_CHECKS: Final = (
    "SELECT COUNT(*) FROM {t}",
    "SELECT name FROM sqlite_master WHERE name = '{t}'",
    "SELECT tablename FROM pg_tables WHERE tablename = '{t}'",
)
"""Verification queries: each fails, or does not name the table, until the table exists (SQLite, PostgreSQL)."""


async def probe_read_only_escapes(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Try to make a readOnlyHint tool that takes code or a query write, or read beyond its scope.

    Only with --allow-writes (the account is a test account): every target is uniquely named, and
    every file lives in a temp folder of the checker's own, removed afterwards; a table the tool did
    create is dropped through the same tool. Each attempt is recorded, never judged, in
    ``observations.escapes`` (the verification calls also in ``observations.calls``).
    """
    base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    with tempfile.TemporaryDirectory(prefix="wireproof-check-", ignore_cleanup_errors=True) as folder:
        root = Path(folder)
        secret = _plant(root)
        for field in code_parameters(tool)[:1]:
            probe = _EscapeProbe(connection, tool.name, field, base, observations)
            await probe.tables()
            await probe.files(root)
            await probe.reads(root, secret)


def _plant(root: Path) -> str:
    """Plant a secret in ``root`` (as text and as an SQLite database) that no server was given; return it."""
    # a database server running as another user must be able to write here for COPY … TO to show
    root.chmod(0o777)
    secret = f"wireproof-secret-{uuid.uuid4().hex}"
    # a header line, then the secret: a CSV reader (DuckDB read_csv) answers it as a row, not only a header
    (root / "secret.txt").write_text(f"wireproof_secret\n{secret}\n", encoding="utf-8")
    with closing(sqlite3.connect(root / "secret.db")) as planted:
        planted.execute("CREATE TABLE wireproof_secret (token TEXT)")
        planted.execute("INSERT INTO wireproof_secret VALUES (?)", (secret,))
        planted.commit()
    return secret


class _EscapeProbe:
    """The escape attempts for one parameter of one tool."""

    def __init__(
        self,
        connection: Connection,
        tool: str,
        field: str,
        base: dict[str, Any],
        observations: Observations,
    ) -> None:
        self.connection, self.tool, self.field, self.base = connection, tool, field, base
        self.observations = observations

    async def send(self, statement: str, purpose: Purpose) -> CallRecord:
        record = await self.connection.call(
            self.tool, {**self.base, self.field: statement}, purpose, field=self.field, constraint=purpose
        )
        self.observations.calls.append(record)
        return record

    async def checks(self, table: str) -> list[CallRecord]:
        return [await self.send(q.format(t=table), "read-escape-check") for q in _TABLE_CHECKS]

    def record(self, kind: EscapeKind, marker: str, attempt: list[CallRecord], **seen: Any) -> None:
        self.observations.escapes.append(
            EscapeObservation(self.tool, self.field, kind, marker, attempt, **seen)
        )

    async def tables(self) -> None:
        attempts: tuple[tuple[EscapeKind, str], ...] = (
            ("create-table", ""),
            ("commit-create-table", "COMMIT; "),
        )
        for kind, prefix in attempts:
            table = f"wireproof_probe_{uuid.uuid4().hex[:12]}"
            before = await self.checks(table)
            attempt = await self.send(
                f"{prefix}CREATE TABLE {table} (wireproof_probe INTEGER)", "read-escape"
            )
            after = await self.checks(table)
            self.record(kind, table, [attempt], before=before, after=after)
            for statement in (f"DROP TABLE IF EXISTS {table}", f"COMMIT; DROP TABLE IF EXISTS {table}"):
                # clean-up only, never judged: what the tool created goes, through the tool itself
                await self.connection.call(self.tool, {**self.base, self.field: statement}, "cleanup")

    async def files(self, root: Path) -> None:
        attempts: tuple[tuple[EscapeKind, str], ...] = (
            ("attach", "ATTACH DATABASE '{path}' AS {name}"),
            ("commit-attach", "COMMIT; ATTACH DATABASE '{path}' AS {name}"),
            ("copy-to", "COPY (SELECT 1) TO '{path}'"),
            ("commit-copy-to", "COMMIT; COPY (SELECT 1) TO '{path}'"),
            # a guard that lets through whatever starts with SELECT, then runs every statement (DuckDB, psql -c)
            ("select-copy-to", "SELECT 1; COPY (SELECT 1) TO '{path}'"),
        )
        for kind, template in attempts:
            name = f"wireproof_probe_{uuid.uuid4().hex[:12]}"
            path = root / f"{name}.out"
            attempt = await self.send(template.format(path=path, name=name), "read-escape")
            self.record(kind, str(path), [attempt], file_appeared=await anyio.Path(path).exists())

    async def reads(self, root: Path, secret: str) -> None:
        name = f"wireproof_probe_{uuid.uuid4().hex[:12]}"
        attached = root / "secret.db"
        in_one = await self.send(
            f"ATTACH DATABASE '{attached}' AS {name}; SELECT token FROM {name}.wireproof_secret",
            "read-escape",
        )
        name = f"wireproof_probe_{uuid.uuid4().hex[:12]}"
        in_two = [
            await self.send(f"ATTACH DATABASE '{attached}' AS {name}", "read-escape"),
            await self.send(f"SELECT token FROM {name}.wireproof_secret", "read-escape"),
        ]
        self.record("read-attached", secret, [in_one, *in_two])
        text_file = root / "secret.txt"
        read_file = [
            await self.send(f"SELECT pg_read_file('{text_file}')", "read-escape"),
            await self.send(f"SELECT readfile('{text_file}')", "read-escape"),
            # DuckDB's file table functions (read_csv takes the one-line file's text as its header)
            await self.send(f"SELECT * FROM read_text('{text_file}')", "read-escape"),
            await self.send(f"SELECT * FROM read_csv('{text_file}')", "read-escape"),
            await self.send(f"SELECT * FROM read_blob('{text_file}')", "read-escape"),
        ]
        self.record("read-file", secret, read_file)
