"""Registration refuses a tool that would advertise something it does not do, saying what to change."""

from __future__ import annotations

from typing import Annotated

import pytest
from annotated_types import Le
from pydantic import BaseModel

from wireproof import Connector, Page, ToolContext, ToolDefinitionError


class Out(BaseModel):
    ok: bool


class Item(BaseModel):
    id: int


def test_public_together_with_scopes_is_refused() -> None:
    app: Connector[None] = Connector("t")

    async def lookup() -> Out:
        """Look something up."""
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError) as refused:
        app.read(public=True, scopes={"things:read"})(lookup)
    message = str(refused.value)
    assert message.startswith("tool lookup: public=True lets any caller use it")
    assert "drop public=True to require the scopes, or drop scopes= to keep it public" in message


def test_a_public_tool_without_scopes_and_a_scoped_tool_register() -> None:
    app: Connector[None] = Connector("t")

    async def lookup() -> Out:
        """Look something up."""
        return Out(ok=True)

    async def find() -> Out:
        """Find something."""
        return Out(ok=True)

    assert app.read(public=True)(lookup).public is True
    assert app.read(scopes={"things:read"})(find).scopes == {"things:read"}


def test_a_natural_key_on_an_optional_parameter_is_refused() -> None:
    app: Connector[None] = Connector("t")

    async def upsert_contact(email: str, name: str | None = None) -> Out:
        """Create or update a contact.

        Args:
            email: The contact's email address.
            name: The contact's name.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError) as refused:
        app.write(scopes={"contacts:write"}, key=("email", "name"), effect="external")(upsert_contact)
    message = str(refused.value)
    assert "names name, which a caller may leave out" in message
    assert "make every key parameter required (no default) or leave it out of key=" in message


def test_a_natural_key_on_a_parameter_with_a_default_is_refused() -> None:
    app: Connector[None] = Connector("t")

    async def upsert_note(body: str, week: str = "2026-W01") -> Out:
        """Create or update a note.

        Args:
            body: The text.
            week: The ISO week.
        """
        return Out(ok=True)

    with pytest.raises(ToolDefinitionError, match="names week, which a caller may leave out"):
        app.write(scopes={"notes:write"}, key=("week",), effect="external")(upsert_note)


def test_a_natural_key_on_required_parameters_registers_as_idempotent() -> None:
    app: Connector[None] = Connector("t")

    async def upsert_contact(email: str, name: str | None = None) -> Out:
        """Create or update a contact.

        Args:
            email: The contact's email address.
            name: The contact's name.
        """
        return Out(ok=True)

    tool = app.write(scopes={"contacts:write"}, key=("email",), effect="external")(upsert_contact)
    assert tool.annotations.idempotent_hint is True


def test_a_page_without_a_cursor_parameter_is_refused() -> None:
    app: Connector[None] = Connector("t")

    async def list_items(ctx: ToolContext[None], limit: Annotated[int, Le(50)] = 10) -> Page[Item]:
        """List items.

        Args:
            limit: The most items to return.
        """
        raise NotImplementedError

    with pytest.raises(ToolDefinitionError) as refused:
        app.read(public=True)(list_items)
    message = str(refused.value)
    assert message.startswith("tool list_items: it returns a Page")
    assert "'cursor: str | None = None'" in message
    assert "ctx.paging.position(cursor, filters)" in message


@pytest.mark.parametrize("annotation", ["str", "int | None"])
def test_a_page_whose_cursor_is_required_or_not_a_string_is_refused(annotation: str) -> None:
    app: Connector[None] = Connector("t")
    default = "" if annotation == "str" else " = None"
    namespace: dict[str, object] = {"Page": Page, "Item": Item}
    exec(
        f"async def list_items(cursor: {annotation}{default}) -> Page[Item]:\n"
        "    '''List items.\n\n    Args:\n        cursor: Where to continue.\n    '''",
        namespace,
    )
    with pytest.raises(ToolDefinitionError, match="it returns a Page"):
        app.read(public=True)(namespace["list_items"])


def test_a_page_with_an_optional_cursor_registers() -> None:
    app: Connector[None] = Connector("t")

    async def list_items(cursor: str | None = None) -> Page[Item]:
        """List items.

        Args:
            cursor: Where to continue: the next_cursor of the previous page.
        """
        raise NotImplementedError

    tool = app.read(public=True)(list_items)
    assert "cursor" in tool.definition.input_schema["properties"]
