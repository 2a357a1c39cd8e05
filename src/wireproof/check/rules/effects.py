"""Rules on what a write did, as the observers show it (``check.probes.effects`` and the writes probe).

Each judges only what the observers show: without observers, or when an observer's answer is no JSON
or does not name the written field, the write is "not tested", never a finding.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, Final

from wireproof.check.edges import tokens
from wireproof.check.model import (
    CallRecord,
    Purpose,
    ToolInfo,
    bookkeeping_change,
    json_leaves,
    observers_moved,
    snapshot_answers,
    snapshot_noise,
)
from wireproof.check.probes.effects import deletes
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import TOOL_ERRORS, answer_text, answered_ok, disguised_failure

_NUMERIC: Final = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NAME_LIKE: Final = re.compile(r"(^|_|[a-z])(name|title|label)$", re.IGNORECASE)
"""An identifier a server may de-duplicate with a suffix (``Sales`` stored as ``Sales1``)."""
_SUFFIX: Final = re.compile(r"^[ _-]?\(?\d{1,3}\)?$")
_SUCCESS: Final = re.compile(
    r"\b(deleted|removed|dropped|destroyed|purged|erased|updated|modified|changed|saved|"
    r"success(ful(ly)?)?|succeeded|done)\b",
    re.IGNORECASE,
)
_NOTHING: Final = re.compile(
    r"not found|no such|does not exist|doesn't exist|did not exist|nothing|no changes?\b|unchanged|"
    r"not (deleted|removed|updated|modified|changed)|\b0 \w+|\bno (rows?|items?|records?|fields?|matching)\b|"
    r"already|skipp|fail|error|cannot|can't|unknown|invalid|\bfalse\b|\bnone\b",
    re.IGNORECASE,
)
_MISSING: Final = re.compile(
    r"not found|no such|does not exist|doesn't exist|not exist|unknown|no \w+ (with|named)", re.IGNORECASE
)
_ALREADY: Final = re.compile(r"already (been )?(deleted|removed|gone)|was deleted", re.IGNORECASE)
_EXISTS: Final = re.compile(
    r"already exists?|exists already|already (been )?(created|added|registered|taken|in use)|duplicate"
    r"|unique constraint|is not unique|already in the",
    re.IGNORECASE,
)

Snapshot = list[dict[str, Any]]


def _entries(snap: str | None) -> Snapshot | None:
    if snap is None:
        return None
    try:
        value = json.loads(snap)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def _record(entry: dict[str, Any]) -> CallRecord:
    return CallRecord(
        str(entry.get("tool")),
        {},
        "observe",
        entry.get("outcome", "result"),
        0.0,
        is_error=bool(entry.get("is_error")),
        text=str(entry.get("text") or ""),
        structured=entry.get("structured"),
    )


def _fine(entry: dict[str, Any]) -> bool:
    return answered_ok(_record(entry)) and disguised_failure(_record(entry)) is None


def _walk(value: Any, scalars: Counter[str], objects: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        objects.append(value)
        for item in value.values():
            _walk(item, scalars, objects)
    elif isinstance(value, list):
        for item in value:
            _walk(item, scalars, objects)
    else:
        scalars[json.dumps(value)] += 1


def _contents(snap: str | None) -> tuple[Counter[str], list[dict[str, Any]]] | None:
    """The scalars (as JSON) and the objects every fine observer answers as JSON; None if none does."""
    entries = _entries(snap)
    if entries is None:
        return None
    scalars: Counter[str] = Counter()
    objects: list[dict[str, Any]] = []
    seen = False
    for entry in entries:
        if not _fine(entry):
            continue
        value = _record(entry).answer_json()
        if isinstance(value, dict | list):
            seen = True
            _walk(value, scalars, objects)
    return (scalars, objects) if seen else None


def _pairs(ctx: RuleContext, tool: ToolInfo) -> Iterator[tuple[CallRecord, str | None, str | None]]:
    """Each successful write call of ``tool`` with the observer snapshots just before and after it."""
    snaps = ctx.observations.snapshots.get(tool.name, {})
    steps: tuple[tuple[Purpose, str, str], ...] = (
        ("write-first", "before", "write-first"),
        ("write-repeat", "write-first", "write-repeat"),
        ("write-roundtrip", "write-roundtrip-before", "write-roundtrip-after"),
        ("write-collision", "write-collision-before", "write-collision-after"),
    )
    for purpose, before, after in steps:
        for call in ctx.observations.calls_for(tool.name, purpose)[:1]:
            if answered_ok(call) and observers_moved(snaps.get(before), snaps.get(after)):
                yield call, snaps.get(before), snaps.get(after)  # not a moved stamp or counter alone


def _same(sent: str, seen: Any) -> bool:
    """Whether an observed string is the sent one, allowing for case, spacing and a stored prefix/suffix."""
    if not isinstance(seen, str):
        return False
    a, b = sent.strip().lower(), seen.strip().lower()
    return a == b or (len(a) >= 3 and (a in b or b in a))


def _differences(call: CallRecord, before: str | None, after: str | None) -> list[str]:
    old, new = _contents(before), _contents(after)
    if old is None or new is None:
        return []
    added = new[0] - old[0]
    added_objects = [o for o in new[1] if o not in old[1]]
    sent = {k: v for k, v in call.arguments.items() if isinstance(v, str) and v}
    ack = call.text + json.dumps(call.structured, ensure_ascii=False)
    found: list[str] = []
    for name, value in sent.items():
        if added[json.dumps(value)]:
            continue  # stored as sent (somewhere new)
        if _NUMERIC.match(value):
            number = float(value)
            coerced = [
                json.loads(s)
                for s in added
                if isinstance(json.loads(s), int | float)
                and not isinstance(json.loads(s), bool)
                and json.loads(s) == number
            ]
            text_forms = {str(int(number)) if number.is_integer() else str(number)} - {value}
            coerced += [json.loads(s) for s in added if json.loads(s) in text_forms]
            if coerced:
                found.append(f"{name} was sent as the text {value!r}; the observers now show {coerced[0]!r}")
                continue
        renamed = [
            json.loads(s)
            for s in added
            if isinstance(json.loads(s), str)
            and json.loads(s).startswith(value)
            and _SUFFIX.match(json.loads(s)[len(value) :])
        ]
        if _NAME_LIKE.search(name) and not value[-1:].isdigit() and renamed and renamed[0] not in ack:
            said = " (the answer names the value sent)" if value in ack else ""
            found.append(f"{name} was sent as {value!r}; the observers now show {renamed[0]!r}{said}")
    # the written item: a new object that holds one sent value under its own name
    items = [o for o in added_objects if any(o.get(k) == v for k, v in sent.items())]
    if 0 < len(items) <= 3:
        for name, value in sent.items():
            if any(name in f.split(" ", 1)[0] for f in found):
                continue
            for item in items:
                seen = item.get(name)
                anchored = any(item.get(k) == v for k, v in sent.items() if k != name)
                if anchored and isinstance(seen, str) and not _same(value, seen):
                    found.append(
                        f"{name} was sent as {value!r}; the observers show the item with {name} {seen!r}"
                    )
                    break
    return found


@rule(
    "errors.write-not-reflected",
    "warning",
    reference="wireproof MISSION property 1 (fail loudly, never silently wrong)",
)
def write_not_reflected(ctx: RuleContext) -> Iterator[Hit]:
    """A write stored something other than what it was sent

    After a successful write the observers must show what was written: text stored as a number ('007' read
    back as 7), a name stored with a suffix the answer does not name ('Sales' as 'Sales1'), or a field
    stored with another value than the one sent (status 'done' stored 'active') is a silent wrong effect:
    the model believes the acknowledgement. Judged only on fields the observers' answers name."""
    for tool in ctx.observations.tools:
        for call, before, after in _pairs(ctx, tool):
            found = _differences(call, before, after)
            if found:
                yield Hit(
                    tool.name, "After a successful write, " + "; ".join(found[:3]) + ".", call.evidence()
                )
                break


