"""Generate docs/api.md from the public API's docstrings: ``python docs/gen_api.py > docs/api.md``.

The public API is ``wireproof.__all__`` and the ``__all__`` of the public submodules below. Each
object is documented once, under the first module in ``MODULES`` that exports it and defines it
(or re-exports it from a private module); the others link there. Signatures are shown as the
source spells their annotations, so the page reads like the code and does not depend on how a
Python version prints ``typing`` objects.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pydantic

MODULES: tuple[tuple[str, str], ...] = (
    ("wireproof", "Build a connector: declare tools on a `Connector`, serve it, and raise typed errors."),
    ("wireproof.errors", "The error tree, and how an error is rendered for a model and for a program."),
    ("wireproof.auth", "Principals, scopes, API keys and bearer JWTs."),
    ("wireproof.paging", "Pages of results with signed keyset cursors."),
    ("wireproof.idempotency", "Idempotency stores and the records that make writes safe to repeat."),
    ("wireproof.connector", "The names serving and the pipeline use besides `Connector`."),
    ("wireproof.ratelimit", "Per-principal rate limits."),
    ("wireproof.serve", "Serving a connector over Streamable HTTP."),
    ("wireproof.testing", "Checking a connector from a test suite."),
)
"""Each public module, in the order of the page, with the line that introduces it."""

HOME_FIRST = ("wireproof.errors", "wireproof.auth", "wireproof.paging")
"""Modules whose names are documented there even though ``wireproof`` re-exports them first."""

SRC = Path(__file__).resolve().parents[1] / "src" / "wireproof"
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _home(module_name: str, name: str, obj: Any) -> str:
    """Where ``name`` is documented: its home module among the public ones that export it."""
    exporters = [m for m, _ in MODULES if name in getattr(importlib.import_module(m), "__all__", ())]
    defined = getattr(obj, "__module__", None) if inspect.isclass(obj) or inspect.isfunction(obj) else None
    for preferred in HOME_FIRST:
        if preferred in exporters and (defined is None or defined.startswith(preferred)):
            return preferred
    return exporters[0] if exporters else module_name


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as dashes."""
    text = heading.replace("`", "").strip().lower()
    return re.sub(r"[^a-z0-9 _-]", "", text).replace(" ", "-")


