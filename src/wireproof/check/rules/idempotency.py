"""Idempotency rules: judged from the writes probe (only runs with --allow-writes)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

from wireproof.check.model import (
    CallRecord,
    EscapeObservation,
    Evidence,
    Severity,
    ToolInfo,
    bookkeeping_only,
    is_timestamp,
    json_leaves,
    list_items,
    observers_moved,
    snapshot_answers,
    snapshot_noise,
    truncate,
)
from wireproof.check.rules._registry import Hit, RuleContext, rule
from wireproof.check.rules.errors import disguised_failure

IDEMPOTENCY: Final = "draft-ietf-httpapi-idempotency-key-header; Stripe idempotent requests"
_VOLATILE: Final = frozenset(
    {"replayed", "replay", "idempotent_replayed", "correlation_id", "_meta", "request_id"}
)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _same(a: CallRecord, b: CallRecord) -> bool:
    if a.structured is not None or b.structured is not None:
        return bool(_normalise(a.structured) == _normalise(b.structured))
    return a.text == b.text


def _items(snapshot: str | None) -> int:
    """How many list items the observers' answers hold in all (a proxy for the number of effects)."""
    return 0 if snapshot is None else list_items(json.loads(snapshot))


def _ok(call: CallRecord) -> bool:
    return call.outcome == "result" and not call.is_error


def _tool(ctx: RuleContext, name: str) -> ToolInfo | None:
    return next((t for t in ctx.observations.tools if t.name == name), None)


def _observed(ctx: RuleContext, name: str) -> bool:
    return ctx.observations.snapshots.get(name, {}).get("before") is not None


def _write_tools(ctx: RuleContext) -> Iterator[tuple[str, CallRecord, CallRecord]]:
    for name in ctx.observations.snapshots:
        first = ctx.observations.calls_for(name, "write-first")
        repeat = ctx.observations.calls_for(name, "write-repeat")
        if first and repeat and _ok(first[0]):
            yield name, first[0], repeat[0]


_IDENTITY: Final = re.compile(
    r"^(id|_id|uuid|guid|rowid|oid)$|(^|_)(seq|sequence)(_?(number|no|num))?$", re.IGNORECASE
)
"""Members that name a row, not its content: a store that upserts by replacing the row gives them new values."""


def _identity_masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "<identity>" if _IDENTITY.search(str(k)) and isinstance(v, str | int) else _identity_masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_identity_masked(v) for v in value]
    return value


def replaced_in_place(before: str | None, after: str | None) -> bool:
    """Whether the observers show the same items before and after, only their own ids or sequence numbers
    (and bookkeeping) new: a write that upserts by replacing the row (INSERT OR REPLACE), not a second effect."""
    if before is None or after is None or _items(before) != _items(after):
        return False
    noise = snapshot_noise(before, after)
    a = _identity_masked(snapshot_answers(before, noise))
    b = _identity_masked(snapshot_answers(after, noise))
    return a == b or bookkeeping_only(a, b) is not None


def _moved(before: str | None, after: str | None) -> bool:
    """The observers moved by more than bookkeeping and an in-place replacement of the same items."""
    return observers_moved(before, after) and not replaced_in_place(before, after)


def repeat_duplicates(ctx: RuleContext, name: str, first: CallRecord, repeat: CallRecord) -> str | None:
    """Why the repeat of a write looks like a second effect, or None (an upsert that replaced the row with a
    new id is no second effect)."""
    snaps = ctx.observations.snapshots[name]
    if snaps.get("before") is not None:
        if _moved(snaps.get("write-first"), snaps.get("write-repeat")):
            return "the observers saw a second effect after the identical repeat"
        return None
    if _ok(repeat) and not _same(first, repeat):
        return "the identical repeat returned a different answer (a second effect is possible; name observers to tell)"
    return None


def _distinct(calls: list[CallRecord]) -> bool:
    """Whether every answer differs from every other by more than bookkeeping (each names its own item)."""
    answers = [_normalise(c.answer_json() if c.answer_json() is not None else c.text) for c in calls]
    return all(
        a != b and bookkeeping_only(a, b) is None for i, a in enumerate(answers) for b in answers[i + 1 :]
    )


