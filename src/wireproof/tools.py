"""A registered tool: its function, kind, schemas, annotations and cross-field rules."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import mcp_types as types

from wireproof.errors import ABSENT, FieldError, InvalidInput
from wireproof.schema import (
    ArgumentValidator,
    InputSchema,
    OutputSchema,
    ToolDefinitionError,
    build_input_schema,
    build_output_schema,
)

__all__ = ["Arguments", "Rule", "Tool", "ToolContext", "ToolKind"]

StateT = TypeVar("StateT")
ToolKind = Literal["read", "write"]


@dataclass(slots=True)
class ToolContext(Generic[StateT]):
    """What a tool function receives as its first argument, when it takes one named ``ctx``.

    state (StateT): The object the connector is served with (database handles, clients).
    tool (str): The name of the tool being called.
    correlation_id (str): The id under which this call is logged; errors carry it too.
    """

    state: StateT
    tool: str
    correlation_id: str


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
    ) -> None:
        self.fn = fn
        self.kind: ToolKind = kind
        self.name = name or fn.__name__
        signature = inspect.signature(fn)
        parameters = list(signature.parameters.values())
        self.takes_context = bool(parameters) and parameters[0].name == "ctx"
        if self.takes_context:
            parameters = parameters[1:]
        self.is_async = inspect.iscoroutinefunction(fn)
        self.input: InputSchema = build_input_schema(fn, self.name, parameters)
        self.output: OutputSchema = build_output_schema(fn, self.name)
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

    def bind(self, arguments: Mapping[str, Any], tool_label: str | None = None) -> dict[str, Any]:
        """Validate ``arguments`` and convert them to the function's keyword arguments.

        Raises:
            InvalidInput: every schema problem and every broken rule, all at once.
        """
        problems = self.validator.errors(arguments)
        invalid = frozenset(p.field.split(".")[0].split("[")[0] for p in problems)
        values: dict[str, Any] = {}
        for param in self.input.params:
            if param.name in invalid:
                continue
            raw = arguments.get(param.name, ABSENT)
            values[param.name] = param.default if raw is ABSENT else param.convert(raw)
        problems.extend(self._broken_rules(values, invalid))
        if problems:
            raise InvalidInput(f"Invalid arguments for {tool_label or self.name}", fields=problems)
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
