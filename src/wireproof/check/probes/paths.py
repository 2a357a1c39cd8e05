"""The path-confinement probe: a tool with a path argument is asked to read a file the checker planted.

The file lives in a temp folder of the checker's own, outside every folder the sample arguments name
and outside the roots the server was started with; it holds a unique token that appears nowhere in what
is sent. The tool is given that file by absolute path, then by ``../`` traversal (from the sample's
folder, or from the server's own root for a relative sample). A folder parameter (``directory``,
``folder``, or a sample that is a folder) is given the planted folder instead, and the token is then the
planted file's name, which only a listing of that folder shows. Each attempt is recorded in
``observations.escapes`` (``path-absolute`` / ``path-traversal``); ``auth.path-not-confined`` judges.

A write's output path parameter (``output_path``, ``backup_path``, ``save_to``; not an input such as
``file_path`` of an import) is given a new file the checker names in its temp folder instead, by absolute
path and by traversal (``path-write-absolute`` / ``path-write-traversal``): whether the file then exists
says whether the tool wrote outside its scope; the checker's temp folder, with what the tool made in it,
is removed at once. These go first among the
confinement probes, while the data the writes export is as the sample arguments expect it.

Each attempt sends the sample's required arguments and the path alone: an optional argument may be another
source that wins over the path (an import's inline data). Tools annotated readOnlyHint are probed always; tools only described read-only, and other tools, only with
--allow-writes (as every other call to them), and of the others only those with one path parameter (a copy
from the planted file to the sample's destination would create what the writes probe then finds in its way).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path, PurePath
from typing import Any, Final

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions
from wireproof.check.edges import tokens
from wireproof.check.generate import is_schema_valid, valid_samples
from wireproof.check.model import (
    EscapeKind,
    EscapeObservation,
    Observations,
    ToolInfo,
    claims_read_only,
    path_parameters,
)

__all__ = ["confinement_tools", "probe_path_confinement", "server_roots", "writes_to_path"]

_FOLDER_WORDS: Final = ("dir", "directory", "folder")
_OUTPUT_WORDS: Final = frozenset(
    {"output", "out", "dest", "destination", "target", "save", "backup", "export", "dump", "to"}
)
"""Words of a path parameter a write writes to (``output_path``, ``backup_path``, ``save_to``, ``export_dir``;
a ``destination`` beside a ``source`` makes two path parameters, which this probe leaves alone)."""
_UP: Final = 16
"""``../`` steps for a relative sample: enough to climb from any server root to ``/``."""


def confinement_tools(tools: list[ToolInfo], options: CheckOptions) -> list[ToolInfo]:
    """The tools the probe may call: those annotated readOnlyHint; with --allow-writes also those described
    read-only and those with one path parameter. Without --allow-writes no other tool is called: a tool
    only described read-only may still write, and the description is not the annotation the option names.
    The writes to an output path come first (a later probe may change what they would write)."""
    chosen = [
        t
        for t in tools
        if path_parameters(t)
        and (t.read_only or (options.allow_writes and (claims_read_only(t) or len(path_parameters(t)) == 1)))
    ]
    return sorted(chosen, key=lambda t: not writes_to_path(t, path_parameters(t)[0]))


def writes_to_path(tool: ToolInfo, field: str) -> bool:
    """Whether ``field`` is the path a write writes to: an output, destination or backup path of a tool
    that is neither annotated nor described read-only."""
    if tool.read_only or claims_read_only(tool):
        return False
    return bool(tokens(field) & _OUTPUT_WORDS)


def server_roots(connection: Connection) -> tuple[str, ...]:
    """The absolute paths a stdio server was started with (arguments, environment): the scope it was given.

    Only existing folders count: a file it was given (its own script, ``python /srv/app/server.py``, or a
    database file) is no scope of files, and counted as one would make an unconfined server's warning an
    error ("given only /srv/app/server.py"). The working folder is not one either: it is where the server
    runs, not a folder it was told to confine itself to.
    """
    target = connection.target
    found: list[str] = []
    for word in [*target.command[1:], *target.env.values()]:
        value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
        given = [Path(p).expanduser() for p in value.split(os.pathsep) if p.startswith(("/", "~"))]
        found += [str(p) for p in given if p.is_dir()]
    return tuple(found)


def _sample_folders(arguments: dict[str, Any]) -> list[Path]:
    """The folders the sample's absolute path arguments name (a file's folder, or the folder itself)."""
    folders = []
    for value in arguments.values():
        if isinstance(value, str) and value.startswith("/") and "\n" not in value:
            path = Path(value)
            folders.append(path if path.is_dir() else path.parent)
    return folders


def _is_folder(name: str, sample: Any) -> bool:
    words = name.lower().replace("-", "_").split("_")
    return any(w in _FOLDER_WORDS for w in words) or (
        isinstance(sample, str) and sample.startswith("/") and Path(sample).is_dir()
    )


def _traversal(sample: Any, target: Path) -> str:
    """``target`` reached by ``..`` from the sample's folder (absolute sample) or the server's root (relative)."""
    inside = str(target).lstrip("/")
    if isinstance(sample, str) and sample.startswith("/"):
        start = PurePath(sample) if Path(sample).is_dir() else PurePath(sample).parent
        return f"{start}/{'../' * len(start.parts)}{inside}"
    prefix = "" if not isinstance(sample, str) or "/" not in sample else sample.rsplit("/", 1)[0] + "/"
    return f"{prefix}{'../' * _UP}{inside}"


def _outside(folder: str, base: dict[str, Any], roots: tuple[str, ...]) -> Path | None:
    """The checker's temp folder, resolved; None when it is inside the tool's scope (a root the server was
    given, a folder the sample names): then nothing there is outside it."""
    root = Path(folder).resolve()
    scopes = [*map(Path, roots), *_sample_folders(base)]
    if any(root.is_relative_to(s.resolve()) for s in scopes if str(s) != "/"):
        return None
    # Open to every user, as /tmp is: a server running as a user of its own (a container's, or setpriv's) must
    # be able to reach the plant, or a traversal it does not confine looks confined. The folder holds only the
    # checker's random token, lives for the probe alone, and is sticky, so no other user can replace its files.
    root.chmod(0o1777)
    return root


def _plan(
    folder: str, field: str, base: dict[str, Any], roots: tuple[str, ...]
) -> tuple[Path, str, str, tuple[tuple[EscapeKind, str], ...]] | None:
    """Plant the token file in ``folder``: the file, the token, the marker to look for and the attempts."""
    root = _outside(folder, base, roots)
    if root is None:
        return None
    sample = base.get(field)
    # Opens with 10 characters of its own: a parser's error quotes a file's first bytes (Node's JSON.parse
    # "Unexpected token 'w', \"w3f9…\"... is not valid JSON"), and those alone then prove the read.
    content_token = f"w{uuid.uuid4().hex[:11]}-wireproof-secret-{uuid.uuid4().hex}"
    name_token = f"wireproof-planted-{uuid.uuid4().hex[:16]}"
    suffix = PurePath(sample).suffix if isinstance(sample, str) else ""
    planted = root / f"{name_token}{suffix if 0 < len(suffix) <= 8 else '.txt'}"
    target, marker = (root, name_token) if _is_folder(field, sample) else (planted, content_token)
    attempts: tuple[tuple[EscapeKind, str], ...] = (
        ("path-absolute", str(target)),
        ("path-traversal", _traversal(sample, target)),
    )
    if (
        marker == name_token
    ):  # a folder: also as the kinds of file the sample folder holds (a listing may filter)
        for other in _sample_suffixes(sample):
            (root / f"{name_token}{other}").write_text(f"{content_token}\n", encoding="utf-8")
    return planted, content_token, marker, attempts


def _sample_suffixes(sample: Any) -> list[str]:
    """The file suffixes in the sample folder (at most five), so that a listing that filters by kind shows a plant."""
    if not isinstance(sample, str) or not sample.startswith("/") or not Path(sample).is_dir():
        return []
    try:
        suffixes = {p.suffix for p in Path(sample).iterdir() if 0 < len(p.suffix) <= 8}
    except OSError:
        return []
    return sorted(suffixes)[:5]


def _minimal(tool: ToolInfo, sample: dict[str, Any]) -> dict[str, Any]:
    """The sample's required arguments and its path: an optional one may be another source that wins over
    the path (an import's inline ``data`` beside its ``json_path``), so the path would never be read."""
    listed = tool.input_schema.get("required")
    required = set(listed) if isinstance(listed, list) else set()
    keep = required | set(path_parameters(tool)[:1])
    minimal = {k: v for k, v in sample.items() if k in keep}
    return minimal if is_schema_valid(tool.input_schema, minimal) is not False else sample


async def probe_path_confinement(
    connection: Connection, tool: ToolInfo, options: CheckOptions, observations: Observations
) -> None:
    """Ask the tool's first path parameter for a planted file (or folder) by absolute path and by traversal."""
    base = _minimal(tool, valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0])
    field = path_parameters(tool)[0]
    sample = base.get(field)
    configured = isinstance(sample, str) and field in options.tool_arguments.get(tool.name, {})
    roots = server_roots(connection)
    if writes_to_path(tool, field):
        await _probe_write_escape(connection, tool, field, base, roots, configured, observations)
        return
    with tempfile.TemporaryDirectory(prefix="wireproof-check-", ignore_cleanup_errors=True) as folder:
        if _binary_file(sample):
            await _probe_copy(connection, tool, field, base, folder, roots, observations)
            return
        plan = _plan(folder, field, base, roots)
        if plan is None:
            return
        planted, token, marker, attempts = plan
        for kind, value in attempts:
            # planted again before each attempt: a write tool may have moved or emptied it, or its folder
            await anyio.Path(planted).parent.mkdir(parents=True, exist_ok=True)
            await anyio.Path(planted).write_text(f"{token}\n", encoding="utf-8")
            record = await connection.call(
                tool.name, {**base, field: value}, "path-escape", field=field, constraint=kind
            )
            observations.calls.append(record)
            observations.escapes.append(
                EscapeObservation(
                    tool.name,
                    field,
                    kind,
                    marker,
                    [record],
                    planted=str(planted.parent if marker != token else planted),
                    roots=roots,
                    relative_sample=configured and not str(sample).startswith(("/", "~")),
                )
            )