def lost_writes(ctx: RuleContext, name: str, calls: list[CallRecord], single: int, burst: int) -> str | None:
    """Why concurrent calls look like lost writes: each acknowledged its own new item, fewer appeared.

    Judged only for a write that is not idempotent (its identical repeat added items again), whose
    concurrent calls all answered a plain success, each a different answer (a different id).
    """
    snaps = ctx.observations.snapshots[name]
    again = _items(snaps.get("write-repeat")) - _items(snaps.get("write-first"))
    ok = [c for c in calls if disguised_failure(c) is None]
    if single <= 0 or again < single or len(ok) < 2 or len(ok) != len(calls) or not _distinct(ok):
        return None
    if 0 <= burst < len(ok) * single:
        return (
            f"one call added {single} item(s) the observers see, and its repeat as many again; {len(ok)} "
            f"concurrent identical calls each answered a success with its own answer, but only {burst} item(s) "
            "appeared: writes were lost"
        )
    return None


def concurrent_duplicates(ctx: RuleContext, name: str) -> str | None:
    """Why eight concurrent identical calls look like more than one effect, or None."""
    snaps = ctx.observations.snapshots[name]
    calls = [c for c in ctx.observations.calls_for(name, "write-concurrent") if _ok(c)]
    if snaps.get("before") is not None:
        single = _items(snaps.get("write-first")) - _items(snaps.get("before"))
        burst = _items(snaps.get("concurrent")) - _items(snaps.get("write-repeat"))
        if single > 0 and burst > single:
            return f"one call added {single} item(s) the observers see; eight concurrent identical calls added {burst}"
        lost = lost_writes(ctx, name, calls, single, burst)
        if lost:
            return lost
        if _moved(snaps.get("concurrent"), snaps.get("after-concurrent")):
            return "a repeat after the concurrent calls made another effect"
        return None
    if any(not _same(calls[0], c) for c in calls[1:]):
        return "eight concurrent identical calls returned different answers (duplicates are possible; name observers)"
    return None


@rule("idempotency.repeat-duplicates", "error", reference=IDEMPOTENCY)
def repeat_rule(ctx: RuleContext) -> Iterator[Hit]:
    """Repeated write makes a second effect

    Agents retry: calling a write twice with the same arguments (and key) must not do it twice."""
    for name, first, repeat in _write_tools(ctx):
        why = repeat_duplicates(ctx, name, first, repeat)
        if why:
            severity: Severity = "error" if _observed(ctx, name) else "info"
            yield Hit(name, f"Calling the write twice: {why}.", repeat.evidence(), severity)


@rule("idempotency.concurrent-duplicates", "error", reference=IDEMPOTENCY)
def concurrent_rule(ctx: RuleContext) -> Iterator[Hit]:
    """Concurrent identical writes execute more than once (or lose writes)

    Sub-agents re-run work in parallel; concurrent duplicates must execute once. The same rule reports the
    opposite race, lost writes: for a write that is not idempotent (its repeat added items again), eight
    concurrent calls that each answered a plain success with a different answer (their own ids) while the
    observers show fewer new items than acknowledged (a read-modify-write that loses updates)."""
    for name, _first, _repeat in _write_tools(ctx):
        why = concurrent_duplicates(ctx, name)
        if why:
            calls = ctx.observations.calls_for(name, "write-concurrent")
            severity: Severity = "error" if _observed(ctx, name) else "info"
            yield Hit(
                name,
                f"Concurrent duplicates: {why}.",
                calls[-1].evidence() if calls else _first.evidence(),
                severity,
            )


_SEQUENTIAL_PHASES: Final = ("before", "write-first", "write-repeat")


def _failed_observers(snapshot: str | None) -> dict[int, str]:
    """The observers (by position) whose answer in ``snapshot`` is a failure: an isError result, a protocol
    error, a disconnect or a timeout; with what they said."""
    try:
        entries = json.loads(snapshot) if snapshot is not None else None
    except ValueError:
        return {}
    failed: dict[int, str] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and (entry.get("outcome") != "result" or entry.get("is_error")):
            failed[index] = f"{entry.get('tool')}: {str(entry.get('text') or entry.get('outcome'))[:200]}"
    return failed