@rule(
    "errors.no-op-acknowledged",
    "warning",
    reference="wireproof MISSION properties 1 and 3; " + TOOL_ERRORS,
)
def no_op_acknowledged(ctx: RuleContext) -> Iterator[Hit]:
    """A write that did nothing answered as a success

    A delete or an update aimed at a target that cannot exist (an invented name, the id 987654321), or an
    update given only its key fields, changes nothing; answered isError false with a success text ('Deleted 3 rows',
    'updated successfully') while the observers do not move, it tells the model a change happened that did
    not. Say not found or nothing to change (isError true for a missing target)."""
    for tool in ctx.observations.tools:
        snaps = ctx.observations.snapshots.get(tool.name, {})
        for purpose in ("write-miss", "write-keys-only"):
            for call in ctx.observations.calls_for(tool.name, purpose)[:1]:
                before, after = snaps.get(f"{purpose}-before"), snaps.get(f"{purpose}-after")
                if before is None or observers_moved(before, after) or not answered_ok(call):
                    continue
                said = call.text + " " + (json.dumps(call.structured) if call.structured is not None else "")
                if not _SUCCESS.search(said) or _NOTHING.search(said):
                    continue
                what = (
                    f"{'a delete' if deletes(tool) else 'an update'} aimed at a target that does not exist"
                    if purpose == "write-miss"
                    else "an update given only its key fields (nothing to change)"
                )
                yield Hit(
                    tool.name,
                    f"{what[0].upper()}{what[1:]} was answered as a success while the observers did not move.",
                    call.evidence(),
                )


