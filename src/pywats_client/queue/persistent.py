"""The durable offline queue of the station client.

Layout under the queue folder::

    pending/<guid>.json      waiting to be uploaded
    processing/<guid>.json   handed to an uploader (claimed)
    completed/<guid>.json    acknowledged by the server (kept for a while, or not at all)
    failed/<guid>.json       gave up after the retries; kept with the last error
    queue.db                 SQLite (WAL) index: state, attempts, error, timestamps, ...
    owners/<token>.lock      one per open queue object, locked while it is open
    tmp/                     reports being written by ``add`` (never read as entries)

The folder a report file is in is the truth; the index is an accelerator that start-up
recovery repairs. Every state change takes SQLite's write lock (``BEGIN IMMEDIATE``, so
threads and processes are serialised), renames the file with ``os.replace`` (retried briefly on Windows while another process
holds it open, see :func:`~pywats_client.queue._fs.replace_file`) and updates the
row in the same transaction; a crash between the rename and the commit leaves the file in
its new folder, and recovery corrects the row. ``add`` returns only after the report file
and its folder entry are fsync'd and the row is committed.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from pywats_client.queue import _fs
from pywats_client.queue._index import ITEM_COLUMNS, open_index
from pywats_client.queue._owners import OwnerLock, owner_alive
from pywats_client.queue._reports import identity_fields, normalize_id, parse_report, prepare_report
from pywats_client.queue.errors import InvalidStateError, ItemNotFoundError, QueueError, QueueFullError
from pywats_client.queue.models import (
    COMPLETED,
    FAILED,
    HELD_UNTIL,
    PENDING,
    PROCESSING,
    STATES,
    QueueItem,
    RecoveryStats,
)

__all__ = ["PersistentQueue", "DEFAULT_MIN_FREE_BYTES"]

log = logging.getLogger(__name__)

#: Intake stops when less than this much space would stay free on the queue's volume.
DEFAULT_MIN_FREE_BYTES = 100 * 1024 * 1024

_SUFFIX = ".json"
_CLEAN_MARKER = "clean-shutdown.json"
# folders changed this close to the clean close are not trusted to show later changes
_RACY_NS = 2_000_000_000
_TMP_SEP = "__"
_DAY = 86_400.0
# After this many completions in one process, prune completed entries by age/count.
_PRUNE_EVERY = 500


def _default_path() -> Path:
    from pywats_client.paths import default_reports_folder

    return default_reports_folder()


class PersistentQueue:
    """Durable, crash-safe queue of WSJF reports waiting for upload.

    Args:
        path: the queue folder (created with its sub-folders). Defaults to the queue of the
            instance ``"default"`` (``<client home>/reports``).
        keep_completed: keep report files of acknowledged reports in ``completed/``. With
            False the file is deleted as soon as the report is acknowledged (the index row
            stays, so a re-add of the same GUID is still recognised).
        completed_max_age_days: completed entries older than this are pruned.
        completed_max_count: at most this many completed entries are kept (oldest pruned).
        min_free_bytes: ``add`` raises :class:`QueueFullError` instead of writing when less
            than this would stay free on the queue's volume.
        free_space: function returning the free bytes for a folder (tests inject one).

    The object is thread-safe, and several processes may open the same folder at once
    (e.g. the service and the CLI): a given entry is claimed by one of them only.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        keep_completed: bool = True,
        completed_max_age_days: float = 30,
        completed_max_count: int = 10_000,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
        free_space: Callable[[Path], int] | None = None,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else _default_path()
        self.keep_completed = keep_completed
        self.completed_max_age_days = completed_max_age_days
        self.completed_max_count = completed_max_count
        self.min_free_bytes = min_free_bytes
        self._free_space = free_space or _fs.disk_free_bytes
        self._lock = threading.RLock()
        self._closed = False
        self._completions = 0
        self._stats = RecoveryStats()
        self._pool: ThreadPoolExecutor | None = None
        self._dir_sync_lock = threading.Lock()
        self._renamed_gen = 0  # renames into pending/ so far (under the write lock)
        self._synced_gen = 0  # renames known to be durable by a directory fsync

        self.path.mkdir(parents=True, exist_ok=True)
        self._dirs = {state: self.path / state for state in STATES}
        for folder in self._dirs.values():
            folder.mkdir(exist_ok=True)
        self._tmp_dir = self.path / "tmp"
        self._tmp_dir.mkdir(exist_ok=True)
        self._owners_dir = self.path / "owners"
        self._owner = OwnerLock(self._owners_dir)
        try:
            self.db_path = self.path / "queue.db"
            self._conn, existed, moved_to = open_index(self.db_path)
            self._recover(rebuilding=not existed or moved_to is not None, moved_to=moved_to)
        except BaseException:
            self._owner.release()
            raise

    # ------------------------------------------------------------------ plumbing

    def _file(self, state: str, item_id: str) -> Path:
        return self._dirs[state] / f"{item_id}{_SUFFIX}"

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, serialised across threads (RLock) and processes (SQLite)."""
        with self._lock:
            if self._closed:
                raise QueueError(f"queue {self.path} is closed")
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read_conn(self) -> sqlite3.Connection:
        if self._closed:
            raise QueueError(f"queue {self.path} is closed")
        return self._conn

    @staticmethod
    def _item(row: tuple[Any, ...]) -> QueueItem:
        return QueueItem(*row)

    def _row(self, conn: sqlite3.Connection, item_id: str) -> QueueItem | None:
        row = conn.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
        return self._item(row) if row else None

    def _locate(self, item_id: str) -> str | None:
        """The state whose folder holds the report file of ``item_id`` (None if none does)."""
        for state in (PROCESSING, PENDING, FAILED, COMPLETED):
            if self._file(state, item_id).exists():
                return state
        return None

    def _move(
        self,
        conn: sqlite3.Connection,
        item_id: str,
        allowed_from: tuple[str, ...],
        to_state: str,
        assignments: str,
        params: tuple[Any, ...],
    ) -> QueueItem:
        """Rename the file of ``item_id`` into ``to_state`` and update its row (inside a tx)."""
        item = self._row(conn, item_id)
        if item is None:
            raise ItemNotFoundError(f"no queue entry {item_id!r} in {self.path}")
        if item.state not in allowed_from:
            raise InvalidStateError(
                f"queue entry {item_id} is {item.state}; expected {' or '.join(allowed_from)} to move it to {to_state}"
            )
        src, dst = self._file(item.state, item_id), self._file(to_state, item_id)
        try:
            _fs.replace_file(src, dst)
        except FileNotFoundError:
            actual = self._locate(item_id)
            if actual != to_state:
                if actual is not None:
                    self._set_state(conn, item_id, actual)
                    raise InvalidStateError(
                        f"queue entry {item_id}: its file is in {actual}/, not {item.state}/; index corrected"
                    ) from None
                raise QueueError(f"queue entry {item_id}: report file missing from every folder of {self.path}") from None
        now = time.time()
        conn.execute(
            f"UPDATE items SET state = ?, updated_at = ?, {assignments} WHERE id = ?",
            (to_state, now, *params, item_id),
        )
        moved = self._row(conn, item_id)
        assert moved is not None
        return moved

    @staticmethod
    def _set_state(conn: sqlite3.Connection, item_id: str, state: str) -> None:
        conn.execute(
            "UPDATE items SET state = ?, owner = NULL, updated_at = ? WHERE id = ?", (state, time.time(), item_id)
        )

    # ------------------------------------------------------------------ intake

    def add(
        self,
        report: Any,
        *,
        source: str | None = None,
        source_hash: str | None = None,
        priority: int = 0,
    ) -> QueueItem:
        """Store ``report`` durably as a pending entry and return it.

        The report's GUID (``report["id"]``; a new uuid4 if missing, written into the stored
        report) is the entry's id. Returns only after the file and its folder entry are
        fsync'd and the index row is committed. Adding a GUID that is already in the queue
        (in any state) creates nothing and returns the existing entry.

        Raises:
            QueueFullError: the volume is too full (nothing was written).
            ValueError: the report's ``id`` is not a GUID, or it is not JSON-serialisable.
            TypeError: ``report`` is not a dict or model.
        """
        return self._add_batch([(report, source, source_hash, priority)])[0]

    def add_many(
        self,
        reports: Iterable[Any],
        *,
        priority: int = 0,
        sources: Iterable[tuple[str | None, str | None]] | None = None,
        held: bool = False,
    ) -> builtins.list[QueueItem]:
        """Add several reports with one folder fsync and one transaction (faster than ``add``).

        Same guarantees as :meth:`add` for every report, all returned together (in the order
        given). ``sources``, if given, holds one ``(source, source_hash)`` pair per report
        (as :meth:`add` takes them); it must be as long as ``reports``.

        ``held=True`` stores new entries *held* (``next_attempt_at`` = :data:`HELD_UNTIL`):
        durable, but not uploaded until :meth:`release_held` releases them, or dropped by
        :meth:`discard_held`, both by ``source_hash``. Entries that already exist keep
        their state.

        Raises:
            ValueError: ``sources`` and ``reports`` differ in length (nothing was written).
        """
        reports = builtins.list(reports)
        if sources is None:
            pairs: builtins.list[tuple[str | None, str | None]] = [(None, None)] * len(reports)
        else:
            pairs = builtins.list(sources)
            if len(pairs) != len(reports):
                raise ValueError(
                    f"add_many: {len(reports)} report(s) but {len(pairs)} (source, source_hash) pair(s)"
                )
        return self._add_batch(
            [(r, src, digest, priority) for r, (src, digest) in zip(reports, pairs)],
            next_attempt_at=HELD_UNTIL if held else None,
        )

    def release_held(self, source_hash: str) -> int:
        """Make the held entries of ``source_hash`` due now (one transaction); returns how many."""
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE items SET next_attempt_at = NULL, updated_at = ?"
                " WHERE source_hash = ? AND state = ? AND next_attempt_at >= ?",
                (time.time(), source_hash, PENDING, HELD_UNTIL),
            )
            return int(cur.rowcount)

    def discard_held(self, source_hash: str) -> int:
        """Delete the held entries of ``source_hash`` (files and rows; durable when it
        returns); returns how many. Released or uploaded entries are never touched."""
        with self._tx() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM items WHERE source_hash = ? AND state = ? AND next_attempt_at >= ?",
                    (source_hash, PENDING, HELD_UNTIL),
                ).fetchall()
            ]
            # a file another process holds open (Windows) stays held: the next discard retries
            gone = [i for i in ids if _fs.remove_file(self._file(PENDING, i))]
            conn.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in gone])
            if gone:
                # a removal lost to a power cut would bring the report back as a new entry
                _fs.fsync_dir(self._dirs[PENDING])
        return len(gone)

    def _add_batch(
        self,
        entries: builtins.list[tuple[Any, str | None, str | None, int]],
        *,
        next_attempt_at: float | None = None,
    ) -> builtins.list[QueueItem]:
        prepared = []
        for report, source, source_hash, priority in entries:
            item_id, data, encoded = prepare_report(report)
            sn, pn = identity_fields(data)
            prepared.append((item_id, encoded, source, source_hash, int(priority), sn, pn))
        if not prepared:
            return []
        known = {p[0] for p in prepared if self.get(p[0]) is not None}
        needed = sum(len(p[1]) for p in prepared if p[0] not in known)
        if needed:
            free = self._free_space(self.path)
            if free - needed < self.min_free_bytes:
                raise QueueFullError(self.path, free, needed, self.min_free_bytes)

        # Write and fsync the files outside the lock; only the rename and row are serialised.
        tmp_files: dict[str, Path] = {}
        try:
            to_write: dict[str, bytes] = {}
            for item_id, encoded, *_ in prepared:
                if item_id not in known and item_id not in to_write:
                    to_write[item_id] = encoded
                    tmp_files[item_id] = self._tmp_dir / f"{self._owner.token}{_TMP_SEP}{item_id}{_SUFFIX}.tmp"
            if len(to_write) > 1:
                # fsyncs issued in parallel share the file system's journal commits
                list(self._writer_pool().map(lambda i: _fs.write_durable(tmp_files[i], to_write[i]), to_write))
            else:
                for item_id, encoded in to_write.items():
                    _fs.write_durable(tmp_files[item_id], encoded)

            results: dict[str, QueueItem] = {}
            generation = 0
            with self._tx() as conn:
                for item_id, _encoded, source, source_hash, priority, sn, pn in prepared:
                    if item_id in results:
                        continue
                    existing = self._row(conn, item_id)
                    if existing is None:
                        found = self._locate(item_id)
                        if found is not None:  # a file of an add that crashed before its commit
                            existing = self._index_file(conn, item_id, found, time.time())
                    if existing is not None:
                        results[item_id] = existing
                        continue
                    tmp = tmp_files.pop(item_id, None)
                    if tmp is None:  # it existed when we looked, and is gone now: write it again
                        tmp = self._tmp_dir / f"{self._owner.token}{_TMP_SEP}{item_id}{_SUFFIX}.tmp"
                        _fs.write_durable(tmp, _encoded)
                    _fs.replace_file(tmp, self._file(PENDING, item_id))
                    self._renamed_gen += 1
                    generation = self._renamed_gen
                    now = time.time()
                    conn.execute(
                        "INSERT INTO items (id, state, attempts, source, source_hash, created_at, updated_at,"
                        " priority, serial_number, part_number, next_attempt_at)"
                        " VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (item_id, PENDING, source, source_hash, now, now, priority, sn, pn, next_attempt_at),
                    )
                    row = self._row(conn, item_id)
                    assert row is not None
                    results[item_id] = row
            if generation:
                self._sync_pending_dir(generation)
            return [results[p[0]] for p in prepared]
        finally:
            for tmp in tmp_files.values():
                try:
                    tmp.unlink()
                except OSError:
                    pass

    def _writer_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pywats-queue-write")
            return self._pool

    def _sync_pending_dir(self, generation: int) -> None:
        """Make pending/ entries up to rename number ``generation`` durable (group commit).

        Runs after the row's commit and outside the write lock, so concurrent adders share
        one directory fsync: an fsync started after my rename covers my entry too. A power
        cut before it returns can only lose an entry whose ``add`` had not returned.
        """
        with self._dir_sync_lock:
            if self._synced_gen >= generation:
                return
            target = self._renamed_gen
            _fs.fsync_dir(self._dirs[PENDING])
            self._synced_gen = target

    def free_bytes(self) -> int:
        """Free bytes on the queue's volume (as the intake check sees them)."""
        return self._free_space(self.path)

    # ------------------------------------------------------------------ uploader side

    def claim_next(self, limit: int = 1, *, now: float | None = None) -> builtins.list[QueueItem]:
        """Move up to ``limit`` due pending entries to processing/ and return them.

        Order: higher ``priority`` first, then arrival order. Entries whose
        ``next_attempt_at`` is later than ``now`` (default: the current time) are skipped.
        No other queue object, in this or any other process, gets the same entries.
        """
        if limit <= 0:
            return []
        when = time.time() if now is None else now
        claimed: builtins.list[QueueItem] = []
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT id FROM items WHERE state = ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
                " ORDER BY priority DESC, seq LIMIT ?",
                (PENDING, when, limit),
            ).fetchall()
            for (item_id,) in rows:
                try:
                    claimed.append(
                        self._move(conn, item_id, (PENDING,), PROCESSING, "owner = ?", (self._owner.token,))
                    )
                except (QueueError, OSError) as exc:
                    log.warning("queue %s: skipping entry %s while claiming: %s", self.path, item_id, exc)
                    if self._locate(item_id) is None:
                        conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
        return claimed

    def read_report(self, item_or_id: QueueItem | str) -> dict[str, Any]:
        """The stored report (WSJF dict, with its ``id``) of an entry.

        Raises:
            ItemNotFoundError: no such entry, or its file is no longer kept (completed).
            ValueError: the file is not valid JSON (names the file).
        """
        item: QueueItem | None
        if isinstance(item_or_id, QueueItem):  # e.g. just claimed: its state is known
            item_id, item = item_or_id.id, item_or_id
        else:
            item_id = normalize_id(item_or_id, what="queue id")
            item = self.get(item_id)
        order = [item.state] if item is not None else []
        order += [s for s in (PROCESSING, PENDING, FAILED, COMPLETED) if s not in order]
        for state in order:
            path = self._file(state, item_id)
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            return parse_report(raw, where=str(path))
        raise ItemNotFoundError(f"no report file for queue entry {item_id} in {self.path}")

    def mark_completed(self, item_id: str, *, server_id: str | None = None) -> QueueItem:
        """Record that the server acknowledged the report: the entry becomes completed.

        Call only after the acknowledgement. Accepted from processing (normal), pending or
        failed; a no-op for an entry already completed. With ``keep_completed=False`` the
        report file is deleted right after the commit.
        """
        item_id = normalize_id(item_id, what="queue id")
        with self._tx() as conn:
            current = self._row(conn, item_id)
            if current is not None and current.state == COMPLETED:
                return current
            item = self._move(
                conn,
                item_id,
                (PROCESSING, PENDING, FAILED),
                COMPLETED,
                "owner = NULL, next_attempt_at = NULL, server_id = COALESCE(?, server_id)",
                (server_id,),
            )
        if not self.keep_completed:
            # the row is committed; a file another process holds open is left to prune_completed
            _fs.remove_file(self._file(COMPLETED, item_id))
        self._completions += 1
        if self._completions % _PRUNE_EVERY == 0:
            self.prune_completed()
        return item

    def complete_many(self, acks: Iterable[tuple[str, str | None]]) -> builtins.list[QueueItem]:
        """Mark several acknowledged entries completed in one transaction.

        ``acks`` holds ``(item_id, server_id)`` pairs; each is handled as by
        :meth:`mark_completed` (call only after the server acknowledged each report; an
        entry already completed is a no-op). Returns the entries in the order given. If one
        entry cannot be completed (unknown id, or in a state that cannot complete) the
        error is raised and none of this call's rows are committed; files already renamed
        into completed/ are put right by the next recovery, as for a crash, so the caller
        may simply fall back to :meth:`mark_completed` one by one.
        """
        pairs = [(normalize_id(item_id, what="queue id"), server_id) for item_id, server_id in acks]
        if not pairs:
            return []
        done: builtins.list[QueueItem] = []
        with self._tx() as conn:
            for item_id, server_id in pairs:
                current = self._row(conn, item_id)
                if current is not None and current.state == COMPLETED:
                    done.append(current)
                    continue
                done.append(
                    self._move(
                        conn,
                        item_id,
                        (PROCESSING, PENDING, FAILED),
                        COMPLETED,
                        "owner = NULL, next_attempt_at = NULL, server_id = COALESCE(?, server_id)",
                        (server_id,),
                    )
                )
        if not self.keep_completed:
            for item_id, _ in pairs:
                _fs.remove_file(self._file(COMPLETED, item_id))  # a held file: see mark_completed
        before = self._completions
        self._completions += len(pairs)
        if self._completions // _PRUNE_EVERY != before // _PRUNE_EVERY:
            self.prune_completed()
        return done

    def release(
        self,
        item_id: str,
        *,
        error: str | None = None,
        retry_at: float | None = None,
        count_attempt: bool = True,
    ) -> QueueItem:
        """Give a claimed entry back: processing → pending.

        Args:
            error: the reason (kept as the entry's last error; the old one stays if None).
            retry_at: not handed out again before this Unix time (None: at once).
            count_attempt: add one to the entry's attempt count.
        """
        item_id = normalize_id(item_id, what="queue id")
        with self._tx() as conn:
            return self._move(
                conn,
                item_id,
                (PROCESSING,),
                PENDING,
                "owner = NULL, attempts = attempts + ?, error = COALESCE(?, error), next_attempt_at = ?",
                (1 if count_attempt else 0, error, retry_at),
            )

    def make_due(self, now: float | None = None) -> int:
        """Make every pending entry that waits for a retry time due now (e.g. the server is
        reachable again after an outage); returns how many were waiting. Attempts are kept.
        Held entries (see :meth:`add_many`) stay held."""
        when = time.time() if now is None else now
        with self._tx() as conn:
            cur = conn.execute(
                "UPDATE items SET next_attempt_at = NULL WHERE state = ? AND next_attempt_at > ?"
                " AND next_attempt_at < ?",
                (PENDING, when, HELD_UNTIL),
            )
            return int(cur.rowcount)

    def mark_failed(self, item_id: str, error: str, *, count_attempt: bool = True) -> QueueItem:
        """Park an entry in failed/ with its last ``error`` (retries exhausted or permanent error).

        Accepted from processing or pending. Nothing is deleted; :meth:`retry` brings it back.
        """
        item_id = normalize_id(item_id, what="queue id")
        with self._tx() as conn:
            return self._move(
                conn,
                item_id,
                (PROCESSING, PENDING),
                FAILED,
                "owner = NULL, attempts = attempts + ?, error = ?, next_attempt_at = NULL",
                (1 if count_attempt else 0, error),
            )

    def retry(self, item_id: str) -> bool:
        """Move a failed entry back to pending with its attempts reset.

        Returns True if it was moved, False if there is no failed entry with that id.
        """
        try:
            item_id = normalize_id(item_id, what="queue id")
        except ValueError:
            return False
        with self._tx() as conn:
            item = self._row(conn, item_id)
            if item is None or item.state != FAILED:
                return False
            try:
                self._move(conn, item_id, (FAILED,), PENDING, "attempts = 0, next_attempt_at = NULL, owner = NULL", ())
            except QueueError as exc:
                log.warning("queue %s: cannot retry %s: %s", self.path, item_id, exc)
                return False
        return True

    def retry_all_failed(self) -> int:
        """Move every failed entry back to pending (attempts reset); returns how many moved."""
        moved = 0
        with self._tx() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM items WHERE state = ? ORDER BY seq", (FAILED,))]
            for item_id in ids:
                try:
                    self._move(conn, item_id, (FAILED,), PENDING, "attempts = 0, next_attempt_at = NULL, owner = NULL", ())
                except QueueError as exc:
                    log.warning("queue %s: cannot retry %s: %s", self.path, item_id, exc)
                    continue
                moved += 1
        return moved

    # ------------------------------------------------------------------ reading

    def get(self, item_id: str) -> QueueItem | None:
        """The entry with this id, or None."""
        try:
            item_id = normalize_id(item_id, what="queue id")
        except ValueError:
            return None
        with self._lock:
            return self._row(self._read_conn(), item_id)

    def find_by_source_hash(self, source_hash: str) -> QueueItem | None:
        """The oldest entry added with this ``source_hash``, or None."""
        with self._lock:
            row = self._read_conn().execute(
                f"SELECT {ITEM_COLUMNS} FROM items WHERE source_hash = ? ORDER BY seq LIMIT 1", (source_hash,)
            ).fetchone()
        return self._item(row) if row else None

    def list(
        self, state: str | None = None, limit: int | None = None, *, newest_first: bool = False
    ) -> builtins.list[QueueItem]:
        """Entries in arrival order, optionally only one ``state`` and at most ``limit``;
        ``newest_first`` lists the most recently changed entries first instead."""
        if state is not None and state not in STATES:
            raise ValueError(f"unknown queue state {state!r}; use one of {', '.join(STATES)}")
        sql = f"SELECT {ITEM_COLUMNS} FROM items"
        params: builtins.list[Any] = []
        if state is not None:
            sql += " WHERE state = ?"
            params.append(state)
        sql += " ORDER BY updated_at DESC, seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._lock:
            rows = self._read_conn().execute(sql, params).fetchall()
        return [self._item(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Number of entries per state (every state present, zeros included)."""
        result = dict.fromkeys(STATES, 0)
        with self._lock:
            for state, n in self._read_conn().execute("SELECT state, COUNT(*) FROM items GROUP BY state"):
                result[state] = n
        return result

    def _count(self, state: str) -> int:
        with self._lock:
            row = self._read_conn().execute("SELECT COUNT(*) FROM items WHERE state = ?", (state,)).fetchone()
        return int(row[0])

    def get_pending_count(self) -> int:
        """Number of pending entries (due or waiting for their retry time)."""
        return self._count(PENDING)

    def get_processing_count(self) -> int:
        """Number of entries being uploaded."""
        return self._count(PROCESSING)

    def get_failed_count(self) -> int:
        """Number of failed entries."""
        return self._count(FAILED)

    def get_completed_count(self) -> int:
        """Number of completed entries still remembered."""
        return self._count(COMPLETED)

    def get_failed_reports(self) -> builtins.list[QueueItem]:
        """Every failed entry (``.id``, ``.error``, ``.attempts`` ...), oldest first."""
        return self.list(FAILED)

    def next_due_in(self, now: float | None = None) -> float | None:
        """Seconds until the next pending entry is due (0 if one is due now, None if none pending)."""
        when = time.time() if now is None else now
        with self._lock:
            row = self._read_conn().execute(
                "SELECT MIN(COALESCE(next_attempt_at, 0)) FROM items WHERE state = ?", (PENDING,)
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return max(0.0, float(row[0]) - when)

    # ------------------------------------------------------------------ housekeeping

    def prune_completed(self, now: float | None = None) -> int:
        """Forget completed entries older than ``completed_max_age_days`` or beyond
        ``completed_max_count``; with ``keep_completed=False`` also drop any completed file
        still on disk. Returns how many entries (rows or files) were removed.
        """
        when = time.time() if now is None else now
        removed = 0
        with self._tx() as conn:
            cutoff = when - self.completed_max_age_days * _DAY
            victims = {
                r[0]
                for r in conn.execute("SELECT id FROM items WHERE state = ? AND updated_at < ?", (COMPLETED, cutoff))
            }
            total = conn.execute("SELECT COUNT(*) FROM items WHERE state = ?", (COMPLETED,)).fetchone()[0]
            excess = total - len(victims) - max(0, int(self.completed_max_count))
            if excess > 0:
                victims.update(
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM items WHERE state = ? AND updated_at >= ? ORDER BY updated_at, seq LIMIT ?",
                        (COMPLETED, cutoff, excess),
                    )
                )
            held: set[str] = set()
            for item_id in victims:
                # a file another process holds open (Windows) keeps its row: next prune retries
                if _fs.remove_file(self._file(COMPLETED, item_id)):
                    conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                    removed += 1
                else:
                    held.add(str(self._file(COMPLETED, item_id)))
            if not self.keep_completed:
                with os.scandir(self._dirs[COMPLETED]) as it:
                    for entry in it:
                        if entry.name.endswith(_SUFFIX) and not entry.name.startswith("."):
                            if entry.path in held:
                                continue
                            if _fs.remove_file(entry.path):
                                removed += 1
                            else:
                                held.add(entry.path)
        if held:
            log.warning(
                "queue %s: %d completed report file(s) could not be deleted (open in another process?); "
                "the next prune tries again", self.path, len(held),
            )
        return removed

    def recover_crashed_reports(self) -> RecoveryStats:
        """Repair the queue after a crash (also done when the queue is opened).

        Moves processing entries whose owner process is gone back to pending (entries this
        object or another running process is uploading are left alone), indexes report
        files missing from the index, corrects rows whose file is in another folder (the
        folder wins), drops half-written files of adds that never returned, and parks
        unreadable report files in failed/. Returns (and remembers) what it did.
        """
        return self._recover(rebuilding=False, moved_to=None)

    def get_recovery_stats(self) -> RecoveryStats:
        """What the last recovery (at open or by :meth:`recover_crashed_reports`) did."""
        return self._stats

    def check_integrity(self) -> builtins.list[str]:
        """Compare index and folders; returns the problems found (empty list: consistent)."""
        problems: builtins.list[str] = []
        with self._lock:
            conn = self._read_conn()
            row = conn.execute("PRAGMA integrity_check").fetchone()
            if not row or row[0] != "ok":
                problems.append(f"index integrity_check: {row[0] if row else 'no answer'}")
            rows = dict(conn.execute("SELECT id, state FROM items").fetchall())
            files = self._scan()
        for item_id, states in files.items():
            if len(states) > 1:
                problems.append(f"{item_id}: report file in several folders: {', '.join(states)}")
            if item_id not in rows:
                problems.append(f"{item_id}: file in {states[0]}/ but not in the index")
            elif rows[item_id] not in states:
                problems.append(f"{item_id}: index says {rows[item_id]}, file is in {states[0]}/")
        for item_id, state in rows.items():
            if item_id not in files and state != COMPLETED:
                problems.append(f"{item_id}: index says {state} but no report file exists")
        return problems

    def _scan(self) -> dict[str, builtins.list[str]]:
        found: dict[str, builtins.list[str]] = {}
        for state in STATES:
            with os.scandir(self._dirs[state]) as it:
                for entry in it:
                    name = entry.name
                    if not name.endswith(_SUFFIX) or name.startswith("."):
                        continue
                    try:
                        item_id = normalize_id(name[: -len(_SUFFIX)])
                    except ValueError:
                        continue
                    found.setdefault(item_id, []).append(state)
        return found

    def _index_file(self, conn: sqlite3.Connection, item_id: str, state: str, created_at: float) -> QueueItem:
        """Insert a row for a report file that has none; unreadable files go to failed/."""
        path = self._file(state, item_id)
        sn = pn = None
        error = None
        try:
            report = parse_report(path.read_bytes(), where=str(path))
            sn, pn = identity_fields(report)
        except (OSError, ValueError) as exc:
            error = f"unreadable report file: {exc}"
            if state != FAILED:
                _fs.replace_file(path, self._file(FAILED, item_id))
                state = FAILED
            self._stats.unreadable_files += 1
            log.error("queue %s: %s (moved to failed/)", self.path, error)
        now = time.time()
        conn.execute(
            "INSERT INTO items (id, state, attempts, error, created_at, updated_at, serial_number, part_number)"
            " VALUES (?, ?, 0, ?, ?, ?, ?, ?)",
            (item_id, state, error, created_at, now, sn, pn),
        )
        row = self._row(conn, item_id)
        assert row is not None
        return row

    # -- clean-shutdown marker: start-up recovery in proportion to the entries in flight --

    def _dir_stamps(self) -> dict[str, int]:
        """Modification times (ns) of the state folders and tmp/: any entry added, removed or
        renamed in them (by this code, a crash repair or a person) changes its folder's."""
        out = {}
        for name, folder in (*self._dirs.items(), ("tmp", self._tmp_dir)):
            out[name] = os.stat(folder).st_mtime_ns
        return out

    def _take_clean_marker(self) -> bool:
        """True if the last session closed cleanly and no folder changed since; the marker
        is removed (durably) either way, so a crash in this session means a full scan."""
        marker = self.path / _CLEAN_MARKER
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        try:
            marker.unlink()
            _fs.fsync_dir(self.path)
        except OSError:
            return False
        if not isinstance(data, dict):
            return False
        stamps, written = data.get("dirs"), data.get("written_ns")
        if stamps != self._dir_stamps() or not isinstance(written, int):
            return False
        # "racily clean": a change in the same clock tick as the last recorded one would not
        # move the folder's time, so folders touched shortly before the close are not trusted
        return all(isinstance(v, int) and v < written - _RACY_NS for v in stamps.values())

    def _leave_clean_marker(self) -> None:
        """At close, by the last session of this queue: record that it closed cleanly."""
        try:
            with os.scandir(self._owners_dir) as it:
                others = [e.name[: -len(".lock")] for e in it if e.name.endswith(".lock")]
            if any(owner_alive(self._owners_dir, t) for t in others if t != self._owner.token):
                return  # another session is still open: it leaves the marker when it closes
            data = json.dumps({"dirs": self._dir_stamps(), "written_ns": time.time_ns()})
            tmp = self.path / f".{_CLEAN_MARKER}.{self._owner.token}.tmp"
            _fs.write_durable(tmp, data.encode("ascii"))
            _fs.replace_file(tmp, self.path / _CLEAN_MARKER)
            _fs.fsync_dir(self.path)
        except OSError as exc:  # only an optimisation for the next start
            log.debug("queue %s: clean-shutdown marker not written: %s", self.path, exc)

    def _recover(self, *, rebuilding: bool, moved_to: Path | None) -> RecoveryStats:
        started = time.time()
        stats = RecoveryStats(started_at=started, corrupt_index_moved_to=str(moved_to) if moved_to else None)
        self._stats = stats
        clean = self._take_clean_marker() and not rebuilding and moved_to is None
        if clean:
            stats.full_scan = False
            with self._tx() as conn:
                self._recover_in_flight(conn, stats, {self._owner.token: True})
            stats.pruned_completed = self.prune_completed()
            stats.duration_seconds = time.time() - started
            return stats
        with self._tx() as conn:
            # half-written files of adds that never returned (their writer is gone)
            alive: dict[str, bool] = {self._owner.token: True}
            with os.scandir(self._tmp_dir) as it:
                for entry in it:
                    token = entry.name.split(_TMP_SEP, 1)[0]
                    if token not in alive:
                        alive[token] = owner_alive(self._owners_dir, token)
                    if not alive[token]:
                        try:
                            os.unlink(entry.path)
                            stats.removed_temp_files += 1
                        except OSError:
                            pass

            files = self._scan()
            # the same report in two folders: keep the most advanced copy, rename the others aside
            rank = {COMPLETED: 0, PROCESSING: 1, FAILED: 2, PENDING: 3}
            for item_id, states in files.items():
                if len(states) > 1:
                    states.sort(key=rank.__getitem__)
                    for extra in states[1:]:
                        src = self._file(extra, item_id)
                        _fs.replace_file(src, src.with_name(f".{src.name}.duplicate-{int(started)}"))
                        stats.duplicate_files += 1
                        log.warning("queue %s: %s also found in %s/; kept the copy in %s/", self.path, item_id, extra, states[0])
                    del states[1:]

            rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, state, owner FROM items")}
            orphans = [(item_id, states[0]) for item_id, states in files.items() if item_id not in rows]
            if orphans:
                if rows:
                    stats.reindexed_orphans = len(orphans)
                mtimes = {}
                for item_id, state in orphans:
                    try:
                        mtimes[item_id] = self._file(state, item_id).stat().st_mtime
                    except OSError:
                        mtimes[item_id] = started
                orphans.sort(key=lambda o: (mtimes[o[0]], o[0]))
                for item_id, state in orphans:
                    self._index_file(conn, item_id, state, mtimes[item_id])
                if not rows:
                    stats.reindexed_orphans = len(orphans)
            if rebuilding and files:
                stats.rebuilt_index = True
            if moved_to is not None:
                stats.rebuilt_index = True

            for item_id, (state, _owner) in rows.items():
                if item_id in files:
                    actual = files[item_id][0]
                    if actual != state:
                        self._set_state(conn, item_id, actual)
                        stats.fixed_states += 1
                elif state != COMPLETED:
                    conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
                    stats.dropped_missing += 1
                    log.error("queue %s: entry %s (%s) has no report file in any folder; dropped from the index", self.path, item_id, state)

            self._recover_in_flight(conn, stats, alive)
        stats.pruned_completed = self.prune_completed()
        stats.duration_seconds = time.time() - started
        if stats.changed_anything:
            log.warning("queue %s recovered: %s", self.path, stats)
        return stats

    def _recover_in_flight(self, conn: sqlite3.Connection, stats: RecoveryStats, alive: dict[str, bool]) -> None:
        """Entries a dead session was uploading go back to pending; stale session files go."""
        for item_id, owner in conn.execute("SELECT id, owner FROM items WHERE state = ?", (PROCESSING,)).fetchall():
            if owner is not None:
                if owner not in alive:
                    alive[owner] = owner_alive(self._owners_dir, owner)
                if alive[owner]:
                    stats.skipped_live_processing += 1
                    continue
            _fs.replace_file(self._file(PROCESSING, item_id), self._file(PENDING, item_id))
            self._set_state(conn, item_id, PENDING)
            stats.requeued_processing += 1

        # session files of owners that are gone (no entries reference them any more)
        with os.scandir(self._owners_dir) as it:
            for entry in it:
                lock_owner = entry.name[: -len(".lock")] if entry.name.endswith(".lock") else None
                if lock_owner and lock_owner not in alive:
                    # a young file may belong to a queue being opened right now
                    alive[lock_owner] = owner_alive(self._owners_dir, lock_owner, min_age=60.0)

    # ------------------------------------------------------------------ lifetime

    def shrink_memory(self) -> None:
        """Give SQLite's page cache back (e.g. while the service is idle); nothing durable
        changes and the next read simply loads pages again."""
        with self._lock:
            if self._closed:
                return
            self._conn.execute("PRAGMA shrink_memory")

    def close(self) -> None:
        """Close the index and release this session's lock (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            try:
                self._conn.close()
                self._leave_clean_marker()
            finally:
                self._owner.release()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def __enter__(self) -> PersistentQueue:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PersistentQueue({str(self.path)!r})"
