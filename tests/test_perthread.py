"""PerThreadConnections: one connection per live thread, never one per thread there ever was."""

from __future__ import annotations

import threading

from wireproof import PerThreadConnections


class FakeConnection:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_each_thread_gets_its_own_connection_and_keeps_it() -> None:
    connections = PerThreadConnections(FakeConnection)
    mine = connections.get()
    assert connections.get() is mine
    seen: list[FakeConnection] = []
    worker = threading.Thread(target=lambda: seen.append(connections.get()))
    worker.start()
    worker.join()
    assert seen[0] is not mine


def test_connections_of_threads_that_ended_are_closed_when_another_is_opened() -> None:
    opened: list[FakeConnection] = []

    def opener() -> FakeConnection:
        opened.append(FakeConnection())
        return opened[-1]

    connections = PerThreadConnections(opener)
    for _ in range(3):  # a pool retiring its idle threads, wave after wave
        wave = [threading.Thread(target=connections.get) for _ in range(5)]
        for thread in wave:
            thread.start()
        for thread in wave:
            thread.join()
        assert len(connections) <= 6  # this wave's five and at most one survivor of the last
    connections.get()
    assert len(connections) == 1
    assert all(c.closed for c in opened[:-1])
    assert not opened[-1].closed


def test_a_broken_connection_is_replaced_and_closed() -> None:
    connections = PerThreadConnections(FakeConnection)
    first = connections.get()
    first.closed = True  # what a database restart does to it
    second = connections.get()
    assert second is not first
    assert len(connections) == 1
    connections.close()
    assert second.closed
    assert len(connections) == 0