@rule(
    "errors.false-not-found",
    "warning",
    reference="wireproof MISSION property 3 (errors that teach); " + TOOL_ERRORS,
)
def false_not_found(ctx: RuleContext) -> Iterator[Hit]:
    """An update of an item that exists answered 'not found'

    An update given only its key fields (nothing to change) of a target the observers show, answered with
    a not-found text ('Task with ID … not found'), sends the model the wrong way: it looks for another id,
    or creates the item again. Say there is nothing to change (or which field to give); keep 'not found'
    for a target that does not exist. Only with --allow-writes and observers, and only for key values given
    in --config (a generated sample names no real item), each shown whole in an observer's answer."""
    for tool in ctx.observations.tools:
        snaps = ctx.observations.snapshots.get(tool.name, {})
        before = snaps.get("write-keys-only-before")
        for call in ctx.observations.calls_for(tool.name, "write-keys-only")[:1]:
            if before is None or call.outcome not in ("result", "protocol_error"):
                continue
            said = answer_text(call)
            configured = ctx.options.tool_arguments.get(tool.name, {})
            keys = {  # only what the user gave: a generated sample ("example") names no real item
                k: v
                for k, v in call.arguments.items()
                if k in configured
                and configured[k] == v
                and isinstance(v, str | int)
                and not isinstance(v, bool)
            }
            if not keys or len(keys) != len(call.arguments) or not _MISSING.search(said):
                continue
            if not all(_shown(before, name, value) for name, value in keys.items()):
                continue
            shown = ", ".join(f"{k} = {v!r}" for k, v in call.arguments.items())
            yield Hit(
                tool.name,
                f"An update given only its key fields ({shown}), of a target the observers show, was answered "
                f"not found: {said[:160]!r}.",
                call.evidence(),
            )


@rule(
    "idempotency.delete-retry-refused",
    "warning",
    reference="MCP 2026-07-28 (SEP-2575: clients re-issue broken requests); RFC 9110 §9.2.2 (idempotent DELETE)",
)
def delete_retry_refused(ctx: RuleContext) -> Iterator[Hit]:
    """A retried delete answered as an error

    An agent retries a write whose answer it did not see. A delete that succeeded and, retried, answers an
    error ('does not exist') tells it the delete failed; answer the retry as a success (already deleted),
    or say that it is already gone. A retry answered isError false but as a failure (an error object, a
    status or code of not found) is the same answer in disguise."""
    for tool in ctx.observations.tools:
        if not deletes(tool):
            continue
        first = ctx.observations.calls_for(tool.name, "write-first")
        repeat = ctx.observations.calls_for(tool.name, "write-repeat")
        if not first or not repeat or not answered_ok(first[0]):
            continue
        again = repeat[0]
        said = again.text + " " + again.error_message
        if again.structured is not None:
            said += " " + json.dumps(again.answer_json(), ensure_ascii=False)
        said = said.replace("_", " ")  # a status or code "not_found"
        refused = again.outcome == "protocol_error" or (again.outcome == "result" and again.is_error)
        disguised = not refused and again.outcome == "result" and _disguised_miss(again)
        if (refused or disguised) and _MISSING.search(said) and not _ALREADY.search(said):
            how = "answered as a failure in disguise (isError false)" if disguised else "refused as an error"
            yield Hit(
                tool.name,
                f"The delete succeeded, and its identical retry was {how} saying the target does not exist: "
                "a retrying agent is told its delete failed.",
                again.evidence(),
            )


