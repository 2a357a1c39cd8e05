import anyio, json, os, sys, time
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
async def main():
    env = dict(os.environ, DB_URL="sqlite:////tmp/wireproof-corpus/state/alchemy.db")
    p = StdioServerParameters(command="/work/corpus/venv/bin/mcp-alchemy", args=[], env=env)
    async with stdio_client(p) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            res = {}
            async def one(i):
                t = time.monotonic()
                try:
                    with anyio.fail_after(15):
                        x = await s.call_tool("schema_definitions", {"table_names": ["example"]})
                    res[i] = (round(time.monotonic()-t, 2), x.isError, x.content[0].text[:60] if x.content else "")
                except Exception as e:
                    res[i] = (round(time.monotonic()-t, 2), "EXC", type(e).__name__)
            async with anyio.create_task_group() as tg:
                for i in range(8): tg.start_soon(one, i)
            for k in sorted(res): print(k, res[k])
anyio.run(main)
