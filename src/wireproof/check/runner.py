"""Run a check: connect, list, probe every tool (bounded concurrency), judge, measure coverage and score.

Read-only tools are probed concurrently, each worker on its own connection (a stdio server is
started at most once per CPU: more would only queue for it). Tools
not annotated ``readOnlyHint: true`` are treated as writes: they are called only
with ``allow_writes``, one at a time (the writes probe first, then their awkward calls,
whose repairs are real writes), and so are read-only tools when observers
are configured (their before/after snapshots must not interleave). ``only_tools``
(``--tool``) limits everything, schema lint included: the rules see only those tools.
A stdio server's credential variables (``auth_env``, and those whose names look like
one) are each tried unset and garbage on fresh instances.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol

import anyio
from anyio.abc import TaskGroup

from wireproof._version import __version__
from wireproof.check.client import CheckTargetError, Connection, Target, connect
from wireproof.check.config import AuthCase, CheckConfigError, CheckOptions
from wireproof.check.coverage import measure_coverage
from wireproof.check.generate import UNKNOWN_TOOL, schema_problem
from wireproof.check.model import (
    CATEGORIES,
    SEVERITIES,
    SKIP_MALFORMED,
    Coverage,
    Finding,
    Observations,
    ProbeFailure,
    ProbeName,
    Report,
    ServerSummary,
    Severity,
    ToolInfo,
    ToolSummary,
    claims_read_only,
    code_parameters,
    observers_moved,
)
from wireproof.check.probes.auth import (
    credential_variables,
    environment_cases,
    probe_auth_cases,
    probe_http_auth,
)
from wireproof.check.probes.effects import probe_poison, probe_write_and_effects
from wireproof.check.probes.effects import words as effect_words
from wireproof.check.probes.growth import growth_listings, growth_pairs, probe_growth, read_listings
from wireproof.check.probes.inputs import planned_input_calls, probe_inputs
from wireproof.check.probes.names import name_traversal_tools, probe_name_traversal
from wireproof.check.probes.paths import confinement_tools, probe_path_confinement
from wireproof.check.probes.restart import probe_restart, restart_applies
from wireproof.check.probes.stdout import probe_stray_stdout
from wireproof.check.probes.tables import (
    largest_tables,
    probe_largest_table,
    query_tools,
    table_listing_tools,
)
from wireproof.check.probes.writes import probe_read_only_effect, probe_read_only_escapes, snapshot
from wireproof.check.repair import repair_rates
from wireproof.check.rules import RuleContext, evaluate
from wireproof.errors import OperatorError

__all__ = ["WEIGHTS", "Progress", "run_check", "score"]

WRITE_STEPS: Final = 4
WEIGHTS: Final[dict[Severity, int]] = {"error": 40, "warning": 15, "info": 0}
"""What one rule costs a category at its worst severity, when it hits every tool the category exercised."""
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


def _failure_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _operator_problem(exc: Exception) -> bool:
    """Whether ``exc`` is (or holds) an operator's problem, such as a target that broke: the whole check's."""
    if isinstance(exc, OperatorError):
        return True
    return isinstance(exc, ExceptionGroup) and exc.subgroup(OperatorError) is not None


async def isolated(
    observations: Observations,
    probe: ProbeName,
    tool: str | None,
    run: Awaitable[None],
    connection: Connection | None = None,
) -> None:
    """Run one probe; if the checker itself fails inside it, record a ``ProbeFailure`` and go on.

    What the probe would have judged is then not tested (every report lists the failures, and the
    command exits 2), but the probes before and after it still count: one checker bug costs one
    probe of one tool, not the whole report. A target that broke, or any operator's problem, still
    ends the check. The connection the probe used is reopened: a failure in mid-call may have left
    it with a request in flight.
    """
    try:
        await run
    except Exception as exc:  # the isolation boundary: a checker bug costs this probe only
        if _operator_problem(exc):
            raise
        observations.failures.append(ProbeFailure(probe, tool, _failure_text(exc)))
        if connection is not None:
            connection.broken = True
            await connection.recover()


def score(findings: list[Finding], coverage: Coverage) -> dict[str, int | None]:
    """0 to 100 per tested category, ``None`` for a category not tested (see ``measure_coverage``).

    Findings are weighed by effect, per rule rather than per finding: a rule costs
    ``WEIGHTS[s] * (1 + share) / 2``, where ``s`` is its worst severity and ``share`` the part of the
    category's exercised tools it hit at that severity (1 for a finding about the whole server). So
    one systematic flaw on every tool costs its weight once (an error 40, a warning 15), a flaw on one
    tool of many costs about half of it, and info costs nothing. The score is 100 less the costs,
    rounded, never below 0.
    """
    scores: dict[str, int | None] = {}
    for category in CATEGORIES:
        covered = coverage.categories[category]
        if not covered.tested:
            scores[category] = None
            continue
        by_rule: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.category == category:
                by_rule.setdefault(finding.rule, []).append(finding)
        cost = 0.0
        for group in by_rule.values():
            worst = max((f.severity for f in group), key=SEVERITIES.index)
            hits = [f for f in group if f.severity == worst]
            if any(f.tool is None for f in hits):
                share = 1.0
            else:
                share = min(1.0, len({f.tool for f in hits}) / max(1, covered.tools))
            cost += WEIGHTS[worst] * (1 + share) / 2
        scores[category] = max(0, math.floor(100 - cost + 0.5))
    return scores


def _worker_count(target: Target, options: CheckOptions) -> int:
    """How many connections a check opens: one when observers are set (their snapshots must not
    interleave with other calls), else ``--concurrency``, and for a stdio server at most one per CPU.

    Each stdio worker starts its own server process on this machine, and a server on the SDK spends
    a second or more of CPU on its imports before it answers. Past the CPUs those start-ups only
    queue for them, and the probes, spread over fewer connections, lose nothing: a read-only helpdesk
    check on 2 CPUs took 6.2-8.2 s with 4 workers and 3.5-4.3 s with 2 (bench/RESULTS.md, session 6).
    """
    if options.observers:
        return 1
    if target.transport == "stdio":
        return min(options.concurrency, _usable_cpus())
    return options.concurrency


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _auth_cases(target: Target, options: CheckOptions) -> list[AuthCase]:
    """The configured cases, then two per credential variable of a stdio server (named, then guessed)."""
    if options.auth_env and target.transport != "stdio":
        raise CheckConfigError(
            "--auth-env applies to stdio servers; for HTTP put bad credentials in [auth.cases] headers"
        )
    missing = [name for name in options.auth_env if name not in target.env]
    if missing:
        raise CheckConfigError(
            f"--auth-env {missing[0]}: the server is not given {missing[0]}; "
            f"pass it with --env {missing[0]}=VALUE (or in the mcpServers entry's env)"
        )
    guessed = [
        name
        for name in (credential_variables(target.env) if target.transport == "stdio" else [])
        if name not in options.auth_env
    ]
    return [
        *options.auth_cases,
        *environment_cases(options.auth_env, explicit=True),
        *environment_cases(guessed, explicit=False),
    ]


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
    auth_cases = _auth_cases(target, options)
    progress = progress or _Silent()
    started = time.perf_counter()
    observations = Observations()
    observations.credentials_given = any(k.lower() == "authorization" for k in target.headers)
    # Every connection is opened by a worker task at once, not one after the other: the first is
    # lent to this task for the listing, and the others start meanwhile (a stdio server's start-up
    # is most of a check's wall time). Each worker closes its own connection when the probes are
    # done, while the auth cases run and the rules judge.
    workers = _Workers(target, options, _worker_count(target, options))
    try:
        async with anyio.create_task_group() as group:
            first = await workers.start(group)
            if first is not None:
                report = await _check(
                    target, options, progress, observations, first, workers, auth_cases, started
                )
    except BaseExceptionGroup as failed:  # one failure (a target that broke, an unknown --tool): itself
        if len(failed.exceptions) == 1:
            raise failed.exceptions[0] from None
        if all(isinstance(e, CheckTargetError) for e in failed.exceptions):  # each worker's [[setup]], say
            raise failed.exceptions[0] from None
        raise
    if first is None:
        raise workers.error or CheckTargetError(f"cannot connect to {target.describe()}")
    return dataclasses.replace(report, duration_s=time.perf_counter() - started)  # the closes included


async def _check(
    target: Target,
    options: CheckOptions,
    progress: Progress,
    observations: Observations,
    first: Connection,
    workers: _Workers,
    auth_cases: list[AuthCase],
    started: float,
) -> Report:
    client = first.client
    server_name = client.server_info.name if client and client.server_info else None
    server_version = client.server_info.version if client and client.server_info else None
    protocol_version = client.protocol_version if client else None
    try:
        with anyio.fail_after(options.timeout * 2):
            await _list_tools(first, observations)
    except Exception as exc:  # noqa: BLE001 - any failure to list is itself the finding
        observations.listing_error = f"{type(exc).__name__}: {exc}"[:500]
    if observations.tools:  # a tool the server does not list must be refused (protocol.unknown-tool-accepted)
        # Not from the task that owns the connection: its owner reopens it if this call broke it.
        observations.unknown_tool = await first.call(UNKNOWN_TOOL, {}, "unknown-tool", reconnect=False)
    listed = observations.tools
    tools = _callable(_limit(observations, options), observations)
    reads = [t for t in tools if t.read_only]
    writes = [t for t in tools if not t.read_only]
    for tool in writes if not options.allow_writes else []:
        observations.skipped[tool.name] = _SKIP_WRITE
    callable_tools = reads + (writes if options.allow_writes else [])
    total = sum(planned_input_calls(t, options) for t in callable_tools)
    total += WRITE_STEPS * len(writes) if options.allow_writes else 0
    total += (1 if target.url else 0) + len(auth_cases)
    progress.start(total)

    def advance_for(tool: str) -> Callable[[], None]:
        return lambda: progress.advance(tool)

    def job_for(tool: ToolInfo) -> Callable[[Connection], Awaitable[None]]:
        return lambda connection: isolated(
            observations,
            "inputs",
            tool.name,
            probe_inputs(connection, tool, options, observations, advance_for(tool.name)),
            connection,
        )

    # Writes get their awkward calls only after the writes probe: a rejected call repaired from its
    # error is a real write, and made first it would leave the writes probe no first effect to see.
    # So four phases, one after the other, on the same worker connections (a stdio server is
    # started once per worker, not once per phase): the reads' inputs; the largest-table reads (the
    # table names are in the listings' answers once the first phase is done); the effect, escape and
    # writes probes, in order on one connection; the writes' inputs.
    effect_reads = reads if options.observers else []  # read-only tools are called anyway: no --allow-writes
    escape_reads, confined = _escape_tools(tools, options)
    checked_writes = writes if options.allow_writes else []

    in_order = _in_order(
        effect_reads, escape_reads, confined, checked_writes, tools, options, observations, advance_for
    )

    listings = table_listing_tools(reads)

    async def wipes_last(connection: Connection) -> None:
        """The writes that empty the whole store, after every other write's probes (they would leave
        the others nothing to work on): their writes probe, then their inputs, on one connection."""
        for tool in checked_writes:
            if wipes_all(tool):
                await isolated(
                    observations,
                    "writes",
                    tool.name,
                    probe_write_and_effects(connection, tool, options, observations, advance_for(tool.name)),
                    connection,
                )
                await isolated(
                    observations,
                    "inputs",
                    tool.name,
                    probe_inputs(connection, tool, options, observations, advance_for(tool.name)),
                    connection,
                )

    def select_all_job(tool: ToolInfo) -> Callable[[Connection], Awaitable[None]]:
        return lambda connection: isolated(
            observations,
            "largest table",
            tool.name,
            probe_largest_table(
                connection, tool, largest_tables(observations, listings), options, observations
            ),
            connection,
        )

    phases: list[list[Callable[[Connection], Awaitable[None]]]] = [
        [job_for(tool) for tool in reads],
        [select_all_job(tool) for tool in query_tools(tools, options)] if listings else [],
        [in_order] if effect_reads or escape_reads or confined or checked_writes else [],
        [job_for(tool) for tool in checked_writes if not wipes_all(tool)],
        [wipes_last] if any(wipes_all(t) for t in checked_writes) else [],
    ]
    async with anyio.create_task_group() as beside:  # one more start of a stdio server, while the probes run
        if target.transport == "stdio":
            beside.start_soon(
                isolated, observations, "stdout", None, probe_stray_stdout(target, options, observations)
            )
        await workers.run(phases)
        # a server that does not exit at the end of its stdin gets one second more, not the probe's whole bound
        beside.cancel_scope.deadline = min(beside.cancel_scope.deadline, anyio.current_time() + 1.0)
    for connection in workers.connections:
        observations.add_stdout_faults(connection.stdout_fault_count, connection.stdout_faults)
    if target.url:
        await isolated(observations, "HTTP auth", None, probe_http_auth(target, options, observations))
        progress.advance("auth")
    if auth_cases:
        await isolated(
            observations,
            "auth cases",
            None,
            probe_auth_cases(target, tools, auth_cases, options, observations),
        )
        for case in auth_cases:
            progress.advance(f"auth case {case.name}")

    findings = evaluate(
        RuleContext(observations, options, target.transport, protocol_version),
        on_failure=lambda rule, exc: observations.failures.append(
            ProbeFailure(f"rule {rule}", None, _failure_text(exc))
        ),
    )
    coverage = measure_coverage(listed, observations, options, target, findings)
    return Report(
        wireproof_version=__version__,
        server=ServerSummary(server_name, server_version, target.transport, protocol_version),
        tools=_summaries(observations),
        findings=findings,
        scores=score(findings, coverage),
        duration_s=time.perf_counter() - started,
        coverage=coverage,
        repair=repair_rates(observations),
        listed=listed,
    )


def _in_order(
    effect_reads: list[ToolInfo],
    escape_reads: list[ToolInfo],
    confined: list[ToolInfo],
    checked_writes: list[ToolInfo],
    tools: list[ToolInfo],
    options: CheckOptions,
    observations: Observations,
    advance_for: Callable[[str], Callable[[], None]],
) -> Callable[[Connection], Awaitable[None]]:
    """The probes that must not interleave, in order on one connection: effects, escapes, confinement, writes, growth."""

    async def in_order(connection: Connection) -> None:
        def probe(name: ProbeName, tool: ToolInfo | None, run: Awaitable[None]) -> Awaitable[None]:
            return isolated(observations, name, tool.name if tool else None, run, connection)

        narrow = [t for t in checked_writes if not wipes_all(t)]
        durable = restart_applies(connection, narrow, options)
        initial = await snapshot(connection, options) if durable else None  # before anything may write

        for tool in effect_reads:
            await probe(
                "read-only effect", tool, probe_read_only_effect(connection, tool, options, observations)
            )
        for tool in escape_reads:
            await probe(
                "read-only escapes",
                tool,
                probe_read_only_escapes(connection, tool, options, observations),
            )
        for tool in confined:
            await probe(
                "path confinement", tool, probe_path_confinement(connection, tool, options, observations)
            )
        for tool in narrow:
            await probe(
                "writes",
                tool,
                probe_write_and_effects(connection, tool, options, observations, advance_for(tool.name)),
            )
            moved = observations.snapshots.get(tool.name, {}).get("after-concurrent")
            if durable and observations.restart is None and observers_moved(initial, moved):
                # the first write whose effect shows: does it outlive the process? (a later write may undo it)
                await probe("restart", tool, probe_restart(connection, initial, options, observations))
        await probe("poison", None, probe_poison(connection, narrow, options, observations))
        for tool in name_traversal_tools(narrow, options):
            await probe("name traversal", tool, probe_name_traversal(connection, tool, options, observations))
        pairs = growth_pairs(tools, options)
        listings = growth_listings(tools, pairs, options)
        for write, read in pairs:  # last: disturbs no write's first call
            await probe("growth", write, probe_growth(connection, write, read, options, observations))
            await probe("growth", write, read_listings(connection, listings, options, observations))

    return in_order


_WIPE_VERBS: Final = frozenset({"clear", "reset", "wipe", "purge", "truncate", "erase", "nuke"})
_WIPE_ALL_VERBS: Final = frozenset({"delete", "remove", "destroy", "drop", "flush", "empty"})
_ALL_WORDS: Final = frozenset({"all", "everything", "database", "db", "store", "storage", "data"})


def wipes_all(tool: ToolInfo) -> bool:
    """Whether a write's name says it empties the whole store (``clear_all_tasks``, ``reset_database``,
    ``delete_all``, ``purge``): its probes go after every other write's, so they find data to work on."""
    words = effect_words(tool.name)
    if tool.read_only or not words:
        return False
    return words[0] in _WIPE_VERBS or (words[0] in _WIPE_ALL_VERBS and bool(set(words) & _ALL_WORDS))


