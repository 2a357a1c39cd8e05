"""Edge inputs keyed on what a parameter is (its type, name and description, never one server's tool names).

Each is valid for the advertised schema, and each is a value a careless server mishandles:
huge integers (2**53 + 1, 10**30) for an integer without a ``maximum``; ``1/0`` and a power too large
to print for an expression; garbage for the encoded input of a decode/parse tool; ``not a date`` for a
free-text date and ``(unclosed`` for a regular expression; a value outside the
list a description gives (``status: open|in_progress|done``); ``%`` and ``_`` (and a literal that
matches nothing) for a search term, and an empty one when the term is required; and, last because it may hold the server, a catastrophic-backtracking
pattern for a regular expression; and two read statements in one SQL string (``SELECT …; SELECT …``), which a
driver that runs only the first drops without a word. Deterministic, like every probe input; the rules judge the answers.
"""

from __future__ import annotations

import re
from typing import Any, Final

from wireproof.check.generate import (
    MISSING_NAME,
    AwkwardCase,
    is_schema_valid,
    name_words,
    resolve,
    sql_like,
    valid_samples,
)
from wireproof.check.rules._prose import closed_sentences, field_values, listed_values

__all__ = [
    "BAD_DATE",
    "BAD_REGEX",
    "BROAD_TERM",
    "CATASTROPHIC_SUBJECT",
    "DECODER_GARBAGE",
    "HUGE_INTEGERS",
    "HUGE_POWER_CARET",
    "MULTI_STATEMENT",
    "NOT_LISTED",
    "SEARCH_TOOLS",
    "STATEMENT_MARKS",
    "WILDCARDS",
    "WRITE_VERBS",
    "date_like",
    "duration_like",
    "edge_cases",
    "prose_values",
    "regex_case",
    "search_field",
]

