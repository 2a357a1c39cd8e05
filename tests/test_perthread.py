"""PerThreadConnections: one connection per live thread, never one per thread there ever was."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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


def test_close_leaves_a_connection_open_while_a_thread_is_inside_its_lease() -> None:
    connections = PerThreadConnections(FakeConnection)
    inside, leave = threading.Event(), threading.Event()
    seen: list[FakeConnection] = []

    def work() -> None:
        with connections.lease() as connection:
            seen.append(connection)
            inside.set()
            assert leave.wait(10)
            assert not connection.closed  # close() came meanwhile: still ours until the lease ends

    worker = threading.Thread(target=work)
    worker.start()
    assert inside.wait(10)
    idle = connections.get()  # this thread's, not leased now
    connections.close()
    assert idle.closed  # idle: closed at once
    assert not seen[0].closed
    leave.set()
    worker.join(10)
    assert seen[0].closed  # the lease ended: the last lease closed it
    assert len(connections) == 0


def test_a_lease_after_close_opens_a_new_connection() -> None:
    connections = PerThreadConnections(FakeConnection)
    with connections.lease() as first:
        pass
    connections.close()
    with connections.lease() as second:
        assert second is not first
        assert not second.closed
    assert first.closed


def test_discard_replaces_this_threads_connection_once_its_lease_ends() -> None:
    connections = PerThreadConnections(FakeConnection)
    with connections.lease() as first:
        connections.discard()
        assert not first.closed  # still inside it
    assert first.closed
    with connections.lease() as second:
        assert second is not first


def test_closing_while_threads_run_sqlite_queries_never_crashes_nor_breaks_a_query(tmp_path: Path) -> None:
    """Closing a SQLite connection under a thread that is inside it crashes the process (SIGSEGV);
    with leases, close() from another thread only ever closes idle connections."""
    path = tmp_path / "q.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE n (x INTEGER)")
        setup.executemany("INSERT INTO n VALUES (?)", [(i,) for i in range(2000)])
    connections = PerThreadConnections(lambda: sqlite3.connect(path, check_same_thread=False))
    stop = threading.Event()
    failures: list[BaseException] = []
    done = [0]

    def query() -> None:
        try:
            while not stop.is_set():
                with connections.lease() as connection:
                    (total,) = connection.execute("SELECT sum(a.x) FROM n a, n b WHERE b.x < 20").fetchone()
                    assert total == 20 * sum(range(2000))
                done[0] += 1
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=query) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(200):
        connections.close()
    stop.set()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert done[0] > 0
    connections.close()
    assert len(connections) == 0
