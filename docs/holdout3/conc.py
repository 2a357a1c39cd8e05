"""Concurrent duplicate calls against a stdio server (the hand check of concurrent writes).

usage: conc.py N TOOL ARGS_JSON OBSERVER_TOOL OBSERVER_ARGS_JSON [--env K=V ...] -- CMD ARGS...
Starts N copies of TOOL(ARGS) at once on one session, prints the head of each answer, then the observer's answer.
"""

import json
import os
import sys

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def run(n: int, tool: str, args: dict, obs: str, obs_args: dict, cmd: list[str], env: dict) -> None:
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env)
    async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
        await s.initialize()
        out: dict[int, str] = {}

        async def one(i: int) -> None:
            with anyio.fail_after(20):
                res = await s.call_tool(tool, args)
            out[i] = ("ERR " if res.is_error else "") + res.content[0].text.replace("\n", " ")[:160]

        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
        for i in sorted(out):
            print(i, out[i])
        res = await s.call_tool(obs, obs_args)
        print("observer:", res.content[0].text[:3000])


def main() -> None:
    argv = sys.argv[1:]
    n, tool, args, obs, obs_args = int(argv[0]), argv[1], json.loads(argv[2]), argv[3], json.loads(argv[4])
    argv = argv[5:]
    env = dict(os.environ)
    while argv[0] == "--env":
        k, v = argv[1].split("=", 1)
        env[k] = v
        argv = argv[2:]
    cmd = argv[argv.index("--") + 1 :]
    anyio.run(run, n, tool, args, obs, obs_args, cmd, env)


main()
