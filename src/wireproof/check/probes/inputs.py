"""The inputs probe: valid calls and awkward calls for one tool, recorded, never judged."""

from __future__ import annotations

from collections.abc import Callable

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.generate import awkward_cases, valid_samples
from wireproof.check.model import Observations, ToolInfo

__all__ = ["planned_input_calls", "probe_inputs"]


def planned_input_calls(tool: ToolInfo, options: CheckOptions) -> int:
    """How many calls ``probe_inputs`` will make for ``tool`` (for the progress bar)."""
    base = options.tool_arguments.get(tool.name)
    valid = len(valid_samples(tool.input_schema, base)) if tool.read_only else 0
    return valid + len(awkward_cases(tool.input_schema, base, destructive=options.allow_writes))


async def probe_inputs(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
    advance: Callable[[], None],
) -> None:
    """Call ``tool`` with each valid sample, then with each awkward case.

    A write's valid calls are the writes probe's to make (first call, repeat, ...): made here
    first, they would leave the writes probe nothing new to do (a commit already made).
    """
    base = options.tool_arguments.get(tool.name)
    for arguments in valid_samples(tool.input_schema, base) if tool.read_only else []:
        observations.calls.append(await connection.call(tool.name, arguments, "valid"))
        advance()
    for case in awkward_cases(tool.input_schema, base, destructive=options.allow_writes):
        record = await connection.call(
            tool.name, case.arguments, case.kind, field=case.field, constraint=case.constraint
        )
        observations.calls.append(record)
        advance()
