"""The intake ledger: which source files (by content hash) were already handed to the queue.

One small SQLite database per instance. A row is written *before* the reports go into
the queue, holding the report ids the conversion produced (state ``handing``), and set to
``queued`` once every report is durably in the queue. On a restart:

- a file whose hash is ``queued`` is not converted again: only its post action runs;
- a file whose hash is ``handing`` is converted again and its reports get the recorded ids,
  so adding them to the queue is idempotent and the server (idempotent by report GUID)
  never sees a second report.

A file kept in place (``post_action: keep``) stays ``queued`` here, so it is never
uploaded again after a restart.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IntakeLedger", "LedgerEntry"]


@dataclass(frozen=True)
class LedgerEntry:
    """One handed-over source file."""

    sha256: str
    state: str
    report_ids: list[str]
    source: str
    converter: str
    handed_at: float


class IntakeLedger:
    """Thread-safe ledger of source-file hashes (``<path>`` is a SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS handed ("
            " sha256 TEXT PRIMARY KEY, state TEXT NOT NULL, report_ids TEXT NOT NULL,"
            " source TEXT NOT NULL, converter TEXT NOT NULL, handed_at REAL NOT NULL)"
        )

    def get(self, sha256: str) -> LedgerEntry | None:
        """The entry for a content hash, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT sha256, state, report_ids, source, converter, handed_at FROM handed WHERE sha256=?",
                (sha256,),
            ).fetchone()
        if row is None:
            return None
        return LedgerEntry(row[0], row[1], list(json.loads(row[2])), row[3], row[4], row[5])

    def begin(self, sha256: str, report_ids: list[str], source: str, converter: str) -> None:
        """Record (durably) that these reports are about to be queued for this content."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO handed (sha256, state, report_ids, source, converter, handed_at)"
                " VALUES (?, 'handing', ?, ?, ?, ?)",
                (sha256, json.dumps(report_ids), source, converter, time.time()),
            )

    def mark_queued(self, sha256: str) -> None:
        """Record that every report of this content is in the queue."""
        with self._lock:
            self._db.execute("UPDATE handed SET state='queued' WHERE sha256=?", (sha256,))

    def forget(self, sha256: str) -> None:
        """Drop the entry (e.g. the file went to error/)."""
        with self._lock:
            self._db.execute("DELETE FROM handed WHERE sha256=?", (sha256,))

    def prune(self, older_than_days: float) -> int:
        """Delete entries older than this many days; returns how many."""
        if older_than_days <= 0:
            return 0
        cutoff = time.time() - older_than_days * 86400
        with self._lock:
            cur = self._db.execute("DELETE FROM handed WHERE handed_at < ?", (cutoff,))
            return cur.rowcount or 0

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
