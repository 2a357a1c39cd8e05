"""The guard: an upstream server's tools, made library ``Tool``s and served through the one pipeline.

At start the guard lists the upstream's tools, keeps those the policy allows (and, with a pin
file, those whose definitions are unchanged), tightens each input schema, and registers a
``Tool.from_schema`` whose function forwards the validated call upstream. Authorization,
validation and its errors, idempotency keys and their store, timeouts, budgets, cursors and the
audit line are the connector's; the guard adds only what is about the upstream::

    forward(ctx, arguments)
      ├─ a cursor?            check it (signed: tool, arguments, caller, digest of the full answer)
      ├─ dedupe window?       an identical call within the window answers the first result (in the store)
      ├─ upstream.call        down → retryable unavailable (restarting) · JSON-RPC error → typed
      ├─ isError / disguised  → a typed error (masked when it shows internals)
      └─ a JSON array over the budget → its first page and a next_cursor
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Final

import mcp_types as types
import pydantic_core
from mcp.shared.exceptions import MCPError

from wireproof._version import __version__
from wireproof.budget import BYTES_PER_TOKEN, DEFAULT_BUDGET_TOKENS, FRAME_BYTES, wire_bytes
from wireproof.connector import Connector
from wireproof.errors import FieldError, InvalidInput
from wireproof.guard._answers import disguised_failure, hide_roots, upstream_error, upstream_failure
from wireproof.guard._dedupe import DedupeWindow
from wireproof.guard._pin import PinFile
from wireproof.guard._policy import GuardConfigError, GuardPolicy, ToolPolicy
from wireproof.guard._schema import tighten_schema
from wireproof.guard._upstream import UpstreamCalls
from wireproof.idempotency import IdempotencyStore, MemoryIdempotencyStore
from wireproof.tools import Tool, ToolAnswer, ToolContext

__all__ = ["CURSOR", "DEFAULT_READ_SCOPE", "DEFAULT_WRITE_SCOPE", "GuardedTools", "guarded_connector"]

logger = logging.getLogger("wireproof.guard")

CURSOR: Final = "cursor"
DEFAULT_READ_SCOPE: Final = "guard:read"
DEFAULT_WRITE_SCOPE: Final = "guard:write"
CURSOR_SCHEMA: Final = {
    "description": (
        "Where to continue an answer that was too long for one reply: the next_cursor of the previous "
        "reply to the same call; omit it for the first call."
    ),
    "type": "string",
    "minLength": 1,
    "maxLength": 2048,
}
_PAGE_ABOVE: Final = 0.8
"""An array answer is paged from this share of the budget (the library measures escapes on top)."""
_PAGE_SHARE: Final = 0.85
"""Of the room left for items, what one page takes (a margin for escapes the estimate misses)."""
_PAGE_EXTRAS: Final = 800


@dataclass(slots=True)
class GuardedTools:
    """What the guard made of the upstream's listing: the served tools and why each other one is not."""

    connector: Connector[None]
    served: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def _array_of(result: types.CallToolResult) -> list[Any] | None:
    """The JSON array an answer is, if it is one (as structuredContent, its ``result``, or its text)."""
    structured = result.structured_content
    if (
        isinstance(structured, dict)
        and set(structured) == {"result"}
        and isinstance(structured["result"], list)
    ):
        return structured["result"]
    if isinstance(structured, list):
        return structured
    texts = [b.text for b in result.content if isinstance(b, types.TextContent)]
    if len(texts) == 1 and len(result.content) == 1 and texts[0].lstrip()[:1] == "[":
        try:
            parsed = pydantic_core.from_json(texts[0])
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _may_be_array(result: types.CallToolResult) -> bool:
    """Whether ``_array_of`` could find an array, judged without encoding or parsing anything: most
    answers are not arrays, and measuring them here would encode each answer once more than the
    library's budget check already does."""
    structured = result.structured_content
    if isinstance(structured, list) or (
        isinstance(structured, dict) and len(structured) == 1 and isinstance(structured.get("result"), list)
    ):
        return True
    content = result.content
    return (
        len(content) == 1
        and isinstance(content[0], types.TextContent)
        and content[0].text.lstrip()[:1] == "["
    )


def _answer_bytes(result: types.CallToolResult) -> int:
    return len(result.model_dump_json(by_alias=True, exclude_none=True))


