"""The lock rule: a tool added, removed or changed since the lock (``--lock FILE``) was recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final

from wireproof.check.model import Evidence, ToolInfo, truncate
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.lock import LockFileError, ToolDefinition

__all__ = ["definition_of"]

DIFF_CHARS: Final = 2_000
"""How much of a changed tool's diff a finding carries (the reviewer reads the rest with --update-lock)."""
_LISTING: Final = {"method": "tools/list"}
_ACCEPT: Final = "after review, accept it with --update-lock (the lock is rewritten)"


def definition_of(tool: ToolInfo) -> ToolDefinition:
    """The pinned part of a listed tool."""
    return ToolDefinition(
        tool.name, tool.description, tool.input_schema, tool.output_schema, tool.annotations
    )


@rule(
    "protocol.definitions-changed",
    "error",
    reference="MCP 2026-07-28, server/tools (list changed notification); OWASP MCP Top 10, tool poisoning",
)
def definitions_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Tool definitions changed since the lock

    A model follows a tool's description and schema as instructions: a server that adds a tool or changes
    one after it was reviewed (a rug pull, or an unreviewed release) must not be trusted silently."""
    lock = ctx.options.lock
    if lock is None or ctx.observations.listing_error is not None:
        return
    try:
        diff = lock.compare(definition_of(t) for t in ctx.observations.tools)
    except LockFileError as exc:  # two tools of one name: the lock cannot say which is which
        yield Hit(None, f"The listing cannot be compared with the lock: {exc}.", Evidence(call=_LISTING))
        return
    only = ctx.options.only_tools
    for added in diff.added:
        yield Hit(
            added.name,
            f"The tool {added.name} is not in the lock: it was added since the lock was recorded.",
            Evidence(
                call=_LISTING, answer=truncate(json.dumps(added.fields(), ensure_ascii=False)), note=_ACCEPT
            ),
        )
    for removed in diff.removed:
        if only and removed.name not in only:
            continue  # --tool: the tools not asked for are not listed here, not removed
        yield Hit(
            removed.name,
            f"The tool {removed.name} is in the lock but the server no longer lists it.",
            Evidence(call=_LISTING, note=_ACCEPT),
        )
    for change in diff.changed:
        yield Hit(
            change.name,
            f"The tool's {', '.join(change.fields)} changed since the lock was recorded.",
            Evidence(call=_LISTING, answer=truncate(change.diff(), DIFF_CHARS), note=_ACCEPT),
        )
