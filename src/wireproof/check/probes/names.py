"""The name-traversal probe (only with --allow-writes, stdio servers): is a name joined into a path unchecked?

A file-backed store often keeps an item as ``<its folder>/<name>.md``: then a name of ``../x`` writes one
folder up, outside the folder the server keeps its items in. A write tool with a name-like string
parameter (``name``, ``title``, ``slug``, ``project``…; never a path or code parameter) is called twice
with its sample otherwise unchanged: once with a plain unique name (the control) and once with ``../``
and a second unique name. Then the folders the server can see from this machine (its roots, its working
folder, the home and temp folders; a bounded walk) are searched for the two names. When the control
landed in folder F and the ``../`` name in an ancestor of F, the name escaped F: recorded as an
``EscapeObservation`` of kind ``name-traversal`` (planted: the escaped path; roots: F), which
``auth.name-not-confined`` judges. A server that stores no files under names, refuses, or strips the
``../`` leaves nothing to find. What escaped is the checker's own and is removed again.

Then the other side of the same flaw: a tool that *reads or deletes* by name (``get_project_stats name``,
``export_project project``, ``delete_project name``) may join the name into a path although the create
tool strips it. Once the plain control name landed as a file in folder F, each such tool (reads first,
at most ``MAX_RESOLVE_TOOLS``) is called three times with its sample otherwise unchanged: the plain name,
``../F/<name>`` (one folder up and back down: the same file when the name is a path) and
``../<a folder that does not exist>/<name>`` (a file system refuses it; a server that keeps only the last
part of a name, or compares names, answers it like the plain name). A read answered the same for the
plain name and the round trip, and not for the folder that does not exist, resolved the name through the
file system: ``../`` reaches any file with the store's ending. A delete is given the two traversals only:
when the control file is still there after the one through the missing folder and gone after the round
trip, the delete removed a file by a path it was given. Recorded as ``name-resolved`` escapes (planted: the
control file; ``file_appeared``: whether the name resolved), judged by ``auth.name-not-confined``. The
round trip never leaves F, and what it deletes is the checker's own control item.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Final

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.generate import is_schema_valid, resolve, valid_samples
from wireproof.check.model import (
    CallRecord,
    EscapeObservation,
    Observations,
    ToolInfo,
    code_parameters,
    idempotency_key_parameter,
    path_parameters,
)
from wireproof.check.probes.effects import deletes, words
from wireproof.check.probes.paths import server_roots
from wireproof.check.rules.errors import disguised_failure
from wireproof.check.rules.schema import named_as_read

__all__ = [
    "MAX_RESOLVE_TOOLS",
    "MAX_TOOLS",
    "find_named",
    "name_field",
    "name_resolution_tools",
    "name_traversal_tools",
    "probe_name_traversal",
]

MAX_TOOLS: Final = 5
"""Write tools probed at most (two creates each)."""
MAX_RESOLVE_TOOLS: Final = 5
"""Tools that read or delete by name probed at most, after a control name landed (three calls a read, two a
delete; one delete at most, last: it removes the control item)."""
PREFIX: Final = "wireproof-name-"
_NAME_WORDS: Final = frozenset(
    {"name", "title", "slug", "project", "category", "collection", "namespace", "topic", "label", "page"}
    | {"note", "doc", "document", "template", "board", "list", "notebook", "space", "workspace"}
)
_SKIP_DIRS: Final = frozenset(
    {"node_modules", ".git", "__pycache__", ".cache", ".npm", ".venv", "venv", "site-packages", "proc", "sys"}
)
_MAX_DEPTH: Final = 5
_MAX_ENTRIES: Final = 200_000
_MAX_SECONDS: Final = 3.0


def name_field(tool: ToolInfo) -> str | None:
    """The tool's first name-like plain string parameter (required ones first), or None."""
    schema = tool.input_schema
    properties = {
        n: resolve(p, schema) for n, p in schema.get("properties", {}).items() if isinstance(p, dict)
    }
    special = set(path_parameters(tool)) | set(code_parameters(tool)) | {idempotency_key_parameter(tool)}
    listed = schema.get("required")
    required = [r for r in listed if isinstance(r, str)] if isinstance(listed, list) else []
    for name in [*required, *(str(n) for n in properties if n not in required)]:
        prop = properties.get(name)
        parts = words(name)
        if prop is None or name in special or not parts or parts[-1] not in _NAME_WORDS:
            continue
        if prop.get("type") == "string" and not {"enum", "const", "format", "pattern"} & set(prop):
            return str(name)
    return None


