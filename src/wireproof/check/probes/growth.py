"""The growth probe (only with --allow-writes): grow an item through the server's own write tool, read it back.

A read of the checker's small sample item cannot show that the read has no bound. When a write tool takes
free content (``content``, ``body``, ``text``…) and a read tool names the same item by the same argument
(``path: "notes/a.md"`` in both samples; a write named save_…/…_save, a read get_…/…_get), the write is called once with a large content value the schema
allows (past the token limit when the schema lets it be that long), then the read with its own sample.
A create that shares no argument with the read still pairs with a read whose one required argument is an
id (``get {id}``, ``read_note {note_id}``): the read is then given the id the write's answer names
(``{"id": 4}``, ``Saved entry 4``); with none in the answer, nothing is read.
The item is one of the checker's own where the write and the read name it by a shared argument (``key``,
``path``: the sample's name with a fresh stem), so the read finds the large item and no namesake of it; a
write that refuses a new item (an update) grows the sample's item instead.
The read's answer is recorded like any other (``output.over-budget`` judges its size); the write's too.
Runs after the writes probe, so that its first-call effects are not disturbed.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from wireproof.check.client import Connection
from wireproof.check.config import BYTES_PER_TOKEN, CheckOptions
from wireproof.check.generate import is_schema_valid, name_words, valid_samples
from wireproof.check.model import CallRecord, Observations, ToolInfo, code_parameters
from wireproof.check.rules.schema import named_as_read

__all__ = ["MAX_LISTINGS", "fresh_item", "growth_listings", "growth_pairs", "probe_growth", "read_listings"]

MAX_LISTINGS: Final = 6
"""Listing reads called once each after the first growth."""

_CONTENT_NAMES: Final = frozenset(
    {"content", "contents", "body", "text", "data", "value", "note", "markdown", "description", "details"}
    | {"contenuto", "testo", "descrizione", "contenido", "texto", "descripcion", "contenu", "texte", "inhalt"}
)
"""A write's free content, in English, Italian, Spanish, French and German."""
_WRITE_VERBS: Final = frozenset(
    {"create", "write", "add", "put", "save", "append", "update", "set", "upsert", "edit", "new"}
    # Italian, Spanish, French, German: add, write, create, save
    | {"aggiungi", "scrivi", "crea", "salva", "agregar", "crear", "guardar", "escribir", "ajouter", "creer"}
    | {"enregistrer", "ecrire", "erstellen", "speichern", "schreiben", "hinzufuegen"}
)
_READ_VERBS: Final = frozenset({"read", "get", "open", "show", "view", "fetch", "cat", "load", "download"})


def _named(tool: ToolInfo, verbs: frozenset[str]) -> bool:
    """Whether the tool's name opens or ends with one of ``verbs`` (``save_note``, ``context_save``), or has it
    second after a namespace (``cronos_aggiungi_entry``, ``github_create_issue``)."""
    words = name_words(tool.name)
    second = len(words) >= 3 and words[1] in verbs
    return bool(words) and (words[0] in verbs or words[-1] in verbs or second)


def _content_parameter(tool: ToolInfo) -> str | None:
    for name, prop in tool.input_schema.get("properties", {}).items():
        if isinstance(prop, dict) and prop.get("type") == "string" and str(name).lower() in _CONTENT_NAMES:
            return str(name)
    return None


def growth_pairs(tools: list[ToolInfo], options: CheckOptions) -> list[tuple[ToolInfo, ToolInfo | None]]:
    """(write, read) pairs: a write with a content parameter, a read naming the same item the same way; the
    first write with content whose item no read names pairs with None (it is grown for the listings)."""
    if not options.allow_writes:
        return []
    pairs: list[tuple[ToolInfo, ToolInfo | None]] = []
    for write in tools:
        content = _content_parameter(write)
        if write.read_only or content is None or not _named(write, _WRITE_VERBS):
            continue
        written = valid_samples(write.input_schema, options.tool_arguments.get(write.name))[0]
        reads = [
            r
            for r in tools
            if r is not write
            and _named(r, _READ_VERBS)
            and all(r is not p for _, p in pairs if p is not None)
        ]

        # a read naming the same item by the same argument first; else one that takes the id the write answers
        chosen = next((r for r in reads if _shares(r, written, content, options)), None) or next(
            (r for r in reads if _id_parameter(r) is not None), None
        )
        if chosen is not None:
            pairs.append((write, chosen))
        elif not any(read is None for _, read in pairs):
            pairs.append((write, None))  # no read names its item: grown for the listings alone
    return pairs


