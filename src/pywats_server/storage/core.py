"""The one place that owns the SQLite connection and its transactions.

Area modules (reports, products, production, assets, processes, ...) register their own
tables with :func:`register_schema` at import time; :class:`Storage` creates every
registered table when it opens the database, then runs each area's optional ``migrate``
function (bringing a database written by an older build up to date, e.g. adding a column). All database work runs in a worker thread
(``anyio.to_thread``), so the event loop never blocks: changes on one write connection
guarded by a lock (SQLite never sees two writers at once), queries on a separate read
connection (in WAL mode readers never block the writer).

Durability: the database runs in WAL mode. With ``synchronous="NORMAL"`` (default) every
committed transaction is in the OS page cache before the HTTP answer is sent, so it
survives the server process being killed (SIGKILL) at any moment; ``synchronous="FULL"``
additionally survives power loss at the cost of one fsync per commit.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

__all__ = ["Storage", "register_schema", "registered_schemas", "SchemaPart", "table_columns"]

T = TypeVar("T")


@dataclass(frozen=True)
class SchemaPart:
    """DDL owned by one area module (``CREATE TABLE IF NOT EXISTS ...`` statements).

    ``migrate(conn)``, when given, runs after the DDL inside one write transaction each time
    a database is opened; it must be idempotent (check before it alters anything).
    """

    name: str
    ddl: str
    migrate: Callable[[sqlite3.Connection], None] | None = None


_SCHEMAS: dict[str, SchemaPart] = {}

_CORE_DDL = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);
"""


def register_schema(
    name: str, ddl: str, migrate: Callable[[sqlite3.Connection], None] | None = None
) -> None:
    """Register the tables of area ``name``; they are created when a :class:`Storage` opens.

    ``migrate`` (optional, idempotent) upgrades an existing database of an older build; it
    runs after all DDL, in a write transaction.
    """
    _SCHEMAS[name] = SchemaPart(name, ddl, migrate)


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (empty when the table does not exist)."""
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})").fetchall()}


def registered_schemas() -> list[SchemaPart]:
    """Every registered schema part, in registration order."""
    return list(_SCHEMAS.values())


class Storage:
    """A SQLite database file with serialized, thread-offloaded access.

    Use :meth:`read` for queries (read connection, one snapshot per call) and :meth:`write`
    for changes; both take a function ``fn(conn, *args)`` that runs in a worker thread. :meth:`write` wraps it in one
    ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction (rolled back if ``fn`` raises), so a
    change is either fully stored before the caller continues, or not at all.
    """

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        sync = synchronous.upper()
        if sync not in {"NORMAL", "FULL"}:
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={sync}")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=30000")
        with self._lock:
            self._conn.executescript(_CORE_DDL)
            for part in registered_schemas():
                self._conn.executescript(part.ddl)
        for part in registered_schemas():
            if part.migrate is not None:
                self.write_sync(part.migrate)
        # A second connection for reads: in WAL mode readers never block the writer, so a
        # long header query does not hold up report submission.
        self._rlock = threading.Lock()
        self._rconn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._rconn.row_factory = sqlite3.Row
        self._rconn.execute("PRAGMA busy_timeout=30000")

    # -- synchronous API (worker threads, start-up code) ------------------------------
    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on the read connection, in one read transaction (snapshot)."""
        with self._rlock:
            conn = self._rconn
            conn.execute("BEGIN")
            try:
                return fn(conn, *args)
            finally:
                conn.execute("COMMIT")

    def write_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` in one IMMEDIATE transaction; commit or roll back."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn, *args)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

    # -- async API (request handlers) ---------------------------------------------------
    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Async :meth:`read_sync` in a worker thread."""
        return await anyio.to_thread.run_sync(self.read_sync, fn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Async :meth:`write_sync` in a worker thread."""
        return await anyio.to_thread.run_sync(self.write_sync, fn, *args)

    def get_meta(self, key: str) -> str | None:
        """Read a value from the ``meta`` table (synchronous)."""
        row = self.read_sync(lambda c: c.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone())
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the ``meta`` table (synchronous, committed)."""
        self.write_sync(
            lambda c: c.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )
        )

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._rlock:
            self._rconn.close()
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass
            self._conn.close()