class _Forward:
    """The function of one guarded tool: forward the validated call and type what comes back."""

    def __init__(
        self,
        upstream: UpstreamCalls,
        tool: types.Tool,
        policy: ToolPolicy,
        guard: GuardPolicy,
        store: IdempotencyStore,
        *,
        paged: bool,
    ) -> None:
        self.upstream = upstream
        self.name = tool.name
        self.rules = (*policy.error_when, *guard.error_when)
        self.paged = paged
        self.budget_bytes = (guard.budget_tokens or DEFAULT_BUDGET_TOKENS) * BYTES_PER_TOKEN
        self.dedupe = (
            DedupeWindow(store, tool.name, policy.dedupe_window) if policy.dedupe_window is not None else None
        )

    async def __call__(self, ctx: ToolContext[None], arguments: dict[str, Any]) -> ToolAnswer:
        arguments = dict(arguments)  # the caller's own dict stays as it came (the audit line reads it)
        cursor = arguments.pop(CURSOR, None) if self.paged else None
        if self.dedupe is None:
            return await self._answer(ctx, arguments, cursor)
        return (
            await self.dedupe.answer(  # concurrent identical calls: the first runs, the others get its answer
                ctx.principal.id, arguments, lambda: self._answer(ctx, arguments, cursor)
            )
        )

    async def _answer(
        self, ctx: ToolContext[None], arguments: dict[str, Any], cursor: str | None
    ) -> ToolAnswer:
        position = ctx.paging.position(cursor, arguments) if cursor is not None else None
        try:
            result = await self.upstream.call(self.name, arguments, deadline=ctx.deadline)
        except MCPError as error:
            raise upstream_error(self.name, error, ctx.correlation_id) from None
        if result.is_error:
            raise upstream_failure(self.name, result, ctx.correlation_id)
        disguised = disguised_failure(self.name, result, self.rules, ctx.correlation_id)
        if disguised is not None:
            raise disguised
        result = hide_roots(result, arguments)
        if (
            self.paged
            and _may_be_array(result)
            and (position is not None or _answer_bytes(result) > self.budget_bytes * _PAGE_ABOVE)
        ):
            items = _array_of(result)
            if items is not None:
                return self._page(ctx, arguments, items, position)
        return ToolAnswer(content=list(result.content), structured=result.structured_content)

    def _page(
        self, ctx: ToolContext[None], arguments: dict[str, Any], items: list[Any], position: Any
    ) -> ToolAnswer:
        """One page of a JSON array answer, from the cursor's offset, with a cursor to continue."""
        encoded = [pydantic_core.to_json(item) for item in items]
        digest = hashlib.sha256(b"\n".join(encoded)).hexdigest()[:32]
        start = 0
        if position is not None:
            if not isinstance(position, dict) or position.get("digest") != digest:
                raise InvalidInput(
                    f"The answer of {self.name} changed since this cursor was made",
                    code="cursor_stale",
                    fields=[
                        FieldError(
                            CURSOR,
                            "belongs to an answer that has changed since",
                            "no cursor: call again without it to start from the first page",
                        )
                    ],
                )
            start = int(position.get("offset", 0))
        # Items go on the wire twice (structuredContent and its text copy), beside the frame, the
        # note and the cursor (each twice too, about 800 bytes); escapes are counted on top.
        room = int((self.budget_bytes - FRAME_BYTES - 2 * _PAGE_EXTRAS) / 2 * _PAGE_SHARE)
        end, used = start, 0
        while end < len(items) and (end == start or used + len(encoded[end]) + 1 <= room):
            used += len(encoded[end]) + 1
            end += 1
        page: dict[str, Any] = {"items": items[start:end], "total": len(items), "offset": start}
        if end < len(items):
            page["next_cursor"] = ctx.paging.cursor(arguments, {"offset": end, "digest": digest})
            page["note"] = (
                f"Items {start + 1} to {end} of {len(items)}: the whole answer is over the response budget. "
                "Call again with the same arguments and cursor=next_cursor for the rest."
            )
        text = pydantic_core.to_json(page).decode()
        return ToolAnswer(content=[types.TextContent(text=text)], structured=page)


def _scopes(kind: str, policy: ToolPolicy) -> frozenset[str]:
    if policy.scopes is not None:
        return policy.scopes
    return frozenset({DEFAULT_READ_SCOPE if kind == "read" else DEFAULT_WRITE_SCOPE})


