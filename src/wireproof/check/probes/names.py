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
    EscapeObservation,
    Observations,
    ToolInfo,
    code_parameters,
    idempotency_key_parameter,
    path_parameters,
)
from wireproof.check.probes.effects import deletes, words
from wireproof.check.probes.paths import server_roots

__all__ = ["MAX_TOOLS", "find_named", "name_field", "name_traversal_tools", "probe_name_traversal"]

MAX_TOOLS: Final = 5
"""Write tools probed at most (two creates each)."""
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