@rule(
    "idempotency.retry-refused",
    "warning",
    reference="MCP 2026-07-28 (SEP-2575: clients re-issue broken requests); draft-ietf-httpapi-idempotency-key-header",
)
def retry_refused(ctx: RuleContext) -> Iterator[Hit]:
    """A retried write answered as an error because the first one worked

    An agent retries a write whose answer it did not see. A write that succeeded and, retried with the
    identical arguments, is refused because its own effect is now there ('already exists', 'duplicate',
    'Destination already exists') tells a retrying agent its write failed, when it worked: it tries
    again differently, or gives up on work that was done. Answer the retry with the first call's
    result (an idempotency key, or the existing item as the answer). Warning when the refusal comes in
    disguise (isError false, 'Error: … already exists': read as a result, it is neither a success nor a
    flagged failure), as a JSON-RPC error (the model never reads it: hold-out 7's excel_create_table) or
    contradicts the tool's idempotentHint: true; info when it is a flagged error (isError true): conflict
    semantics, like HTTP 409, that a careful agent can read. Only with
    --allow-writes (the writes probe's repeat); deletes have their own rule (idempotency.delete-retry-refused)."""
    for tool in ctx.observations.tools:
        if deletes(tool):
            continue
        first = ctx.observations.calls_for(tool.name, "write-first")
        repeat = ctx.observations.calls_for(tool.name, "write-repeat")
        if not first or not repeat or not answered_ok(first[0]):
            continue
        again = repeat[0]
        if again.arguments != first[0].arguments:
            continue
        refused = again.outcome == "protocol_error" or (again.outcome == "result" and again.is_error)
        disguised = not refused and again.outcome == "result" and disguised_failure(again) is not None
        if (refused or disguised) and _EXISTS.search(again.text + " " + again.error_message):
            hidden = again.outcome == "protocol_error"  # a JSON-RPC error: the model never reads it
            how = (
                "answered as a failure in disguise (isError false)"
                if disguised
                else "refused as a JSON-RPC error (which the model never sees)"
                if hidden
                else "refused as an error"
            )
            hinted = bool((tool.annotations or {}).get("idempotentHint"))
            yield Hit(
                tool.name,
                f"The write succeeded, and its identical retry was {how} because its own effect is now "
                f"there ({(again.text or again.error_message)[:120]!r}): a retrying agent is told its write failed"
                + (", though the tool is annotated idempotentHint: true." if hinted else "."),
                again.evidence(),
                "warning" if disguised or hinted or hidden else "info",
            )


def _shown(snapshot: str, name: str, value: str | int) -> bool:
    """Whether an observer's answer holds ``value`` as a whole member (under ``name``, or an id-like key),
    not as a substring of something else (``123`` in a timestamp)."""
    answers = snapshot_answers(snapshot)
    for path, leaf in json_leaves(answers).items():
        last = re.sub(r"(\[\d+\])+$", "", path).rsplit(".", 1)[-1]  # items[0].id -> id
        if leaf == value and (
            last == name or last.lower() in ("id", "uuid", "key") or last.lower().endswith("id")
        ):
            return True
    text = json.dumps(answers, ensure_ascii=False)
    return (
        isinstance(value, str)
        and len(value) >= 8
        and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None
    )


def _disguised_miss(call: CallRecord) -> bool:
    """An isError-false answer that is a failure: a disguised one, or a JSON status/code of not found."""
    if disguised_failure(call) is not None:
        return True
    value = call.answer_json()
    if not isinstance(value, dict):
        return False
    marks = [value.get(k) for k in ("status", "code", "error", "result") if isinstance(value.get(k), str)]
    return any(_MISSING.search(str(m).replace("_", " ")) for m in marks)