HUGE_INTEGERS: Final = {"huge-integer": 2**53 + 1, "huge-integer-1e30": 10**30}
"""Past the integers a double holds exactly (JavaScript, JSON parsers), and past 64 bits (C longs, SQLite)."""
_HUGE_PARAMETERS: Final = 2
"""At most this many integer parameters of a tool get the huge values (two calls each)."""
DIVISION_BY_ZERO: Final = "1/0"
HUGE_POWER: Final = "(10**100)**100"
"""A ten-thousand-digit number: instant to compute, and past what CPython will print (4,300 digits)."""
HUGE_POWER_CARET: Final = "(10^100)^100"
"""The same number where ``^`` is the power (GNU units, bc, spreadsheets); where it is XOR, the number 10."""
DECODER_GARBAGE: Final = "!!!not base64@@@"
"""Neither base64, nor hex, nor JSON: a decoder must refuse it."""
STATEMENT_MARKS: Final = ("wireproof_first_7f3a", "wireproof_second_7f3a")
BROAD_TERM: Final = "e"
"""The search term of the largest plausible answer: the commonest letter, which a substring search finds nearly
everywhere (a sample such as "meter" finds a handful)."""
MULTI_STATEMENT: Final = (
    f"SELECT '{STATEMENT_MARKS[0]}' AS wireproof_first; SELECT '{STATEMENT_MARKS[1]}' AS wireproof_second"
)
"""Two reads in one string, each answering its own mark: a tool that answers only the first mark ran one
statement and dropped the other silently (SQLite's ``db.all`` in node-sqlite3 does). Reads only, so safe
for any SQL tool: the same string with a write second would have left a change the agent never hears of."""
BAD_DATE: Final = "not a date"
"""No date in any format: a date parameter must refuse it, not read it as 'no date' or as some date."""
BAD_REGEX: Final = "(unclosed"
"""An unbalanced group: no regular expression in Python, ECMA-262 or PCRE compiles it."""
NOT_LISTED: Final = "unlisted_7f3a"
"""A value outside any list a description gives (short, so a ``maxLength`` lets it through)."""
WILDCARDS: Final = {"wildcard-percent": "%", "wildcard-underscore": "_", "wildcard-literal": MISSING_NAME}
"""A search for ``%``, for ``_``, and for a literal that matches nothing: LIKE patterns passed through show."""
CATASTROPHIC_PATTERN: Final = "(a+)+$"
CATASTROPHIC_SUBJECT: Final = "a" * 30 + "!"
ALTERNATION_PATTERN: Final = "(a|a)*$"
"""The same exponential backtracking by alternation, for a server whose filter refuses nested quantifiers."""
"""With ``(a+)+$``, 2**30 ways to fail for a backtracking engine; a linear one (RE2, Rust) answers at once."""
CATASTROPHIC_ON_DATA: Final = r"^(\w+\s?)*$"
"""For a tool that applies the pattern to its own data: exponential on any long word run that ends the line badly."""
_DURATION_TOKENS: Final = frozenset(
    {"seconds", "secs", "sec", "ms", "millis", "milliseconds", "minutes", "mins", "hours", "days", "weeks"}
    | {"timeout", "ttl", "delay", "interval", "duration", "period", "backoff"}
)
_SIGNED_TOKENS: Final = frozenset(
    {"offset", "delta", "shift", "adjust", "adjustment", "change", "diff", "tz"}
)
_EXPRESSION_TOKENS: Final = frozenset(
    {"expression", "expr", "formula", "equation", "calculation", "calculate", "calc", "math", "arithmetic"}
)
_REGEX_TOKENS: Final = frozenset({"regex", "regexp", "pattern"})
_REGEX_TEXT: Final = re.compile(r"\bregular expression\b|\bregex(p)?\b", re.IGNORECASE)
_GLOB_TEXT: Final = re.compile(r"\bglob\b|\bwildcard|\bfnmatch\b|\blike pattern\b", re.IGNORECASE)
_DATE_LAST: Final = frozenset({"date", "day", "since", "until", "after", "before", "datetime", "timestamp"})
_NOT_DATE_WORDS: Final = frozenset(
    {"id", "ids", "cursor", "token", "page", "format", "sort", "order", "offset", "timezone", "tz", "zone"}
)
_NOT_DATE_TEXT: Final = re.compile(
    r"\bcursor\b|\bpaginat|\b(object|message|record|item)? ?id\b|\bstrftime\b|\bformat string\b|\bsort\b|"
    r"\border\b|\bday of (the )?week\b|\bweekday\b|\bmonday\b|\btime ?zone\b|\bIANA\b",
    re.IGNORECASE,
)
"""A parameter named or described as a cursor, an id, a format, a sort order or a time zone is no date, whatever else
it says."""
_DATE_FIRST: Final = frozenset({"since", "until", "after", "before"})
_DATE_TEXT: Final = re.compile(
    r"\bISO[- ]?(8601|date|timestamp)\b|\bYYYY-MM-DD\b|\bdate[- ]?time\b|\btimestamp\b|^\s*(a |the )?date\b",
    re.IGNORECASE,
)
_SUBJECT_TOKENS: Final = frozenset({"text", "subject", "input", "string", "content", "value", "data", "s"})
_DECODE_TOKENS: Final = frozenset(
    {"decode", "decoder", "parse", "parser", "deserialize", "unescape", "unpack", "decompress", "unmarshal"}
)
_ENCODED_TEXT: Final = re.compile(
    r"\b(base ?64|b64|hex|hexadecimal|encoded|json|url-?encoded)\b", re.IGNORECASE
)
_FILTER_TEXT: Final = re.compile(r"^\s*(?:an? |the )?(?:\w+ )?(?:prefix|filter)\b", re.IGNORECASE)
"""A parameter's own description that opens by calling it a prefix or a filter ('Namespace prefix to filter by')."""
_SEARCH_PARAMETERS: Final = frozenset(
    {"search", "query", "q", "filter", "keyword", "keywords", "term", "terms"}
)
_FOREIGN_SEARCH: Final = frozenset(
    {"cerca", "ricerca", "trova", "buscar", "busca", "recherche", "chercher", "suche", "suchen", "pesquisar"}
)
"""Search and find in Italian, Spanish, French, German and Portuguese."""
SEARCH_TOOLS: Final = (
    frozenset({"list", "search", "find", "query", "filter", "lookup", "browse"}) | _FOREIGN_SEARCH
)
"""Words of a tool named for a listing or a search: its answer is a page of something larger."""
_SEARCH_VERBS: Final = frozenset({"search", "find", "lookup"}) | _FOREIGN_SEARCH
"""Words of a tool named for a search (not a listing's filter, nor a query tool that runs SQL): its term must
not be empty."""
_ANY: Final = re.compile(r"\bany\b", re.IGNORECASE)
_SQL_TEXT: Final = re.compile(r"\bSQL\b|\bstatement\b", re.IGNORECASE)
_VALUE: Final = r"[`'\"]?[A-Za-z][\w-]*(?:\.\w[\w-]*)*[`'\"]?"


