"""The helpdesk database on SQLite (embedded default) or PostgreSQL, migrated on first open.

Least privilege starts here: read tools query through read-only connections
(SQLite ``mode=ro``; PostgreSQL ``default_transaction_read_only``), which cannot
write whatever SQL they run. Write tools write only through the transaction the
idempotency store opens on this same database, so each effect commits together
with its idempotency record. SQL is written once with ``?`` placeholders.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Final

from helpdesk.seed import generate_tickets
from wireproof import PerThreadConnections, Unavailable
from wireproof.idempotency import DatabaseFile, IdempotencyStore, SqliteIdempotencyStore, sqlite_unavailable

__all__ = ["Database", "DatabaseURLError", "Queries", "default_database_path", "open_database"]

SEED_BATCH: Final = 10_000
_TICKETS_V1: Final = """
    CREATE TABLE tickets (
        id             {id_pk},
        subject        TEXT NOT NULL,
        body           TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('open', 'pending', 'solved', 'closed')),
        priority       TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        customer_email TEXT NOT NULL,
        org            TEXT NOT NULL,
        opened_at      TEXT NOT NULL,
        updated_at     TEXT NOT NULL
    );
    CREATE INDEX tickets_by_opened ON tickets (opened_at, id);
    CREATE INDEX tickets_by_status_opened ON tickets (status, opened_at, id);
