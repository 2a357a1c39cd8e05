"""Hand probe over Streamable HTTP (docs/corpus/probe.py is the stdio one; same CALLS format and output).

usage: probe_http.py URL CALLS.jsonl|-
No credential is sent: the calls show what an unauthenticated client on the network gets.
"""

import json
import sys
from pathlib import Path

import anyio
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


async def run(url: str, lines: list[str]) -> None:
    async with streamable_http_client(url) as streams, ClientSession(streams[0], streams[1]) as s:
        init = await s.initialize()
        print(
            json.dumps(
                {"server": init.server_info.model_dump(exclude_none=True), "protocol": init.protocol_version}
            )
        )
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line == "list":
                for t in (await s.list_tools()).tools:
                    print(json.dumps(t.model_dump(exclude_none=True, by_alias=True)))
                continue
            c = json.loads(line)
            print(">>>", json.dumps(c))
            try:
                with anyio.fail_after(20):
                    res = await s.call_tool(c["tool"], c.get("args", {}))
            except Exception as e:  # noqa: BLE001 - the probe reports whatever the call raised
                print("<<< EXC", type(e).__name__, str(e)[:800])
                continue
            d = res.model_dump(exclude_none=True, by_alias=True)
            text = "\n".join(x.get("text", f"<{x.get('type')}>") for x in d.get("content", []))
            answer = {
                "isError": d.get("isError", False),
                "text": text[:1500],
                "len": len(text),
                "structured": d.get("structuredContent"),
            }
            print("<<<", json.dumps(answer, ensure_ascii=False)[:2500])


def main() -> None:
    url, calls_file = sys.argv[1], sys.argv[2]
    text = sys.stdin.read() if calls_file == "-" else Path(calls_file).read_text()
    anyio.run(run, url, text.splitlines())


main()