def _escape_tools(tools: list[ToolInfo], options: CheckOptions) -> tuple[list[ToolInfo], list[ToolInfo]]:
    """The read-only query tools asked to escape (only with --allow-writes), and the path tools asked to."""
    escape_reads = [t for t in tools if options.allow_writes and claims_read_only(t) and code_parameters(t)]
    return escape_reads, confinement_tools(tools, options)


def _callable(tools: list[ToolInfo], observations: Observations) -> list[ToolInfo]:
    """``tools`` less those whose inputSchema is malformed (schema.malformed-input-schema), each marked skipped.

    No argument generated from a broken schema means anything, and a probe that trusted it could end the
    check: such a tool is linted, not called, and every other tool is still probed.
    """
    kept = []
    for tool in tools:
        problem = schema_problem(tool.input_schema)
        if problem is None:
            kept.append(tool)
        else:
            observations.skipped[tool.name] = f"{SKIP_MALFORMED} ({problem})"
    return kept


def _limit(observations: Observations, options: CheckOptions) -> list[ToolInfo]:
    """The tools to check; with ``--tool``, every rule (schema lint, the listing's determinism) sees only those."""
    listed = observations.tools
    unknown = options.only_tools - {t.name for t in listed}
    if unknown:
        raise CheckTargetError(f"the server has no tool named {', '.join(sorted(unknown))}")
    if options.only_tools:
        observations.tools = [t for t in listed if t.name in options.only_tools]
        observations.listings = [
            [entry for entry in listing if json.loads(entry)["name"] in options.only_tools]
            for listing in observations.listings
        ]
    return observations.tools


