"""The lock file: every tool's definition as a server listed it, pinned so a later change is seen.

``wireproof check --lock`` writes and compares it; ``wireproof guard --pin`` withholds a tool whose
definition no longer matches it. A lock is versioned JSON, one entry per tool, keyed by name; each of
the fields a model reads (description, input and output schema, annotations) is kept as its value and
the SHA-256 of its canonical JSON, and the tool has a digest over all of them::

    {
      "format": "wireproof.lock",
      "version": 1,
      "server": {"name": "helpdesk", "version": "1.0.0"},
      "tools": {
        "get_ticket": {
          "sha256": "3f1c…",
          "fields": {
            "description": {"sha256": "9a0b…", "value": "Get one ticket by its id."},
            "inputSchema": {"sha256": "…", "value": {"type": "object", …}},
            "outputSchema": {"sha256": "…", "value": null},
            "annotations": {"sha256": "…", "value": {"readOnlyHint": true}}
          }
        }
      }
    }

The API, in full::

    lock = Lock.of(definitions, server_name="helpdesk")     # from ToolDefinition.from_wire(tool dict)
    write_lock(path, lock); lock = read_lock(path)            # LockFileError: a clear, one-line reason
    diff = lock.compare(definitions)                          # added, removed, changed (with .diff())

Canonical JSON is ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
in UTF-8, so the digests do not depend on key order or whitespace; an absent field and ``null`` are
the same. ``server`` is recorded for the reader and never compared. A digest that does not match its
value (a hand-edited lock) is refused, not trusted.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from wireproof._jsontext import parse_json
from wireproof.errors import OperatorError

__all__ = [
    "FIELDS",
    "LOCK_FORMAT",
    "LOCK_VERSION",
    "Field",
    "Lock",
    "LockDiff",
    "LockFileError",
    "ToolChange",
    "ToolDefinition",
    "canonical_json",
    "dumps_lock",
    "loads_lock",
    "read_lock",
    "sha256_of",
    "write_lock",
]

LOCK_FORMAT: Final = "wireproof.lock"
LOCK_VERSION: Final = 1
Field = Literal["description", "inputSchema", "outputSchema", "annotations"]
FIELDS: Final[tuple[Field, ...]] = ("description", "inputSchema", "outputSchema", "annotations")
"""The parts of a tool's definition that are pinned, in their MCP wire names."""


class LockFileError(OperatorError, ValueError):
    """A lock file cannot be read or written; the message names the file and what is wrong with it."""


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, no whitespace, Unicode kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(value: Any) -> str:
    """The hex SHA-256 of ``value``'s canonical JSON (UTF-8)."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """One tool's definition as ``tools/list`` gave it: its name and the pinned fields."""

    name: str
    description: str | None
    input_schema: Mapping[str, Any]
    output_schema: Mapping[str, Any] | None
    annotations: Mapping[str, Any] | None

    @classmethod
    def from_wire(cls, tool: Mapping[str, Any]) -> ToolDefinition:
        """From a ``tools/list`` entry: the raw JSON, or ``mcp_types.Tool.model_dump(by_alias=True)``.

        Hints given as null and empty annotations count as absent, so a client that dumps with
        ``exclude_none`` and one that does not pin the same digest.
        """
        name = tool.get("name")
        if not isinstance(name, str) or not name:
            raise LockFileError("a tool definition needs a non-empty string name")
        return cls(
            name=name,
            description=tool.get("description"),
            input_schema=tool.get("inputSchema") or {},
            output_schema=tool.get("outputSchema"),
            annotations=tool.get("annotations"),
        )

    def fields(self) -> dict[Field, Any]:
        """The pinned fields under their wire names (JSON values)."""
        return {
            "description": self.description,
            "inputSchema": _plain(self.input_schema),
            "outputSchema": _plain(self.output_schema),
            "annotations": _annotations(self.annotations),
        }

    @property
    def sha256(self) -> str:
        """The digest of the whole definition: the name and every pinned field."""
        return sha256_of({"name": self.name, **self.fields()})


