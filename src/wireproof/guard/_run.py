"""Running the guard: start the upstream, build the guarded connector, serve it over stdio or HTTP.

Over stdio the upstream's session and the served one share one event loop. Over HTTP, uvicorn
runs its own loop, so the upstream is supervised in a loop of its own (a blocking portal in a
thread) and each forwarded call crosses to it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types

from wireproof.auth import LOCAL_OPERATOR, KeysFile
from wireproof.connector import PrincipalSource
from wireproof.errors import AuthError
from wireproof.guard._guard import GuardedTools, guarded_connector
from wireproof.guard._pin import PinFile
from wireproof.guard._policy import GuardConfigError, GuardPolicy
from wireproof.guard._upstream import Upstream, UpstreamSpec, UpstreamStartError
from wireproof.idempotency import IdempotencyStore, open_store
from wireproof.schema import ToolDefinitionError
from wireproof.serve import HttpSettings, serve

__all__ = ["GuardOptions", "default_store_url", "serve_guard_http", "serve_guard_stdio"]

logger = logging.getLogger("wireproof.guard")


def default_store_url(spec: UpstreamSpec) -> str:
    """A SQLite file of the guard's own for this upstream, under the user's state directory: records
    survive restarts, and two guarded servers never share a key space."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "wireproof" / "guard"
    base.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(spec.describe().encode()).hexdigest()[:16]
    return f"sqlite:///{base / f'idempotency-{digest}.sqlite'}"


@dataclass(frozen=True, slots=True)
class GuardOptions:
    """Everything ``wireproof guard`` was told.

    upstream (UpstreamSpec): the guarded server.
    policy (GuardPolicy): the policy, already narrowed by ``--read-only`` and ``--allow``.
    store_url (str): where idempotency records live (``sqlite:///…``, ``postgresql://…``, ``memory:``).
    pin (Path | None): the pin file, or None for no pinning.
    approve (tuple[str, ...]): tools whose changed definitions are approved at this start.
    keys_file (Path | None): API keys for stdio callers (with ``key_env``), else the local operator.
    key_env (str | None): the variable holding the stdio caller's key; never passed upstream.
    """

    upstream: UpstreamSpec
    policy: GuardPolicy
    store_url: str
    pin: Path | None = None
    approve: tuple[str, ...] = ()
    keys_file: Path | None = None
    key_env: str | None = None

    def principal(self) -> PrincipalSource:
        if self.keys_file is None:
            return LOCAL_OPERATOR
        return KeysFile(self.keys_file).from_env(self.key_env or "WIREPROOF_API_KEY")


def _announce(made: GuardedTools) -> None:
    print(
        f"wireproof guard: serving {len(made.served)} of {len(made.served) + len(made.refused)} upstream tools"
        + (f" ({', '.join(made.served)})" if made.served else ""),
        file=sys.stderr,
    )
    for name, reason in made.refused.items():
        print(f"wireproof guard: not serving {name}: {reason}", file=sys.stderr)


async def _build(upstream: Upstream, options: GuardOptions, store: IdempotencyStore) -> GuardedTools:
    pin = PinFile.open(options.pin) if options.pin is not None else None
    made = await guarded_connector(upstream, options.policy, pin=pin, approve=options.approve, store=store)
    _announce(made)
    return made


async def serve_guard_stdio(options: GuardOptions) -> None:
    """Serve the guarded tools over this process's stdio until the client closes it.

    Raises:
        UpstreamStartError: the upstream could not be started.
        GuardConfigError: the policy does not fit the upstream's tools.
        AuthError: the stdio caller's key (``key_env``) fails.
    """
    store = open_store(options.store_url)
    upstream = Upstream(options.upstream, call_timeout=options.policy.timeout + 5)
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(upstream.supervise)
            await upstream.wait_started()
            made = await _build(upstream, options, store)
            await made.connector.serve_stdio(None, principal=options.principal(), store=store)
            tasks.cancel_scope.cancel()
    except BaseExceptionGroup as group:  # a failure to start, raised inside the supervisor's task group
        first = _only(group)
        if isinstance(first, UpstreamStartError | GuardConfigError | AuthError | ToolDefinitionError):
            raise first from None
        raise
    finally:
        store.close()


def _only(group: BaseExceptionGroup[Any]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


class _PortalUpstream(Upstream):
    """The upstream, supervised in another event loop; calls cross to it through a blocking portal."""

    def __init__(self, inner: Upstream, portal: anyio.from_thread.BlockingPortal) -> None:
        self.inner, self.portal = inner, portal
        self.spec = inner.spec

    async def list_tools(self) -> list[types.Tool]:
        return await anyio.to_thread.run_sync(self.portal.call, self.inner.list_tools)

    async def call(
        self, name: str, arguments: dict[str, Any], *, deadline: float | None = None
    ) -> types.CallToolResult:
        # The deadline stays here: the pipeline's cancel scope is in this loop, not the upstream's,
        # where the call keeps its backstop (``Upstream.call_timeout``) once this side stops waiting.
        del deadline
        forward = functools.partial(self.inner.call, name, arguments)
        return await anyio.to_thread.run_sync(self.portal.call, forward, abandon_on_cancel=True)


def serve_guard_http(options: GuardOptions, settings: HttpSettings) -> int:
    """Serve the guarded tools over stateless Streamable HTTP with the library's one serving call
    (``wireproof.serve.serve``: ``wireproof serve``'s settings, auth, store and shutdown); return its
    exit code. ``/readyz`` answers 503 while the upstream is down."""
    upstream = Upstream(options.upstream, call_timeout=options.policy.timeout + 5)
    dedupe_store = open_store(options.store_url)  # the dedupe windows' records, beside serve's own store
    with contextlib.closing(dedupe_store), anyio.from_thread.start_blocking_portal() as portal:
        supervising = portal.start_task_soon(upstream.supervise)
        try:
            portal.call(upstream.wait_started)
            made = anyio.run(_build, _PortalUpstream(upstream, portal), options, dedupe_store)
            return serve(
                made.connector,
                None,
                transport="http",
                settings=settings,
                database=options.store_url,
                ready=lambda: upstream.is_up,
                program="wireproof guard",
            )
        finally:
            supervising.cancel()
