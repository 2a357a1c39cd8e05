"""A registered tool: its function, kind, schemas, annotations and cross-field rules."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

import jsonschema
import mcp_types as types
from pydantic import TypeAdapter

from wireproof.auth import Principal
from wireproof.errors import ABSENT, FieldError, InvalidInput
from wireproof.idempotency._store import EffectTransaction
from wireproof.paging import Page, Paging
from wireproof.ratelimit import RateLimit
from wireproof.schema import (
    ArgumentValidator,
    InputSchema,
    OutputSchema,
    ParamSpec,
    ToolDefinitionError,
    build_input_schema,
    build_output_schema,
)

__all__ = [
    "IDEMPOTENCY_KEY",
    "Arguments",
    "Forward",
    "Rule",
    "Tool",
    "ToolAnswer",
    "ToolContext",
    "ToolKind",
    "ToolPolicy",
    "WriteEffect",
]

StateT = TypeVar("StateT")
ToolKind = Literal["read", "write"]
WriteEffect = Literal["database", "external"]
"""Where a write tool's effect lands: ``"database"`` through ``ctx.transaction`` on the connector's
own database (committed with its idempotency record), or ``"external"`` somewhere else."""


IDEMPOTENCY_KEY = "idempotency_key"
IDEMPOTENCY_KEY_SCHEMA: dict[str, Any] = {
    "description": (
        "Optional. A key you choose for this write (a UUID, say), 1 to 255 characters, no NUL. Pass the same key when "
        "you retry the call: the repeat returns the first result and makes no second effect. Use a new key for "
        "each new write; a key reused with different arguments is refused."
    ),
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[^\\u0000]*$",  # no NUL: PostgreSQL text cannot hold it, so no store could keep the key
}


@dataclass(slots=True)
class ToolContext(Generic[StateT]):
    """What a tool function receives as its first argument, when it takes one named ``ctx``.

    state (StateT): The object the connector is served with (database handles, clients).
    tool (str): The name of the tool being called.
    correlation_id (str): The id under which this call is logged; errors carry it too.
    transaction (EffectTransaction | None): For write tools served with an idempotency store on the
        connector's own database (``effect="database"``, which ``server()`` requires to have one):
        the open transaction to write through (``transaction.connection``), which commits together
        with the idempotency record. None for read tools and ``effect="external"`` writes.
    paging (Paging): signs and checks this tool's cursors (``ctx.paging.position(cursor, filters)``,
        ``Page.from_rows(..., paging=ctx.paging)``).
    principal (Principal): who is calling, always set: a call whose credential fails never reaches
        the tool (scope the data you return to it).
    deadline (float | None): when the pipeline stops waiting for this call and answers a retryable
        timeout, on ``anyio.current_time()``'s clock; None for a tool without a timeout. An async
        tool runs inside the pipeline's cancel scope for it: a wait of its own needs no shorter bound.
    """

    state: StateT
    tool: str
    correlation_id: str
    transaction: EffectTransaction | None
    paging: Paging
    principal: Principal
    deadline: float | None = None


def _with_idempotency_key(schema: InputSchema) -> InputSchema:
    """Add the optional ``idempotency_key`` parameter to a write tool's schema and description."""
    properties = {**schema.schema.get("properties", {}), IDEMPOTENCY_KEY: dict(IDEMPOTENCY_KEY_SCHEMA)}
    input_schema = {**schema.schema, "properties": properties}
    if "additionalProperties" in input_schema:  # kept last, where a reader looks for it
        input_schema["additionalProperties"] = input_schema.pop("additionalProperties")
    description = (
        schema.description
        + "\n\nWithout idempotency_key, repeated calls are not deduplicated: pass one so that a "
        "retry is safe."
    )
    param = ParamSpec(IDEMPOTENCY_KEY, properties[IDEMPOTENCY_KEY], _same, required=False, default=None)
    return InputSchema(description=description, schema=input_schema, params=(*schema.params, param))


@dataclass(frozen=True, slots=True)
class ToolAnswer:
    """What a forwarding tool (``Tool.from_schema``) may return instead of a JSON value: MCP content
    items as they are (``mcp_types.TextContent``, ``ImageContent``, ``AudioContent``,
    ``ResourceLink``, ``EmbeddedResource``; from an upstream server, say) and an optional
    ``structured`` value for ``structuredContent`` (required when the tool has an output schema).

    The answer is measured on the wire against the tool's response budget like any other; one over
    it is the typed ``response_too_large`` error, never cut silently.
    """

    content: Sequence[types.ContentBlock]
    structured: dict[str, Any] | None = None


