"""6 concurrent split_tasks(append) with DIFFERENT task names on one session, then count the stored tasks (lost-update check).
usage: conc_distinct.py -- CMD ARGS... (env DATA_DIR etc. from the environment)"""
import json, os, sys
import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

async def run(cmd):
    async with stdio_client(StdioServerParameters(command=cmd[0], args=cmd[1:], env=dict(os.environ))) as (r, w), ClientSession(r, w) as s:
        await s.initialize()
        async def one(i):
            t = [{"name": f"distinct {i}", "description": f"distinct task number {i}", "implementationGuide": "x", "verificationCriteria": "y", "dependencies": [], "relatedFiles": []}]
            res = await s.call_tool("split_tasks", {"updateMode": "append", "tasksRaw": json.dumps(t)})
            print(i, "isError", res.is_error, res.content[0].text[:60].replace("\n", " "))
        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(one, i)
        res = await s.call_tool("query_task", {"query": "distinct", "pageSize": 20})
        txt = res.content[0].text
        print("observer query_task distinct:", [l for l in txt.splitlines() if l.startswith("###") or "Total results" in l])

anyio.run(run, sys.argv[sys.argv.index("--") + 1:])
