"""The effects probe (only with --allow-writes, and only with observers): does a write do what it says?

After the writes probe, each write tool gets up to three more calls, each between two observer snapshots:

- ``write-roundtrip``: the sample call with distinctive values the checker chose: free-text fields
  (name, title, value, body…) get numeric-looking text with leading zeros (``"007"``), an enum field a
  value other than its default. The rules compare what was sent with what the observers show afterwards.
- ``write-collision``: a renaming tool (``old_name``/``new_name``) renames what the writes probe renamed
  onto the name of an existing sibling (another string in the observers' list that holds it, and one the
  checker's own calls or the config's sample arguments already named: nothing else is put at risk).
- ``write-miss``: a delete/remove aimed at a target that cannot exist (an invented name, the id
  987654321, a file name beside the sample's): the observers must not move, and the answer must not
  claim a deletion.
- ``write-keys-only``: an update called with its required (key) fields only, nothing to change.
- ``write-miss`` for an update too: the update aimed at a target that cannot exist.

``write-distinct-sequential`` / ``write-distinct-concurrent``: a create given two distinct unique values in
its free-text field (or in a free-text member of JSON packed in a string, a batch create's items) one after
the other, then six more at once; the observers after each part show
whether concurrent creates keep each other (a read-modify-write of a whole file loses all but one).

``write-reference`` (no observers needed): a create (a write that neither deletes nor updates) whose
parameter refers to another item (``parent_id``, ``project_id``, ``todo_ids``, ``blockers``, ``depends_on``)
given a reference that cannot exist (``wireproof_does_not_exist_7f3a``, the id 987654321): the answer must
refuse it, not store a dangling link.

``probe_poison`` (after every write tool's probe, so that data it poisons blinds no other probe) writes a date-like
field as ``"tomorrow"`` (schema-valid: a plain string) and calls the observers again: a write that the
server accepts must not break its reads. Each call is recorded, never judged; the snapshots are kept in
``observations.snapshots[tool]`` under ``<purpose>-before`` and ``<purpose>-after``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any, Final

import anyio

from wireproof.check.client import Connection
from wireproof.check.config import CheckOptions, Observer
from wireproof.check.generate import MISSING_ID, MISSING_NAME, is_schema_valid, resolve, valid_samples
from wireproof.check.model import (
    CallRecord,
    Observations,
    Purpose,
    ToolInfo,
    code_parameters,
    idempotency_key_parameter,
    path_parameters,
)
from wireproof.check.probes.writes import probe_write, snapshot

__all__ = [
    "DISTINCT_CALLS",
    "MALFORMED_DATE",
    "MISSING_ID",
    "ROUNDTRIP_TEXTS",
    "deletes",
    "distinct_field",
    "miss_arguments",
    "probe_effects",
    "probe_poison",
    "probe_write_and_effects",
    "reference_arguments",
    "roundtrip_arguments",
    "updates",
    "words",
]

ROUNDTRIP_TEXTS: Final = ("007341", "007342", "007343", "007344", "007345")
"""Numeric-looking text with leading zeros: stored as text it reads back the same; coerced, as 7341…
(a number no count or id in a small test account is likely to equal by chance)."""
DISTINCT_CALLS: Final = 6
"""Concurrent creates with distinct values (the lost-writes probe)."""
MALFORMED_DATE: Final = "tomorrow"
"""A date as a person says it: schema-valid for a plain string, and no date a strict parser reads."""

_FREE_TEXT: Final = frozenset(
    {
        "name",
        "title",
        "value",
        "text",
        "content",
        "description",
        "note",
        "notes",
        "comment",
        "label",
        "body",
        "message",
        "summary",
        "subject",
        "progress",
        "caption",
    }
)
_NOT_NEW: Final = frozenset({"old", "source", "src", "from", "current", "existing", "prev", "previous"})
_DELETE_VERBS: Final = frozenset(
    {"delete", "remove", "drop", "destroy", "purge", "erase", "unlink", "trash", "del"}
)
_UPDATE_VERBS: Final = frozenset({"update", "edit", "modify", "patch", "change"})
_READ_VERBS: Final = frozenset(
    {"get", "list", "read", "search", "describe", "find", "show", "query", "count", "fetch", "view", "lookup"}
)
_REFERENCE_WORDS: Final = frozenset(
    {
        "parent",
        "blocker",
        "blockers",
        "depends",
        "dependency",
        "dependencies",
        "prerequisite",
        "prerequisites",
    }
)
_ID_WORDS: Final = frozenset({"id", "ids", "uuid", "uuids", "ref", "refs"})
_UPSERT_VERBS: Final = frozenset({"upsert", "save", "put", "set", "store", "register", "ensure"})
_NOT_REFERENCES: Final = frozenset(
    {"external", "request", "session", "trace", "correlation", "client", "idempotency", "dedup", "dedupe"}
    | {"operation", "tracking", "custom", "caller", "transaction", "message"}
)
"""First words of ids a caller makes up on purpose (``external_id``, ``request_id``): no reference to check."""
_DATE_WORDS: Final = frozenset({"date", "due", "deadline", "day", "birthday", "when", "time", "timestamp"})


def words(name: str) -> list[str]:
    """The words of a tool or parameter name: ``task_get``, ``taskGet`` and ``task-get`` give [task, get]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def deletes(tool: ToolInfo) -> bool:
    """Whether the tool's name says it deletes (``delete_rows``, ``task_delete``, ``removeTag``)."""
    return bool(set(words(tool.name)) & _DELETE_VERBS)


