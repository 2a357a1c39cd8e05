"""The restart probe: do acknowledged writes outlive the server process that acknowledged them?

Only with --allow-writes and observers, over stdio (the checker starts the server, so it can start a second
one). After the writes probe of the first write whose effect the observers show (a later write, such as a
reload of the data, may undo it), the observers are read on the check's own connection (``last``) and on a
fresh instance of the same command (``fresh``), started while the first still runs: a store that writes
before it acknowledges shows the fresh instance what the first one shows. One that keeps its data in a
temporary copy, or in memory until a clean exit, shows the state before the writes (``first``, read
before the first probe that may write). ``idempotency.writes-not-durable`` judges.
"""

from __future__ import annotations

from wireproof.check.client import CheckTargetError, Connection, connect
from wireproof.check.config import CheckOptions
from wireproof.check.model import Observations, RestartObservation, ToolInfo
from wireproof.check.probes.writes import snapshot

__all__ = ["probe_restart", "restart_applies"]


def restart_applies(connection: Connection, writes: list[ToolInfo], options: CheckOptions) -> bool:
    """Whether the probe runs: writes were probed, with observers, on a server the checker started."""
    return bool(writes) and bool(options.observers) and connection.target.transport == "stdio"


async def probe_restart(
    connection: Connection, first: str | None, options: CheckOptions, observations: Observations
) -> None:
    """Read the observers here and on a fresh instance; record both beside ``first``, the observers read
    before any probe that may write (the path and escape probes included)."""
    if first is None:
        return
    last = await snapshot(connection, options)
    try:
        async with connect(connection.target, options.timeout, options.setup) as fresh:
            again = await snapshot(fresh, options)
    except (
        CheckTargetError
    ) as exc:  # a store one process holds locked: nothing to compare, not the check's end
        observations.restart = RestartObservation(first, last, None, str(exc)[:300])
        return
    observations.restart = RestartObservation(first, last, again)