@rule("idempotency.concurrent-writes-break", "error", reference=IDEMPOTENCY + "; CWE-362 (race condition)")
def concurrent_writes_break(ctx: RuleContext) -> Iterator[Hit]:
    """Concurrent writes that break the data

    With --allow-writes and observers: the observers answered before the write, after its first call and
    after its identical repeat, and fail after the eight concurrent calls, still on the last read. The
    sequential calls left the data readable and the concurrent ones did not: two writes interleaved and left
    a torn file or record (a workbook no longer a valid zip, a JSON file cut in half). Sub-agents write at
    the same time: serialise writes to the store (a lock, a transaction, a write to a temporary file renamed
    into place)."""
    for name, snaps in ctx.observations.snapshots.items():
        sequential = [snaps.get(phase) for phase in _SEQUENTIAL_PHASES if phase in snaps]
        if not sequential or any(s is None or _failed_observers(s) for s in sequential):
            continue
        last = _failed_observers(snaps.get("after-concurrent"))
        if not last:
            continue
        calls = ctx.observations.calls_for(name, "write-concurrent")
        shown = "; ".join(last.values())
        yield Hit(
            name,
            f"After {len(calls) or 'several'} concurrent identical calls the observers fail, though they answered "
            f"before and after the sequential calls ({shown[:300]}): concurrent writes broke the data. Serialise "
            "writes to the store (a lock, a transaction, or write a temporary file and rename it into place).",
            calls[-1].evidence(note=f"the observers then: {shown[:300]}") if calls else Evidence(note=shown),
        )


@rule("idempotency.key-reuse-accepted", "error", reference=IDEMPOTENCY)
def key_reuse(ctx: RuleContext) -> Iterator[Hit]:
    """Same idempotency key with different arguments accepted

    Reusing a key with a different payload is a client bug; it must be refused (IETF: 422), not run. The
    key is a parameter named (idempotency_key, idempotencyKey, dedupe_key, client_token) or described as an
    idempotency or de-duplication key, never a plain requestId; an answer that is a disguised failure
    (errors.disguised-success) is no acceptance."""
    for call in ctx.observations.calls:
        if call.purpose == "key-conflict" and _ok(call) and disguised_failure(call) is None:
            yield Hit(
                call.tool,
                f"The same key with a different {call.field} was answered as a success.",
                call.evidence(),
            )


@rule(
    "idempotency.hint-lies",
    "error",
    reference="MCP 2026-07-28, server/tools (ToolAnnotations.idempotentHint)",
)
def hint_lies(ctx: RuleContext) -> Iterator[Hit]:
    """idempotentHint that does not hold

    A client may retry a tool annotated idempotentHint: true freely; the annotation must be true."""
    for name, first, repeat in _write_tools(ctx):
        tool = _tool(ctx, name)
        if tool is None or not (tool.annotations or {}).get("idempotentHint") or not _observed(ctx, name):
            continue  # without observers a differing answer is no proof (an upsert may say "no change")
        why = repeat_duplicates(ctx, name, first, repeat) or concurrent_duplicates(ctx, name)
        if why:
            yield Hit(name, f"Annotated idempotentHint: true, but {why}.", repeat.evidence())


@rule(
    "idempotency.read-only-writes",
    "error",
    reference="MCP 2026-07-28, server/tools (ToolAnnotations.readOnlyHint)",
)
def read_only_writes(ctx: RuleContext) -> Iterator[Hit]:
    """readOnlyHint tool that changes data

    Clients run read-only tools without asking; a readOnlyHint tool that writes is a trap. What the check
    needs: at least one [[observers]] entry in --config (a read call whose answer shows the data the tools
    could change). It runs with or without --allow-writes (read-only tools are called anyway): the
    observers are read twice (an observer whose answer moves by itself cannot judge, and is skipped), then
    each readOnlyHint tool is called once with its valid sample, then the observers again; a changed
    answer is the finding. Without observers nothing is judged here (see idempotency.read-only-escape for
    query tools)."""
    for name, snaps in ctx.observations.snapshots.items():
        if "after" not in snaps or snaps.get("before") is None:
            continue
        steady = not observers_moved(snaps.get("before"), snaps.get("before-again", snaps.get("before")))
        if steady and observers_moved(snaps.get("before"), snaps.get("after")):
            calls = ctx.observations.calls_for(name, "read-effect")
            yield Hit(
                name,
                "Annotated readOnlyHint: true, but calling it changed what the observers see.",
                calls[0].evidence() if calls else Evidence(),
            )


