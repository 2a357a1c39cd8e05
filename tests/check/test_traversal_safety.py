"""The checker's ``../`` probe value never names a file that exists (a safety regression, docs/holdout3).

With ``--allow-writes`` the hostile strings go to every string parameter of every tool, write tools included. A
third-party export tool took the old value, ``../../../../etc/passwd``, as its target file and wrote its SQLite
database over the machine's /etc/passwd. The value must stay a traversal (it probes confinement) yet resolve, from
any working directory, to a file in a folder of the checker's own under a ``tmp`` folder (a server that makes
missing folders may create it; what matters is that no file of anyone else's is named).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.check import servers as s
from tests.check.test_rules import check
from wireproof.check.generate import HOSTILE_STRINGS, TRAVERSAL_PATH


def test_the_traversal_value_climbs_and_then_names_nothing_that_exists(tmp_path: Path) -> None:
    assert HOSTILE_STRINGS["path-traversal"] == TRAVERSAL_PATH
    assert TRAVERSAL_PATH.startswith("../")
    depths = [tmp_path.joinpath(*["d"] * n) for n in range(9)]
    for cwd in [Path("/"), Path.cwd(), *depths]:
        target = (cwd / TRAVERSAL_PATH).resolve()
        assert target.parent.name.startswith("wireproof-check-traversal-"), (cwd, target)
        assert target.parent.parent.name == "tmp", (cwd, target)


def test_a_write_tool_that_writes_wherever_it_is_told_overwrites_no_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old value, from four folders down, named ``<tmp>/etc/passwd``: the planted sentinel there is the
    stand-in for the real one, and must come out of an --allow-writes check untouched."""
    sentinel = tmp_path / "etc" / "passwd"
    sentinel.parent.mkdir()
    sentinel.write_text("root:x:0:0:root:/root:/bin/bash\n")
    cwd = tmp_path.joinpath("a", "b", "c", "d")
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    written: list[str] = []

    async def export(args: dict[str, Any]) -> Any:
        target = Path(str(args["target_file"]))
        try:
            target.write_text("exported rows\n")  # noqa: ASYNC240 - a fixture tool
        except OSError as exc:
            return s.tool_error(f"Cannot write the export: {exc.strerror}.")
        written.append(str(target.resolve()))  # noqa: ASYNC240
        return s.ok({"written": str(args["target_file"])})

    tool = s.FakeTool(
        "export_rows",
        export,
        description="Write the rows to a file.",
        input_schema={
            "type": "object",
            "properties": {"target_file": {"type": "string", "description": "The file to write."}},
            "required": ["target_file"],
        },
        annotations={"readOnlyHint": False, "destructiveHint": True},
    )
    check(s.build([tool]), allow_writes=True)
    assert sentinel.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    assert written, "the check called the write tool"  # the probe did run against it
    assert all(not p.startswith(str(sentinel)) for p in written), written
    assert os.path.realpath(str(sentinel)) not in written
