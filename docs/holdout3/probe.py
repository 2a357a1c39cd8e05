"""Hand probe: list tools and make calls against a stdio MCP server with the official mcp client.

usage: probe.py [--env K=V ...] CALLS.jsonl|- -- CMD ARGS...
CALLS: one JSON object a line, {"tool": NAME, "args": {...}}; the line "list" prints the tool list.
Each answer is printed as JSON (isError, text, structuredContent) or the protocol error.
"""
import json, os, sys
import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

def main() -> None:
    argv = sys.argv[1:]
    env = dict(os.environ)
    while argv[0] == "--env":
        k, v = argv[1].split("=", 1); env[k] = v; argv = argv[2:]
    calls_file = argv[0]; cmd = argv[argv.index("--") + 1:]
    lines = (sys.stdin if calls_file == "-" else open(calls_file)).read().splitlines()
    async def run() -> None:
        params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env)
        async with stdio_client(params) as (r, w):
            async with ClientSession(r, w) as s:
                init = await s.initialize()
                for line in lines:
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    if line == "list":
                        tools = await s.list_tools()
                        print(json.dumps({"server": init.server_info.model_dump(exclude_none=True), "protocol": init.protocol_version}))
                        for t in tools.tools:
                            print(json.dumps(t.model_dump(exclude_none=True, by_alias=True)))
                        continue
                    c = json.loads(line)
                    print(">>>", json.dumps(c))
                    try:
                        with anyio.fail_after(20):
                            res = await s.call_tool(c["tool"], c.get("args", {}))
                        d = res.model_dump(exclude_none=True, by_alias=True)
                        text = "\n".join(x.get("text", "<%s>" % x.get("type")) for x in d.get("content", []))
                        print("<<<", json.dumps({"isError": d.get("isError", False), "text": text[-1500:] if c.get("tail") else text[:1500], "len": len(text), "structured": d.get("structuredContent")}, ensure_ascii=False)[:2500])
                    except Exception as e:  # noqa: BLE001
                        print("<<< EXC", type(e).__name__, str(e)[:800])
    anyio.run(run)

main()