def tokens(name: str) -> set[str]:
    """The words of a name: ``fireInSeconds`` and ``fire_in_seconds`` both give {fire, in, seconds}."""
    return set(name_words(name))


def duration_like(name: str) -> bool:
    """Whether a parameter is a duration (``timeout``, ``ttl``, ``delay_ms``, ``fire_in_seconds``, ``retry_days``).

    Not an offset or a shift (``utc_offset_minutes``, ``shift_days``): those are signed by nature.
    """
    words = tokens(name)
    return bool(words & _DURATION_TOKENS) and not words & _SIGNED_TOKENS


def prose_values(text: str, name: str) -> list[str] | None:
    """The values a description lists for parameter ``name``, or None.

    Two forms: ``name: a|b|c`` (or ``name=a|b``, ``name (a|b|c)``), and ``name`` followed in the same
    sentence by ``one of`` and a list (``status must be one of: open, done``).
    """
    escaped = re.escape(name)
    piped = re.search(rf"(?<![\w-]){escaped}\s*(?:[:=]|\()\s*(?P<values>{_VALUE}(?:\s*\|\s*{_VALUE})+)", text)
    if piped:
        return [v.strip("`'\" ") for v in piped.group("values").split("|")]
    listed = re.search(
        rf"(?<![\w-]){escaped}\b[^.;\n]{{0,40}}?\bone of:?\s*(?P<values>{_VALUE}(?:\s*(?:,|\||/|\bor\b)\s*{_VALUE})+)",
        text,
        re.IGNORECASE,
    )
    if listed:
        return [
            v.strip("`'\" ")
            for v in re.split(r"\s*(?:,|\||/|\bor\b)\s*", listed.group("values"))
            if v.strip("`'\" ")
        ]
    return None


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: resolve(p, schema) for n, p in schema.get("properties", {}).items() if isinstance(p, dict)}


def _free_text(prop: dict[str, Any]) -> bool:
    """A plain string parameter: typed string (or string-or-null, pydantic's ``str | None``) with no enum,
    const, format or pattern."""
    options = prop.get("anyOf")
    if "type" not in prop and isinstance(options, list) and len(options) == 2:
        kinds = [o for o in options if isinstance(o, dict)]
        strings = [o for o in kinds if o.get("type") == "string"]
        if len(strings) == 1 and any(o.get("type") == "null" for o in kinds):
            return _free_text({**strings[0], **{k: v for k, v in prop.items() if k != "anyOf"}})
    return (
        prop.get("type") == "string"
        and not prop.get("enum")
        and "const" not in prop
        and not prop.get("format")
        and not prop.get("pattern")
    )


def date_like(name: str, prop: dict[str, Any]) -> bool:
    """Whether a free-text parameter takes a date: named for one (``due_date``, ``createdAfter``, ``since``,
    ``updated_at``) or described as one ("ISO date", "YYYY-MM-DD", "a date-time"); typed string or not typed at
    all; not one with a format, a pattern or an enum."""
    untyped = "type" not in prop and not {
        "enum",
        "const",
        "format",
        "pattern",
        "anyOf",
        "oneOf",
        "$ref",
    } & set(prop)
    if not _free_text(prop) and not untyped:  # an untyped date takes any text as well
        return False
    words = name_words(name)
    if set(words) & _NOT_DATE_WORDS or _NOT_DATE_TEXT.search(str(prop.get("description", ""))):
        return False
    if len(words) == 1:  # a bare after/before is as often a paging cursor as a date
        named = words[0] in _DATE_LAST - {"after", "before"}
    else:
        named = words[-1] in _DATE_LAST | {"at"} or words[0] in _DATE_FIRST
    return named or bool(_DATE_TEXT.search(str(prop.get("description", ""))))