def updates(tool: ToolInfo) -> bool:
    """Whether the tool's name says it updates an existing item (``update_ticket``, ``task_update``)."""
    return bool(set(words(tool.name)) & _UPDATE_VERBS) and not deletes(tool)


def _writes(tool: ToolInfo) -> bool:
    """A tool treated as a write whose name does not say it reads (``task_get``, ``list_rows`` unannotated)."""
    return not tool.read_only and not set(words(tool.name)) & _READ_VERBS


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional field as SDKs write it (``anyOf: [{type: string}, {type: null}]``) read as its one type."""
    for key in ("anyOf", "oneOf"):
        members = prop.get(key)
        if isinstance(members, list):
            kept = [m for m in members if isinstance(m, dict) and m.get("type") != "null"]
            if len(kept) == 1:
                return {**{k: v for k, v in prop.items() if k != key}, **kept[0]}
    return prop


def _properties(tool: ToolInfo) -> dict[str, dict[str, Any]]:
    schema = tool.input_schema
    return {
        str(n): _nullable(resolve(p, schema))
        for n, p in schema.get("properties", {}).items()
        if isinstance(p, dict)
    }


def _plain_string(prop: dict[str, Any]) -> bool:
    """A string field without constraints on its shape; or a field with no type at all (any value)."""
    kind = prop.get("type")
    untyped = kind is None and not {"items", "properties", "anyOf", "oneOf", "allOf", "$ref"} & set(prop)
    return (untyped or kind == "string" or (isinstance(kind, list) and "string" in kind)) and not (
        prop.get("enum") or prop.get("format") or prop.get("pattern") or prop.get("const")
    )


def roundtrip_arguments(tool: ToolInfo, base: dict[str, Any]) -> dict[str, Any] | None:
    """The sample call with distinctive values in its free-text and enum fields (optional ones added, no
    other optional field: the required-only sample is the one most likely to succeed), or None if it has none."""
    special = set(path_parameters(tool)) | set(code_parameters(tool))
    key = idempotency_key_parameter(tool)
    arguments = dict(base)
    texts = iter(ROUNDTRIP_TEXTS)
    changed = False
    for name, prop in _properties(tool).items():
        if name in special or name == key:
            continue
        parts = words(name)
        if not parts or parts[0] in _NOT_NEW:
            continue
        candidate: Any = None
        if parts[-1] in _FREE_TEXT and _plain_string(prop):
            candidate = next(texts, None)
        elif isinstance(prop.get("enum"), list) and len(prop["enum"]) > 1:
            # neither the default nor the first (often the default unstated) nor what the sample sends
            enum = prop["enum"]
            others = [
                v
                for v in enum
                if isinstance(v, str) and v not in (prop.get("default"), enum[0], base.get(name))
            ]
            candidate = others[-1] if others else None
        if candidate is None:
            continue
        trial = {**arguments, name: candidate}
        if is_schema_valid(tool.input_schema, trial) is not False:
            arguments, changed = trial, True
    return arguments if changed else None


def miss_arguments(tool: ToolInfo, base: dict[str, Any]) -> dict[str, Any] | None:
    """The sample call aimed at a target that cannot exist: its required non-path fields invented
    (a name, the id 987654321); when its only targets are paths, a file name beside the sample's. An id
    whose schema caps it below 987654321 is left as sampled, and with nothing invented there is no call."""
    properties = _properties(tool)
    required = [r for r in tool.input_schema.get("required", []) if isinstance(r, str) and r in properties]
    paths = set(path_parameters(tool))
    targets = [r for r in required if r not in paths] or [r for r in required if r in paths]
    arguments = dict(base)
    changed = False
    for name in targets:
        prop, value = properties[name], base.get(name)
        if name in paths and isinstance(value, str) and value:
            original = PurePosixPath(value)
            candidate: Any = str(original.with_name(MISSING_NAME + original.suffix))
        elif _plain_string(prop):
            candidate = MISSING_NAME
        elif prop.get("type") == "integer" and not prop.get("enum"):
            high = prop.get("maximum")
            if isinstance(high, int | float) and high < MISSING_ID:
                continue  # its highest allowed id may well exist: a delete of it is no miss, and destroys data
            candidate = MISSING_ID
        else:
            continue
        arguments[name], changed = candidate, True
    if not changed or is_schema_valid(tool.input_schema, arguments) is False:
        return None
    return arguments


def _missing_reference(prop: dict[str, Any]) -> Any:
    """A value for a reference field that names no item: an invented name or id, or a list of one."""
    kind = prop.get("type")
    if kind == "array":
        item = prop.get("items")
        inner = _missing_reference(item) if isinstance(item, dict) else None
        return None if inner is None else [inner]
    if _plain_string(prop) and kind is not None:
        return MISSING_NAME
    if kind == "integer" and not prop.get("enum"):
        high = prop.get("maximum")
        return None if isinstance(high, int | float) and high < MISSING_ID else MISSING_ID
    return None


def reference_arguments(tool: ToolInfo, base: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A create's sample call with its first reference to another item (``parent_id``, ``todo_ids``,
    ``blockers``; never a bare ``id``, which a create may take for the new item) made up; None without one."""
    if deletes(tool) or updates(tool):
        return None
    verbs = set(words(tool.name))
    if verbs & _UPSERT_VERBS:
        return (
            None  # an upsert keyed by an id the caller chooses: a new id is a new item, not a dangling link
        )
    key = idempotency_key_parameter(tool)
    for name, prop in _properties(tool).items():
        parts = words(name)
        if parts and parts[0] in verbs:
            continue  # create_note(note_id): the new item's own id
        if (
            name == key
            or not parts
            or parts[0] in _NOT_REFERENCES
            or (len(parts) == 1 and parts[0] in _ID_WORDS)
        ):
            continue
        if not (set(parts) & _REFERENCE_WORDS or (len(parts) > 1 and parts[-1] in _ID_WORDS)):
            continue
        value = _missing_reference(prop)
        if value is None:
            continue
        arguments = {**base, name: value}
        if is_schema_valid(tool.input_schema, arguments) is not False:
            return name, arguments
    return None