def name_traversal_tools(tools: list[ToolInfo], options: CheckOptions) -> list[ToolInfo]:
    """The write tools (not deletes) with a name-like parameter: with --allow-writes only, at most ``MAX_TOOLS``."""
    if not options.allow_writes:
        return []
    return [t for t in tools if not t.read_only and not deletes(t) and name_field(t) is not None][:MAX_TOOLS]


def _search_roots(connection: Connection) -> list[Path]:
    target = connection.target
    places = [Path(p) for p in server_roots(connection)]
    places += [Path(target.cwd) if target.cwd else Path.cwd(), Path.home(), Path(tempfile.gettempdir())]
    seen: list[Path] = []
    for place in places:
        if place.is_dir() and place not in seen:
            seen.append(place)
    return seen


def find_named(places: list[Path], needle: str) -> list[Path]:
    """Entries whose name holds ``needle`` under ``places``: breadth first, the places in their order (the
    server's roots and working folder before home and temp), each to its own depth; bounded in depth,
    entries and time."""
    found: list[Path] = []
    deadline = time.monotonic() + _MAX_SECONDS
    budget = _MAX_ENTRIES
    queue = collections.deque((p, 0) for p in places)
    visited: set[str] = set()
    while queue and budget > 0 and time.monotonic() < deadline:
        folder, depth = queue.popleft()
        key = os.path.realpath(folder)
        if key in visited:
            continue
        visited.add(key)
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            budget -= 1
            if needle in entry.name:
                found.append(Path(entry.path))
            elif depth < _MAX_DEPTH and entry.name not in _SKIP_DIRS and entry.is_dir(follow_symlinks=False):
                queue.append((Path(entry.path), depth + 1))
    return found


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


async def probe_name_traversal(
    connection: Connection, tool: ToolInfo, options: CheckOptions, observations: Observations
) -> None:
    """Create with a plain unique name and with ``../`` and another; record where each landed."""
    field = name_field(tool)
    if field is None or not connection.target.command:
        return
    base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    token = PREFIX + uuid.uuid4().hex[:12]
    control_name, escape_name = f"{token}-here", f"../{token}-up"
    calls = []
    planned = [{**base, field: value} for value in (control_name, escape_name)]
    if any(is_schema_valid(tool.input_schema, arguments) is False for arguments in planned):
        return  # both or neither: a control alone would be a stray item
    for value, arguments in zip((control_name, escape_name), planned, strict=True):
        record = await connection.call(tool.name, arguments, "name-escape", field=field, constraint=value)
        observations.calls.append(record)
        calls.append(record)
    found = await anyio.to_thread.run_sync(find_named, _search_roots(connection), token)
    controls = [p for p in found if f"{token}-here" in p.name]
    homes = {p.parent for p in controls}
    escaped = [p for p in found if f"{token}-up" in p.name]
    for home in homes:  # one folder up from where the plain name landed: looked at directly, walk or not
        with contextlib.suppress(OSError):
            escaped += [Path(e.path) for e in os.scandir(home.parent) if f"{token}-up" in e.name]
    escaped = list(dict.fromkeys(escaped))
    outside = [e for e in escaped if any(e.parent in h.parents for h in homes)]
    observations.escapes.append(
        EscapeObservation(
            tool.name,
            field,
            "name-traversal",
            token,
            calls,
            file_appeared=bool(outside)
            if controls
            else None,  # None: the plain name was not found, not tested
            planted=str(outside[0]) if outside else None,
            roots=tuple(sorted(str(h) for h in homes)),
        )
    )
    for path in escaped:  # the checker's own file, wherever it landed
        _remove(path)
    if (
        controls and not outside
    ):  # confined on the way in: do the tools that read or delete by name follow suit?
        resolving = name_resolution_tools(observations.tools, tool)
        for other in resolving:
            await _probe_name_resolution(connection, other, controls[0], control_name, options, observations)