def _regex_parameter(properties: dict[str, dict[str, Any]]) -> str | None:
    """The parameter named or described as a regular expression (free text)."""
    return next(
        (
            n
            for n, p in properties.items()
            if _free_text(p)
            and (tokens(n) & _REGEX_TOKENS or _REGEX_TEXT.search(str(p.get("description", ""))))
        ),
        None,
    )


def _surely_regex(properties: dict[str, dict[str, Any]], description: str) -> str | None:
    """The parameter that is surely a regular expression: named regex or regexp, or described as one (in its
    own description, or a ``pattern`` in the tool's); never when either description says glob or wildcard, as
    a file search's ``pattern`` often is (``(unclosed`` is a glob that matches nothing)."""
    if _GLOB_TEXT.search(description):
        return None
    for name, prop in properties.items():
        own = str(prop.get("description", ""))
        if not _free_text(prop) or _GLOB_TEXT.search(own):
            continue
        words = tokens(name)
        if words & {"regex", "regexp"} or _REGEX_TEXT.search(own):
            return name
        if words & _REGEX_TOKENS and _REGEX_TEXT.search(description):
            return name
    return None


def _described(name: str, prop: dict[str, Any], words: frozenset[str]) -> bool:
    return bool(tokens(name) & words) or bool(tokens(str(prop.get("description", ""))) & words)


def edge_cases(
    name: str,
    schema: dict[str, Any],
    base: dict[str, Any] | None = None,
    description: str = "",
    *,
    read_only: bool = True,
) -> list[AwkwardCase]:
    """The tool's edge calls that answer at once (the regex goes last: ``regex_case``), each schema-valid.

    ``read_only``: only a read-only tool gets the wildcard searches (they are compared with its valid
    calls, which only a read-only tool is given), and a write gets no huge value for a repeat count.
    """
    properties = _properties(schema)
    valid = valid_samples(schema, base)[0]
    cases: list[AwkwardCase] = []

    def add(field: str, constraint: str, value: Any) -> None:
        arguments = {**valid, field: value}
        if is_schema_valid(schema, arguments) is not False:
            cases.append(AwkwardCase("hostile", field, constraint, arguments))

    huge = [
        n
        for n, p in properties.items()
        if p.get("type") == "integer"
        and not {"maximum", "exclusiveMaximum", "enum", "const"} & set(p)
        and (read_only or not tokens(n) & {"repeat", "times", "count", "copies", "iterations"})
    ]
    for field in huge[:_HUGE_PARAMETERS]:
        for constraint, value in HUGE_INTEGERS.items():
            add(field, constraint, value)
    for field, prop in properties.items():
        if (
            _free_text(prop)
            and _described(field, prop, _EXPRESSION_TOKENS)
            and not _SQL_TEXT.search(str(prop.get("description", "")))
        ):
            add(field, "division-by-zero", DIVISION_BY_ZERO)
            add(field, "huge-power", HUGE_POWER)
            add(field, "huge-power-caret", HUGE_POWER_CARET)
            break
    if tokens(name) & _DECODE_TOKENS or tokens(description) & _DECODE_TOKENS:
        encoded = [
            n
            for n, p in properties.items()
            if _free_text(p)
            and (_ENCODED_TEXT.search(n) or _ENCODED_TEXT.search(str(p.get("description", ""))))
        ]
        strings = [n for n, p in properties.items() if _free_text(p)]
        target = encoded[0] if encoded else (strings[0] if len(strings) == 1 else None)
        if target is not None:
            add(target, "decoder-garbage", DECODER_GARBAGE)
    # Garbage a careless server reads as 'no filter' or 'match everything': only for tools that cannot destroy
    # with it (a purge_messages before 'not a date' may purge all; a find_and_replace of '' rewrites a file)
    harmless = read_only or harmless_write(name)
    dates = [n for n, p in properties.items() if date_like(n, p)]
    if dates and harmless:
        add(dates[0], "bad-date", BAD_DATE)
    pattern = _surely_regex(properties, description)
    if pattern is not None and (read_only or _named_as_read(name)):
        add(pattern, "bad-regex", BAD_REGEX)
    cases += _not_listed_cases(schema, base, properties, description)
    search = search_field(name, schema, description)
    if read_only and search is not None:
        for constraint, term in WILDCARDS.items():
            add(search, constraint, term)
    for field, constraint in _empty_fields(name, schema, properties, search, read_only=read_only):
        add(field, constraint, "")
    return cases + _statement_cases(schema, valid, properties, description)