Forward = Callable[["ToolContext[Any]", dict[str, Any]], Awaitable[Any]]
"""``async def forward(ctx, arguments) -> result``: what runs a ``Tool.from_schema`` call."""

_JSON_VALUE: Final[TypeAdapter[Any]] = TypeAdapter(Any)
_NOTHING_INVALID: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class ToolPolicy:
    """Who may call a tool, how often, for how long, how big its answer, and how repeats are safe."""

    scopes: frozenset[str]
    public: bool
    rate_limit: RateLimit | None
    timeout: float | None
    budget_tokens: int | None
    key: tuple[str, ...] | None
    idempotency_key: bool
    effect: WriteEffect
    never_blocks: bool = False

    @classmethod
    def checked(
        cls,
        name: str,
        kind: ToolKind,
        *,
        scopes: Iterable[str],
        public: bool,
        rate_limit: RateLimit | None,
        timeout: float | None,
        budget_tokens: int | None,
        key: tuple[str, ...] | None,
        idempotency_key: bool,
        effect: WriteEffect,
        never_blocks: bool = False,
    ) -> ToolPolicy:
        """The policy, or ``ToolDefinitionError`` saying what to change."""
        if timeout is not None and not timeout > 0:
            raise ToolDefinitionError(f"tool {name}: timeout must be a number of seconds > 0")
        scope_set = frozenset(scopes)
        if not scope_set and not public:
            raise ToolDefinitionError(
                f"tool {name}: declare the scopes it needs (scopes={{'things:read'}}), "
                "or mark it public=True if any caller may use it"
            )
        _refuse_public_with_scopes(name, scope_set, public=public)
        if idempotency_key and (kind != "write" or key is not None):
            raise ToolDefinitionError(
                f"tool {name}: idempotency_key is for write tools without a natural key"
            )
        if effect not in ("database", "external"):
            raise ToolDefinitionError(f"tool {name}: effect must be 'database' or 'external', not {effect!r}")
        if never_blocks and kind != "read":
            raise ToolDefinitionError(
                f"tool {name}: never_blocks is for read tools (a write's commit waits for the disk and for "
                "other writers)"
            )
        return cls(
            scope_set, public, rate_limit, timeout, budget_tokens, key, idempotency_key, effect, never_blocks
        )


def _annotations(
    kind: ToolKind, title: str | None, destructive: bool, idempotent: bool, open_world: bool
) -> types.ToolAnnotations:
    read_only = kind == "read"
    return types.ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=False if read_only else destructive,
        idempotent_hint=True if read_only else idempotent,
        open_world_hint=open_world,
    )


def _refuse_declared_idempotency_key(name: str, schema: Mapping[str, Any], *, idempotency_key: bool) -> None:
    if idempotency_key and IDEMPOTENCY_KEY in schema.get("properties", {}):
        raise ToolDefinitionError(f"tool {name}: do not declare {IDEMPOTENCY_KEY}; wireproof adds it")


