"""Where a wireproof call spends its time: a profile of the in-memory echo path.

Two views of the same ``echo`` tool as ``bench_core.py`` measures it:

1. cProfile over sequential ``Client(server).call_tool`` calls (default 3,000),
   its own time summed by where the code lives (wireproof, the SDK, pydantic,
   jsonschema, ...), then the top functions by own time, and every function in
   ``src/wireproof`` by cumulative time;
2. the server-side handler alone, without client or dispatcher: wireproof's
   ``Connector.call`` against MCPServer's handler and the low-level one, timed
   over many calls, then wireproof's pipeline step by step.

Usage::

    python bench/profile_core.py                 # 3,000 profiled calls
    python bench/profile_core.py --calls 10000 --top 40
    python bench/profile_core.py --server mcpserver   # the same view of another server
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pydantic_core
from mcp import Client

from servers.echo import SERVERS, build_lowlevel, build_mcpserver, build_wireproof, echo, wireproof_app
from wireproof import LOCAL_OPERATOR
from wireproof.connector import new_correlation_id

ARGUMENTS = {"text": "hello"}
CALL_TIMEOUT = 10.0
PROFILE_TIMEOUT = 300.0

AREAS = (
    ("wireproof", "/src/wireproof/"),
    ("bench (echo tool)", "/bench/"),
    ("mcp SDK: client", "/mcp/client/"),
    ("mcp SDK: server", "/mcp/server/"),
    ("mcp SDK: shared", "/mcp/shared/"),
    ("mcp_types (wire models)", "/mcp_types/"),
    ("pydantic", "/pydantic"),
    ("jsonschema / referencing", "/jsonschema"),
    ("jsonschema / referencing", "/referencing/"),
    ("anyio", "/anyio/"),
    ("opentelemetry", "/opentelemetry/"),
    ("asyncio / stdlib", "/lib/python3"),
)


def area(filename: str) -> str:
    """Which body of code a profiled function's file belongs to."""
    for name, marker in AREAS:
        if marker in filename:
            return name
    return "builtins / C" if filename.startswith(("~", "<")) else "other"


