"""Read-only view of a queue folder: :class:`QueueReader`.

For commands that only look (``queue list``, ``status`` while the service is stopped): it
opens the index read-only (SQLite ``mode=ro``), so it never takes the queue's write lock,
never runs start-up recovery, never creates or repairs anything, and can run while the
service is uploading. What it shows is the index as last committed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

from pywats_client.queue._index import ITEM_COLUMNS
from pywats_client.queue.models import STATES, QueueItem

__all__ = ["QueueReader"]

_BUSY_TIMEOUT_S = 10.0


class QueueReader:
    """Counts and entries of the queue in ``path`` without writing anything (a folder
    without an index reads as an empty queue)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        db = self.path / "queue.db"
        self._conn: sqlite3.Connection | None = None
        if db.exists():
            self._conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S,
                                         isolation_level=None)

    def counts(self) -> dict[str, int]:
        """Number of entries per state (every state present, zeros included)."""
        result = dict.fromkeys(STATES, 0)
        if self._conn is not None:
            for state, n in self._conn.execute("SELECT state, COUNT(*) FROM items GROUP BY state"):
                result[str(state)] = int(n)
        return result

    def list(self, state: str | None = None, limit: int | None = None) -> list[QueueItem]:
        """Entries in arrival order, optionally only one ``state`` and at most ``limit``."""
        if state is not None and state not in STATES:
            raise ValueError(f"unknown queue state {state!r}; use one of {', '.join(STATES)}")
        if self._conn is None:
            return []
        sql = f"SELECT {ITEM_COLUMNS} FROM items"
        params: list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [QueueItem(*row) for row in self._conn.execute(sql, params).fetchall()]

    def close(self) -> None:
        """Close the read-only connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> QueueReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