def _object_schema(name: str, which: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a given JSON Schema, checked to be a valid schema of an object."""
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise ToolDefinitionError(
            f"tool {name}: {which} must be a JSON Schema of an object ({{'type': 'object', 'properties': "
            "{...}}), as MCP requires"
        )
    try:
        copied: dict[str, Any] = json.loads(json.dumps(schema))
        ArgumentValidator(copied)
    except (TypeError, ValueError) as error:
        raise ToolDefinitionError(f"tool {name}: {which} is not JSON: {error}") from None
    except jsonschema.SchemaError as error:
        where = "/".join(str(part) for part in error.path) or "the top level"
        raise ToolDefinitionError(
            f"tool {name}: {which} is not a valid JSON Schema (2020-12) at {where}: {error.message}"
        ) from None
    return copied


def _refuse_public_with_scopes(name: str, scopes: frozenset[str], *, public: bool) -> None:
    """A tool is either open to any caller or needs scopes; both at once would advertise neither truly."""
    if public and scopes:
        raise ToolDefinitionError(
            f"tool {name}: public=True lets any caller use it, so its scopes ({', '.join(sorted(scopes))}) would "
            "never be checked; drop public=True to require the scopes, or drop scopes= to keep it public"
        )


def _refuse_optional_natural_key(name: str, key: tuple[str, ...], schema: InputSchema) -> None:
    """Every parameter of a natural key must be passed on every call: it says which record is written."""
    optional = [param.name for param in schema.params if param.name in key and not param.required]
    if optional:
        raise ToolDefinitionError(
            f"tool {name}: key={key!r} names {', '.join(optional)}, which a caller may leave out; a natural key "
            "says which record a call writes, so make every key parameter required (no default) or leave it "
            "out of key="
        )


def _returns_page(fn: Callable[..., Any]) -> bool:
    returned = typing.get_type_hints(fn).get("return")
    return inspect.isclass(returned) and issubclass(returned, Page)


def _refuse_page_without_cursor(fn: Callable[..., Any], name: str, schema: InputSchema) -> None:
    """A tool that returns a ``Page`` hands out ``next_cursor``: it must take it back, and start without it."""
    if not _returns_page(fn):
        return
    cursor = next((param for param in schema.params if param.name == "cursor"), None)
    if cursor is None or cursor.required or cursor.schema.get("type") != "string":
        raise ToolDefinitionError(
            f"tool {name}: it returns a Page, whose next_cursor the model passes back to get the next page, "
            "so it needs the parameter 'cursor: str | None = None' (described, for example, as 'Where to "
            "continue: the next_cursor of the previous page; omit it for the first page') and "
            "ctx.paging.position(cursor, filters) to read it"
        )


def _same(value: Any) -> Any:
    return value


class ResultOutsideSchema(Exception):
    """A forwarding tool's structured result breaks its own output schema (masked, then logged)."""


class _Unavailable(Exception):
    """An argument a rule asked for failed its own validation, so the rule cannot judge."""


class Arguments:
    """The converted arguments of one call, by attribute, as cross-field rules see them.

    Reading an argument that failed validation stops the rule quietly: its field error
    is already reported, and the rule runs again once the argument is fixed.
    """

    __slots__ = ("_invalid", "_values")

    def __init__(self, values: Mapping[str, Any], invalid: frozenset[str]) -> None:
        self._values = values
        self._invalid = invalid

    def __getattr__(self, name: str) -> Any:
        if name in self._invalid:
            raise _Unavailable(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)


Rule = Callable[[Arguments], None]


class Tool(Generic[StateT]):
    """One tool: its name, kind, schemas, annotations, access rules and what runs it.

    A tool is data, made by one of two factories and registered with ``Connector.add`` (the
    ``@app.read`` and ``@app.write`` decorators do both):

    - ``Tool.from_function(fn, kind=...)``: a Python function whose signature and docstring give the
      schemas; arguments are converted to the parameters' types.
    - ``Tool.from_schema(name, input_schema, forward, kind=..., description=...)``: a JSON Schema and an
      async function that forwards the validated arguments (to another server, say).

    Both go through the same pipeline: validation against the advertised schema, typed errors,
    idempotency keys, the response budget, the deadline, the rate limit and the audit line. Calling
    the object calls the function itself (useful in unit tests); the connector calls it only after
    validation.
    """

    def __init__(
        self,
        *,
        name: str,
        kind: ToolKind,
        fn: Callable[..., Any],
        input: InputSchema,
        output: OutputSchema | None,
        annotations: types.ToolAnnotations,
        policy: ToolPolicy,
        takes_context: bool,
        forwards: bool,
    ) -> None:
        """Use ``Tool.from_function`` or ``Tool.from_schema``; this assembles what they checked."""
        self.fn = fn
        self.name = name
        self.kind: ToolKind = kind
        self.timeout = policy.timeout
        self.budget_tokens = policy.budget_tokens
        self.scopes = policy.scopes
        self.public = policy.public
        self.rate_limit = policy.rate_limit
        self.natural_key = policy.key
        self.idempotency_key = policy.idempotency_key
        self.effect: WriteEffect | None = policy.effect if kind == "write" else None
        self.never_blocks = policy.never_blocks
        self.takes_context = takes_context
        self.is_async = inspect.iscoroutinefunction(fn)
        self.forwards = forwards
        self.input: InputSchema = _with_idempotency_key(input) if policy.idempotency_key else input
        self.output = output
        self._adapter = None if forwards or output is None else output.adapter
        self.validator = ArgumentValidator(self.input.schema)
        self._output_validator = ArgumentValidator(output.schema) if forwards and output is not None else None
        self.rules: list[Rule] = []
        self.annotations = annotations
        self.definition = types.Tool(
            name=name,
            title=annotations.title,
            description=self.input.description,
            input_schema=self.input.schema,
            output_schema=None if output is None else output.schema,
            annotations=annotations,
        )
        self.__doc__ = fn.__doc__
        self.__name__ = name

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        kind: ToolKind,
        name: str | None = None,
        title: str | None = None,
        destructive: bool = False,
        idempotent: bool = False,
        open_world: bool = False,
        key: tuple[str, ...] | None = None,
        idempotency_key: bool = False,
        budget_tokens: int | None = None,
        scopes: Iterable[str] = (),
        public: bool = False,
        rate_limit: RateLimit | None = None,
        timeout: float | None = None,
        effect: WriteEffect = "database",
        never_blocks: bool = False,
    ) -> Tool[StateT]:
        """A tool from a Python function: its signature and docstring give the schemas.

        The keywords are those of ``Connector.read`` and ``Connector.write`` (see there); a first
        parameter named ``ctx`` receives the ``ToolContext``.

        Raises:
            ToolDefinitionError: what the tool would advertise wrongly, saying what to change.
        """
        name = name or fn.__name__
        policy = ToolPolicy.checked(
            name,
            kind,
            scopes=scopes,
            public=public,
            rate_limit=rate_limit,
            timeout=timeout,
            budget_tokens=budget_tokens,
            key=key,
            idempotency_key=idempotency_key,
            effect=effect,
            never_blocks=never_blocks,
        )
        parameters = list(inspect.signature(fn).parameters.values())
        takes_context = bool(parameters) and parameters[0].name == "ctx"
        if takes_context:
            parameters = parameters[1:]
        input_schema = build_input_schema(fn, name, parameters)
        output = build_output_schema(fn, name)
        if key is not None:
            missing = [k for k in key if k not in input_schema.schema["properties"]]
            if not key or missing:
                raise ToolDefinitionError(f"tool {name}: key names {missing or 'nothing'}, not parameters")
            _refuse_optional_natural_key(name, key, input_schema)
            idempotent = True
        _refuse_page_without_cursor(fn, name, input_schema)
        _refuse_declared_idempotency_key(name, input_schema.schema, idempotency_key=idempotency_key)
        return cls(
            name=name,
            kind=kind,
            fn=fn,
            input=input_schema,
            output=output,
            annotations=_annotations(kind, title, destructive, idempotent, open_world),
            policy=policy,
            takes_context=takes_context,
            forwards=False,
        )

    @classmethod
    def from_schema(
        cls,
        name: str,
        input_schema: Mapping[str, Any],
        forward: Forward,
        *,
        kind: ToolKind,
        description: str,
        title: str | None = None,
        output_schema: Mapping[str, Any] | None = None,
        scopes: Iterable[str] = (),
        public: bool = False,
        rate_limit: RateLimit | None = None,
        timeout: float | None = None,
        budget_tokens: int | None = None,
        destructive: bool = True,
        idempotent: bool = False,
        open_world: bool = False,
        idempotency_key: bool = False,
        effect: WriteEffect = "external",
    ) -> Tool[Any]:
        """A tool from a JSON Schema and an async function that forwards its calls.

        ``await forward(ctx, arguments)`` runs each call whose ``arguments`` (a dict of JSON values,
        exactly as the caller sent them: no defaults filled in, nothing converted, the
        ``idempotency_key`` taken out) passed ``input_schema`` (JSON Schema 2020-12; nested objects,
        arrays, ``enum``, ``$defs``/``$ref``, ``anyOf``: every problem a ``FieldError``). Extra
        arguments are refused only where the schema says ``additionalProperties: false``.

        What ``forward`` returns is rendered like a Python tool's return value: a JSON object becomes
        ``structuredContent`` and the same JSON as text (checked against ``output_schema`` when one is
        given), any other JSON value its JSON text; a ``ToolAnswer`` hands back content items as
        they are (text, images, embedded resources, from an upstream server say) with an optional
        structured value. Either is measured against the response budget on the wire. A
        ``WireproofError`` it raises is the typed error result; anything else is masked behind a
        correlation id. ``ctx.transaction`` is None: the effect is ``"external"`` (the default; a
        ``"database"`` effect needs a plain function, see ``Connector.write``).

        The other keywords are those of ``Connector.read`` and ``Connector.write``; ``destructive``,
        ``idempotent`` and ``open_world`` only annotate a write (as the decorators do).

        Raises:
            ToolDefinitionError: a schema that is not a valid JSON Schema of an object, a ``forward``
                that is not an async function, and what ``from_function`` refuses too.
        """
        policy = ToolPolicy.checked(
            name,
            kind,
            scopes=scopes,
            public=public,
            rate_limit=rate_limit,
            timeout=timeout,
            budget_tokens=budget_tokens,
            key=None,
            idempotency_key=idempotency_key,
            effect=effect,
        )
        if not callable(forward) or (
            inspect.isfunction(forward) and not inspect.iscoroutinefunction(forward)
        ):
            raise ToolDefinitionError(
                f"tool {name}: forward must be an async function 'async def forward(ctx, arguments)' "
                "that returns the result"
            )
        schema = _object_schema(name, "input_schema", input_schema)
        _refuse_declared_idempotency_key(name, schema, idempotency_key=idempotency_key)
        output = None
        if output_schema is not None:
            output = OutputSchema(
                schema=_object_schema(name, "output_schema", output_schema), adapter=_JSON_VALUE
            )

        async def forwarded(ctx: ToolContext[Any], /, **arguments: Any) -> Any:
            return await forward(ctx, arguments)

        forwarded.__doc__ = description
        return cls(
            name=name,
            kind=kind,
            fn=forwarded,
            input=InputSchema(description=description, schema=schema, params=()),
            output=output,
            annotations=_annotations(kind, title, destructive, idempotent, open_world),
            policy=policy,
            takes_context=True,
            forwards=True,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def rule(self, fn: Rule) -> Rule:
        """Declare a cross-field rule; it raises ``InvalidInput`` when the arguments break it."""
        if not callable(fn):
            raise ToolDefinitionError(f"tool {self.name}: a rule must be a function of the arguments")
        self.rules.append(fn)
        return fn

    def bind(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validate ``arguments`` and convert them to the function's keyword arguments.

        Raises:
            InvalidInput: every schema problem and every broken rule, all at once.
        """
        problems = self.validator.errors(arguments)
        if not problems and not self.rules:  # the common case: convert and go
            if self.forwards:
                return dict(arguments)
            return {
                p.name: p.convert(arguments[p.name]) if p.name in arguments else p.default
                for p in self.input.params
            }
        if not problems and not self.forwards:  # valid, with rules: convert as above, then the rules
            converted = {
                p.name: p.convert(arguments[p.name]) if p.name in arguments else p.default
                for p in self.input.params
            }
            broken = self._broken_rules(converted, _NOTHING_INVALID)
            if broken:
                raise InvalidInput(f"Invalid arguments for {self.name}", fields=broken)
            return converted
        invalid = frozenset(p.field.split(".")[0].split("[")[0] for p in problems)
        values: dict[str, Any] = {}
        if self.forwards:  # JSON values as sent, for the forward and its rules
            values = {name: value for name, value in arguments.items() if name not in invalid}
        for param in self.input.params:
            if param.name in invalid:
                continue
            raw = arguments.get(param.name, ABSENT)
            values[param.name] = param.default if raw is ABSENT else param.convert(raw)
        problems.extend(self._broken_rules(values, invalid))
        if problems:
            raise InvalidInput(f"Invalid arguments for {self.name}", fields=problems)
        return values

    def dump(self, result: Any) -> Any:
        """A function tool's return value as JSON values (through its return type); a forwarding
        tool's result as it is, checked against its output schema when it has one.

        Raises:
            ResultOutsideSchema: a forwarded structured result that breaks the output schema.
        """
        if self._adapter is not None:
            # its serializer directly: TypeAdapter.dump_python only passes the arguments on
            return self._adapter.serializer.to_python(result, mode="json", warnings="error")
        self.check_structured(result)
        return result

    def check_structured(self, structured: Any) -> None:
        """Raise ``ResultOutsideSchema`` when a forwarded structured result breaks the output schema."""
        if self._output_validator is None:
            return
        if not isinstance(structured, dict):
            raise ResultOutsideSchema(f"tool {self.name} has an output schema but returned no JSON object")
        problems = self._output_validator.errors(structured)
        if problems:
            raise ResultOutsideSchema(
                f"the result of tool {self.name} breaks its output schema: "
                + "; ".join(problem.line() for problem in problems)
            )

    def _broken_rules(self, values: Mapping[str, Any], invalid: frozenset[str]) -> list[FieldError]:
        broken: list[FieldError] = []
        view = Arguments(values, invalid)
        for rule in self.rules:
            try:
                rule(view)
            except _Unavailable:
                continue
            except InvalidInput as error:
                broken.extend(
                    error.fields or [FieldError("arguments", error.message, "arguments that satisfy it")]
                )
        return broken