def _empty_fields(
    name: str,
    schema: dict[str, Any],
    properties: dict[str, dict[str, Any]],
    search: str | None,
    *,
    read_only: bool,
) -> list[tuple[str, str]]:
    """The parameters that get '': a search's required term (a search for nothing must be refused, not answer
    everything), a write's required names (an item named nothing cannot be found again; a field named ''
    is none) and a create's required text (``add_todo text``: an empty item), never a delete's, and only for a
    tool named for a write (``add_entry``, ``aggiungi``)."""
    fields = []
    words = tokens(name)
    destroys = words & ((_DESTROYING - _CHANGING) | _FOREIGN_DESTROYING)
    if not read_only and words & (WRITE_VERBS | CREATE_VERBS) and not destroys and not _named_as_read(name):
        names = _item_name_fields(properties, schema)[:_EMPTY_NAMES]
        fields += [(n, "empty-name") for n in names]
        text = _item_text_field(properties, schema)
        if text is not None and words & _ADDING and text not in names:
            fields.append((text, "empty-text"))
    named_search = bool(tokens(name) & _SEARCH_VERBS) and (read_only or _named_as_read(name))
    if search is not None and search in schema.get("required", []) and named_search:
        fields.append((search, "empty-search"))
    return fields


_READ_VERBS: Final = frozenset(
    {"get", "read", "list", "show", "view", "fetch", "describe", "count", "summarize", "summary", "stats"}
    | {"statistics", "report", "export", "leggi", "lista", "elenca", "mostra"}
)
CREATE_VERBS: Final = frozenset(
    {"add", "create", "new", "save", "insert", "log", "record", "append", "register"}
)
_DESTROYING: Final = frozenset(
    {
        "delete",
        "remove",
        "purge",
        "clear",
        "drop",
        "destroy",
        "truncate",
        "reset",
        "replace",
        "overwrite",
        "prune",
    }
    | {
        "cleanup",
        "wipe",
        "erase",
        "archive",
        "move",
        "rename",
        "update",
        "edit",
        "set",
        "merge",
        "import",
        "sync",
    }
)


def _named_as_read(name: str) -> bool:
    """A tool named for a read or a search (search_todos, list_expenses, cronos_cerca) and for no write."""
    words = tokens(name)
    return bool(words & (_READ_VERBS | SEARCH_TOOLS)) and not words & (_DESTROYING | CREATE_VERBS)


_ITEM_NAMES: Final = frozenset(
    {"name", "title", "key", "field", "project", "category", "label", "tag", "slug", "collection", "topic"}
    | {"namespace", "folder", "list", "board", "workspace", "column", "property", "attribute", "section"}
    # Italian, Spanish, French, German, Portuguese: name, title, project, category, key, field
    | {"nome", "titolo", "progetto", "categoria", "chiave", "campo", "nombre", "titulo", "proyecto", "clave"}
    | {
        "nom",
        "titre",
        "projet",
        "categorie",
        "cle",
        "champ",
        "titel",
        "projekt",
        "kategorie",
        "schluessel",
        "feld",
    }
    | {"projeto"}
)
"""The last name word of a parameter that names an item or a field (``project``, ``field``, ``tag_name``, ``progetto``)."""


WRITE_VERBS: Final = frozenset(
    {"create", "add", "set", "update", "delete", "remove", "save", "write", "insert", "upsert", "put", "post"}
    | {"clear", "reset", "move", "rename", "copy", "replace", "store", "archive", "drop", "alter", "append"}
    | {"edit", "overwrite", "restore", "purge", "destroy", "truncate", "merge", "import", "modify", "patch"}
    # Italian, Spanish, French, German: add, write, create, delete, update, save, set, remove
    | {
        "aggiungi",
        "scrivi",
        "crea",
        "elimina",
        "cancella",
        "modifica",
        "aggiorna",
        "salva",
        "imposta",
        "rimuovi",
    }
    | {"agregar", "crear", "borrar", "eliminar", "actualizar", "guardar", "escribir", "ajouter", "creer"}
    | {"supprimer", "modifier", "enregistrer", "ecrire", "erstellen", "loeschen", "speichern", "schreiben"}
)
"""Name words of a tool that writes, in English, Italian, Spanish, French and German."""
_FOREIGN_DESTROYING: Final = frozenset(
    {"elimina", "cancella", "rimuovi", "borrar", "eliminar", "supprimer", "loeschen"}
)
"""Delete and remove in Italian, Spanish, French and German."""