def _plain_ok(call: CallRecord) -> bool:
    """A result that is no error at all, not even a suspected one."""
    return call.outcome == "result" and not call.is_error and disguised_failure(call) is None


def _escape_proof(escape: EscapeObservation) -> tuple[CallRecord, str] | None:
    """The call that proves the escape, and what it proves; None when nothing is proven."""
    if escape.file_appeared:
        return escape.attempt[0], f"the file {escape.marker} in the checker's temp folder appeared"
    if escape.kind in ("read-attached", "read-file"):
        for call in escape.attempt:
            if call.outcome == "result" and escape.marker in call.text + json.dumps(call.structured):
                return call, "the answer holds a secret the checker planted in a file no server was given"
        return None
    for before, after in zip(escape.before, escape.after, strict=False):
        if not _plain_ok(after):
            continue
        # the name in a catalog answer, not in an echo or log of the query that asked for it
        echoed = any(word in _text(after).lower() for word in ("select", "sqlite_master", "pg_tables"))
        appeared = escape.marker not in _text(before) and escape.marker in _text(after) and not echoed
        if not _plain_ok(before) or appeared:
            return after, f"the table {escape.marker} exists after the call and did not before"
    return None


def _text(call: CallRecord) -> str:
    return call.text + (json.dumps(call.structured) if call.structured is not None else "")


_ESCAPES: Final = {
    "create-table": "created a table",
    "commit-create-table": "created a table after COMMIT; (escaping a read-only transaction)",
    "attach": "attached a database file of its own choosing",
    "commit-attach": "attached a database file after COMMIT;",
    "copy-to": "wrote a host file with COPY … TO",
    "commit-copy-to": "wrote a host file with COPY … TO after COMMIT;",
    "select-copy-to": "wrote a host file with COPY … TO stacked after a SELECT",
    "read-attached": "read a database file outside its scope (ATTACH)",
    "read-file": "read a host file outside its scope",
}


def _claim(ctx: RuleContext, name: str) -> str:
    tool = _tool(ctx, name)
    return "Annotated readOnlyHint: true" if tool is None or tool.read_only else "Described as read-only"


@rule(
    "idempotency.read-only-escape",
    "error",
    reference="MCP 2026-07-28, server/tools (ToolAnnotations.readOnlyHint); OWASP ASVS V5.3 (injection)",
)
def read_only_escape(ctx: RuleContext) -> Iterator[Hit]:
    """Read-only query or file tool that writes or reads beyond its scope

    A tool annotated readOnlyHint (or described as read-only) that takes SQL, a query, an expression or
    code is the most dangerous liar. With --allow-writes only, the checker asks it to create a uniquely
    named table (plainly and after COMMIT;), to ATTACH a database and COPY … TO a file in the checker's
    own temp folder (plainly, after COMMIT; and stacked after a SELECT 1;, which passes a guard that only
    looks at the first word), and to read back a secret planted there (pg_read_file, SQLite readfile,
    DuckDB read_text/read_csv/read_blob); it is a finding only when proven: the table answers after and
    not before (in a catalog answer, not an echo of the query), the file exists, or the secret is in the
    answer. Without --allow-writes nothing destructive is sent. (A path parameter is probed by
    auth.path-not-confined, for every tool that has one.)"""
    reported: set[tuple[str, str]] = set()
    for escape in ctx.observations.escapes:
        if escape.kind.startswith(("path-", "name-")):
            continue  # auth.path-not-confined, auth.name-not-confined
        proof = _escape_proof(escape)
        if proof is None or (escape.tool, escape.kind) in reported:
            continue
        reported.add((escape.tool, escape.kind))
        call, why = proof
        yield Hit(
            escape.tool,
            f"{_claim(ctx, escape.tool)}, but through {escape.parameter} it {_ESCAPES[escape.kind]}: {why}.",
            call.evidence(),
        )


