"""anyio's cancel scope and clock, made without anyio's back-end look-up: the same scope, the same clock."""

from __future__ import annotations

import asyncio

import anyio
import pytest

from wireproof._scopes import cancel_scope, current_time

pytestmark = pytest.mark.anyio


async def test_a_scope_is_anyio_s_own_and_keeps_its_deadline_and_shield() -> None:
    scope = cancel_scope(deadline=current_time() + 0.05)
    assert type(scope) is type(anyio.CancelScope())
    with scope:
        await anyio.sleep(5)
    assert scope.cancelled_caught
    with cancel_scope() as outer:
        with cancel_scope(shield=True) as shielded:
            outer.cancel()
            await anyio.sleep(0.01)  # not cancelled: shielded from the outer scope
        assert not shielded.cancelled_caught
        await anyio.sleep(5)
    assert outer.cancelled_caught


async def test_the_clock_is_anyio_s() -> None:
    before = anyio.current_time()
    now = current_time()
    assert before <= now <= anyio.current_time()


def test_each_event_loop_gets_scopes_of_its_own() -> None:
    async def scope_in_a_new_loop() -> anyio.CancelScope:
        with cancel_scope() as scope:
            await asyncio.sleep(0)
        return scope

    for _ in range(2):  # a second loop replaces the first one's noted class, and works alike
        assert not asyncio.run(scope_in_a_new_loop()).cancel_called
