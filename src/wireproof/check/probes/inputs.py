"""The inputs probe: valid calls, awkward calls and their repairs, and one expensive input, recorded, never judged.

For each tool: the valid samples (read-only tools only: the first made twice in a row, ``read-repeat``,
to see whether a read keeps state) and the largest plausible answer (every ``limit`` at its maximum);
for a ``get_``/``describe_``/``read_``/``open_`` tool, a lookup of a name that cannot exist
(``lookup-miss``); for a tool that takes SQL, a read of a thousand generated rows; then each awkward
case, and for each violation the server rejected, up to ``MAX_ROUNDS`` calls repaired from the error
alone (``check.repair``); then one expensive input, the edge inputs (``check.edges``: huge
integers, ``1/0``, decoder garbage, values outside a listed set, wildcard searches) and last a
catastrophic regular expression, each bounded by the timeout like every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.edges import (
    ALTERNATION_PATTERN,
    BROAD_TERM,
    CATASTROPHIC_PATTERN,
    CREATE_VERBS,
    WRITE_VERBS,
    edge_cases,
    regex_case,
    search_field,
    tokens,
)
from wireproof.check.generate import (
    AwkwardCase,
    awkward_cases,
    expensive_case,
    is_schema_valid,
    largest_sample,
    long_query_case,
    lookup_miss_case,
    valid_samples,
)
from wireproof.check.model import (
    CallRecord,
    Observations,
    Purpose,
    RepairAttempt,
    ToolInfo,
    idempotency_key_parameter,
)
from wireproof.check.repair import MAX_ROUNDS, fresh_key, fresh_targets, is_rejection, propose, read_error
from wireproof.check.rules.schema import named_as_read

__all__ = ["planned_input_calls", "probe_inputs"]


def _valid_calls(tool: ToolInfo, options: CheckOptions) -> list[dict[str, Any]]:
    """The valid calls of a read-only tool: its samples, and its largest plausible answer.

    A write's valid calls are the writes probe's to make (first call, repeat, ...): made here
    first, they would leave the writes probe nothing new to do (a commit already made). Only an
    unannotated tool named as a read (``find_units``), and only with ``--allow-writes``, gets its
    valid calls here but its first sample (the writes probe's first call): its fuller sample and
    its largest answers.
    """
    unannotated_read = not tool.read_only and options.allow_writes and named_as_read(tool)
    if not tool.read_only and not unannotated_read:
        return []
    base = options.tool_arguments.get(tool.name)
    calls = valid_samples(tool.input_schema, base)
    largest = largest_sample(tool.input_schema, base)
    if largest is not None and largest not in calls:
        calls.append(largest)
    search = search_field(tool.name, tool.input_schema, tool.description or "")
    if search is not None and calls:  # a search's largest answer: a term found nearly everywhere
        broad = {**(largest or calls[-1]), search: BROAD_TERM}
        if broad not in calls and is_schema_valid(tool.input_schema, broad) is not False:
            calls.append(broad)
    return calls[1:] if unannotated_read else calls


def _expensive(tool: ToolInfo, options: CheckOptions) -> AwkwardCase | None:
    """The tool's expensive input; a huge count only for a read-only tool (a write would do it a billion times)."""
    case = expensive_case(tool.input_schema, options.tool_arguments.get(tool.name), tool.description or "")
    if case is not None and case.constraint == "huge-count" and not tool.read_only:
        return None
    return case


def planned_input_calls(tool: ToolInfo, options: CheckOptions) -> int:
    """How many calls ``probe_inputs`` will make for ``tool`` before repairs (for the progress bar)."""
    base = options.tool_arguments.get(tool.name)
    expensive = _expensive(tool, options)
    valid = _valid_calls(tool, options)
    return (
        len(valid)
        + (bool(valid) and tool.read_only)  # the read-repeat
        + len(_extra_cases(tool, options))
        + len(awkward_cases(tool.input_schema, base, destructive=options.allow_writes))
        + (expensive is not None)
        + len(_edge_cases(tool, options))
        + (_regex(tool, options) is not None)
    )


def _regex(tool: ToolInfo, options: CheckOptions) -> AwkwardCase | None:
    """The catastrophic pattern, for a read-only tool: a write would act on whatever it matches. With
    --allow-writes also for an unannotated tool whose name says no write (calc-mcp's ``regex``: hold-out 7)."""
    unnamed_write = not tokens(tool.name) & (WRITE_VERBS | CREATE_VERBS)
    if not tool.read_only and not (options.allow_writes and unnamed_write):
        return None
    return regex_case(tool.input_schema, options.tool_arguments.get(tool.name))


def _edge_cases(tool: ToolInfo, options: CheckOptions) -> list[AwkwardCase]:
    """The tool's edge inputs (``check.edges``), each schema-valid and answered at once by a sound server."""
    base = options.tool_arguments.get(tool.name)
    # an unannotated tool named as a read (list, find_units) is a read for its edge inputs, with --allow-writes
    reads = tool.read_only or (options.allow_writes and named_as_read(tool))
    return edge_cases(tool.name, tool.input_schema, base, tool.description or "", read_only=reads)


def _extra_cases(tool: ToolInfo, options: CheckOptions) -> list[AwkwardCase]:
    """The tool's lookup of a missing name, and its long query (each only where the tool fits)."""
    base = options.tool_arguments.get(tool.name)
    cases = [
        lookup_miss_case(tool.name, tool.input_schema, base),
        long_query_case(tool.input_schema, base, tool.description or ""),
    ]
    return [c for c in cases if c is not None]


async def probe_inputs(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
    advance: Callable[[], None],
) -> None:
    """Call ``tool`` with each valid sample, each awkward case (repairing rejections), then the expensive input."""
    base = options.tool_arguments.get(tool.name)
    for index, arguments in enumerate(_valid_calls(tool, options)):
        observations.calls.append(await connection.call(tool.name, arguments, "valid"))
        advance()
        if index == 0 and tool.read_only:  # the identical call again, at once: a read's answer must not move
            observations.calls.append(await connection.call(tool.name, arguments, "read-repeat"))
            advance()
    for case in _extra_cases(tool, options):
        purpose: Purpose = "lookup-miss" if case.constraint == "lookup-miss" else case.kind
        observations.calls.append(
            await connection.call(
                tool.name, case.arguments, purpose, field=case.field, constraint=case.constraint
            )
        )
        advance()
    parameters = valid_samples(tool.input_schema, base)[-1]
    for case in awkward_cases(tool.input_schema, base, destructive=options.allow_writes):
        record = await connection.call(
            tool.name, case.arguments, case.kind, field=case.field, constraint=case.constraint
        )
        observations.calls.append(record)
        advance()
        if case.kind == "violation" and is_rejection(record):
            await _repair(connection, tool, record, parameters, observations)
    last = [c for c in (_expensive(tool, options), *_edge_cases(tool, options), _regex(tool, options)) if c]
    for case in last:  # grows by the alternation pattern when a filter refused the nested quantifier
        # A hang is followed by tools/list on the same session: did it block one call, or the server?
        endless = case.constraint in ("recursive-query", "catastrophic-regex")
        record = await connection.call(
            tool.name,
            case.arguments,
            case.kind,
            field=case.field,
            constraint=case.constraint,
            reconnect=not endless,
        )
        observations.calls.append(record)
        advance()
        if endless and record.outcome == "timeout":
            observations.survived_hang[tool.name] = await _still_answers(connection, options)
        elif (
            case.constraint == "catastrophic-regex"
            and is_rejection(record)
            and CATASTROPHIC_PATTERN in str(case.arguments.get(case.field or ""))
        ):  # a filter that knows (a+)+$ may not know (a|a)*$, which backtracks as badly (hold-out 7 ca-7)
            pattern = {**case.arguments, case.field or "": ALTERNATION_PATTERN}
            last.append(AwkwardCase(case.kind, case.field, case.constraint, pattern))
        await connection.recover()


async def _still_answers(connection: Connection, options: CheckOptions) -> bool:
    """Whether the session that left the endless query unanswered still answers ``tools/list`` (nothing is written)."""
    try:
        with anyio.fail_after(options.timeout):
            await connection.list_tools()
    except Exception:  # noqa: BLE001 - whatever the failure, the session does not answer
        return False
    return True


async def _repair(
    connection: Connection,
    tool: ToolInfo,
    rejected: CallRecord,
    parameters: dict[str, Any],
    observations: Observations,
) -> None:
    """Fix ``rejected`` from its error and call again, at most ``MAX_ROUNDS`` times; record the attempt.

    What the first error names and states is kept for the error rules; a repaired call that
    changes nothing is not made. A repaired write gets its own idempotency key (derived from
    its arguments), unless the fix was to the key itself.
    """
    key = idempotency_key_parameter(tool)
    created = {
        (name, value)
        for c in observations.calls_for(tool.name)
        if c.outcome == "result" and not c.is_error and not tool.read_only
        for name, value in c.arguments.items()
        if isinstance(value, str)
    }
    proposal = propose(rejected.arguments, read_error(rejected), parameters)
    named, stated, fixes = frozenset(proposal.named), frozenset(proposal.stated), list(proposal.fixes)
    calls: list[CallRecord] = []
    previous = rejected
    for _ in range(MAX_ROUNDS):
        arguments = proposal.arguments
        if arguments == previous.arguments:
            break
        if key is not None and key in arguments and arguments[key] == rejected.arguments.get(key):
            arguments = {**arguments, key: fresh_key(arguments, key)}
        arguments = fresh_targets(tool.name, arguments, created, parameters)
        previous = await connection.call(
            tool.name, arguments, "repair", field=rejected.field, constraint=rejected.constraint
        )
        if previous.outcome == "result" and not previous.is_error:
            created |= {(n, v) for n, v in arguments.items() if isinstance(v, str)}
        calls.append(previous)
        observations.calls.append(previous)
        if not is_rejection(previous):
            break
        proposal = propose(previous.arguments, read_error(previous), parameters)
        fixes += proposal.fixes
    observations.repairs.append(RepairAttempt(rejected, named, stated, tuple(fixes), tuple(calls)))
