"""The connector: a registry of typed tools, served through one pipeline on the SDK's low-level server.

Every ``tools/call`` walks the same path, on every transport::

    find the tool      unknown → JSON-RPC -32602 naming the closest tools
    validate           the advertised input schema, then the cross-field rules
    claim the key      writes with an idempotency_key: replay · in progress · conflict · go
    run                async functions on the event loop, plain ones in a worker thread; writes
                       inside the store's transaction when it shares the connector's database
    shape              structuredContent from the output schema, and the same JSON as text
    complete           store the result with the key, in the same transaction as the effect

A ``WireproofError`` raised at any step becomes an ``isError`` result through
``render_tool_error``; any other exception becomes a masked ``InternalError``
whose correlation id is logged with the real cause.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import logging
import secrets
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from wireproof._execution import Execution, error_result
from wireproof.budget import DEFAULT_BUDGET_TOKENS
from wireproof.errors import WireproofError, describe_value
from wireproof.idempotency import IdempotencyStore
from wireproof.paging import CursorCodec
from wireproof.schema import ToolDefinitionError
from wireproof.tools import IDEMPOTENCY_KEY, Tool, ToolKind

__all__ = ["Connector"]

logger = logging.getLogger("wireproof")

StateT = TypeVar("StateT")
ToolFn = Callable[..., Any]


_PROCESS_ID = secrets.token_hex(3)
_CALLS = itertools.count(1)


def new_correlation_id() -> str:
    """A short id, unique across processes, that ties a client-visible error to its log line."""
    return f"c-{_PROCESS_ID}-{next(_CALLS)}"


class Connector(Generic[StateT]):
    """A named set of tools, served as an MCP server.

    Declare tools with ``@app.read(...)`` and ``@app.write(...)``; serve them with
    ``app.server(state)`` (an SDK ``Server``: pass it to ``mcp.Client`` in tests)
    or ``app.run_stdio(state)``. ``state`` is handed to every tool as ``ctx.state``.
    """

    def __init__(
        self,
        name: str,
        *,
        version: str = "0.0.0",
        instructions: str | None = None,
        budget_tokens: int = DEFAULT_BUDGET_TOKENS,
    ) -> None:
        self.name = name
        self.version = version
        self.instructions = instructions
        self.budget_tokens = budget_tokens
        self._cursors = CursorCodec()  # a random key per process, unless server(cursors=) names one
        self._tools: dict[str, Tool[StateT]] = {}

    @property
    def tools(self) -> dict[str, Tool[StateT]]:
        """The registered tools by name, in registration order (the order ``tools/list`` shows)."""
        return dict(self._tools)

    def _register(self, kind: ToolKind, **options: Any) -> Callable[[ToolFn], Tool[StateT]]:
        def decorate(fn: ToolFn) -> Tool[StateT]:
            tool: Tool[StateT] = Tool(fn, kind=kind, **options)
            if tool.name in self._tools:
                raise ToolDefinitionError(f"tool {tool.name} is registered twice")
            self._tools[tool.name] = tool
            return tool

        return decorate

    def read(
        self,
        *,
        name: str | None = None,
        title: str | None = None,
        open_world: bool = False,
        budget_tokens: int | None = None,
    ) -> Callable[[ToolFn], Tool[StateT]]:
        """Declare a read tool: it changes nothing, so it is annotated read-only and idempotent.

        Args:
            name: The tool's name; defaults to the function's name.
            title: A human-readable title for clients to show.
            open_world: True when the tool reaches beyond the connector's own data (the web, say).
            budget_tokens: This tool's response budget; defaults to the connector's.
        """
        return self._register(
            "read", name=name, title=title, open_world=open_world, budget_tokens=budget_tokens
        )

    def write(
        self,
        *,
        name: str | None = None,
        title: str | None = None,
        destructive: bool = True,
        idempotent: bool = False,
        open_world: bool = False,
        key: tuple[str, ...] | None = None,
        idempotency_key: bool = False,
    ) -> Callable[[ToolFn], Tool[StateT]]:
        """Declare a write tool, and how repeats of it are made safe.

        Args:
            name: The tool's name; defaults to the function's name.
            title: A human-readable title for clients to show.
            destructive: False only when the tool purely adds (never overwrites or deletes).
            idempotent: True only when repeating a call with the same arguments has no further effect.
            open_world: True when the effect reaches beyond the connector's own data.
            key: A natural key: the parameters that name the one record the tool creates or updates
                (upsert). The tool is annotated idempotent; its SQL must upsert on that key.
            idempotency_key: Add an optional ``idempotency_key`` argument: a repeat with the same key and
                arguments replays the first result; the same key with other arguments is refused.
        """
        return self._register(
            "write",
            name=name,
            title=title,
            destructive=destructive,
            idempotent=idempotent,
            open_world=open_world,
            key=key,
            idempotency_key=idempotency_key,
        )

    # -- the pipeline -----------------------------------------------------------------------

    def _find(self, name: str) -> Tool[StateT]:
        tool = self._tools.get(name)
        if tool is not None:
            return tool
        close = difflib.get_close_matches(name, list(self._tools), n=3, cutoff=0.5)
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        raise MCPError(
            types.INVALID_PARAMS,
            f"Unknown tool {describe_value(name)}.{suggestion} Call tools/list to see the tools this "
            f"server has.",
        )

    async def call(
        self,
        state: StateT,
        name: str,
        arguments: dict[str, Any] | None,
        store: IdempotencyStore | None = None,
        cursors: CursorCodec | None = None,
    ) -> types.CallToolResult:
        """Run one tool call through the whole pipeline and return its result.

        Raises:
            MCPError: the tool does not exist (-32602); everything else is a tool result.
        """
        tool = self._find(name)
        execution = Execution(
            tool,
            state,
            new_correlation_id(),
            store,
            cursors=cursors or self._cursors,
            budget_tokens=self.budget_tokens,
        )
        try:
            values = tool.bind(arguments or {})
            key = values.pop(IDEMPOTENCY_KEY, None) if tool.idempotency_key else None
            if key is not None:
                return await execution.run_keyed(key, values)
            shaped = await execution.run(values)
        except WireproofError as error:
            return error_result(error, execution.correlation_id)
        except Exception:  # noqa: BLE001 - the masking boundary: nothing untyped reaches a client
            return error_result(execution.internal_error(), execution.correlation_id)
        return execution.success(shaped)

    # -- serving ----------------------------------------------------------------------------

    def server(
        self, state: StateT, *, store: IdempotencyStore | None = None, cursors: CursorCodec | None = None
    ) -> Server[Any]:
        """The SDK low-level ``Server`` that serves these tools with ``state``.

        ``store`` keeps idempotency records; it is required when a tool takes an idempotency key,
        and on the connector's own database it gives write tools their transaction. The tool list
        is frozen here: tools registered later are not served by this server.
        """
        tools = dict(self._tools)
        keyed = [t.name for t in tools.values() if t.idempotency_key]
        if keyed and store is None:
            raise ToolDefinitionError(
                f"tools {', '.join(keyed)} take idempotency keys: serve them with store="
            )
        listing = types.ListToolsResult(tools=[tool.definition for tool in tools.values()])

        async def on_list_tools(
            ctx: Any, params: types.PaginatedRequestParams | None
        ) -> types.ListToolsResult:
            if params is not None and params.cursor is not None:
                raise MCPError(
                    types.INVALID_PARAMS, "Invalid cursor: this server lists every tool in one page"
                )
            return listing

        async def on_call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
            return await self.call(state, params.name, params.arguments, store, cursors)

        def input_schema(name: str) -> dict[str, Any] | None:
            tool = tools.get(name)
            return None if tool is None else tool.input.schema

        return Server(
            self.name,
            version=self.version,
            instructions=self.instructions,
            get_tool_input_schema=input_schema,
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
        )

    async def serve_stdio(
        self, state: StateT, *, store: IdempotencyStore | None = None, cursors: CursorCodec | None = None
    ) -> None:
        """Serve over stdin/stdout until the client closes the stream."""
        server = self.server(state, store=store, cursors=cursors)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    def run_stdio(
        self, state: StateT, *, store: IdempotencyStore | None = None, cursors: CursorCodec | None = None
    ) -> None:
        """Blocking form of ``serve_stdio`` for a console script's ``main``."""
        anyio.run(functools.partial(self.serve_stdio, state, store=store, cursors=cursors))
