"""The one place that owns the SQLite connection and its transactions.

Area modules (reports, products, production, assets, processes, ...) register their own
tables with :func:`register_schema` at import time; :class:`Storage` creates every
registered table when it opens the database, then runs each area's optional ``migrate``
function (bringing a database written by an older build up to date, e.g. adding a column). All database work runs in a worker thread
(``anyio.to_thread``), so the event loop never blocks: changes on one write connection
guarded by a lock (SQLite never sees two writers at once), queries on a pool of read
connections (in WAL mode readers never block the writer nor each other, so a long query
does not hold up a short one; at most ``readers`` queries run at once).

Group commit: :meth:`Storage.write` hands its function to one writer thread, which runs
every change that is waiting at that moment in one ``BEGIN IMMEDIATE`` ... ``COMMIT``
transaction, each change inside its own ``SAVEPOINT`` (a change that raises is rolled back
alone and its caller gets the exception; the others are kept). Every caller is answered
only after that COMMIT returned, so an answer still means "committed" - under load, many
changes simply share one commit and one thread hand-over.

Durability: the database runs in WAL mode. With ``synchronous="NORMAL"`` (default) every
committed transaction is in the OS page cache before the HTTP answer is sent, so it
survives the server process being killed (SIGKILL) at any moment; ``synchronous="FULL"``
additionally survives power loss at the cost of one fsync per commit.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

__all__ = [
    "Storage", "register_schema", "registered_schemas", "SchemaPart", "table_columns",
    "register_connection_setup",
]

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


_CONNECTION_SETUP: list[Callable[[sqlite3.Connection], None]] = []


def register_connection_setup(fn: Callable[[sqlite3.Connection], None]) -> None:
    """Run ``fn(conn)`` on every connection a :class:`Storage` opens (e.g. to register SQL
    functions its queries use)."""
    if fn not in _CONNECTION_SETUP:
        _CONNECTION_SETUP.append(fn)


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (empty when the table does not exist)."""
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})").fetchall()}


def registered_schemas() -> list[SchemaPart]:
    """Every registered schema part, in registration order."""
    return list(_SCHEMAS.values())


#: Most changes committed together by the writer thread.
_MAX_BATCH = 256


@dataclass
class _Job:
    """One change waiting for the writer thread."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


def _settle(items: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """On the event loop: hand each waiting caller its result or exception."""
    for future, ok, value in items:
        if future.done():  # the caller went away (cancelled)
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class Storage:
    """A SQLite database file with serialized, thread-offloaded access.

    Use :meth:`read` for queries (read connection, one snapshot per call) and :meth:`write`
    for changes; both take a function ``fn(conn, *args)`` that runs off the event loop.
    :meth:`write` runs it on the writer thread inside a transaction (in its own savepoint,
    rolled back if ``fn`` raises) and returns only after the COMMIT, so a change is either
    fully stored before the caller continues, or not at all.
    """

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL", readers: int = 4) -> None:
        self.path = Path(path)
        sync = synchronous.upper()
        if sync not in {"NORMAL", "FULL"}:
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        if readers < 1:
            raise ValueError(f"readers must be at least 1, not {readers}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = self._connect()
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
        # Read connections, opened on demand up to ``readers``: in WAL mode each reads its
        # own snapshot, so queries neither wait for the writer nor for each other.
        self._read_slots = threading.BoundedSemaphore(readers)
        self._idle_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._readers: list[sqlite3.Connection] = []
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_start = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=30000")
        for setup in _CONNECTION_SETUP:
            setup(conn)
        return conn

    # -- synchronous API (worker threads, start-up code) ------------------------------
    def read_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` on a pooled read connection, in one read transaction
        (snapshot); waits only when ``readers`` queries are already running."""
        with self._read_slots:
            with self._idle_lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._connect()
                with self._idle_lock:
                    self._readers.append(conn)
            try:
                conn.execute("BEGIN")
                try:
                    return fn(conn, *args)
                finally:
                    conn.execute("COMMIT")
            finally:
                with self._idle_lock:
                    self._idle.append(conn)

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
        """Run ``fn(conn, *args)`` on the writer thread; returns once its transaction is committed.

        Changes waiting together share one transaction (each in its own savepoint) and one
        commit; see the module docstring. Outside an asyncio loop this falls back to
        :meth:`write_sync` in a worker thread.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return await anyio.to_thread.run_sync(self.write_sync, fn, *args)
        future: asyncio.Future[Any] = loop.create_future()
        self._ensure_writer()
        self._jobs.put(_Job(fn, args, loop, future))
        return await future

    def _ensure_writer(self) -> None:
        if self._writer is None:
            with self._writer_start:
                if self._writer is None:
                    thread = threading.Thread(target=self._write_loop, name="pywats-server-writer", daemon=True)
                    thread.start()
                    self._writer = thread

    def _write_loop(self) -> None:
        """The writer thread: take every waiting job, run them in one transaction, commit, answer."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._run_batch(batch)
            if stop:
                return

    def _run_batch(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                for job in batch:
                    conn.execute("SAVEPOINT job")
                    try:
                        value = job.fn(conn, *job.args)
                    except Exception as exc:  # noqa: BLE001 - handed to that job's caller
                        conn.execute("ROLLBACK TO job")
                        conn.execute("RELEASE job")
                        outcomes.append((False, exc))
                    else:
                        conn.execute("RELEASE job")
                        outcomes.append((True, value))
                conn.execute("COMMIT")
            except BaseException as exc:  # the transaction itself failed: nothing was stored
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                failure = exc if isinstance(exc, Exception) else RuntimeError(f"write aborted: {exc!r}")
                outcomes = [(False, failure)] * len(batch)
                if not isinstance(exc, Exception):
                    self._answer(batch, outcomes)
                    raise
        self._answer(batch, outcomes)

    @staticmethod
    def _answer(batch: list[_Job], outcomes: list[tuple[bool, Any]]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
        for job, (ok, value) in zip(batch, outcomes):
            by_loop.setdefault(job.loop, []).append((job.future, ok, value))
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, items)
            except RuntimeError:  # that loop is closed: nobody is waiting any more
                pass

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
        """Stop the writer thread (after the changes already handed to it) and close the
        connections (checkpointing the WAL)."""
        if self._writer is not None:
            self._jobs.put(None)
            self._writer.join(timeout=30)
        with self._idle_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            self._idle.clear()
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass
            self._conn.close()
