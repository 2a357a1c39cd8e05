"""Run `wireproof check` unchanged, but dump every CallRecord to $WP_TRACE (JSON lines) before the rules run.
usage: WP_TRACE=calls.jsonl python trace.py check ...   (use the wireproof venv's python)
Each line is whole JSON: strings past 1,500 characters and lists past 50 items are cut (with a note of the
full length), never the line itself."""
import dataclasses, json, os, sys
from wireproof.check import runner
from wireproof import cli


def clip(value):
    if isinstance(value, str) and len(value) > 1500:
        return value[:1500] + f"… [{len(value):,} characters in all]"
    if isinstance(value, list):
        return [clip(v) for v in value[:50]] + ([f"… [{len(value):,} items in all]"] if len(value) > 50 else [])
    if isinstance(value, dict):
        return {k: clip(v) for k, v in value.items()}
    return value


_orig = runner.evaluate
def evaluate(ctx, **kwargs):
    with open(os.environ["WP_TRACE"], "w") as f:
        for c in ctx.observations.calls:
            d = clip(json.loads(json.dumps(dataclasses.asdict(c), default=str)))
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return _orig(ctx, **kwargs)
runner.evaluate = evaluate
sys.exit(cli.main(sys.argv[1:]))
