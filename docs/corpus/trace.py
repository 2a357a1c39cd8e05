"""Run `wireproof check` unchanged, but dump every CallRecord to $WP_TRACE (JSON lines) before the rules run.
usage: WP_TRACE=calls.jsonl python trace.py check ...   (use the wireproof venv's python)"""
import dataclasses, json, os, sys
from wireproof.check import runner
from wireproof import cli

_orig = runner.evaluate
def evaluate(ctx):
    with open(os.environ["WP_TRACE"], "w") as f:
        for c in ctx.observations.calls:
            d = dataclasses.asdict(c)
            f.write(json.dumps(d, default=str, ensure_ascii=False)[:3000] + "\n")
    return _orig(ctx)
runner.evaluate = evaluate
sys.exit(cli.main(sys.argv[1:]))