def _make_tool(
    upstream: UpstreamCalls, tool: types.Tool, guard: GuardPolicy, store: IdempotencyStore
) -> Tool[None]:
    policy = guard.tool(tool.name)
    hints = tool.annotations or types.ToolAnnotations()
    kind = policy.kind or ("read" if hints.read_only_hint is True else "write")
    schema = tighten_schema(tool.name, tool.input_schema, policy)
    paged = kind == "read" and CURSOR not in schema["properties"]
    if paged:
        schema["properties"][CURSOR] = dict(CURSOR_SCHEMA)
    forward = _Forward(upstream, tool, policy, guard, store, paged=paged)
    return Tool.from_schema(
        tool.name,
        schema,
        forward,
        kind=kind,
        description=policy.description or tool.description or "",
        title=tool.title or hints.title,
        destructive=hints.destructive_hint is not False,
        idempotent=hints.idempotent_hint is True,
        open_world=hints.open_world_hint is not False,
        idempotency_key=kind == "write" and policy.idempotency_key,
        scopes=() if policy.public else _scopes(kind, policy),
        public=policy.public,
        timeout=policy.timeout or guard.timeout,
        effect="external",
    )


def listing_bytes(connector: Connector[None]) -> int:
    """The most bytes the ``tools/list`` answer of every served tool takes on the wire (escapes and
    the JSON-RPC frame counted as for an answer): what a caller permitted every tool reads."""
    listing = types.ListToolsResult(tools=[tool.definition for tool in connector.tools.values()])
    return FRAME_BYTES + wire_bytes(listing.model_dump_json(by_alias=True, exclude_none=True))


def check_listing_budget(connector: Connector[None], budget_tokens: int) -> None:
    """Refuse to start when the served tools' listing is over the response budget.

    A listing sits in the model's context on every turn, and its descriptions are what a reviewer
    read (and pinned): the guard does not cut them behind the operator's back. It stops at start,
    naming the largest tools and the three ways out (serve fewer, shorten a description in the
    policy, or raise ``budget_tokens``).

    Raises:
        GuardConfigError: the listing is over ``budget_tokens``.
    """
    size, budget = listing_bytes(connector), budget_tokens * BYTES_PER_TOKEN
    if size <= budget:
        return
    sizes = sorted(
        (
            (len(tool.definition.model_dump_json(by_alias=True, exclude_none=True)), name)
            for name, tool in connector.tools.items()
        ),
        reverse=True,
    )
    largest = ", ".join(f"{name} ({count:,} bytes)" for count, name in sizes[:3])
    raise GuardConfigError(
        f"the tools/list answer of the {len(sizes)} served tools is about {size // BYTES_PER_TOKEN:,} tokens "
        f"({size:,} bytes), over the budget of {budget_tokens:,} tokens; largest: {largest}. Serve fewer "
        "tools (--allow, or allow/deny in the policy), shorten a description in the policy "
        '([tools.NAME] description = "..."), or raise budget_tokens'
    )


async def guarded_connector(
    upstream: UpstreamCalls,
    policy: GuardPolicy,
    *,
    pin: PinFile | None = None,
    approve: tuple[str, ...] = (),
    name: str = "wireproof-guard",
    store: IdempotencyStore | None = None,
) -> GuardedTools:
    """The connector serving the upstream's allowed (and, with ``pin``, unchanged) tools.

    ``store`` keeps the policy's dedupe windows (give the one the connector is served with, so a
    restarted guard still deduplicates); without one they live in this process's memory.

    Raises:
        GuardConfigError: the policy names arguments a tool does not have, or the ``tools/list``
            answer of the served tools is over the budget (see ``check_listing_budget``).
    """
    listed = await upstream.list_tools()
    connector: Connector[None] = Connector(
        name,
        version=__version__,  # a client sees which wireproof guards the server, not "0.0.0"
        budget_tokens=policy.budget_tokens or DEFAULT_BUDGET_TOKENS,
        timeout=policy.timeout,
        rate_limit=policy.rate_limit,
    )
    made = GuardedTools(connector)
    dedupe_store = store if store is not None else MemoryIdempotencyStore()
    allowed: list[types.Tool] = []
    for tool in listed:
        read_only = tool.annotations is not None and tool.annotations.read_only_hint is True
        reason = policy.refusal(tool.name, read_only_hint=read_only)
        if reason is None:
            allowed.append(tool)
        else:
            made.refused[tool.name] = reason
    if pin is not None:
        allowed, withheld = pin.review(allowed, approve)
        made.refused.update(withheld)
    for tool in allowed:
        connector.add(_make_tool(upstream, tool, policy, dedupe_store))
        made.served.append(tool.name)
    check_listing_budget(connector, policy.budget_tokens or DEFAULT_BUDGET_TOKENS)
    unlisted = sorted(set(policy.tools) - {tool.name for tool in listed})
    if unlisted:
        logger.warning("the policy has tables for tools the upstream does not list: %s", ", ".join(unlisted))
    return made