def _summaries(observations: Observations) -> list[ToolSummary]:
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
    return summaries


Job = Callable[[Connection], Awaitable[None]]


class _Workers:
    """Up to ``count`` worker tasks, each owning one connection for the whole check.

    All are started at once; worker 0's connection is lent to the checking task for the listing.
    ``run`` hands them the phases: each phase's jobs are shared by the workers, and a phase starts
    once every job of the one before it has finished. Workers beyond the largest phase close
    unused. A worker closes its connection (in its own task, as the client needs) after the last
    phase, without holding up the rest of the check.
    """

    def __init__(self, target: Target, options: CheckOptions, count: int) -> None:
        self.target, self.options, self.count = target, options, count
        self._opened = anyio.Event()
        self._planned = anyio.Event()
        self._first: Connection | None = None
        self.connections: list[Connection] = []
        """Every worker's connection, as opened (closed ones too: what they saw stays readable)."""
        self.error: CheckTargetError | None = None
        self._streams: list[Any] = []
        self._active = 0
        self._finished: list[int] = []
        self._done: list[anyio.Event] = []

    async def start(self, group: TaskGroup) -> Connection | None:
        """Start the workers; the first one's connection, or None (its failure is ``error``)."""
        for index in range(self.count):
            group.start_soon(self._worker, index)
        await self._opened.wait()
        if self._first is None:  # no first connection, no check: stop the others
            group.cancel_scope.cancel()
        return self._first

    async def run(self, phases: list[list[Job]]) -> None:
        """Run the phases' jobs on the workers; return once the last has finished."""
        phases = [jobs for jobs in phases if jobs]
        self._active = min(self.count, max((len(jobs) for jobs in phases), default=0))
        for jobs in phases:
            send, receive = anyio.create_memory_object_stream[Job](len(jobs))
            for job in jobs:
                send.send_nowait(job)
            send.close()
            self._streams.append(receive)
        self._finished = [0] * len(phases)
        self._done = [anyio.Event() for _ in phases]
        self._planned.set()
        if self._done:
            await self._done[-1].wait()

    async def _worker(self, index: int) -> None:
        try:
            async with connect(self.target, self.options.timeout, self.options.setup) as connection:
                self.connections.append(connection)
                if index == 0:
                    self._first = connection
                    self._opened.set()
                await self._planned.wait()
                if index < self._active:
                    await connection.recover()  # the lent connection, if a call broke it
                    await self._serve(connection)
        except CheckTargetError as exc:
            if index != 0 or self._first is not None:
                raise
            self.error = exc
        finally:
            if index == 0:
                self._opened.set()

    async def _serve(self, connection: Connection) -> None:
        try:
            for index, receive in enumerate(self._streams):
                async for job in receive:
                    await job(connection)
                self._finished[index] += 1
                if self._finished[index] == self._active:
                    self._done[index].set()
                await self._done[index].wait()
        finally:
            for receive in self._streams:
                receive.close()