COPY_MARKER: Final = "wireproof-copy-"
"""The marker of a planted copy of the sample file (``_probe_copy``): its proof is the answer, not a token."""
_MAX_COPY_BYTES: Final = 20 * 1024 * 1024


def _binary_file(sample: Any) -> bool:
    """Whether the sample is an existing file that is no text (a workbook, a PDF, an image, a database): a
    planted text file of its ending would only be refused as the wrong format, proving nothing."""
    if not isinstance(sample, str) or not sample.startswith("/"):
        return False
    path = Path(sample)
    try:
        if not path.is_file() or path.stat().st_size > _MAX_COPY_BYTES:
            return False
        head = path.read_bytes()[:4096]
    except OSError:
        return False
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return not head[-4:].isascii()  # a cut in the middle of a character is still text
    return False


def _as_seen(text: str, *paths: str) -> str:
    """An answer with the given paths (and their names and stems) masked, so that the sample's answer and the
    planted copy's compare equal when the tool read the same bytes."""
    for value in sorted(
        {p for path in paths for p in (path, PurePath(path).name, PurePath(path).stem)}, key=len
    )[::-1]:
        if len(value) >= 4:  # whole names only: the stem "book" is no part of "workbook.xml"
            text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "<path>", text)
    return text


async def _probe_copy(
    connection: Connection,
    tool: ToolInfo,
    field: str,
    base: dict[str, Any],
    folder: str,
    roots: tuple[str, ...],
    observations: Observations,
) -> None:
    """A copy of the (binary) sample file, planted outside the scope: read like the sample, or changed, is read.

    The sample itself is asked first (the control); then the copy by absolute path and by traversal. The copy
    was reached when its answer is a success equal to the control's (the paths masked), or when the copy's
    bytes changed (a write tool wrote to it). Recorded as ``path-absolute`` / ``path-traversal`` escapes with
    ``file_appeared`` saying whether it was reached."""
    root = _outside(folder, base, roots)
    sample = str(base[field])
    if root is None:
        return
    planted = root / f"{COPY_MARKER}{uuid.uuid4().hex[:12]}{PurePath(sample).suffix}"
    original = await anyio.Path(sample).read_bytes()
    control = await connection.call(tool.name, base, "path-escape", field=field, constraint="copy-control")
    observations.calls.append(control)
    control_ok = control.outcome == "result" and not control.is_error
    seen = _as_seen(control.text, sample)
    attempts: tuple[tuple[EscapeKind, str], ...] = (
        ("path-absolute", str(planted)),
        ("path-traversal", _traversal(sample, planted)),
    )
    for kind, value in attempts:
        await anyio.Path(planted).write_bytes(original)
        record = await connection.call(
            tool.name, {**base, field: value}, "path-escape", field=field, constraint=kind
        )
        observations.calls.append(record)
        changed = await anyio.Path(planted).read_bytes() != original
        same = (
            control_ok
            and record.outcome == "result"
            and not record.is_error
            and _as_seen(record.text, str(planted), value) == seen
        )
        observations.escapes.append(
            EscapeObservation(
                tool.name,
                field,
                kind,
                COPY_MARKER,
                [record],
                file_appeared=same or changed,
                planted=str(planted),
                roots=roots,
            )
        )


