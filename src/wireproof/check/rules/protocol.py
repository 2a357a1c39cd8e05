"""Protocol rules: the tool listing itself, and whether any tool could be called at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from wireproof.check.model import CallRecord, Evidence
from wireproof.check.rules._registry import Hit, RuleContext, rule


@rule("protocol.list-tools-failed", "error", reference="MCP 2026-07-28, server/tools (tools/list)")
def list_tools_failed(ctx: RuleContext) -> Iterator[Hit]:
    """tools/list failed

    A connector that cannot list its tools cannot be used."""
    if ctx.observations.listing_error:
        yield Hit(
            None,
            f"tools/list failed: {ctx.observations.listing_error}",
            Evidence(call={"method": "tools/list"}),
        )


@rule("protocol.stdout-not-json", "error", reference="MCP 2026-07-28, basic/transports (stdio)")
def stdout_not_json(ctx: RuleContext) -> Iterator[Hit]:
    """A stdio server that writes other things than messages to stdout

    Over stdio, stdout is the protocol channel: the server MUST NOT write anything to it that is not a
    valid MCP message. A banner, a log line or a pretty-printed result on stdout (print() in a handler, a
    library's start-up message) reaches the client as a line it cannot parse: strict clients drop the
    connection, others log an error for every line, and a line that happens to parse is taken for an
    answer. Counted on every session of the check, and on one more start of the server with its stdin at
    end of file and PYTHONUNBUFFERED=1 (a banner printed into a buffer reaches a client only later, when the
    buffer fills). Write logs to stderr (or as notifications/message)."""
    observations = ctx.observations
    if observations.stdout_fault_count:
        lines = observations.stdout_faults
        first = f" (the first: {lines[0][:80]!r})" if lines else ""
        yield Hit(
            None,
            f"The server wrote {observations.stdout_fault_count} line(s) to stdout that are no JSON-RPC "
            f"message{first}: stdout is the protocol channel; write logs and banners to stderr.",
            Evidence(answer="\n".join(lines)[:600], note="stdout lines the client could not parse"),
        )


@rule("protocol.list-not-deterministic", "error", reference="MCP 2026-07-28, server/tools (listing tools)")
def list_not_deterministic(ctx: RuleContext) -> Iterator[Hit]:
    """tools/list not deterministic

    tools/list SHOULD be deterministic: clients cache it, and a shifting list breaks prompt caching."""
    listings = ctx.observations.listings
    if len(listings) >= 2 and any(listing != listings[0] for listing in listings[1:]):
        yield Hit(
            None,
            "Listing the tools twice gave different answers.",
            Evidence(call={"method": "tools/list"}, answer=" | ".join(", ".join(n) for n in listings)[:600]),
        )


@rule(
    "protocol.no-tools",
    "error",
    reference="MCP 2026-07-28, server/tools (tools/list); wireproof MISSION property 1 (fail closed)",
)
def no_tools(ctx: RuleContext) -> Iterator[Hit]:
    """No tools listed

    A connector without tools can do nothing, and an empty tools/list is most often a credential problem
    hidden as an empty list: a server must refuse a missing or bad credential loudly."""
    if ctx.observations.listing_error is None and not ctx.observations.tools:
        yield Hit(
            None,
            "tools/list answered an empty list, so nothing could be checked. If the server needs a "
            "credential, give it (--env NAME=VALUE) and make it refuse loudly without one; otherwise "
            "register its tools.",
            Evidence(call={"method": "tools/list"}, answer='{"tools": []}'),
        )


def _answered(call: CallRecord) -> bool:
    """A tool call of the check proper (not an auth case or observer) that came back as a tool result."""
    return call.outcome == "result" and call.purpose not in ("auth-case", "observe", "unknown-tool")


@rule(
    "protocol.no-tool-called",
    "error",
    reference="wireproof MISSION: a connector is tested before it is trusted",
)
def no_tool_called(ctx: RuleContext) -> Iterator[Hit]:
    """No tool could be called

    A check that called no tool has judged nothing but the listing; it must fail, not pass with perfect
    scores, and say what to run to test the server."""
    observations = ctx.observations
    if not observations.tools or any(_answered(c) for c in observations.calls):
        return
    made = [c for c in observations.calls if c.purpose not in ("auth-case", "observe", "unknown-tool")]
    if not made:
        skipped = sorted(observations.skipped)
        yield Hit(
            None,
            f"No tool was called: all {len(skipped)} tools are not annotated readOnlyHint: true, so they "
            "count as writes. Rerun with --allow-writes against a test account (never production data).",
            Evidence(note="skipped: " + ", ".join(skipped)[:500]),
        )
        return
    outcomes = Counter(c.outcome for c in made)
    summary = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(outcomes.items()))
    yield Hit(
        None,
        f"None of the {len(made)} tool calls came back as a tool result ({summary}). Fix what the "
        "findings above show, or rerun with a longer --timeout or sample arguments in --config "
        "([tools.NAME] arguments = {...}).",
        made[0].evidence(),
    )


@rule(
    "protocol.unknown-tool-accepted",
    "error",
    reference="MCP 2026-07-28, server/tools (error handling: unknown tools are protocol errors)",
)
def unknown_tool_accepted(ctx: RuleContext) -> Iterator[Hit]:
    """A call of a tool that does not exist is not refused

    A tools/call naming a tool the server does not list must fail: a JSON-RPC error (-32602, unknown tool)
    or an isError result. Answered as a success, a misspelt tool name looks to the model like a call that
    worked. The probe calls wireproof_no_such_tool with no arguments."""
    call = ctx.observations.unknown_tool
    if call is None or call.outcome == "protocol_error" or (call.outcome == "result" and call.is_error):
        return
    if call.outcome == "result":
        yield Hit(
            None,
            f"A call of {call.tool}, a tool the server does not list, was answered as a success "
            "(isError: false); refuse an unknown tool with a JSON-RPC error or an isError result.",
            call.evidence(),
        )
    else:
        yield Hit(
            None,
            f"A call of {call.tool}, a tool the server does not list, got no answer ({call.outcome}).",
            call.evidence(),
        )


@rule(
    "protocol.unknown-tool-as-result",
    "warning",
    reference='MCP 2026-07-28, server/tools (error handling: "Unknown tool" is a protocol error, JSON-RPC -32602; '
    "SEP-2145, which would make it a tool execution error, is not in any released revision)",
)
def unknown_tool_as_result(ctx: RuleContext) -> Iterator[Hit]:
    """A call of a tool that does not exist is answered as a tool result

    Every released revision of the spec, 2026-07-28 included, lists an unknown tool among the protocol
    errors and shows it as JSON-RPC -32602 "Unknown tool: NAME". An isError result instead tells a client
    the tool ran and failed: it cannot tell a misspelt name from a failing tool, and retries or reports it
    as a tool fault. (The Python SDK's high-level MCPServer answers this way, as an isError result; the
    low-level server and the TypeScript SDK answer -32602.) Only a warning: the model still reads a refusal."""
    call = ctx.observations.unknown_tool
    if call is not None and call.outcome == "result" and call.is_error:
        yield Hit(
            None,
            f"A call of {call.tool}, a tool the server does not list, was answered as a tool result with "
            'isError: true; the spec\'s answer is a JSON-RPC error (-32602, "Unknown tool: NAME").',
            call.evidence(),
        )