def distinct_field(tool: ToolInfo, base: dict[str, Any]) -> str | None:
    """The create's first free-text field (name, title, content…) that takes a short unique marker, or None."""
    found = _distinct(tool, base)
    return found[0] if found else None


def _distinct(tool: ToolInfo, base: dict[str, Any]) -> tuple[str, Callable[[str], Any]] | None:
    """The field that takes the unique marker, and how the marker becomes that field's value.

    A free-text field (name, title, content…) takes it as it is. Failing one, a string field whose sample is
    JSON packed into a string (``tasksRaw = '[{"name": "task E", …}]'``: the items of a batch create)
    takes it in the first free-text member of that JSON, the rest of the sample kept.
    """
    if deletes(tool) or updates(tool):
        return None
    special = set(path_parameters(tool)) | set(code_parameters(tool)) | {idempotency_key_parameter(tool)}
    properties = _properties(tool)
    for name, prop in properties.items():
        parts = words(name)
        if name in special or not parts or parts[0] in _NOT_NEW or parts[-1] not in _FREE_TEXT:
            continue
        if (
            _plain_string(prop)
            and is_schema_valid(tool.input_schema, {**base, name: "wpc-0123abcd-s1"}) is not False
        ):
            return name, lambda value: value
    for name, prop in properties.items():
        packed = _packed_json(base.get(name))
        if name in special or not _plain_string(prop) or packed is None:
            continue
        path = _free_text_path(packed)
        if path is None:
            continue

        def inside(value: str, packed: Any = packed, path: tuple[Any, ...] = path) -> str:
            return json.dumps(_replaced(packed, path, value), ensure_ascii=False)

        if is_schema_valid(tool.input_schema, {**base, name: inside("wpc-0123abcd-s1")}) is not False:
            return name, inside
    return None


def _packed_json(sample: Any) -> Any:
    """The JSON array or object a string sample holds, or None."""
    if not isinstance(sample, str) or not sample.lstrip().startswith(("[", "{")):
        return None
    try:
        value = json.loads(sample)
    except ValueError:
        return None
    return value if isinstance(value, list | dict) and value else None