def where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in ("/site-packages/", "/src/", "/bench/", "/lib/python3.11/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({name})" if line else name


BUILDERS: dict[str, Callable[[], Any]] = {
    "wireproof": build_wireproof,
    "mcpserver": build_mcpserver,
    "lowlevel": build_lowlevel,
}


async def profiled_calls(server_name: str, calls: int) -> cProfile.Profile:
    server = BUILDERS[server_name]()
    profile = cProfile.Profile()
    with anyio.fail_after(PROFILE_TIMEOUT):
        async with Client(server) as client:
            for _ in range(50):
                with anyio.fail_after(CALL_TIMEOUT):
                    await client.call_tool("echo", ARGUMENTS)
            profile.enable()
            for _ in range(calls):
                with anyio.fail_after(CALL_TIMEOUT):
                    await client.call_tool("echo", ARGUMENTS)
            profile.disable()
    return profile


def report_profile(profile: cProfile.Profile, server_name: str, calls: int, top: int) -> None:
    stats = pstats.Stats(profile, stream=io.StringIO())
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    by_area: dict[str, float] = defaultdict(float)
    for func, (_, _, tottime, _, _) in raw.items():
        by_area[area(func[0])] += tottime
    print(
        f"cProfile, {calls:,} in-memory calls to {server_name}'s echo: {total * 1e6 / calls:.1f} us/call profiled"
    )
    print("(profiling inflates every function call; read the shares, not the absolute times)")
    print()
    print("own time by area                   us/call   share")
    for name, seconds in sorted(by_area.items(), key=lambda item: -item[1]):
        print(f"  {name:<30} {seconds * 1e6 / calls:9.1f}  {seconds / total:6.1%}")
    print()
    print(f"top {top} functions by own time        us/call   share  calls/call")
    ranked = sorted(raw.items(), key=lambda item: -item[1][2])[:top]
    for func, (_, ncalls, tottime, _, _) in ranked:
        print(f"  {tottime * 1e6 / calls:7.2f}  {tottime / total:6.1%}  {ncalls / calls:6.1f}  {where(func)}")
    print()
    print("wireproof's own functions by cumulative time (includes what they call)")
    print("   cum us/call  own us/call  calls/call  function")
    ours = [(func, entry) for func, entry in raw.items() if "/src/wireproof/" in func[0]]
    for func, (_, ncalls, tottime, cumtime, _) in sorted(ours, key=lambda item: -item[1][3]):
        print(
            f"  {cumtime * 1e6 / calls:11.2f}  {tottime * 1e6 / calls:11.2f}  {ncalls / calls:10.1f}  {where(func)}"
        )


async def per_call_us(fn: Callable[[], Any], count: int) -> float:
    """Median over 7 rounds of the mean time of one ``fn()``, awaited if it returns an awaitable.

    Includes the loop and the ``fn`` call itself (see the "empty call" line for that floor).
    """
    first = fn()
    awaited = inspect.isawaitable(first)
    if awaited:
        await first
    rounds: list[float] = []
    for _ in range(7):
        start = time.perf_counter_ns()
        if awaited:
            for _ in range(count):
                await fn()
        else:
            for _ in range(count):
                fn()
        rounds.append((time.perf_counter_ns() - start) / count / 1000)
    return statistics.median(rounds)


async def handler_costs(count: int) -> None:
    """The server-side work of one call, without client, dispatcher or transport.

    The steps reach into wireproof's internals (the validator's fast check and its
    jsonschema validator), so each is timed only when it exists in the measured source.
    """
    app = wireproof_app()
    tool = app.tools["echo"]
    mcpserver = build_mcpserver()
    lowlevel_entry = build_lowlevel().get_request_handler("tools/call")
    assert lowlevel_entry is not None
    params = types.CallToolRequestParams(name="echo", arguments=ARGUMENTS)
    echo_model = await echo("hello")
    structured = {"text": "hello"}
    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    fast_check = getattr(tool.validator, "_fast", None)
    jsonschema_validator = getattr(tool.validator, "_validator", None)
    cases: list[tuple[str, Callable[[], Any] | None]] = [
        ("(floor) an empty call", lambda: None),
        (
            "wireproof  on_call_tool -> Connector.call (whole pipeline)",
            lambda: app.call(None, "echo", ARGUMENTS, principal=LOCAL_OPERATOR),
        ),
        ("MCPServer  _handle_call_tool", lambda: mcpserver._handle_call_tool(None, params)),  # type: ignore[arg-type]
        ("low-level  on_call_tool", lambda: lowlevel_entry.handler(None, params)),  # type: ignore[arg-type]
        ("  step: new_correlation_id()", new_correlation_id),
        ("  step: tool.bind(arguments)", lambda: tool.bind(ARGUMENTS)),
        ("    of which validator.errors(arguments)", lambda: tool.validator.errors(ARGUMENTS)),
        ("      fast check alone", None if fast_check is None else lambda: fast_check(ARGUMENTS)),
        (
            "      jsonschema is_valid alone (the slow path)",
            None if jsonschema_validator is None else lambda: jsonschema_validator.is_valid(ARGUMENTS),
        ),
        ("  step: await echo(text)", lambda: echo(text="hello")),
        (
            "  step: output adapter.dump_python(mode=json)",
            lambda: tool.output.adapter.dump_python(echo_model, mode="json", warnings="error"),
        ),
        (
            "  step: json.dumps(ensure_ascii=False, separators)",
            lambda: json.dumps(structured, ensure_ascii=False, separators=(",", ":")),
        ),
        ("    alternative: a prebuilt JSONEncoder.encode", lambda: compact.encode(structured)),
        (
            "    alternative: pydantic_core.to_json(...).decode()",
            lambda: pydantic_core.to_json(structured).decode(),
        ),
        (
            "  step: CallToolResult(content=[TextContent], structured_content)",
            lambda: types.CallToolResult(
                content=[types.TextContent(text='{"text":"hello"}')], structured_content=structured
            ),
        ),
    ]
    print(f"server-side cost of one call, median of 7 rounds x {count:,} calls (no profiler)")
    for label, fn in cases:
        if fn is not None:
            print(f"  {await per_call_us(fn, count):8.2f} us  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--server", choices=SERVERS, default="wireproof", help="server to profile (default wireproof)"
    )
    parser.add_argument("--calls", type=int, default=3000, help="profiled calls (default 3,000)")
    parser.add_argument("--top", type=int, default=25, help="functions to list by own time (default 25)")
    parser.add_argument("--dump", type=Path, metavar="PATH", help="also save the raw cProfile stats here")
    args = parser.parse_args()
    profile = anyio.run(profiled_calls, args.server, args.calls)
    if args.dump:
        profile.dump_stats(args.dump)
    report_profile(profile, args.server, args.calls, args.top)
    print()
    anyio.run(handler_costs, 5000)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
