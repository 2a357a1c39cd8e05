"""docs/guard.md's table: the six real servers checked direct and through ``wireproof guard``.

    .venv/bin/python bench/guard_table.py [--out DIR]

Each server runs with throw-away state in a fresh folder, no network; the PyPI servers come from
the test suite's virtualenvs (``tests/guard/thirdparty.py``), the npm ones from
``interop/node_modules``. For each: ``wireproof check --no-progress --allow-writes --output
S-direct.json -- CMD`` and the same ``-- wireproof guard --store sqlite:///DIR/S-idem.sqlite --policy
tests/guard/policies/S.toml -- CMD``. Prints the markdown rows and whether the issue's goal holds
(none of GOAL_RULES through the guard; at least 80% fewer warning and error findings).
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.guard.thirdparty import npm_server, pypi_venv  # noqa: E402 - after the path is set

GOAL_RULES: Final = (
    "schema.open-object",
    "errors.malformed-accepted",
    "errors.leak",
    "errors.no-retry-advice",
    "output.over-budget",
    "idempotency.repeat-duplicates",
    "idempotency.concurrent-duplicates",
)


def _commands(tmp: Path) -> dict[str, list[str]]:
    repo = tmp / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    (repo / "README.md").write_text("hello\n")
    subprocess.run([*git, "add", "README.md"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    files = tmp / "fs"
    files.mkdir()
    (files / "a.txt").write_text("hello\n")
    reference, corpus = pypi_venv("reference") / "bin", pypi_venv("corpus") / "bin"
    return {
        "time": [str(reference / "mcp-server-time"), "--local-timezone", "UTC"],
        "git": [str(reference / "mcp-server-git"), "--repository", str(repo)],
        "memory": ["env", f"MEMORY_FILE_PATH={tmp / 'memory.jsonl'}", *npm_server("server-memory")],
        "filesystem": [*npm_server("server-filesystem"), str(files)],
        "sqlite": [str(corpus / "mcp-server-sqlite"), "--db-path", str(tmp / "sq.db")],
        "calculator": [str(corpus / "mcp-server-calculator")],
    }


def _check(out: Path, target: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "wireproof.cli", "check", "--no-progress", "--allow-writes"]
    subprocess.run(
        [*command, "--output", str(out), "--", *target],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def _counts(report: dict[str, Any]) -> tuple[collections.Counter[str], collections.Counter[str]]:
    severities: collections.Counter[str] = collections.Counter()
    rules: collections.Counter[str] = collections.Counter()
    for finding in report["findings"]:
        severities[finding["severity"]] += 1
        if finding["severity"] in ("warning", "error"):
            rules[finding["rule"]] += 1
    return severities, rules


def _rules(rules: collections.Counter[str]) -> str:
    return (
        ", ".join(f"{rule} {n}" for rule, n in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])))
        or "none"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="keep the JSON reports here (default: a temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="guard-table-"))
    out.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows, totals = [], {"direct": collections.Counter[str](), "guard": collections.Counter[str]()}
    left: collections.Counter[str] = collections.Counter()
    for name in ("time", "git", "memory", "filesystem", "sqlite", "calculator"):
        found: dict[str, tuple[int, collections.Counter[str], collections.Counter[str]]] = {}
        for how in ("direct", "guard"):
            state = out / f"{name}-{how}-state"
            state.mkdir(exist_ok=True)
            target = _commands(state)[name]
            if how == "guard":
                policy = ROOT / "tests" / "guard" / "policies" / f"{name}.toml"
                store = f"sqlite:///{state / 'idem.sqlite'}"
                target = [
                    *(
                        sys.executable,
                        "-m",
                        "wireproof.cli",
                        "guard",
                        "--store",
                        store,
                        "--policy",
                        str(policy),
                    ),
                    "--",
                    *target,
                ]
            report = _check(out / f"{name}-{how}.json", target)
            severities, rules = _counts(report)
            found[how] = (len(report["tools"]), severities, rules)
            totals[how].update(severities)
        left.update(found["guard"][2])

        def cell(how: str, found: dict[str, Any] = found) -> str:
            s = found[how][1]
            return f"{s['error']} / {s['warning']} / {s['info']}"

        rows.append(
            f"| {name} | {found['direct'][0]} → {found['guard'][0]} | {cell('direct')} | {cell('guard')} | "
            f"{_rules(found['direct'][2])} | {_rules(found['guard'][2])} |"
        )
    direct = totals["direct"]["error"] + totals["direct"]["warning"]
    guarded = totals["guard"]["error"] + totals["guard"]["warning"]
    fewer = 1 - guarded / direct if direct else 0.0
    goal_left = {rule: n for rule, n in left.items() if rule in GOAL_RULES}
    print(f"Checked {started} to {time.strftime('%H:%M UTC', time.gmtime())}; reports in {out}\n")
    print(
        "| server | tools direct → guarded | direct | through the guard | rules direct (count) | rules through the guard (count) |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    d, g = totals["direct"], totals["guard"]
    print(
        f"| **all six** | | **{d['error']} / {d['warning']} / {d['info']}** | **{g['error']} / {g['warning']} / "
        f"{g['info']}** | {direct} warning-and-error findings | **{guarded}** ({fewer:.0%} fewer) |"
    )
    print(
        f"\nGoal rules left through the guard: {goal_left or 'none'}; {fewer:.0%} fewer warning+error "
        f"(goal: none, and at least 80%): {'holds' if not goal_left and fewer >= 0.8 else 'does NOT hold'}"
    )


if __name__ == "__main__":
    main()