def _shares(read: ToolInfo, written: dict[str, Any], content: str, options: CheckOptions) -> bool:
    """Whether the read's sample names an item by a string the write's sample gives the same argument."""
    return _shared_arguments(read, written, content, options) is not None


def _shared_arguments(
    read: ToolInfo, written: dict[str, Any], content: str, options: CheckOptions
) -> dict[str, Any] | None:
    """The read's arguments naming the written item: its required sample, with every argument (optional ones
    too: ``context_get {key}``) whose string the write's sample gives the same argument; None when none does."""
    samples = valid_samples(read.input_schema, options.tool_arguments.get(read.name))
    shared = {
        k: v
        for sample in samples
        for k, v in sample.items()
        if k != content and isinstance(v, str) and written.get(k) == v
    }
    if not shared:  # the configured samples name two items: the read is aimed at the written one by name
        properties = read.input_schema.get("properties", {})
        shared = {
            k: v
            for k, v in written.items()
            if k != content and k in properties and isinstance(v, str) and _names_the_item(k)
        }
    if not shared:
        return None
    arguments = {**samples[0], **shared}
    return arguments if is_schema_valid(read.input_schema, arguments) is not False else None


_ITEM_NAMES: Final = frozenset({"key", "id", "name", "slug", "uuid", "path", "file", "filename", "filepath"})


def _names_the_item(parameter: str) -> bool:
    """Whether a parameter names the item a write stored and a read fetches (``key``, ``path``, ``note_id``)."""
    words = name_words(parameter)
    return bool(words) and words[-1] in _ITEM_NAMES


_ID_NAME: Final = re.compile(r"^(id|[a-z]+_id|[a-z]+Id)$")
_ID_IN_TEXT: Final = re.compile(
    r"\b(?:id|ID|Id)\b\W{0,3}(\d{1,12})\b|\b(?:entry|item|note|record|task) #?(\d{1,12})\b"
)


def _id_parameter(read: ToolInfo) -> str | None:
    """The read's one required argument when it is an id (``id``, ``note_id``, ``taskId``), else None."""
    listed = read.input_schema.get("required")
    required = [r for r in listed if isinstance(r, str)] if isinstance(listed, list) else []
    return required[0] if len(required) == 1 and _ID_NAME.match(required[0]) else None


def _answered_id(call: CallRecord, name: str) -> Any:
    """The id a write's answer names: its JSON's ``name`` or ``id`` member (at the top or one level down), or
    the first ``id 4`` / ``entry 4`` in its text; None when it names none."""
    value = call.answer_json()
    for candidate in (
        (value, *(v for v in value.values() if isinstance(v, dict))) if isinstance(value, dict) else ()
    ):
        for key in (name, "id"):
            found = candidate.get(key)
            if isinstance(found, int | str) and not isinstance(found, bool) and str(found):
                return found
    match = _ID_IN_TEXT.search(call.text)
    return int(match.group(1) or match.group(2)) if match else None


def fresh_item(
    read: ToolInfo, written: dict[str, Any], content: str, options: CheckOptions
) -> dict[str, Any] | None:
    """The write's sample with the item it names renamed to one of the checker's own (``note-c`` becomes
    ``wireproof-grown-…``, ``notes/a.md`` ``notes/wireproof-grown-….md``), or None when the read shares no
    item-naming argument. The read then finds that item alone: the sample's may have namesakes (other
    sessions, channels, folders) that a read may answer first, and the large item not at all."""
    shared = _shared_arguments(read, written, content, options)
    names = [k for k in shared or {} if _names_the_item(k) and isinstance(written.get(k), str)]
    if not names:
        return None
    token = f"wireproof-grown-{uuid.uuid4().hex[:8]}"
    fresh = dict(written)
    for name in names:
        head, slash, stem = str(written[name]).rpartition("/")
        dot = stem.rfind(".")
        ending = stem[dot:] if dot > 0 else ""
        fresh[name] = f"{head}{slash}{token}{ending}"
    return fresh


