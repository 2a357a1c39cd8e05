"""One client process for the concurrency tests: N concurrent identical calls over its own stdio server.

    python -m tests.idempotency.burst_client DB_URL TOOL ARGUMENTS_JSON N

Retries ``in_progress`` answers after their retry-after (as clients must), and prints
one JSON line per call: the final structuredContent and whether it was a replay.
"""

from __future__ import annotations

import json
import sys

import anyio
from mcp import Client, StdioServerParameters


async def main(db: str, tool: str, arguments: dict[str, object], count: int) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "helpdesk.cli", "--db", db])
    outcomes: list[dict[str, object]] = []
    async with Client(params, read_timeout_seconds=60) as client:

        async def one() -> None:
            for _ in range(200):
                result = await client.call_tool(tool, arguments)
                error = (result.meta or {}).get("io.wireproof/error") if result.is_error else None
                if error and error.get("retryable"):
                    await anyio.sleep(min(error.get("retry_after_ms") or 100, 200) / 1000)
                    continue
                outcomes.append(
                    {
                        "is_error": result.is_error,
                        "structured": result.structured_content,
                        "replayed": bool((result.meta or {}).get("io.wireproof/replayed")),
                    }
                )
                return
            outcomes.append({"is_error": True, "structured": "gave up"})

        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                for _ in range(count):
                    group.start_soon(one)
    for outcome in outcomes:
        print(json.dumps(outcome))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]))