def _attribute_docs() -> dict[tuple[str, str], str]:
    """The docstrings under module-level assignments (``X: Final = 1`` then ``\"\"\"…\"\"\"``), by
    (module, name): Python keeps none of them at run time, so they are read from the source."""
    docs: dict[tuple[str, str], str] = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for statement, following in itertools.pairwise(body):
            target = None
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                target = statement.target.id
            elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                only = statement.targets[0]
                target = only.id if isinstance(only, ast.Name) else None
            if (
                target is not None
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[module, target] = inspect.cleandoc(following.value.value)
    return docs


def _constant_doc(docs: dict[tuple[str, str], str], module_name: str, name: str) -> str:
    """A constant's docstring from the module that defines it (one of the package's modules)."""
    candidates = sorted((m for m, n in docs if n == name), key=lambda m: (not m.startswith(module_name), m))
    return docs[candidates[0], name] if candidates else ""


def _annotation(annotation: Any) -> str:
    if isinstance(annotation, str):
        return annotation
    return re.sub(r"~(?=\w)", "", inspect.formatannotation(annotation))  # a TypeVar prints as ~T


def _default(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if callable(value) and hasattr(value, "__qualname__"):
        module = getattr(value, "__module__", None)
        return f"{module}.{value.__qualname__}" if module else value.__qualname__
    return _ADDRESS.sub("", repr(value))


def _signature(obj: Callable[..., Any], *, drop_self: bool = False) -> str:
    """``(a: int, *, b: str = 'x') -> T`` with annotations as the source spells them."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    parts: list[str] = []
    star_done = False
    parameters = list(signature.parameters.values())
    if drop_self and parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    for index, parameter in enumerate(parameters):
        if parameter.kind is parameter.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        if parameter.kind is parameter.VAR_POSITIONAL:
            star_done = True
        prefix = "*" if parameter.kind is parameter.VAR_POSITIONAL else ""
        prefix = "**" if parameter.kind is parameter.VAR_KEYWORD else prefix
        text = prefix + parameter.name
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
            if parameter.default is not parameter.empty:
                text += f" = {_default(parameter.default)}"
        elif parameter.default is not parameter.empty:
            text += f"={_default(parameter.default)}"
        parts.append(text)
        following = parameters[index + 1] if index + 1 < len(parameters) else None
        if parameter.kind is parameter.POSITIONAL_ONLY and (
            following is None or following.kind is not parameter.POSITIONAL_ONLY
        ):
            parts.append("/")
    returned = ""
    if signature.return_annotation is not signature.empty:
        returned = f" -> {_annotation(signature.return_annotation)}"
    return f"({', '.join(parts)}){returned}"


def _doc(obj: Any) -> str:
    """The object's own docstring (not one inherited from a base the API does not define)."""
    own = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(own) if isinstance(own, str) else ""


_SECTION = re.compile(r"^(Args|Raises|Returns|Yields|Attributes):\s*$")
_ENTRY = re.compile(r"^([\w.*]+(?: \([^)]*\))?): (.*)$")
_ATTRIBUTE = re.compile(r"^(\w+ \([^)]*\)): (.*)$")


def _markdown(doc: str) -> str:
    """A Google-style docstring as Markdown: ``Args:``/``Raises:`` sections and ``name (type): text``
    attribute lines become lists, ``::`` blocks stay indented code, the rest stays as written."""
    out: list[str] = []
    in_section = False
    in_entry = False
    for line in doc.splitlines():
        section = _SECTION.match(line)
        entry = _ATTRIBUTE.match(line)
        if section:
            out += ["", f"**{section.group(1)}:**", ""]
            in_section, in_entry = True, False
        elif in_section and line.startswith("    ") and not line.startswith("        "):
            found = _ENTRY.match(line.strip())
            out.append(f"- `{found.group(1)}`: {found.group(2)}" if found else f"- {line.strip()}")
            in_entry = True
        elif in_entry and line.startswith("    ") and line.strip():
            out[-1] += " " + line.strip()
        elif entry and not line.startswith(" ") and not line.endswith(":"):
            if not in_entry and out and out[-1] != "":
                out.append("")
            out.append(f"- `{entry.group(1)}`: {entry.group(2)}")
            in_section, in_entry = False, True
        else:
            if in_entry and line.strip() and out and out[-1] != "":
                out.append("")
            in_section = in_section and line.strip() != ""
            in_entry = False
            out.append(line[:-1] if line.endswith("::") else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _block(text: str) -> list[str]:
    return [_markdown(text), ""] if text else ["*(no docstring)*", ""]


def _inherited_doc(cls: type, name: str, protocols: list[type]) -> str:
    """The docstring of ``cls.name``, or of the same member of a protocol ``cls`` implements
    (``MemoryIdempotencyStore.claim`` is documented once, on ``IdempotencyStore.claim``)."""
    own = inspect.getdoc(getattr(cls, name))  # also finds the docstring of a method it overrides
    if own:
        return own
    for protocol in protocols:
        if protocol is not cls and name in protocol.__dict__:
            return inspect.getdoc(getattr(protocol, name)) or ""
    return ""


def _members(cls: type, protocols: list[type]) -> Iterator[tuple[str, str, str]]:
    """(title, signature or value, docstring) of each public member the class itself defines."""
    for name, member in cls.__dict__.items():
        function = getattr(member, "__func__", member)
        if name.startswith("_") or not getattr(function, "__module__", "wireproof").startswith("wireproof"):
            continue  # private, or made by a library (pydantic's model_post_init)
        if isinstance(member, property):
            yield name, "(property)", _doc(member.fget) if member.fget else ""
        elif isinstance(member, classmethod | staticmethod):
            function = member.__func__
            shown = _signature(function, drop_self=isinstance(member, classmethod))
            yield name, shown, _inherited_doc(cls, name, protocols)
        elif inspect.isfunction(member):
            yield name, _signature(member, drop_self=True), _inherited_doc(cls, name, protocols)
        elif isinstance(member, str | bool | int | float) and not isinstance(member, enum.Enum):
            yield name, f"= {member!r}", ""


def _fields(cls: type) -> list[str]:
    """The fields of a pydantic model, with their types and descriptions (a dataclass's fields are its
    constructor's parameters, already shown)."""
    lines: list[str] = []
    if isinstance(cls, type) and issubclass(cls, pydantic.BaseModel):
        hints = {n: _annotation(a) for n, a in inspect.get_annotations(cls).items()}
        for name, info in cls.model_fields.items():
            described = f": {info.description}" if info.description else ""
            lines.append(f"- `{name}: {hints.get(name, _annotation(info.annotation))}`{described}")
    return lines


def _document(
    module_name: str, name: str, obj: Any, docs: dict[tuple[str, str], str], protocols: list[type]
) -> list[str]:
    heading = f"### `{module_name}.{name}`"
    lines = [heading, ""]
    if inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
        bases = [b.__name__ for b in obj.__bases__ if b is not object and not b.__name__.startswith("_")]
        based = f" ({', '.join(bases)})" if bases and kind == "exception" else ""
        signature = "" if issubclass(obj, enum.Enum) else _signature(obj).removesuffix(" -> None")
        lines += [f"*{kind}*{based} `{name}{signature}`", ""]
        lines += _block(_doc(obj))
        fields = _fields(obj)
        if fields:
            lines += ["Fields:", "", *fields, ""]
        members = list(_members(obj, protocols))
        constants = [f"`{title} {shown}`" for title, shown, _ in members if shown.startswith("=")]
        if constants:
            lines += [f"Class attributes: {', '.join(constants)}.", ""]
        for title, shown, text in members:
            if shown == "(property)":
                lines += [f"#### `{name}.{title}` (property)", "", *_block(text)]
            elif not shown.startswith("="):
                lines += [f"#### `{name}.{title}{shown}`", "", *_block(text)]
    elif inspect.isfunction(obj):
        lines += [f"*function* `{name}{_signature(obj)}`", ""]
        lines += _block(_doc(obj))
    else:
        value = _ADDRESS.sub("", repr(obj))
        shown = f" = {value}" if len(value) <= 80 and not value.startswith("<") else ""
        lines += [f"*constant* `{name}{shown}`", ""]
        lines += _block(_constant_doc(docs, module_name, name))
    return lines


def api_markdown() -> str:
    docs = _attribute_docs()
    parts = [
        "# API reference",
        "",
        "Generated from the docstrings of the public API (`python docs/gen_api.py > docs/api.md`); a test",
        "keeps it current. The guide to writing a connector with it is [guide.md](guide.md).",
        "",
    ]
    parts += [f"- [`{m}`](#{_anchor(m)}): {line}" for m, line in MODULES]
    parts.append("")
    for module_name, line in MODULES:
        module = importlib.import_module(module_name)
        module_doc = inspect.cleandoc(module.__doc__ or "")
        parts += [f"## {module_name}", "", *_block(module_doc or line)]
        elsewhere: list[str] = []
        exported = [getattr(module, n) for n in module.__all__ if n != "__version__"]
        protocols = [c for c in exported if inspect.isclass(c) and getattr(c, "_is_protocol", False)]
        for name in sorted(module.__all__, key=lambda n: (n.startswith("_"), n.lower())):
            if name == "__version__":
                continue
            obj = getattr(module, name)
            home = _home(module_name, name, obj)
            if home != module_name:
                elsewhere.append(f"[`{name}`](#{_anchor(f'{home}.{name}')})")
                continue
            parts += _document(module_name, name, obj, docs, protocols)
        if elsewhere:
            parts += [f"Also exported here: {', '.join(elsewhere)}.", ""]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(api_markdown())
