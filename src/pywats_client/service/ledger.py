"""The intake ledger: which source files (by content hash) were already handed to the queue.

One small SQLite database per instance. A row is written (fsync'd) *before* the reports go
into the queue, holding the report ids the conversion produced (state ``handing``), and set
to ``queued`` once every report is durably in the queue; once a moved or deleted source has
left the watch folder its row becomes ``left`` and is kept for the retention period
(``completed_retention_days``), then pruned. On a restart, or when a file arrives:

- a file whose hash is ``queued`` or ``left`` is not converted again: only its post action
  runs (a byte-identical copy of a result already uploaded is a re-drop, not a new test;
  ``pywats-client upload`` sends a file again on purpose);
- a file whose hash is ``handing`` is converted again and its reports get the recorded ids,
  so adding them to the queue is idempotent and the server (idempotent by report GUID)
  never sees a second report.

A file kept in place (``post_action: keep``) stays ``queued`` here, so it is never
uploaded again after a restart.

A large file (more reports than one hand-over chunk) is handed over while it converts
(:mod:`pywats_client.service.intake`): its row is written as ``streaming`` (no ids: its
reports' ids derive from the content hash and the report's index) before the first chunk
goes into the queue *held*, and set to ``queued`` once the whole file converted and its
held reports were released. A ``streaming`` row at start means a hand-over that never
finished: its held reports are deleted and the row forgotten before the intake starts
(:func:`pywats_client.service.stream.drop_unfinished`); a file still in the watch folder is
then converted again, and released reports (same ids) are not queued twice.
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
        self._pending_lock = threading.Lock()
        self._forget: list[str] = []
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS handed ("
            " sha256 TEXT PRIMARY KEY, state TEXT NOT NULL, report_ids TEXT NOT NULL,"
            " source TEXT NOT NULL, converter TEXT NOT NULL, handed_at REAL NOT NULL)"
        )
        # look-ups get their own connection: in WAL mode a reader sees the last commit
        # without waiting for a writer's transaction (and its fsync) to finish
        self._read_lock = threading.Lock()
        self._read_db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)

    def get(self, sha256: str) -> LedgerEntry | None:
        """The entry for a content hash, or None (as last committed)."""
        with self._read_lock:
            rows = self._read_db.execute(  # fetchall: the read transaction ends with the statement
                "SELECT sha256, state, report_ids, source, converter, handed_at FROM handed WHERE sha256=?",
                (sha256,),
            ).fetchall()
        if not rows:
            return None
        row = rows[0]
        return LedgerEntry(row[0], row[1], list(json.loads(row[2])), row[3], row[4], row[5])

    def begin(self, sha256: str, report_ids: list[str], source: str, converter: str) -> None:
        """Record (durably) that these reports are about to be queued for this content."""
        self.begin_many([(sha256, report_ids, source, converter)])

    def begin_many(self, entries: list[tuple[str, list[str], str, str]]) -> None:
        """:meth:`begin` for several files in one durable (fsync'd) transaction.

        ``entries`` are ``(sha256, report_ids, source, converter)``.
        """
        self._begin(entries, "handing")

    def _begin(self, entries: list[tuple[str, list[str], str, str]], state: str) -> None:
        if not entries:
            return
        now = time.time()
        with self._lock:
            self._db.execute("PRAGMA synchronous=FULL")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO handed (sha256, state, report_ids, source, converter, handed_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        [(h, state, json.dumps(ids), src, conv, now) for h, ids, src, conv in entries],
                    )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                self._db.execute("PRAGMA synchronous=NORMAL")

    def begin_streaming(self, sha256: str, source: str, converter: str) -> None:
        """Record (durably) that reports of this content are about to be queued chunk by
        chunk, held until the whole file converted (state ``streaming``, no ids)."""
        self._begin([(sha256, [], source, converter)], "streaming")

    def streaming(self) -> list[str]:
        """Hashes whose chunked hand-over never finished (state ``streaming``)."""
        with self._read_lock:
            rows = self._read_db.execute("SELECT sha256 FROM handed WHERE state='streaming'").fetchall()
        return [r[0] for r in rows]

    def mark_queued_many(self, hashes: list[str]) -> None:
        """:meth:`mark_queued` for several hashes in one transaction."""
        if not hashes:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("UPDATE handed SET state='queued' WHERE sha256=?", [(h,) for h in hashes])
                self._flush_forget()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def mark_queued(self, sha256: str) -> None:
        """Record that every report of this content is in the queue."""
        with self._lock:
            self._db.execute("UPDATE handed SET state='queued' WHERE sha256=?", (sha256,))

    def forget(self, sha256: str) -> None:
        """Drop the entry now (e.g. the file went to error/)."""
        with self._lock:
            self._db.execute("DELETE FROM handed WHERE sha256=?", (sha256,))

    def left_later(self, sha256: str) -> None:
        """Record, with the next write, that the source left the watch folder (moved or
        deleted): the hash is remembered as ``left`` until :meth:`prune` (cheap; losing
        it only means an identical re-drop is uploaded as a new report)."""
        with self._pending_lock:
            self._forget.append(sha256)

    def _flush_forget(self) -> None:
        with self._pending_lock:
            hashes, self._forget = self._forget, []
        if hashes:
            now = time.time()
            self._db.executemany(
                "UPDATE handed SET state='left', handed_at=? WHERE sha256=? AND state='queued'",
                [(now, h) for h in hashes],
            )

    def prune(self, older_than_days: float) -> int:
        """Forget sources that left the folder more than this many days ago; returns how many.

        Entries of files kept in place (``post_action: keep``) are never pruned: the file
        is still there, and forgetting it would upload it again.
        """
        if older_than_days <= 0:
            return 0
        cutoff = time.time() - older_than_days * 86400
        with self._lock:
            self._flush_forget()
            cur = self._db.execute("DELETE FROM handed WHERE state='left' AND handed_at < ?", (cutoff,))
            return cur.rowcount or 0

    def shrink_memory(self) -> None:
        """Apply pending deletions and give SQLite's page cache back (an idle service)."""
        with self._lock:
            try:
                self._flush_forget()
                self._db.execute("PRAGMA shrink_memory")
            except sqlite3.Error:
                pass
        with self._read_lock:
            try:
                self._read_db.execute("PRAGMA shrink_memory")
            except sqlite3.Error:
                pass

    def close(self) -> None:
        """Apply pending deletions and close the database."""
        with self._lock:
            try:
                self._flush_forget()
            except sqlite3.Error:
                pass
            self._db.close()
        with self._read_lock:
            self._read_db.close()