def _annotations(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Annotations without the hints left null; none at all is ``None`` (as the SDK's ``exclude_none`` dump)."""
    kept = {k: v for k, v in (_plain(value) or {}).items() if v is not None}
    return kept or None


def _plain(value: Any) -> Any:
    """A JSON round trip: mappings become dicts, tuples lists, so equal definitions compare equal."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


@dataclass(frozen=True, slots=True)
class ToolChange:
    """A tool in both the lock and the server whose definition differs.

    fields (tuple[Field, ...]): the pinned fields that changed, in ``FIELDS`` order.
    """

    name: str
    locked: ToolDefinition
    current: ToolDefinition
    fields: tuple[Field, ...]

    def diff(self) -> str:
        """A unified diff of each changed field, the lock's side first (schemas pretty-printed)."""
        before, after = self.locked.fields(), self.current.fields()
        parts: list[str] = []
        for name in self.fields:
            parts.extend(
                difflib.unified_diff(
                    _lines(before[name]),
                    _lines(after[name]),
                    fromfile=f"lock: {self.name}.{name}",
                    tofile=f"server: {self.name}.{name}",
                    lineterm="",
                    n=2,
                )
            )
        return "\n".join(parts)


def _lines(value: Any) -> list[str]:
    if value is None:
        return ["(absent)"]
    if isinstance(value, str):
        return value.splitlines() or [""]
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


@dataclass(frozen=True, slots=True)
class LockDiff:
    """What changed between a lock and the tools a server lists now, each part sorted by name."""

    added: tuple[ToolDefinition, ...]
    removed: tuple[ToolDefinition, ...]
    changed: tuple[ToolChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One line: ``1 added (x), 1 removed (y), 1 changed (z: description)``, or ``no change``."""
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} added ({', '.join(t.name for t in self.added)})")
        if self.removed:
            parts.append(f"{len(self.removed)} removed ({', '.join(t.name for t in self.removed)})")
        if self.changed:
            names = ", ".join(f"{c.name}: {'/'.join(c.fields)}" for c in self.changed)
            parts.append(f"{len(self.changed)} changed ({names})")
        return ", ".join(parts) or "no change"


@dataclass(frozen=True, slots=True)
class Lock:
    """The pinned definitions, by tool name, and the server they were recorded from (never compared)."""

    tools: Mapping[str, ToolDefinition]
    server_name: str | None = None
    server_version: str | None = None

    @classmethod
    def of(
        cls,
        definitions: Iterable[ToolDefinition],
        *,
        server_name: str | None = None,
        server_version: str | None = None,
    ) -> Lock:
        """A lock of ``definitions``; two tools of one name are refused (the lock could pin only one)."""
        tools: dict[str, ToolDefinition] = {}
        for definition in definitions:
            if definition.name in tools:
                raise LockFileError(f"the server lists two tools named {definition.name!r}; a lock pins one")
            tools[definition.name] = definition
        return cls(dict(sorted(tools.items())), server_name, server_version)

    def compare(self, current: Iterable[ToolDefinition]) -> LockDiff:
        """What ``current`` (the tools listed now) adds, removes and changes against this lock."""
        now = Lock.of(current).tools
        added = tuple(now[n] for n in sorted(set(now) - set(self.tools)))
        removed = tuple(self.tools[n] for n in sorted(set(self.tools) - set(now)))
        changed = []
        for name in sorted(set(now) & set(self.tools)):
            locked, listed = self.tools[name].fields(), now[name].fields()
            fields = tuple(f for f in FIELDS if sha256_of(locked[f]) != sha256_of(listed[f]))
            if fields:
                changed.append(ToolChange(name, self.tools[name], now[name], fields))
        return LockDiff(added, removed, tuple(changed))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": LOCK_FORMAT,
            "version": LOCK_VERSION,
            "server": {"name": self.server_name, "version": self.server_version},
            "tools": {
                name: {
                    "sha256": definition.sha256,
                    "fields": {
                        field: {"sha256": sha256_of(value), "value": value}
                        for field, value in definition.fields().items()
                    },
                }
                for name, definition in sorted(self.tools.items())
            },
        }


def dumps_lock(lock: Lock) -> str:
    """The lock file's text: indented, keys sorted, so a changed tool shows as a small diff in review."""
    return json.dumps(lock.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def loads_lock(text: str, source: str = "the lock") -> Lock:
    """Parse a lock file's text; ``source`` names it in errors. Raises ``LockFileError``."""
    data = parse_json(text, source, LockFileError)
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        raise LockFileError(f'{source} is not a wireproof lock (no "format": "{LOCK_FORMAT}")')
    version = data.get("version")
    if version != LOCK_VERSION:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > LOCK_VERSION
        hint = "; upgrade wireproof" if newer else ""
        raise LockFileError(
            f"{source} is lock version {version!r}; this wireproof reads {LOCK_VERSION}{hint}"
        )
    server = data.get("server") or {}
    tools = data.get("tools")
    if not isinstance(server, dict) or not isinstance(tools, dict):
        raise LockFileError(f'{source}: "server" and "tools" must be objects')
    definitions = [_definition(name, entry, source) for name, entry in tools.items()]
    name, server_version = server.get("name"), server.get("version")
    return Lock.of(
        definitions,
        server_name=name if isinstance(name, str) else None,
        server_version=server_version if isinstance(server_version, str) else None,
    )


def _definition(name: str, entry: Any, source: str) -> ToolDefinition:
    where = f"{source}: tools.{name}"
    if not name or not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
        raise LockFileError(f'{where} must be an object with "sha256" and "fields"')
    fields = entry["fields"]
    if set(fields) != set(FIELDS):
        raise LockFileError(f"{where}.fields must have exactly {', '.join(FIELDS)}")
    values: dict[str, Any] = {}
    for field in FIELDS:
        item = fields[field]
        if not isinstance(item, dict) or "value" not in item or "sha256" not in item:
            raise LockFileError(f'{where}.fields.{field} must be an object with "sha256" and "value"')
        if sha256_of(item["value"]) != item["sha256"]:
            raise LockFileError(
                f"{where}.fields.{field}: the digest does not match the value (edited by hand?); "
                "record the lock again rather than editing it"
            )
        values[field] = item["value"]
    description, input_schema = values["description"], values["inputSchema"]
    output_schema, annotations = values["outputSchema"], values["annotations"]
    if not (description is None or isinstance(description, str)) or not isinstance(input_schema, dict):
        raise LockFileError(f"{where}: description must be a string or null, inputSchema an object")
    if not all(v is None or isinstance(v, dict) for v in (output_schema, annotations)):
        raise LockFileError(f"{where}: outputSchema and annotations must be objects or null")
    definition = ToolDefinition(name, description, input_schema, output_schema, annotations)
    if definition.sha256 != entry.get("sha256"):
        raise LockFileError(f"{where}: the tool's digest does not match its fields (edited by hand?)")
    return definition


def read_lock(path: Path) -> Lock:
    """Read the lock at ``path``; a missing, unreadable or garbled file is a ``LockFileError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LockFileError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockFileError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return loads_lock(text, str(path))


def write_lock(path: Path, lock: Lock) -> None:
    """Write ``lock`` to ``path`` atomically (a temporary file beside it, then renamed over it)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(dumps_lock(lock))
            os.chmod(temporary, 0o644)  # mkstemp makes it 0600; a lock is reviewed and committed
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LockFileError(f"cannot write {path}: {exc.strerror or exc}") from None