@rule(
    "errors.write-poisons-reads",
    "warning",
    reference="wireproof MISSION property 1 (fail loudly, never silently wrong)",
)
def write_poisons_reads(ctx: RuleContext) -> Iterator[Hit]:
    """A write the server accepted broke its reads

    A write given a malformed but schema-valid value (a date field given 'tomorrow') must be refused or
    stored harmlessly; accepted, and then failing an observer that answered before, it breaks the data for
    every caller. Validate the value when it is written."""
    for tool in ctx.observations.tools:
        snaps = ctx.observations.snapshots.get(tool.name, {})
        for call in ctx.observations.calls_for(tool.name, "write-malformed")[:1]:
            before = _entries(snaps.get("write-malformed-before"))
            after = _entries(snaps.get("write-malformed-after"))
            if not answered_ok(call) or before is None or after is None or len(before) != len(after):
                continue
            broken = [a for b, a in zip(before, after, strict=True) if _fine(b) and not _fine(a)]
            if broken:
                answer = _record(broken[0])
                yield Hit(
                    tool.name,
                    f"{call.field} = {call.arguments.get(call.field or '')!r} was accepted, and then the observer "
                    f"{broken[0].get('tool')} failed: {answer.text[:200]!r}.",
                    call.evidence(),
                )


@rule("errors.reference-not-checked", "warning", reference="wireproof MISSION property 3; " + TOOL_ERRORS)
def reference_not_checked(ctx: RuleContext) -> Iterator[Hit]:
    """A create that stores a reference to nothing

    A create whose parameter refers to another item (parent_id, project_id, todo_ids, blockers, depends_on)
    was given a reference that cannot exist (wireproof_does_not_exist_7f3a, the id 987654321) and answered
    as a success: the server stored a dangling link, and the model, told it worked, builds on an item that
    points nowhere (a blocker that never clears, a watch on nothing). Refuse it, naming the field and that
    no such item exists. Only with --allow-writes (it is a real create)."""
    reported: set[str] = set()
    for call in ctx.observations.calls:
        if call.purpose != "write-reference" or call.tool in reported or not answered_ok(call):
            continue
        said = answer_text(call)
        if disguised_failure(call) is not None or _MISSING.search(said):
            continue
        reported.add(call.tool)
        yield Hit(
            call.tool,
            f"A create with {call.field} = {call.arguments.get(call.field or '')!r}, a reference to an item that "
            "cannot exist, was answered as a success: it stores a link to nothing (refuse it, naming the field).",
            call.evidence(),
        )


# -- what a write did to the items it did not name (hold-out 5 td-5 and td-7) --------------------------------

_ID_KEYS: Final = ("id", "uuid", "key", "_id")
_LEAVES_DESTROY: Final = frozenset(
    {
        "delete",
        "reload",
        "refresh",
        "revert",
        "rollback",
        "undo",
        "remove",
        "clear",
        "drop",
        "purge",
        "destroy",
        "reset",
        "truncate",
        "replace",
        "restore",
        "load",
    }
    | {"import", "sync", "overwrite", "move", "rename", "merge", "archive", "prune", "cleanup", "compact"}
    | {"all", "bulk", "active", "default", "complete", "close", "resolve", "mark", "current", "switch"}
)
"""Name words of a write that may rightly change or remove items it does not name (mark_all_read,
set_active_project, complete_project: the other items' status moves with it)."""


def _id_key(items: list[Any]) -> str | None:
    """The member every item has that names it (``id``, ``uuid``, ``key``, ``task_id``), distinct per item."""
    if len(items) < 2 or not all(isinstance(i, dict) for i in items):
        return None
    shared = set.intersection(*(set(i) for i in items))
    candidates = [k for k in _ID_KEYS if k in shared] + sorted(
        k for k in shared if re.search(r"(_id|Id)$", k) and k not in _ID_KEYS
    )
    for key in candidates:
        values = [i[key] for i in items]
        if all(isinstance(v, str | int) and not isinstance(v, bool) for v in values) and len(
            {str(v) for v in values}
        ) == len(values):
            return str(key)
    return None


def _listed_items(value: Any, depth: int = 0) -> tuple[str, dict[str, dict[str, Any]]] | None:
    """The first list of identified items in an answer (at most three levels down): its id member, and
    each item by its id."""
    if isinstance(value, list):
        key = _id_key(value)
        if key is not None:
            return key, {str(i[key]): i for i in value}
        children: list[Any] = value
    elif isinstance(value, dict):
        children = list(value.values())
    else:
        return None
    if depth >= 3:
        return None
    for child in children:
        if isinstance(child, list | dict):
            found = _listed_items(child, depth + 1)
            if found is not None:
                return found
    return None


