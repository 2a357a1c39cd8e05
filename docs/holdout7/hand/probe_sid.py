"""probe.py (docs/corpus) with session ids carried between calls, for csv-editor's random session ids.

usage: probe_sid.py [--env K=V ...] CALLS.jsonl -- CMD ARGS...
As probe.py; a call line may carry "save": NAME (the answer's session_id is kept under NAME), and any string
"$NAME" in a later call's args is replaced by the kept id. Answers are printed as probe.py prints them.
"""
import json, os, sys
import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

def subst(v, ids):
    if isinstance(v, str):
        for k, x in ids.items():
            v = v.replace("$" + k, x)
        return v
    if isinstance(v, list):
        return [subst(x, ids) for x in v]
    if isinstance(v, dict):
        return {k: subst(x, ids) for k, x in v.items()}
    return v

def main() -> None:
    argv = sys.argv[1:]
    env = dict(os.environ)
    while argv[0] == "--env":
        k, v = argv[1].split("=", 1); env[k] = v; argv = argv[2:]
    lines = open(argv[0]).read().splitlines(); cmd = argv[argv.index("--") + 1:]
    ids: dict = {}
    async def run() -> None:
        params = StdioServerParameters(command=cmd[0], args=cmd[1:], env=env)
        async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
            await s.initialize()
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line == "list":
                    for t in (await s.list_tools()).tools:
                        print(json.dumps(t.model_dump(exclude_none=True, by_alias=True)))
                    continue
                c = json.loads(line); args = subst(c.get("args", {}), ids)
                print(">>>", json.dumps({"tool": c["tool"], "args": args})[:1500])
                try:
                    with anyio.fail_after(20):
                        res = await s.call_tool(c["tool"], args)
                    d = res.model_dump(exclude_none=True, by_alias=True)
                    text = "\n".join(x.get("text", "<%s>" % x.get("type")) for x in d.get("content", []))
                    st = d.get("structuredContent")
                    if c.get("save"):
                        try:
                            ids[c["save"]] = (st or json.loads(text))["session_id"]
                        except Exception:  # noqa: BLE001
                            pass
                    print("<<<", json.dumps({"isError": d.get("isError", False), "text": text[:1500], "len": len(text), "structured": st is not None}, ensure_ascii=False)[:2500])
                except Exception as e:  # noqa: BLE001
                    print("<<< EXC", type(e).__name__, str(e)[:800])
    anyio.run(run)

main()