_CHANGING: Final = frozenset({"update", "edit", "set", "modify", "imposta", "aggiorna", "modifica"})
"""Writes that change an item in place: given '' for its name, they must find nothing to change."""
_ADDING: Final = CREATE_VERBS | {
    "aggiungi",
    "crea",
    "salva",
    "agregar",
    "crear",
    "ajouter",
    "creer",
    "erstellen",
}
"""Name words of a write that adds an item (English, Italian, Spanish, French, German)."""
_ITEM_TEXTS: Final = frozenset(
    {"text", "content", "body", "note", "description", "message", "entry", "item", "task", "todo"}
    | {"testo", "contenuto", "descrizione", "texto", "contenido", "descripcion", "texte", "contenu", "inhalt"}
)
"""The last name word of the text a create stores as the item (``add_todo text``, ``add_note content``); not a
``value`` beside a key, which may be empty as any value may."""
_EMPTY_NAMES: Final = 2
"""A write's name parameters given '' at most (``bulk_update_metadata``'s project and field), one call each."""


def _item_text_field(properties: dict[str, dict[str, Any]], schema: dict[str, Any]) -> str | None:
    """The required free-text parameter a create stores as its item (its name's last word text, content,
    description…), when it is the only required free text besides the item's names; else None."""
    required = schema.get("required")
    texts = [
        str(f)
        for f in (required if isinstance(required, list) else [])
        if isinstance(f, str) and f in properties and _free_text(properties[f])
    ]
    stored = [f for f in texts if (w := name_words(f)) and w[-1] in _ITEM_TEXTS]
    others = [f for f in texts if f not in stored and not ((w := name_words(f)) and w[-1] in _ITEM_NAMES)]
    return stored[0] if len(stored) == 1 and not others else None


def _item_name_fields(properties: dict[str, dict[str, Any]], schema: dict[str, Any]) -> list[str]:
    """The required free-text parameters that name an item or a field: an empty one names nothing."""
    required = schema.get("required")
    found = []
    for field in required if isinstance(required, list) else []:
        prop = properties.get(field) if isinstance(field, str) else None
        words = name_words(field) if prop is not None else []
        if prop is not None and _free_text(prop) and words and words[-1] in _ITEM_NAMES:
            found.append(str(field))
    return found


def harmless_write(name: str) -> bool:
    """A tool that may write, named for a read (the annotation is missing) or for a create (add_expense): a
    malformed value it accepts is stored or filters nothing, but destroys nothing."""
    words = tokens(name)
    return _named_as_read(name) or (bool(words & CREATE_VERBS) and not words & _DESTROYING)


def search_field(name: str, schema: dict[str, Any], description: str = "") -> str | None:
    """The search term of a list or search tool (``find_units``'s ``query``), or None: free text, not SQL.

    Named for a search (query, filter, term…), or else a parameter the tool's or its own description calls
    a prefix or a filter ("Optionally filter by ns prefix.": hold-out 4 kb-9)."""
    if not tokens(name) & SEARCH_TOOLS:
        return None
    texts = {n: p for n, p in _properties(schema).items() if _free_text(p)}
    texts = {n: p for n, p in texts.items() if not _SQL_TEXT.search(str(p.get("description", "")))}
    named = next((n for n in texts if tokens(n) & _SEARCH_PARAMETERS), None)
    if named is not None:
        return named
    for field, prop in texts.items():
        said = re.compile(
            rf"\b{re.escape(field)}\b\W{{0,3}}(?:prefix|filter)|\b(?:prefix|filter)\w*\W+(?:by\W+)?{re.escape(field)}\b",
            re.IGNORECASE,
        )
        if said.search(description) or _FILTER_TEXT.search(str(prop.get("description", ""))):
            return field
    return None