def _strings(item: dict[str, Any]) -> dict[str, str]:
    """An item's text members (lists of text joined), the ones a write of another item must leave alone."""
    out: dict[str, str] = {}
    for name, value in item.items():
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out[name] = "\x1f".join(value)
    return out


def _named_values(arguments: Any) -> set[str]:
    """Every string and integer a call's arguments hold: the ids of the items it names."""
    if isinstance(arguments, dict):
        return set().union(*(_named_values(v) for v in arguments.values())) if arguments else set()
    if isinstance(arguments, list):
        return set().union(*(_named_values(v) for v in arguments)) if arguments else set()
    if isinstance(arguments, bool) or arguments is None:
        return set()
    return {str(arguments)}


_Change = tuple[str, str, str, str]
"""(id, member, before, after) of an item the write did not name."""


def _item_changes(
    ctx: RuleContext, tool: ToolInfo
) -> tuple[CallRecord, list[_Change], list[tuple[str, str]], list[str]] | None:
    """What the writes probe's first call of ``tool`` did to the items it did not name, as the observers
    show them: text members changed, items now under another id (before id, after id), items gone."""
    first = ctx.observations.calls_for(tool.name, "write-first")
    snaps = ctx.observations.snapshots.get(tool.name, {})
    if not first or not answered_ok(first[0]) or "before" not in snaps or "write-first" not in snaps:
        return None
    noise = snapshot_noise(snaps["before"], snaps["write-first"])
    before = snapshot_answers(snaps["before"], noise)
    after = snapshot_answers(snaps["write-first"], noise)
    if not isinstance(before, list) or not isinstance(after, list) or len(before) != len(after):
        return None
    named = _named_values(first[0].arguments)
    changes: list[_Change] = []
    moved: list[tuple[str, str]] = []
    gone: list[str] = []
    for old_answer, new_answer in zip(before, after, strict=True):
        old, new = _listed_items(old_answer), _listed_items(new_answer)
        if old is None or new is None or old[0] != new[0]:
            continue
        key, olds, news = old[0], old[1], new[1]
        if _a_page(old_answer, new_answer, list(olds), list(news)):
            continue  # a window over the items: what left it moved past its edge, no damage shown
        content = {
            json.dumps({k: v for k, v in i.items() if k != key}, sort_keys=True): ident
            for ident, i in olds.items()
        }
        changed: list[_Change] = []
        shifted: list[tuple[str, str]] = []
        vanished: list[str] = []
        fresh = {i: news[i] for i in news if i not in olds}  # created, or an old item under a new id
        for ident in sorted(set(olds) - named):
            if ident not in news:
                rekeyed = _rekeyed(olds[ident], fresh, key)
                if rekeyed is None:
                    vanished.append(ident)
                    continue
                shifted.append((ident, rekeyed))
                was, now = _strings(olds[ident]), _strings(fresh[rekeyed])
                grown = [(m, was[m], now[m]) for m in was if m in now and m != key and was[m] != now[m]]
                changed += [(rekeyed, m, b, a) for m, b, a in grown]
                continue
            was, now = _strings(olds[ident]), _strings(news[ident])
            diff = [
                (m, was[m], now[m])
                for m in was
                if m in now and was[m] != now[m] and bookkeeping_change(m, was[m], now[m]) is None
            ]
            if not diff:
                continue
            elsewhere = content.get(
                json.dumps({k: v for k, v in news[ident].items() if k != key}, sort_keys=True)
            )
            if elsewhere is not None and elsewhere != ident:
                shifted.append((elsewhere, ident))
            else:
                changed += [(ident, m, b, a) for m, b, a in diff]
        moved += shifted
        # ids that are positions: the last one is "gone", the others "changed", and no damage is proven; an
        # item under a new id whose text grew (a line with its tags appended again) is damaged all the same
        changes += changed if not shifted else [c for c in changed if c[0] in fresh]
        gone += vanished if not shifted else []
    return first[0], changes, moved, gone


_PAGING_KEYS: Final = frozenset(
    {"has_more", "hasmore", "next", "next_cursor", "nextcursor", "cursor", "next_page", "nextoffset", "more"}
)