def _free_text_path(value: Any, depth: int = 0) -> tuple[Any, ...] | None:
    """The path to the first string member named as free text (name, title…) in ``value``, or None."""
    if depth > 4:
        return None
    if isinstance(value, dict):
        for key, member in value.items():
            parts = words(str(key))
            if isinstance(member, str) and parts and parts[-1] in _FREE_TEXT:
                return (key,)
        members: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        members = list(enumerate(value[:1]))
    else:
        return None
    for key, member in members:
        below = _free_text_path(member, depth + 1)
        if below is not None:
            return (key, *below)
    return None


def _replaced(value: Any, path: tuple[Any, ...], new: str) -> Any:
    """A copy of ``value`` with the member at ``path`` set to ``new``."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]
    return {k: _replaced(v, rest, new) if k == head else v for k, v in value.items()}


async def _distinct_writes(
    connection: Connection,
    tool: ToolInfo,
    base: dict[str, Any],
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Two distinct creates one after the other, then ``DISTINCT_CALLS`` at once, each part followed by a snapshot."""
    found = _distinct(tool, base)
    if found is None:
        return
    field, placed = found
    token = uuid.uuid4().hex[:8]
    key = idempotency_key_parameter(tool)

    def arguments(value: str) -> dict[str, Any]:  # a fresh idempotency key each: eight distinct writes
        return {**base, field: placed(value), **({key: f"wireproof-check-{uuid.uuid4().hex}"} if key else {})}

    for i in (1, 2):
        value = f"wpc-{token}-s{i}"
        observations.calls.append(
            await connection.call(
                tool.name, arguments(value), "write-distinct-sequential", field=field, constraint=value
            )
        )
    snaps = observations.snapshots.setdefault(tool.name, {})
    snaps["distinct-sequential"] = await snapshot(connection, options)
    results: list[CallRecord] = []

    async def one(value: str) -> None:
        results.append(
            await connection.call(
                tool.name,
                arguments(value),
                "write-distinct-concurrent",
                field=field,
                constraint=value,
                reconnect=False,
            )
        )

    if await connection.open() is not None:
        async with anyio.create_task_group() as group:
            for i in range(1, DISTINCT_CALLS + 1):
                group.start_soon(one, f"wpc-{token}-c{i}")
    await connection.recover()
    observations.calls.extend(results)
    snaps["distinct-concurrent"] = await snapshot(connection, options)


def _keys_only_arguments(tool: ToolInfo, base: dict[str, Any]) -> dict[str, Any] | None:
    """The sample call's required fields only, when the tool has fields to change beyond them."""
    properties = _properties(tool)
    required = [r for r in tool.input_schema.get("required", []) if isinstance(r, str)]
    if not required or not set(properties) - set(required) or not all(r in base for r in required):
        return None
    arguments = {r: base[r] for r in required}
    return arguments if is_schema_valid(tool.input_schema, arguments) is not False else None


async def _between_snapshots(
    connection: Connection,
    tool: ToolInfo,
    arguments: dict[str, Any],
    purpose: Purpose,
    options: CheckOptions,
    observations: Observations,
    field: str | None = None,
) -> None:
    snaps = observations.snapshots.setdefault(tool.name, {})
    snaps[f"{purpose}-before"] = await snapshot(connection, options)
    observations.calls.append(await connection.call(tool.name, arguments, purpose, field=field))
    snaps[f"{purpose}-after"] = await snapshot(connection, options)


def _rename_fields(tool: ToolInfo) -> tuple[str, str] | None:
    """The (old, new) pair of a renaming tool's fields: ``old_name``/``new_name``, ``source_title``/``new_title``."""
    names = list(_properties(tool))
    for old in names:
        for new in names:
            a, b = words(old), words(new)
            if len(a) > 1 and len(b) > 1 and a[0] in _NOT_NEW and b[0] == "new" and a[-1] == b[-1]:
                return old, new
    return None


