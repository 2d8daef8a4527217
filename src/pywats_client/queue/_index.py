"""The SQLite index of the queue (``queue.db``): schema, opening, corrupt-file handling."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from pywats_client.queue._fs import replace_file

__all__ = ["open_index", "ITEM_COLUMNS"]

log = logging.getLogger(__name__)

ITEM_COLUMNS = (
    "id, state, attempts, error, source, source_hash, created_at, updated_at, "
    "next_attempt_at, server_id, priority, serial_number, part_number, seq"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    source TEXT,
    source_hash TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    next_attempt_at REAL,
    server_id TEXT,
    priority INTEGER NOT NULL DEFAULT 0,
    serial_number TEXT,
    part_number TEXT,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS items_due ON items(state, priority DESC, seq);
CREATE INDEX IF NOT EXISTS items_source_hash ON items(source_hash);
"""

_BUSY_TIMEOUT_MS = 30_000


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(db_path), timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is crash-safe in WAL mode (a killed process loses nothing committed); on
        # power loss the last commits may roll back, which start-up recovery repairs
        # because the folders, whose entries are fsync'd on add, are the truth.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        check = conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check says {check[0] if check else 'nothing'!r}")
    except BaseException:
        conn.close()
        raise
    return conn


def _move_aside(db_path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        src = db_path.with_name(db_path.name + suffix)
        if src.exists():
            replace_file(src, target.with_name(target.name + suffix))
    return target


def open_index(db_path: Path) -> tuple[sqlite3.Connection, bool, Path | None]:
    """Open (creating if needed) the index at ``db_path``.

    Returns ``(connection, existed, moved_to)``: ``existed`` is False when there was no
    index file; ``moved_to`` names where a corrupt index was moved aside (a new, empty one
    is then opened and the caller rebuilds it from the folders).
    """
    existed = db_path.exists() and db_path.stat().st_size > 0
    try:
        return _connect(db_path), existed, None
    except sqlite3.DatabaseError as exc:
        moved = _move_aside(db_path)
        log.error("queue index %s is corrupt (%s); moved it to %s and rebuilding from the folders", db_path, exc, moved)
        return _connect(db_path), existed, moved