def _large(prop: dict[str, Any], options: CheckOptions) -> str | None:
    """A content value past the token limit, or as long as the schema allows; None if that is not even large."""
    wanted = (options.error_tokens + 1_000) * BYTES_PER_TOKEN
    size = min(wanted, int(prop.get("maxLength", wanted)))
    if size < options.warn_tokens * BYTES_PER_TOKEN:
        return None  # the schema bounds the content below the warning level: nothing to grow
    line = "wireproof growth line, written to measure how the read answers a large item\n"
    return (line * (size // len(line) + 1))[:size]


async def probe_growth(
    connection: Connection,
    write: ToolInfo,
    read: ToolInfo | None,
    options: CheckOptions,
    observations: Observations,
) -> None:
    """Write a large content value through ``write``, then read the item back through ``read`` (if any)."""
    content = _content_parameter(write)
    assert content is not None
    prop = write.input_schema.get("properties", {}).get(content, {})
    value = _large(prop, options)
    arguments = valid_samples(write.input_schema, options.tool_arguments.get(write.name))[0]
    if value is None or is_schema_valid(write.input_schema, {**arguments, content: value}) is False:
        return
    fresh = fresh_item(read, arguments, content, options) if read is not None else None
    grown = None
    if fresh is not None and is_schema_valid(write.input_schema, {**fresh, content: value}) is not False:
        grown = await connection.call(write.name, {**fresh, content: value}, "grow", field=content)
        observations.calls.append(grown)
        if grown.outcome == "result" and not grown.is_error:
            arguments = fresh
        else:
            grown = None  # a write that needs an existing item: grow the sample's instead
    if grown is None:
        grown = await connection.call(write.name, {**arguments, content: value}, "grow", field=content)
        observations.calls.append(grown)
    if grown.outcome != "result" or grown.is_error or read is None:
        return
    shared = _shared_arguments(read, arguments, content, options)
    sample = shared or valid_samples(read.input_schema, options.tool_arguments.get(read.name))[0]
    key = _id_parameter(read)
    if shared is None and key is not None:
        found = _answered_id(grown, key)
        if found is None:
            return
        prop = read.input_schema.get("properties", {}).get(key, {})
        kind = prop.get("type") if isinstance(prop, dict) else None
        sample = {**sample, key: int(found) if kind == "integer" and str(found).isdigit() else found}
        if is_schema_valid(read.input_schema, sample) is False:
            return
    observations.calls.append(await connection.call(read.name, sample, "grown-read"))


async def read_listings(
    connection: Connection, listings: list[ToolInfo], options: CheckOptions, observations: Observations
) -> None:
    """After the first growth that stored its large item, each listing read once with its sample: a list, a
    summary or an export that holds every item whole is over budget now (sh's list_tasks, cr's standup)."""
    grown = [
        c for c in observations.calls if c.purpose == "grow" and c.outcome == "result" and not c.is_error
    ]
    if not grown or any(c.purpose == "grown-list" for c in observations.calls):
        return
    for tool in listings:
        sample = valid_samples(tool.input_schema, options.tool_arguments.get(tool.name))[0]
        if is_schema_valid(tool.input_schema, sample) is not False:
            observations.calls.append(await connection.call(tool.name, sample, "grown-list"))


_LISTING_WORDS: Final = frozenset(
    {"list", "summary", "summarize", "report", "export", "stats", "statistics", "overview", "digest", "all"}
    # Italian, Spanish, French, German: read, list, show, summary, statistics, week, month
    | {"leggi", "lista", "elenca", "mostra", "riassunto", "statistiche", "settimana", "mese"}
    | {"leer", "listar", "mostrar", "resumen", "estadisticas", "lire", "lister", "afficher", "resume"}
    | {"statistiques", "lesen", "liste", "anzeigen", "zusammenfassung", "statistik"}
)
"""Name words of a tool that lists, summarises or exports the store (``list_tasks``, ``cronos_riassunto_standup``)."""


def growth_listings(
    tools: list[ToolInfo], pairs: list[tuple[ToolInfo, ToolInfo | None]], options: CheckOptions
) -> list[ToolInfo]:
    """The reads that list, summarise or export the store (read-only or named for a read, no code parameter,
    not a growth pair's own read): at most ``MAX_LISTINGS``, none without --allow-writes."""
    if not options.allow_writes or not pairs:
        return []
    paired = {read.name for _, read in pairs if read is not None}
    return [
        t
        for t in tools
        if (t.read_only or named_as_read(t) or set(name_words(t.name)) & _LISTING_WORDS)
        and t.name not in paired
        and not code_parameters(t)
        and not _named(t, _WRITE_VERBS)
    ][:MAX_LISTINGS]