@rule("idempotency.not-exercised", "info", reference="wireproof check --config (tools.NAME.arguments)")
def not_exercised(ctx: RuleContext) -> Iterator[Hit]:
    """Write could not be exercised

    A write whose valid sample call fails cannot be tested for duplicates; give sample arguments."""
    for name in ctx.observations.snapshots:
        first = ctx.observations.calls_for(name, "write-first")
        if first and not _ok(first[0]):
            yield Hit(
                name,
                "The first write call failed, so repeats were not judged; give sample arguments in --config.",
                first[0].evidence(),
            )


def state_change(first: CallRecord, again: CallRecord) -> tuple[Severity, str] | None:
    """How two answers to the identical read differ: integers that grew (it keeps state), or only timestamps."""
    a, b = first.answer_json(), again.answer_json()
    if a is None or b is None or a == b:
        return None
    before, after = json_leaves(a), json_leaves(b)
    changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    grew = [
        k
        for k in changed
        if isinstance(before.get(k), int)
        and isinstance(after.get(k), int)
        and not isinstance(before.get(k), bool)
        and after[k] > before[k]
        and not is_timestamp(before[k])
    ]
    if grew:
        shown = ", ".join(f"{k} {before[k]} -> {after[k]}" for k in sorted(grew)[:3])
        return "warning", f"it keeps state: {shown}"
    # info, never more: bookkeeping as the write rules see it, or any timestamp-like value that moved (a read
    # may stamp its answer with a time of its own, whatever the field is called)
    stamps = all(is_timestamp(before.get(k)) and is_timestamp(after.get(k)) for k in changed)
    if bookkeeping_only(a, b) or stamps:
        return "info", "only a timestamp changed: " + ", ".join(sorted(changed)[:3])
    return None


@rule(
    "idempotency.read-only-keeps-state",
    "warning",
    reference="MCP 2026-07-28, server/tools (ToolAnnotations: readOnlyHint, idempotentHint)",
)
def read_only_keeps_state(ctx: RuleContext) -> Iterator[Hit]:
    """A read-only tool's answer changed on an identical repeat

    A tool annotated readOnlyHint: true is called again freely (retries, parallel agents, caches). The
    probe makes its first valid call twice in a row: when numbers in the answer grew (a history length, a
    counter), the tool keeps state, and a retry is not harmless. Info when only a timestamp differs."""
    for tool in ctx.observations.tools:
        if not tool.read_only:
            continue
        repeats = ctx.observations.calls_for(tool.name, "read-repeat")
        valid = ctx.observations.calls_for(tool.name, "valid")
        if not repeats or not valid:
            continue
        first, again = valid[0], repeats[0]
        if not (_ok(first) and _ok(again)) or first.arguments != again.arguments:
            continue
        change = state_change(first, again)
        if change is not None:
            severity, why = change
            yield Hit(
                tool.name,
                f"The identical call made twice in a row gave different answers: {why}.",
                again.evidence(note=f"first answer: {truncate(first.text, 300)}"),
                severity,
            )


_MORE: Final = re.compile(
    r"next_?cursor|nextCursor|next_?page|has_?more\W{1,4}true|\"cursor\"|more results|truncated",
    re.IGNORECASE,
)
_PAGE_SIZES: Final = frozenset({10, 20, 25, 30, 50, 100, 200})


def _paged(snapshot: str) -> bool:
    """Whether an observer snapshot looks like one page of a longer list: a cursor or has-more flag, or a
    list whose length is a round page size (20, 50, 100)."""
    if _MORE.search(snapshot):
        return True
    lengths = [v for k, v in json_leaves(snapshot_answers(snapshot)).items() if k.endswith("#len")]
    return any(n in _PAGE_SIZES for n in lengths)


