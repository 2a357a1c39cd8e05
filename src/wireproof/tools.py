"""A registered tool: its function, kind, schemas, annotations and cross-field rules."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import mcp_types as types

from wireproof.errors import ABSENT, FieldError, InvalidInput
from wireproof.paging import Page
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

__all__ = ["IDEMPOTENCY_KEY", "Arguments", "Rule", "Tool", "ToolContext", "ToolKind"]

StateT = TypeVar("StateT")
ToolKind = Literal["read", "write"]


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
    transaction (Any): For write tools served with an idempotency store on the connector's own
        database: the open transaction to write through (``transaction.connection``), which
        commits together with the idempotency record. None for read tools.
    principal (Principal): who is calling (scope the data you return to it).
    paging (Paging): signs and checks this tool's cursors (``ctx.paging.position(cursor, filters)``,
        ``Page.from_rows(..., paging=ctx.paging)``).
    """

    state: StateT
    tool: str
    correlation_id: str
    transaction: Any = None
    paging: Any = None
    principal: Any = None


def _with_idempotency_key(schema: InputSchema) -> InputSchema:
    """Add the optional ``idempotency_key`` parameter to a write tool's schema and description."""
    properties = {**schema.schema["properties"], IDEMPOTENCY_KEY: dict(IDEMPOTENCY_KEY_SCHEMA)}
    input_schema = {**schema.schema, "properties": properties}
    input_schema["additionalProperties"] = input_schema.pop("additionalProperties")
    description = (
        schema.description
        + "\n\nWithout idempotency_key, repeated calls are not deduplicated: pass one so that a "
        "retry is safe."
    )
    param = ParamSpec(IDEMPOTENCY_KEY, properties[IDEMPOTENCY_KEY], _same, required=False, default=None)
    return InputSchema(description=description, schema=input_schema, params=(*schema.params, param))


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
    """One tool as declared with ``Connector.read`` or ``Connector.write``.

    Calling the object calls the function itself (useful in unit tests); the
    connector calls it only after validation.
    """

    def __init__(
        self,
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
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise ToolDefinitionError(f"tool {name or fn.__name__}: timeout must be a number of seconds > 0")
        self.fn = fn
        self.timeout = timeout
        self.kind: ToolKind = kind
        self.budget_tokens = budget_tokens
        self.scopes = frozenset(scopes)
        self.public = public
        self.rate_limit = rate_limit
        if not self.scopes and not public:
            raise ToolDefinitionError(
                f"tool {name or fn.__name__}: declare the scopes it needs (scopes={{'things:read'}}), "
                "or mark it public=True if any caller may use it"
            )
        _refuse_public_with_scopes(name or fn.__name__, self.scopes, public=public)
        self.name = name or fn.__name__
        signature = inspect.signature(fn)
        parameters = list(signature.parameters.values())
        self.takes_context = bool(parameters) and parameters[0].name == "ctx"
        if self.takes_context:
            parameters = parameters[1:]
        self.is_async = inspect.iscoroutinefunction(fn)
        self.input: InputSchema = build_input_schema(fn, self.name, parameters)
        self.output: OutputSchema = build_output_schema(fn, self.name)
        self.natural_key = key
        self.idempotency_key = idempotency_key
        if key is not None:
            missing = [k for k in key if k not in self.input.schema["properties"]]
            if not key or missing:
                raise ToolDefinitionError(
                    f"tool {self.name}: key names {missing or 'nothing'}, not parameters"
                )
            _refuse_optional_natural_key(self.name, key, self.input)
            idempotent = True
        _refuse_page_without_cursor(fn, self.name, self.input)
        if idempotency_key:
            if kind != "write" or key is not None:
                raise ToolDefinitionError(
                    f"tool {self.name}: idempotency_key is for write tools without a natural key"
                )
            if IDEMPOTENCY_KEY in self.input.schema["properties"]:
                raise ToolDefinitionError(
                    f"tool {self.name}: do not declare {IDEMPOTENCY_KEY}; wireproof adds it"
                )
            self.input = _with_idempotency_key(self.input)
        self.validator = ArgumentValidator(self.input.schema)
        self.rules: list[Rule] = []
        read_only = kind == "read"
        self.annotations = types.ToolAnnotations(
            title=title,
            read_only_hint=read_only,
            destructive_hint=False if read_only else destructive,
            idempotent_hint=True if read_only else idempotent,
            open_world_hint=open_world,
        )
        self.definition = types.Tool(
            name=self.name,
            title=title,
            description=self.input.description,
            input_schema=self.input.schema,
            output_schema=self.output.schema,
            annotations=self.annotations,
        )
        self.__doc__ = fn.__doc__
        self.__name__ = self.name

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
            return {
                p.name: p.convert(arguments[p.name]) if p.name in arguments else p.default
                for p in self.input.params
            }
        invalid = frozenset(p.field.split(".")[0].split("[")[0] for p in problems)
        values: dict[str, Any] = {}
        for param in self.input.params:
            if param.name in invalid:
                continue
            raw = arguments.get(param.name, ABSENT)
            values[param.name] = param.default if raw is ABSENT else param.convert(raw)
        problems.extend(self._broken_rules(values, invalid))
        if problems:
            raise InvalidInput(f"Invalid arguments for {self.name}", fields=problems)
        return values

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
