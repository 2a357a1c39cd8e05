"""Tool signatures → JSON Schema, and validation of calls against exactly that schema."""

from wireproof.schema._build import (
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_LENGTH,
    InputSchema,
    OutputSchema,
    ParamSpec,
    build_input_schema,
    build_output_schema,
)
from wireproof.schema._docstring import Docstring, parse_docstring
from wireproof.schema._markers import Examples, Format, Pattern, ToolDefinitionError, python_pattern
from wireproof.schema._validate import ArgumentValidator, describe_schema, format_checker

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "DEFAULT_MAX_LENGTH",
    "ArgumentValidator",
    "Docstring",
    "Examples",
    "Format",
    "InputSchema",
    "OutputSchema",
    "ParamSpec",
    "Pattern",
    "ToolDefinitionError",
    "build_input_schema",
    "build_output_schema",
    "describe_schema",
    "format_checker",
    "parse_docstring",
    "python_pattern",
]
