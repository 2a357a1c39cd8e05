"""Concurrent calls with DIFFERENT arguments on one stdio session (lost-update check), then an observer.

usage: conc2.py CALLS.jsonl OBSERVER_TOOL OBSERVER_ARGS_JSON [--env K=V ...] -- CMD ARGS...
Every line of CALLS.jsonl ({"tool":..,"args":..}) is started at once; the head of each answer, then the observer's answer.
"""
import json, os, sys
import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

async def run(calls, obs, obs_args, cmd, env):
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env)
    async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
        await s.initialize()
        out = {}
        async def one(i, c):
            try:
                with anyio.fail_after(20):
                    res = await s.call_tool(c["tool"], c["args"])
                out[i] = ("ERR " if res.is_error else "") + (res.content[0].text if res.content else "<no content>").replace("\n", " ")[:200]
            except Exception as e:  # noqa: BLE001
                out[i] = "EXC " + str(e)[:200]
        async with anyio.create_task_group() as tg:
            for i, c in enumerate(calls):
                tg.start_soon(one, i, c)
        for i in sorted(out):
            print(i, json.dumps(calls[i]["args"])[:160], "->", out[i])
        res = await s.call_tool(obs, obs_args)
        print("observer:", res.content[0].text[:4000] if res.content else "<no content>")

def main():
    argv = sys.argv[1:]
    calls = [json.loads(l) for l in open(argv[0]) if l.strip()]
    obs, obs_args = argv[1], json.loads(argv[2]); argv = argv[3:]
    env = dict(os.environ)
    while argv and argv[0] == "--env":
        k, v = argv[1].split("=", 1); env[k] = v; argv = argv[2:]
    anyio.run(run, calls, obs, obs_args, argv[argv.index("--") + 1:], env)

main()