_READ_WORDS: Final = frozenset(
    {"get", "read", "show", "view", "export", "describe", "stats", "fetch", "load"}
)
"""Name words of a tool that answers one item by its name (``export_project``, ``get_project_stats``)."""


def name_resolution_tools(tools: list[ToolInfo], creator: ToolInfo) -> list[ToolInfo]:
    """The tools other than ``creator`` that take a name-like parameter and read or delete by it: reads first."""
    reads, removes = [], []
    for other in tools:
        if other.name == creator.name or name_field(other) is None:
            continue
        if deletes(other) and not other.read_only:
            removes.append(other)
        elif other.read_only or named_as_read(other) or set(words(other.name)) & _READ_WORDS:
            reads.append(other)
    return [*reads[: MAX_RESOLVE_TOOLS - 1], *removes[:1]]  # one delete: it consumes the control item


def _same_answer(plain: CallRecord, other: CallRecord, name: str, given: str) -> bool:
    """Both answered as successes with the same content, the name each was given put aside."""
    if not _succeeded(plain) or not _succeeded(other):
        return False

    def shown(call: CallRecord, value: str) -> str:
        text = f"{call.text}\x00{call.structured!r}"
        return text.replace(value, "\x01").replace(value.replace("/", "\\/"), "\x01")

    return shown(plain, name) == shown(other, given)


def _succeeded(call: CallRecord) -> bool:
    return call.outcome == "result" and not call.is_error and disguised_failure(call) is None


async def _probe_name_resolution(
    connection: Connection,
    tool: ToolInfo,
    control: Path,
    name: str,
    options: CheckOptions,
    observations: Observations,
) -> None:
    field = name_field(tool)
    if field is None:
        return
    base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    round_trip = f"../{control.parent.name}/{name}"
    nowhere = f"../{PREFIX}nowhere-{uuid.uuid4().hex[:8]}/{name}"
    removes = deletes(tool) and not tool.read_only
    values = (nowhere, round_trip) if removes else (name, round_trip, nowhere)
    planned = [{**base, field: value} for value in values]
    if any(is_schema_valid(tool.input_schema, arguments) is False for arguments in planned):
        return
    calls: list[CallRecord] = []
    present: list[bool] = []
    for value, arguments in zip(values, planned, strict=True):
        record = await connection.call(tool.name, arguments, "name-escape", field=field, constraint=value)
        observations.calls.append(record)
        calls.append(record)
        present.append(await anyio.to_thread.run_sync(control.exists))
    if removes:  # kept through the missing folder, gone after the round trip that never left its folder
        resolved: bool | None = present[0] and not present[1] and _succeeded(calls[1])
        if not present[0]:
            resolved = None  # the missing folder deleted it too: the name was not resolved as a path
    elif not _succeeded(calls[0]):
        resolved = None  # the plain name was not answered: nothing to compare
    else:
        resolved = _same_answer(calls[0], calls[1], name, round_trip) and not _same_answer(
            calls[0], calls[2], name, nowhere
        )
    observations.escapes.append(
        EscapeObservation(
            tool.name,
            field,
            "name-resolved",
            name,
            calls,
            file_appeared=resolved,
            planted=str(control),
            roots=(str(control.parent),),
        )
    )