def _lists(value: Any) -> Iterator[list[Any]]:
    if isinstance(value, list):
        yield value
        for item in value:
            yield from _lists(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _lists(item)


def _named_by_checker(observations: Observations) -> set[str]:
    """Every string the checker has sent as an argument so far (its own samples and the config's)."""
    return {v for call in observations.calls for v in call.arguments.values() if isinstance(v, str)}


def _sibling(snap: str | None, name: str, allowed: set[str]) -> str | None:
    """Another string in a list of the observers' answers that holds ``name``: an existing sibling's name.

    Only a sibling the checker's own calls (or the config's sample arguments) already named is taken: a
    server that silently overwrites on a rename must lose nothing the operator did not point the check at.
    """
    for entry in json.loads(snap) if snap else []:
        value = entry.get("structured")
        if value is None:
            try:
                value = json.loads(entry.get("text") or "")
            except (ValueError, RecursionError):
                continue
        for found in _lists(value):
            if name in found:
                others = [v for v in found if isinstance(v, str) and v and v != name and v in allowed]
                if others:
                    return str(others[0])
    return None


async def _collision(
    connection: Connection,
    tool: ToolInfo,
    base: dict[str, Any],
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Rename the item the writes probe renamed onto an existing sibling's name (the observers name both)."""
    pair = _rename_fields(tool)
    if pair is None or not isinstance(base.get(pair[1]), str):
        return
    old, new = pair
    snaps = observations.snapshots.setdefault(tool.name, {})
    before = await snapshot(connection, options)
    sibling = _sibling(before, base[new], _named_by_checker(observations))
    arguments = {**base, old: base[new], new: sibling}
    if sibling is None or is_schema_valid(tool.input_schema, arguments) is False:
        return
    snaps["write-collision-before"] = before
    observations.calls.append(await connection.call(tool.name, arguments, "write-collision", field=new))
    snaps["write-collision-after"] = await snapshot(connection, options)


async def probe_write_and_effects(
    connection: Connection,
    tool: ToolInfo,
    options: CheckOptions,
    observations: Observations,
    advance: Callable[[], None],
) -> None:
    """The writes probe of one tool, then (with observers) its effect calls, before the next tool's writes
    move the sample's target (a later delete tool removes what an update's sample names)."""
    await probe_write(connection, tool, options, observations, advance)
    await probe_effects(connection, tool, options, observations)


async def probe_effects(
    connection: Connection, tool: ToolInfo, options: CheckOptions, observations: Observations
) -> None:
    """A create's made-up reference; with observers, the round trip, the missed delete or update, and the
    keys-only update of one write tool."""
    if not _writes(tool):
        return
    base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
    reference = reference_arguments(tool, base)
    if reference is not None:
        field, arguments = reference
        observations.calls.append(
            await connection.call(tool.name, arguments, "write-reference", field=field, constraint="made-up")
        )
    if not options.observers:
        return
    if deletes(tool):
        miss = miss_arguments(tool, base)
        if miss is not None:
            await _between_snapshots(connection, tool, miss, "write-miss", options, observations)
        return
    await _collision(connection, tool, base, options, observations)
    roundtrip = roundtrip_arguments(tool, base)
    if roundtrip is not None:
        await _between_snapshots(connection, tool, roundtrip, "write-roundtrip", options, observations)
    await _distinct_writes(connection, tool, base, options, observations)
    if updates(tool):
        miss = miss_arguments(tool, base)
        if miss is not None:
            await _between_snapshots(connection, tool, miss, "write-miss", options, observations)
        keys = _keys_only_arguments(tool, base)
        if keys is not None:
            await _between_snapshots(connection, tool, keys, "write-keys-only", options, observations)


def _date_field(tool: ToolInfo) -> str | None:
    for name, prop in _properties(tool).items():
        if set(words(name)) & _DATE_WORDS and _plain_string(prop):
            return name
    return None


def _default_reads(tools: list[ToolInfo], options: CheckOptions) -> list[Observer]:
    """The observers, and up to five read tools as a caller first calls them: with no arguments, when they
    require none. A bad value may break only the default view (its default sort or filter)."""
    observed = {(o.tool, repr(sorted(o.arguments.items()))) for o in options.observers}
    extra = []
    for tool in tools:
        reads = tool.read_only or bool(set(words(tool.name)) & _READ_VERBS)
        if not reads or tool.input_schema.get("required"):
            continue
        if (tool.name, "[]") not in observed:
            extra.append(Observer(tool.name, {}))
    return [*options.observers, *extra[:5]]


async def probe_poison(
    connection: Connection, tools: list[ToolInfo], options: CheckOptions, observations: Observations
) -> None:
    """For each write tool with a plain-string date field: a write of ``"tomorrow"`` into it, between two
    snapshots of the observers and of the argument-free read tools."""
    if not options.observers:
        return
    watched = replace(options, observers=_default_reads(observations.tools, options))
    for tool in tools:
        field = _date_field(tool)
        if not _writes(tool) or deletes(tool) or field is None:
            continue
        base = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
        arguments = {**base, field: MALFORMED_DATE}
        if is_schema_valid(tool.input_schema, arguments) is not False:
            await _between_snapshots(
                connection, tool, arguments, "write-malformed", watched, observations, field
            )