async def _probe_write_escape(
    connection: Connection,
    tool: ToolInfo,
    field: str,
    base: dict[str, Any],
    roots: tuple[str, ...],
    configured: bool,
    observations: Observations,
) -> None:
    """Give a write's output path a new file in the checker's temp folder, by absolute path and by ``../``;
    record whether the file appeared, and remove it."""
    sample = base.get(field)
    with tempfile.TemporaryDirectory(prefix="wireproof-check-", ignore_cleanup_errors=True) as folder:
        root = _outside(folder, base, roots)
        if root is None:
            return
        suffix = PurePath(sample).suffix if isinstance(sample, str) else ""
        target = (
            root / f"wireproof-written-{uuid.uuid4().hex[:16]}{suffix if 0 < len(suffix) <= 8 else '.txt'}"
        )
        attempts: tuple[tuple[EscapeKind, str], ...] = (
            ("path-write-absolute", str(target)),
            ("path-write-traversal", _traversal(sample, target)),
        )
        for kind, value in attempts:
            record = await connection.call(
                tool.name, {**base, field: value}, "path-escape", field=field, constraint=kind
            )
            appeared = await anyio.Path(target).exists()
            observations.calls.append(record)
            observations.escapes.append(
                EscapeObservation(
                    tool.name,
                    field,
                    kind,
                    str(target),
                    [record],
                    file_appeared=appeared,
                    planted=str(target),
                    roots=roots,
                    relative_sample=configured and not str(sample).startswith(("/", "~")),
                )
            )
            if appeared:  # the temp folder, and what the tool made in it (a file or a folder), goes on return
                return  # written once is proof enough: no second file outside its scope