def _a_page(old_answer: Any, new_answer: Any, old_ids: list[str], new_ids: list[str]) -> bool:
    """Whether an observer's list is a page of more items: its answer says so (has_more, a cursor, a total
    above the count), or the write's new item came in at one end while what left went out at the other
    (the newest or oldest N: the page moved, nothing was lost)."""
    for answer in (old_answer, new_answer):
        if isinstance(answer, dict):
            keys = {str(k).lower() for k in answer}
            if keys & _PAGING_KEYS and any(answer.get(k) for k in answer if str(k).lower() in _PAGING_KEYS):
                return True
    gone = [i for i in old_ids if i not in new_ids]
    came = [i for i in new_ids if i not in old_ids]
    if not gone or len(gone) != len(came) or len(gone) == len(old_ids):
        return False  # a window keeps its size and some of its items; every item under a new id is no page
    tail_out = old_ids[-len(gone) :] == gone and new_ids[: len(came)] == came  # newest first
    head_out = old_ids[: len(gone)] == gone and new_ids[-len(came) :] == came  # oldest first, the last N
    return tail_out or head_out


def _rekeyed(item: dict[str, Any], fresh: dict[str, dict[str, Any]], key: str) -> str | None:
    """The new id of an old item listed under one: an item not listed before whose text members are the old
    item's, or begin with them (its text grew), all of them; None when there is none, or more than one."""
    was = {m: v for m, v in _strings(item).items() if m != key and v}
    if not was:
        return None
    matches = [
        ident
        for ident, other in fresh.items()
        if all(isinstance(n := _strings(other).get(m), str) and n.startswith(v) for m, v in was.items())
    ]
    return matches[0] if len(matches) == 1 else None


@rule(
    "idempotency.write-damages-others",
    "warning",
    reference="wireproof MISSION (nothing lost or corrupted); MCP 2026-07-28, server/tools",
)
def write_damages_others(ctx: RuleContext) -> Iterator[Hit]:
    """A write that changed or removed items it did not name

    A create or an update of one item (add_todo, save_note) must leave the others as they were. When the
    observers list the items with their ids, the writes probe's first call is followed by a comparison: an
    item the call did not name (no argument holds its id) whose text changed (a todo's line with its
    projects appended again, '+house' become '+house +house'), or that is gone, was damaged by a write
    that said nothing of it, and every later write may damage it more. Not judged for writes named for
    what may rightly touch others (delete, clear, replace, restore, load, import, move, merge…); an item
    whose content now sits under another id is schema.unstable-ids, not damage. Only with --allow-writes
    and observers whose answers list items with an id (id, uuid, key, *_id)."""
    for tool in ctx.observations.tools:
        if tool.read_only or tokens(tool.name) & _LEAVES_DESTROY:
            continue
        seen = _item_changes(ctx, tool)
        if seen is None:
            continue
        call, changes, _, gone = seen
        if changes:
            ident, member, was, now = changes[0]
            more = f" (and {len(changes) - 1} more changes)" if len(changes) > 1 else ""
            yield Hit(
                tool.name,
                f"The write changed an item it did not name: {member} of item {ident} went from {was[:80]!r} to "
                f"{now[:80]!r}{more}. A write must leave the other items as they were.",
                call.evidence(note="the observers before and after this call"),
            )
        elif gone:
            yield Hit(
                tool.name,
                f"The write removed {len(gone)} item(s) it did not name ({', '.join(gone[:5])}): the observers "
                "listed them before the call and not after.",
                call.evidence(note="the observers before and after this call"),
            )


@rule(
    "schema.unstable-ids",
    "warning",
    reference="wireproof MISSION property 2 (precise schemas are the contract)",
)
def unstable_ids(ctx: RuleContext) -> Iterator[Hit]:
    """Ids that shift when another item is written

    An id must name one item for good: an agent keeps it and acts on it later. When a write of one item
    (a delete, a completion) leaves another item's content under a different id (the item that was 2 is
    now 1), the ids are positions, and an agent that holds one reads, updates or deletes the wrong item.
    Give each item an id that never changes. Only with --allow-writes and observers whose answers list
    items with an id."""
    for tool in ctx.observations.tools:
        if tool.read_only:
            continue
        seen = _item_changes(ctx, tool)
        if seen is None or not seen[2]:
            continue
        call, _, moved, _ = seen
        was, now = moved[0]
        yield Hit(
            tool.name,
            f"After this write, the item that was id {was} is listed as id {now}: the ids are positions, so an "
            "agent holding an id acts on another item after any write.",
            call.evidence(note="the observers before and after this call"),
        )
        return  # one server-wide property, shown once