"""
_WRITES_V2: Final = """
    CREATE TABLE ticket_comments (
        id          {serial_pk},
        ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
        body        TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX ticket_comments_by_ticket ON ticket_comments (ticket_id, id);
    CREATE TABLE status_notes (
        week        TEXT PRIMARY KEY,
        body        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
"""
_ORG_INDEX_V3: Final = """
    CREATE INDEX tickets_by_org_opened ON tickets (org, opened_at, id);
"""
MIGRATIONS: Final = (_TICKETS_V1, _WRITES_V2, _ORG_INDEX_V3)


class DatabaseURLError(ValueError):
    """The --db value is not a database URL helpdesk can open."""


def default_database_path() -> Path:
    """Where helpdesk keeps its database when no --db is given: the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "wireproof-helpdesk" / "helpdesk.db"


class Queries:
    """``?`` SQL with rows as dicts, on either database: on one connection (or open transaction), or
    (``Queries.leased``) on a lease of this thread's read-only connection for each query, so a
    shutdown never closes a connection while a query is inside it."""

    def __init__(self, connection: Any, *, postgres: bool) -> None:
        self._use: Callable[[], AbstractContextManager[Any]] = functools.partial(nullcontext, connection)
        self._postgres = postgres
        self._read_only = False

    @classmethod
    def leased(cls, lease: Callable[[], AbstractContextManager[Any]], *, postgres: bool) -> Queries:
        """Queries on read-only connections, each query inside ``lease()`` (``PerThreadConnections.lease``)."""
        queries = cls(None, postgres=postgres)
        queries._use, queries._read_only = lease, True
        return queries

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._postgres else sql

    def all(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        with self._unavailable_when_transient(), self._use() as connection:
            cursor = connection.execute(self._sql(sql), params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Sequence[object] = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def run(self, sql: str, params: Sequence[object] = ()) -> int:
        with self._unavailable_when_transient(), self._use() as connection:
            return int(connection.execute(self._sql(sql), params).rowcount)

    @contextmanager
    def _unavailable_when_transient(self) -> Iterator[None]:
        """A database that is down, busy or restarting, or that an operator must fix (read-only file,
        full disk, missing file), is a retryable ``unavailable`` error saying which; not a crash. A
        write through a read-only connection is a bug in the tool: it stays an internal error."""
        try:
            yield
        except sqlite3.Error as exc:
            unavailable = sqlite_unavailable(exc)
            if unavailable is None or (self._read_only and unavailable.code == "database_read_only"):
                raise
            raise unavailable from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg") and type(exc).__name__ in _TRANSIENT_POSTGRES:
                raise Unavailable("The ticket database is unavailable", retry_after=2) from exc
            raise


_TRANSIENT_POSTGRES: Final = frozenset(
    {"OperationalError", "AdminShutdown", "CannotConnectNow", "ConnectionTimeout"}
)


class Database:
    """The helpdesk data: read-only connections per worker thread, and the idempotency store."""

    postgres: bool = False
    url: str

    def __init__(self) -> None:
        self._readers: PerThreadConnections[Any] = PerThreadConnections(self._open_reader)

    def _open_reader(self) -> Any:
        """A new read-only connection (one per worker thread)."""
        raise NotImplementedError

    def reader(self) -> Queries:
        """Queries on this thread's read-only connection, opened on first use (again if it was closed)."""
        return Queries.leased(self._readers.lease, postgres=self.postgres)

    def writer(self, transaction: Any) -> Queries:
        """Queries on the write transaction the idempotency store opened for this call."""
        if transaction is None:
            raise RuntimeError("write tools must be served with the helpdesk's idempotency store")
        return Queries(transaction.connection, postgres=self.postgres)

    def ready(self) -> bool:
        """For ``/readyz``: the database answers a query (and, on SQLite, is still the file opened at start)."""
        return self.reader().one("SELECT 1 AS ok") is not None

    def store(self, **options: Any) -> IdempotencyStore:
        """The idempotency store on this same database (so effects and records commit together)."""
        raise NotImplementedError

    def lowercase_sql(self, column: str) -> str:
        """SQL for ``column`` in Unicode lowercase, the same on both databases, for case-insensitive
        search: SQLite's own ``lower()`` folds only ASCII, and PostgreSQL's follows the database's
        locale (``C`` folds only ASCII; glibc's misses the final sigma), so neither is used as is."""
        raise NotImplementedError

    def migrate(self) -> None:
        raise NotImplementedError

    def ticket_count(self) -> int:
        row = self.reader().one("SELECT count(*) AS n FROM tickets")
        return int(row["n"]) if row else 0

    def seed(self, count: int) -> int:
        """Insert ``count`` deterministic demo tickets if the database has none; return how many were added."""
        raise NotImplementedError

    def close(self) -> None:
        self._readers.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _batches(count: int) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in generate_tickets(count):
        batch.append(row)
        if len(batch) == SEED_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class SqliteDatabase(Database):
    """One SQLite file in WAL mode."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path.expanduser().resolve()
        self.url = f"sqlite:///{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._admin = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._admin.execute("PRAGMA journal_mode=WAL")
        self._admin.execute("PRAGMA busy_timeout=30000")
        self._admin_lock = threading.Lock()
        self.migrate()
        self._file = DatabaseFile(self.path)

    def migrate(self) -> None:
        with self._admin_lock:
            self._admin.execute("BEGIN IMMEDIATE")
            try:
                (version,) = self._admin.execute("PRAGMA user_version").fetchone()
                for step in range(version + 1, len(MIGRATIONS) + 1):
                    ddl = MIGRATIONS[step - 1].format(
                        id_pk="INTEGER PRIMARY KEY", serial_pk="INTEGER PRIMARY KEY"
                    )
                    for statement in filter(str.strip, ddl.split(";")):
                        self._admin.execute(statement)
                    self._admin.execute(f"PRAGMA user_version={step}")
            except BaseException:
                self._admin.execute("ROLLBACK")
                raise
            self._admin.execute("COMMIT")

    def _open_reader(self) -> sqlite3.Connection:
        uri = f"{self.path.as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=30.0, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
        return connection

    def lowercase_sql(self, column: str) -> str:
        return f"unicode_lower({column})"  # Python's str.lower, registered on every reader

    def reader(self) -> Queries:
        """As ``Database.reader``; refused (retryable) once the file was deleted or replaced, whose
        old contents open connections would go on showing."""
        self._file.check()
        return super().reader()

    def store(self, **options: Any) -> IdempotencyStore:
        return SqliteIdempotencyStore(self.path, **options)

    def seed(self, count: int) -> int:
        if count < 0:
            raise ValueError("--seed takes a count of 0 or more")
        with self._admin_lock:
            self._admin.execute("BEGIN IMMEDIATE")
            try:
                (existing,) = self._admin.execute("SELECT count(*) FROM tickets").fetchone()
                if existing:
                    self._admin.execute("ROLLBACK")
                    return 0
                for batch in _batches(count):
                    self._admin.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            except BaseException:
                self._admin.execute("ROLLBACK")
                raise
            self._admin.execute("COMMIT")
        return count

    def close(self) -> None:
        super().close()
        with self._admin_lock:
            self._admin.close()


class PostgresDatabase(Database):
    """A PostgreSQL database (psycopg 3)."""

    postgres = True

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg

        self._psycopg = psycopg
        self.url = url
        self.migrate()
        with self._connect(read_only=True) as connection:
            self._icu = bool(
                connection.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu')"
                ).fetchone()[0]
            )
        if not self._icu:
            logging.getLogger("helpdesk").warning(
                "this PostgreSQL server has no ICU collations: search_tickets folds case by the database's "
                "locale, which may differ from SQLite's beyond ASCII; use a server built with ICU"
            )

    def _connect(self, *, read_only: bool) -> Any:
        options = "-c default_transaction_read_only=on" if read_only else ""
        return self._psycopg.connect(self.url, autocommit=True, connect_timeout=10, options=options)

    @contextmanager
    def _admin(self) -> Iterator[Any]:
        with self._connect(read_only=False) as connection, connection.transaction():
            yield connection

    def migrate(self) -> None:
        with self._admin() as db:
            db.execute("SELECT pg_advisory_xact_lock(7406551002)")
            db.execute("CREATE TABLE IF NOT EXISTS helpdesk_schema (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM helpdesk_schema").fetchone()
            version = row[0] if row else 0
            if row is None:
                db.execute("INSERT INTO helpdesk_schema VALUES (0)")
            for step in range(version + 1, len(MIGRATIONS) + 1):
                db.execute(
                    MIGRATIONS[step - 1].format(
                        id_pk="BIGINT PRIMARY KEY",
                        serial_pk="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                    )
                )
                db.execute("UPDATE helpdesk_schema SET version = %s", (step,))

    def _open_reader(self) -> Any:
        return self._connect(read_only=True)

    def lowercase_sql(self, column: str) -> str:
        # ICU's root locale lowercases as Python does (full mappings, the final sigma). A server
        # built without ICU (rare: Debian's and the cloud services' have it) keeps its locale's.
        return f'lower({column} COLLATE "und-x-icu")' if self._icu else f"lower({column})"

    def store(self, **options: Any) -> IdempotencyStore:
        from wireproof.idempotency import PostgresIdempotencyStore

        return PostgresIdempotencyStore(self.url, **options)

    def seed(self, count: int) -> int:
        if count < 0:
            raise ValueError("--seed takes a count of 0 or more")
        with self._admin() as db:
            db.execute("LOCK TABLE tickets IN EXCLUSIVE MODE")
            if db.execute("SELECT count(*) FROM tickets").fetchone()[0]:
                return 0
            with db.cursor() as cursor:
                for batch in _batches(count):
                    cursor.executemany(
                        "INSERT INTO tickets VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", batch
                    )
        return count


def open_database(url: str | None = None) -> Database:
    """Open (and migrate) the database at ``url``: ``sqlite:///PATH``, a file path, or ``postgresql://…``."""
    if url is None:
        return SqliteDatabase(default_database_path())
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")  # sqlite:///rel.db is relative, sqlite:////abs.db absolute
        if not path:
            raise DatabaseURLError("sqlite:/// needs a file path, for example sqlite:///tmp/helpdesk.db")
        return SqliteDatabase(Path(path))
    if "://" in url:
        raise DatabaseURLError(
            f"unsupported database URL scheme {url.split('://')[0]!r}; use sqlite:///PATH or postgresql://…"
        )
    return SqliteDatabase(Path(url))