@rule("idempotency.concurrent-writes-lost", "error", reference=IDEMPOTENCY)
def concurrent_writes_lost(ctx: RuleContext) -> Iterator[Hit]:
    """Concurrent distinct writes overwrite each other

    Sub-agents write at the same time. With observers and --allow-writes, a create is given two distinct
    unique values in a free-text field (name, title, content…) one after the other, then six more at once.
    When both sequential ones appear in the observers (the store keeps items side by side) and every
    concurrent call answered a plain success, yet fewer than six of the concurrent values appear, while the
    sequential ones still do and the observer's answer does not look like one page of more (no cursor or
    has-more flag, no list of a round page size: 20, 50, 100), the server lost acknowledged writes: a
    read-modify-write of the whole store without a lock. Lock, or write each item on its own."""
    for tool in ctx.observations.tools:
        sequential = ctx.observations.calls_for(tool.name, "write-distinct-sequential")
        concurrent = ctx.observations.calls_for(tool.name, "write-distinct-concurrent")
        snaps = ctx.observations.snapshots.get(tool.name, {})
        before, after = snaps.get("distinct-sequential"), snaps.get("distinct-concurrent")
        if not sequential or not concurrent or before is None or after is None:
            continue
        if not all(_ok(c) for c in sequential + concurrent):
            continue
        marks = [str(c.constraint) for c in sequential]
        if not all(m in before and m in after for m in marks):
            continue  # the store replaces rather than adds, or the observers do not show the field
        if _paged(after):
            continue  # the observer shows one page: the missing ones may be on the next
        kept = [c for c in concurrent if str(c.constraint) in after]
        if len(kept) < len(concurrent):
            yield Hit(
                tool.name,
                f"{len(concurrent)} concurrent creates with distinct {concurrent[0].field} each answered a "
                f"success, but only {len(kept)} of them appear in the observers, while two made one after the "
                "other both appear: concurrent writes overwrite each other (acknowledged writes were lost).",
                concurrent[-1].evidence(note=f"kept: {[str(c.constraint) for c in kept]}"),
            )


_EPHEMERAL: Final = re.compile(
    r"\bin[- ]memory\b|\bnot (be )?(persisted|saved|stored)\b|\bnon[- ]?persistent\b|\bephemeral\b|"
    r"\btemporary (database|store|storage|copy)\b|\blost (on|when|at) (restart|exit)\b|\bfor this session\b",
    re.IGNORECASE,
)


@rule(
    "idempotency.writes-not-durable",
    "error",
    reference="wireproof MISSION (a write is acknowledged only when it is durable); MCP 2026-07-28, server/tools",
)
def writes_not_durable(ctx: RuleContext) -> Iterator[Hit]:
    """Acknowledged writes that a new server process does not see

    With --allow-writes and observers, over stdio, the checker reads the observers after the writes probes,
    and again on a second instance of the same command started beside the first. When the writes showed in
    the first instance's observers but the second instance shows the state from before any write, the
    writes live only in that process (a temporary copy of the data, a cache flushed at exit, memory): every
    write answered as a success is lost when the server stops or crashes, and the answer did not say so.
    Write before acknowledging. Info instead when a tool's description says the store is in memory or
    temporary (then the model was told)."""
    seen = ctx.observations.restart
    if seen is None or seen.fresh is None or seen.first is None or seen.last is None:
        return
    if not observers_moved(seen.first, seen.last) or observers_moved(seen.first, seen.fresh):
        return
    told = any(_EPHEMERAL.search(t.description or "") for t in ctx.observations.tools)
    yield Hit(
        None,
        "The writes showed in the observers, but a second instance of the server, started beside the first, "
        "shows the state from before any write: acknowledged writes live only in the process that made them"
        + (" (a tool's description says the store is in memory or temporary)." if told else "."),
        Evidence(
            note=f"observers after the writes: {truncate(seen.last, 400)}; on the fresh instance: "
            f"{truncate(seen.fresh, 400)}"
        ),
        "info" if told else None,
    )