def _listed(field: str, prop: dict[str, Any], description: str) -> list[str] | None:
    """The values the tool's or the parameter's description lists for a string parameter, or None."""
    if prop.get("type") != "string" or {"enum", "const"} & set(prop):
        return None
    own = str(prop.get("description", ""))
    if _SQL_TEXT.search(own):
        return None  # a query's description quoting keywords lists no values
    closed = [
        s for s in closed_sentences(own) if not _ANY.search(s)
    ]  # examples ("e.g.", "any label") list none
    return prose_values(description, field) or prose_values(own, field) or listed_values(" ".join(closed))


def _not_listed_cases(
    schema: dict[str, Any],
    base: dict[str, Any] | None,
    properties: dict[str, dict[str, Any]],
    description: str,
) -> list[AwkwardCase]:
    """A value outside the list a description gives: for a string parameter, and for a field of the first
    item of an array of objects (``todos[].status``: the array's ``field: … (a, b, c)`` lines or the field's
    own description), in the sample that has the array."""
    samples = valid_samples(schema, base)
    cases: list[AwkwardCase] = []
    for field, prop in properties.items():
        listed = _listed(field, prop, description)
        if listed and NOT_LISTED not in listed:
            arguments = {**samples[0], field: NOT_LISTED}
            if is_schema_valid(schema, arguments) is not False:
                cases.append(AwkwardCase("hostile", field, "not-listed", arguments))
    for field, prop in properties.items():
        raw = prop.get("items")
        if prop.get("type") != "array" or not isinstance(raw, dict):
            continue
        items = resolve(raw, schema)
        sample = next((s for s in samples if isinstance(s.get(field), list) and s[field]), None)
        if sample is None or not isinstance(sample[field][0], dict):
            continue
        by_line = field_values(str(prop.get("description", "")))
        for name, inner in _properties(items).items():
            listed = _listed(name, inner, "") or (
                by_line.get(name) if inner.get("type") == "string" else None
            )
            if not listed or NOT_LISTED in listed or {"enum", "const"} & set(inner):
                continue
            first = {**sample[field][0], name: NOT_LISTED}
            arguments = {**sample, field: [first, *sample[field][1:]]}
            if is_schema_valid(schema, arguments) is not False:
                cases.append(AwkwardCase("hostile", f"{field}[].{name}", "not-listed", arguments))
                break
    return cases


def _statement_cases(
    schema: dict[str, Any], valid: dict[str, Any], properties: dict[str, dict[str, Any]], description: str
) -> list[AwkwardCase]:
    """Two read statements in one string, and an empty statement, for the tool's first parameter that takes SQL."""
    for field, prop in properties.items():
        if prop.get("type") == "string" and not prop.get("enum") and sql_like(field, prop, description):
            planned = [("multi-statement", MULTI_STATEMENT), ("empty-statement", "")]
            return [
                AwkwardCase("hostile", field, constraint, {**valid, field: value})
                for constraint, value in planned
                if is_schema_valid(schema, {**valid, field: value}) is not False
            ]
    return []


def regex_case(schema: dict[str, Any], base: dict[str, Any] | None = None) -> AwkwardCase | None:
    """One catastrophic-backtracking pattern for a parameter named or described as a regular expression.

    With a subject parameter beside it (``text``, ``input``…) the subject is the one that triggers it;
    without one, a pattern that backtracks on the server's own data. Bounded by the call's timeout.
    """
    properties = _properties(schema)
    pattern = _regex_parameter(properties)
    if pattern is None:
        return None
    subject = next(
        (n for n, p in properties.items() if n != pattern and _free_text(p) and tokens(n) & _SUBJECT_TOKENS),
        None,
    )
    arguments = {**valid_samples(schema, base)[0]}
    if subject is not None:
        arguments |= {pattern: CATASTROPHIC_PATTERN, subject: CATASTROPHIC_SUBJECT}
    else:
        arguments[pattern] = CATASTROPHIC_ON_DATA
    if is_schema_valid(schema, arguments) is False:
        return None
    return AwkwardCase("expensive", pattern, "catastrophic-regex", arguments)
