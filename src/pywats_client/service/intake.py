"""Intake: watched folders → stable files → converter pool → durable queue → post action.

Runs as an asyncio task (:meth:`Intake.run`) that decides *which* file to take and *when*
(events, rescans, stability), and a thread pool that does the blocking work per file
(:meth:`Intake.process_file`): hash, convert in an isolated worker process, stamp the station
identity, record the hand-over in the ledger, add each report to the queue (durable when
``add`` returns) and only then move / delete / keep the source. A failed file goes to the
error folder with ``NAME.error`` beside it.

Reports arrive from the worker one at a time (:class:`~pywats_client.service.stream.ReportStream`):
a file with few reports (up to :attr:`Intake.chunk_reports`) is handed to the group commit
with other files; a larger one is stored in held chunks while it converts and released only
once the whole file converted (deleted if it fails), so the service's memory per file is one
chunk whatever the file's size.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from pywats_client.config import ClientConfig, ConverterConfig
from pywats_client.converters.context import ContextData
from pywats_client.converters.pool import ConverterPool
from pywats_client.queue import PersistentQueue
from pywats_client.queue.errors import QueueFullError
from pywats_client.service.fileops import (
    ERROR_SUFFIX,
    file_sha256,
    move_unique,
    shown_name,
    sidecar_name,
    unique_name,
    write_error_file,
)
from pywats_client.service.handover import HandOver
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.stats import ConverterStats, ServiceStats
from pywats_client.service.stream import DEFAULT_CHUNK_REPORTS, ReportStream, StreamStopped
from pywats_client.service.waiting import wait_event
from pywats_client.service.watcher import FolderEvents, StabilityTracker, can_open_exclusively, iter_files

__all__ = ["ConverterSlot", "Intake"]

log = logging.getLogger("pywats_client.service.intake")

# Wake up this much after the earliest stability deadline: files whose deadlines fall within
# it are looked at in one pass instead of one loop iteration each (each pass walks the tracker).
_DEADLINE_SLACK = 0.02
DEFAULT_TRACK_LIMIT = 4096
"""Files tracked at once (stability watch + waiting for an intake thread), at least."""


@dataclass
class ConverterSlot:
    """A configured converter as the intake uses it."""

    config: ConverterConfig
    stats: ConverterStats
    usable: bool = True
    patterns: list[str] = field(default_factory=lambda: ["*"])
    """The file patterns in force: the config's, else the converter class's own."""

    @property
    def folder(self) -> Path:
        """The watched folder."""
        return Path(self.config.watch_folder)


#: A file whose taking fails this many times for an unexpected reason is left alone
#: (reported once) until it changes, instead of being tried again for ever.
_MAX_UNEXPECTED = 3

#: How long a comfortable free-space reading is trusted (seconds).
_FREE_SPACE_TTL = 1.0


class _Stopping(Exception):
    """The service is stopping: leave the source where it is."""


class _Backpressure(Exception):
    """Not enough disk space or queue refused: leave the source and try later."""


class Intake:
    """Watches the converters' folders and hands stable files to the queue."""

    def __init__(
        self,
        *,
        config: ClientConfig,
        slots: list[ConverterSlot],
        pool: ConverterPool,
        queue: PersistentQueue,
        ledger: IntakeLedger,
        stats: ServiceStats,
        context_factory: Callable[[ConverterConfig], ContextData],
        on_queued: Callable[[], None],
        workers: int,
    ) -> None:
        self.config = config
        self.slots = slots
        self.pool = pool
        self.queue = queue
        self.ledger = ledger
        self.stats = stats
        self.context_factory = context_factory
        self.on_queued = on_queued
        self.workers = max(1, workers)
        self.stopping = threading.Event()
        # more threads than converter processes: hashing, queue fsyncs and moves of one file
        # overlap with the conversion of the next (the pool bounds the conversions)
        self._executor = ThreadPoolExecutor(max_workers=self.workers * 8, thread_name_prefix="pywats-intake")
        self._tracker = StabilityTracker()
        self._inflight: set[Path] = set()
        # stable files waiting for a free intake thread (bounded hand-off: at most
        # ``_handoff_limit`` files are handed to the thread pool at a time, so a backlog of
        # 50,000 waiting files costs one small entry each, not a queued job each)
        self._ready: dict[Path, tuple[ConverterSlot, int, int, float]] = {}
        self._handoff_limit = self.workers * 8 * 2
        # files watched for stability or waiting for a thread, at most: a backlog beyond it
        # is left in the folder (not even listed in memory) and taken in later rescans
        self._track_limit = max(DEFAULT_TRACK_LIMIT, self._handoff_limit * 8)
        self._backlog_left = False  # the last pass left files out because of the limit
        self._kept: dict[Path, tuple[int, int]] = {}
        self._retry_after: dict[Path, float] = {}
        self._failures: dict[Path, int] = {}  # unexpected errors so far, per file
        self._lock = threading.Lock()
        self._free_space: tuple[float, int] = (-1e9, 0)  # (when, bytes) of the last disk check
        self._digests: set[str] = set()  # contents being taken right now (one file per content)
        self._digest_free = threading.Condition(self._lock)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: FolderEvents | None = None
        self._folders: dict[Path, list[ConverterSlot]] = {}
        self._rebuild_folders()
        self.handover = HandOver(queue, ledger)
        #: reports per hand-over chunk of a large file (see :mod:`pywats_client.service.stream`)
        self.chunk_reports = DEFAULT_CHUNK_REPORTS

    # ------------------------------------------------------------------ setup

    def _rebuild_folders(self) -> None:
        folders: dict[Path, list[ConverterSlot]] = {}
        for slot in self.slots:
            if slot.usable:
                folders.setdefault(slot.folder, []).append(slot)
        for lst in folders.values():
            lst.sort(key=lambda s: s.config.priority)
        self._folders = folders

    def wake(self) -> None:
        """Ask the intake loop to look at the folders now (thread-safe)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # loop closed
                pass

    def _match(self, path: Path) -> ConverterSlot | None:
        from pywats_client.converters import matches_patterns

        for slot in self._folders.get(path.parent, ()):
            if matches_patterns(path, slot.patterns):
                return slot
        return None

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        """Watch until :meth:`stop`; returns when stopping."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        for folder in self._folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                log.error("cannot create watch folder %s: %s", folder, exc)
        self._events = FolderEvents(self._folders, self.wake, enabled=bool(getattr(self.config, "file_events", True)))
        await asyncio.to_thread(self._events.start)
        rescan_every = float(self.config.rescan_interval_seconds)
        next_rescan = 0.0
        try:
            while not self.stopping.is_set():
                self._wake.clear()
                now = time.monotonic()
                try:
                    if self._events.take_overflow() or (self._backlog_left and self._room() >= self._track_limit // 2):
                        next_rescan = now  # more files than were tracked: look at the folders again
                    if now >= next_rescan:
                        self._full_scan()
                        next_rescan = now + rescan_every
                    else:
                        candidates = self._hinted(self._events.take())
                        candidates.extend(self._recheck_due(now))
                        self._consider(candidates, time.monotonic())
                    self._hand_off_ready()
                except Exception as exc:
                    if self.stopping.is_set():
                        break
                    log.exception("intake: looking again at the next rescan")
                    self.stats.error(f"intake: {type(exc).__name__}: {exc}")
                    next_rescan = min(next_rescan, time.monotonic() + min(rescan_every, 5.0))
                deadline = self._tracker.next_deadline()
                wait_until = next_rescan if deadline is None else min(next_rescan, deadline)
                timeout = max(0.0, wait_until - time.monotonic())
                await wait_event(self._wake, timeout + _DEADLINE_SLACK)
        finally:
            self._events.stop()

    def _full_scan(self) -> None:
        """List every watched folder once (see :meth:`_scan_folder`)."""
        self._backlog_left = False
        for folder in self._folders:
            self._scan_folder(folder)
        if self._events is not None:
            self._events.take()  # the listing covered them

    def _scan_folder(self, folder: Path) -> None:
        """Consider each file of ``folder`` as it is listed (streaming: a backlog is never
        held as one list), then forget tracked or waiting files that were not listed."""
        alive: set[Path] = set()
        finished = False

        def listing() -> Iterator[tuple[Path, int, int]]:
            nonlocal finished
            for entry in iter_files(folder):
                yield entry
                # after _consider has seen it: only tracked or waiting files are remembered
                if entry[0] in self._tracker or entry[0] in self._ready:
                    alive.add(entry[0])
            finished = True

        self._consider(listing(), time.monotonic())
        if not finished:
            return  # the pass stopped early (intake paused): forget nothing
        self._tracker.retain(alive, folder)
        for p in [p for p in self._ready if p.parent == folder and p not in alive]:
            del self._ready[p]  # waiting files that are gone meanwhile

    def _room(self) -> int:
        """How many more files may be tracked now (see ``_track_limit``)."""
        return self._track_limit - len(self._tracker) - len(self._ready)

    def _hinted(self, hints: set[Path]) -> list[tuple[Path, int, int]]:
        out = []
        for p in hints:
            if p.parent not in self._folders:
                continue
            try:
                st = p.stat()
            except OSError:
                self._tracker.forget(p)
                continue
            out.append((p, st.st_size, st.st_mtime_ns))
        return out

    def _recheck_due(self, now: float) -> list[tuple[Path, int, int]]:
        out = []
        for p in self._tracker.due(now):
            try:
                st = p.stat()
            except OSError:
                self._tracker.forget(p)
                continue
            out.append((p, st.st_size, st.st_mtime_ns))
        return out

    def _consider(self, candidates: Iterable[tuple[Path, int, int]], now: float) -> None:
        if self.stats.intake_paused and not self._disk_ok():
            return
        for path, size, mtime in candidates:
            if path in self._ready:
                continue
            with self._lock:
                if path in self._inflight:
                    continue
            kept = self._kept.get(path)
            if kept is not None:
                if kept == (size, mtime):
                    continue
                del self._kept[path]
            retry_at = self._retry_after.get(path)
            if retry_at is not None and retry_at > now:
                continue
            slot = self._match(path)
            if slot is None:
                self._tracker.forget(path)
                continue
            if path not in self._tracker and self._room() <= 0:
                self._backlog_left = True  # taken in a later pass, when there is room
                continue
            if not self._tracker.observe(path, size, mtime, now, float(slot.config.file_stable_seconds)):
                continue
            self._tracker.forget(path)
            self._retry_after.pop(path, None)
            self._ready[path] = (slot, size, mtime, now)

    def _hand_off_ready(self) -> None:
        """Hand stable files to the intake threads, oldest first, while fewer than the
        limit are in flight (the rest wait in ``_ready`` for the next pass)."""
        while self._ready:
            with self._lock:
                if len(self._inflight) >= self._handoff_limit:
                    return
                path = next(iter(self._ready))
                slot, size, mtime, stable_at = self._ready.pop(path)
                self._inflight.add(path)
            fut = self._executor.submit(self._guarded, slot, path, size, mtime, stable_at)
            fut.add_done_callback(functools.partial(self._future_done, path))

    def _future_done(self, path: Path, _future: Future[Any]) -> None:
        self._done(path)

    def _done(self, path: Path) -> None:
        with self._lock:
            self._inflight.discard(path)
        if self._ready or self._backlog_left:
            self.wake()  # a slot is free: hand off the next waiting file (or list more)

    # ------------------------------------------------------------------ per file (threads)

    def _disk_ok(self) -> bool:
        limit = int(getattr(self.config, "min_free_disk_mb", 0)) * 1024 * 1024
        if limit <= 0:
            self.stats.intake_paused = None
            return True
        now = time.monotonic()
        checked_at, free_then = self._free_space
        if now - checked_at < _FREE_SPACE_TTL and free_then >= 2 * limit:
            return True  # plenty of room a moment ago (the queue checks every write itself)
        try:
            free = shutil.disk_usage(self.config.reports_folder).free
        except OSError:
            return True
        self._free_space = (now, free)
        if free < limit:
            if not self.stats.intake_paused:
                log.error("intake paused: only %d MB free in %s (min_free_disk_mb=%s)",
                          free // (1024 * 1024), self.config.reports_folder, self.config.min_free_disk_mb)
            self.stats.intake_paused = f"low disk space: {free // (1024 * 1024)} MB free"
            return False
        if self.stats.intake_paused:
            log.info("intake resumed: disk space available again")
        self.stats.intake_paused = None
        return True

    def _guarded(self, slot: ConverterSlot, path: Path, size: int, mtime: int, stable_at: float) -> None:
        try:
            self.process_file(slot, path, size, mtime, stable_at)
        except _Stopping:
            log.debug("%s left in place: service stopping", path.name)
        except _Backpressure as exc:
            self._retry_after[path] = time.monotonic() + 5.0
            self.stats.intake_paused = str(exc)  # shown in status until a file goes through again
            log.warning("%s left in place: %s", path, exc)
        except FileNotFoundError:
            log.info("%s disappeared before it could be taken: nothing to do", shown_name(str(path)))
        except Exception as exc:
            shown = shown_name(str(path))
            failures = self._failures.get(path, 0) + 1
            if failures >= _MAX_UNEXPECTED:
                self._failures.pop(path, None)
                self._leave_alone(path, f"{type(exc).__name__}: {exc}")
                return
            self._failures[path] = failures
            delay = 5.0 * 2 ** (failures - 1)
            self._retry_after[path] = time.monotonic() + delay
            log.exception("unexpected error taking %s (left in place, tried again in %gs)", shown, delay)
            self.stats.error(f"{shown_name(path.name)}: {type(exc).__name__}: {exc}")

    def _leave_alone(self, path: Path, reason: str) -> None:
        """Report a file that cannot be handled once, and leave it where it is until it
        changes (never retried in a loop)."""
        try:
            st = path.stat()
        except OSError:
            return
        self._kept[path] = (st.st_size, st.st_mtime_ns)
        shown = shown_name(str(path))
        log.error("%s cannot be handled and is left where it is (reported once; taken again only if it "
                  "changes): %s", shown, reason)
        self.stats.error(f"{shown_name(path.name)}: left in place: {reason}")

    def process_file(self, slot: ConverterSlot, path: Path, size: int, mtime: int, stable_at: float) -> None:
        """Take one stable file through convert → queue → post action (blocking)."""
        if self.stopping.is_set():
            raise _Stopping()
        if not self._disk_ok():
            raise _Backpressure(self.stats.intake_paused or "low disk space")
        # Windows: a writer still holding the file keeps it out. POSIX has no such lock (the
        # stability gate does the work) and hashing opens the file anyway.
        if sys.platform == "win32" and not can_open_exclusively(path):
            self._retry_after[path] = time.monotonic() + float(slot.config.file_stable_seconds)
            return
        self._note_activity()
        try:
            digest = file_sha256(path)
        except FileNotFoundError:
            raise
        except OSError as exc:  # e.g. no read permission yet: try again later
            self._retry_after[path] = time.monotonic() + float(slot.config.file_stable_seconds)
            log.debug("%s not readable yet: %s", path, exc)
            return
        self._claim_digest(digest)
        try:
            self._take(slot, path, size, mtime, stable_at, digest)
        finally:
            with self._digest_free:
                self._digests.discard(digest)
                self._digest_free.notify_all()

    def _claim_digest(self, digest: str) -> None:
        """Wait while another thread takes a file with the same content: byte-identical
        files dropped together become one report (the second one then finds the first one's
        reports in the ledger), not two."""
        with self._digest_free:
            while digest in self._digests:
                if self.stopping.is_set():
                    raise _Stopping()
                self._digest_free.wait(0.5)
            self._digests.add(digest)

    def _take(self, slot: ConverterSlot, path: Path, size: int, mtime: int, stable_at: float, digest: str) -> None:
        entry = self.ledger.get(digest)
        if entry is not None and entry.state in ("queued", "left"):
            log.info("%s was already queued (same content as %s, reports %s): not uploaded again, "
                     "post action only", shown_name(path.name), entry.source, ", ".join(entry.report_ids))
            self._post_action(slot, path, size, mtime, digest, entry.report_ids)
            return
        cap_mb, cap_key = self._memory_cap(slot)
        shown = shown_name(path.name)
        stream = ReportStream(queue=self.queue, ledger=self.ledger, digest=digest, source=shown_name(str(path)),
                              converter=slot.config.name, chunk_reports=self.chunk_reports, stopping=self.stopping)
        try:
            outcome = self.pool.convert(
                slot.config.module_path,
                path,
                context=self.context_factory(slot.config),
                timeout=float(slot.config.timeout_seconds),
                memory_cap_mb=cap_mb,
                memory_cap_key=cap_key,
                on_report=stream.add,
            )
        except StreamStopped:
            raise _Stopping() from None
        except Exception as exc:  # noqa: BLE001 - storing a chunk failed (sorted out, or re-raised, there)
            self._stream_failed(exc, slot, path, stream, shown, f"the queue refused report {stream.count} of the file")
            return
        if self.stopping.is_set():
            raise _Stopping()  # a large file's held chunks are deleted at the next start
        for level, message in getattr(outcome, "logs", None) or ():
            log.log(getattr(logging, str(level), logging.INFO), "%s [%s]: %s", shown, slot.config.name, message)
        try:
            now = path.stat()
        except FileNotFoundError:
            now = None  # gone meanwhile: what was converted is still queued; no post action
        if now is not None and (now.st_size, now.st_mtime_ns) != (size, mtime):
            log.info("%s changed while it was being converted: left in place, taken again once it is stable",
                     shown)
            self._discard(stream, shown)
            return
        if not outcome.ok or not stream.count:
            reason = outcome.error or "the converter returned no report"
            self._discard(stream, shown)
            self._to_error(slot, path, reason, outcome.traceback)
            return
        if stream.streaming:
            self._finish_stream(slot, path, size, mtime, digest, stream, now is None)
            return
        # station fields (machineName, location, purpose) were filled in the worker from the
        # context (converters.runner.normalise_report): the one place they are stamped
        reports = stream.buffer
        if entry is not None and entry.state == "handing" and len(entry.report_ids) == len(reports):
            for report, rid in zip(reports, entry.report_ids):
                report["id"] = rid
        for report in reports:
            if not report.get("id"):
                report["id"] = str(uuid.uuid4())
        ids = [str(r["id"]) for r in reports]
        for rid in ids:
            self.stats.stable_at(rid, stable_at)
        try:
            self.handover.submit(digest, reports, shown_name(str(path)), slot.config.name)
        except Exception as exc:
            if self.stopping.is_set():
                raise _Stopping() from exc
            if isinstance(exc, QueueFullError):
                raise _Backpressure(str(exc)) from exc
            if isinstance(exc, (ValueError, TypeError)):
                self.ledger.forget(digest)
                self._to_error(slot, path, f"the queue refused the report: {exc}", None)
                return
            raise
        with self.stats.lock:
            slot.stats.files_converted += 1
            slot.stats.reports_queued += len(reports)
            self.stats.conversions_total += 1
        self.on_queued()
        log.debug("%s: %d report(s) queued (%s)", shown, len(reports), ", ".join(ids))
        if now is None:
            log.info("%s disappeared while it was being converted; its report(s) %s are queued", shown,
                     ", ".join(ids))
            self.ledger.left_later(digest)
            return
        try:
            self._post_action(slot, path, size, mtime, digest, ids)
        except FileNotFoundError:
            log.info("%s disappeared before its post action (%s); its report(s) are queued", shown,
                     slot.config.post_action)
            self.ledger.left_later(digest)

    def _stream_failed(
        self, exc: Exception, slot: ConverterSlot, path: Path, stream: ReportStream, shown: str, refused: str
    ) -> None:
        """Storing a file's reports failed with ``exc``: stopping (held chunks are deleted at
        the next start), back-pressure (the file stays for later), a report the queue refused
        (the file goes to Error, ``refused`` says which report) — anything else is re-raised."""
        if self.stopping.is_set():
            raise _Stopping() from exc
        if isinstance(exc, QueueFullError):
            raise _Backpressure(str(exc)) from exc
        if isinstance(exc, (ValueError, TypeError)):
            self._discard(stream, shown)
            self._to_error(slot, path, f"{refused}: {exc}", None)
            return
        raise exc

    def _discard(self, stream: ReportStream, shown: str) -> None:
        """Drop the held reports of a large file that failed (none reaches the server)."""
        if stream.streaming:
            removed = stream.discard()
            log.info("%s: %d held report(s) of the failed conversion deleted from the queue", shown, removed)

    def _finish_stream(
        self, slot: ConverterSlot, path: Path, size: int, mtime: int, digest: str, stream: ReportStream, gone: bool
    ) -> None:
        """A large file converted: release its held reports, then the post action."""
        shown = shown_name(path.name)
        try:
            count = stream.finish()
        except Exception as exc:  # noqa: BLE001 - sorted out, or re-raised, by _stream_failed
            self._stream_failed(exc, slot, path, stream, shown, "the queue refused a report of the file")
            return
        with self.stats.lock:
            slot.stats.files_converted += 1
            slot.stats.reports_queued += count
            self.stats.conversions_total += 1
        self.on_queued()
        log.info("%s: %d report(s) queued (handed over in chunks of %d)", shown, count, stream.chunk_reports)
        if gone:
            log.info("%s disappeared while it was being converted; its %d report(s) are queued", shown, count)
            self.ledger.left_later(digest)
            return
        try:
            self._post_action(slot, path, size, mtime, digest, [])
        except FileNotFoundError:
            log.info("%s disappeared before its post action (%s); its report(s) are queued", shown,
                     slot.config.post_action)
            self.ledger.left_later(digest)

    def _memory_cap(self, slot: ConverterSlot) -> tuple[int | None, str]:
        """The converter worker's memory cap for ``slot``'s files and the key that set it."""
        own = getattr(slot.config, "max_memory_mb", None)
        if own is not None:
            return (own or None), f"max_memory_mb of converter {slot.config.name!r}"
        return (getattr(self.config, "max_converter_memory_mb", None) or None), "max_converter_memory_mb"

    def _note_activity(self) -> None:
        """Tell the service it is busy (keeps converter workers alive; thread-safe)."""
        loop, activity = self._loop, self.stats.activity
        if loop is not None and activity is not None and not activity.is_set():
            try:
                loop.call_soon_threadsafe(activity.set)
            except RuntimeError:  # loop closed
                pass

    def _post_action(
        self, slot: ConverterSlot, path: Path, size: int, mtime: int, digest: str, ids: list[str]
    ) -> None:
        action = slot.config.post_action
        if action == "move":
            dst = move_unique(path, Path(slot.config.done_folder))
            log.debug("%s moved to %s", path.name, dst)
            self.ledger.left_later(digest)  # remembered as 'left' for the retention period
        elif action == "delete":
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            self.ledger.left_later(digest)
        else:
            # kept files stay 'queued' in the ledger for good: a restart never uploads them again
            self._kept[path] = (size, mtime)

    def _to_error(self, slot: ConverterSlot, path: Path, reason: str, details: str | None) -> None:
        """Move a failed source to the error folder with a readable ``NAME.error`` beside it.
        A source that vanished is reported once; one that cannot be moved is left alone."""
        shown = shown_name(path.name)
        reason = shown_name(reason)
        folder = Path(slot.config.error_folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = unique_name(folder, path.name, also=(ERROR_SUFFIX,))
            final = move_unique(path, folder, name=target.name)
        except FileNotFoundError:
            log.info("%s failed (%s) and disappeared before it could be moved to %s", shown, reason, folder)
            self._count_failure(slot, shown, reason)
            return
        except OSError as exc:
            self._count_failure(slot, shown, reason)
            self._leave_alone(path, f"conversion failed ({reason}) and it cannot be moved to {folder}: {exc}")
            return
        header = (f"{reason if reason.startswith(shown) else shown + ': ' + reason}\n"
                  f"file: {shown_name(str(final))}\n"
                  f"converter: {slot.config.name} ({slot.config.module_path})\n"
                  f"time: {time.strftime('%Y-%m-%dT%H:%M:%S%z')}")
        try:
            write_error_file(folder / sidecar_name(final.name), header, details and shown_name(details))
        except OSError as exc:
            log.error("cannot write the .error file for %s in %s: %s", shown, folder, exc)
        self._count_failure(slot, shown, reason)
        log.error("%s failed (%s): moved to %s", shown, reason, shown_name(str(final)))

    def _count_failure(self, slot: ConverterSlot, shown: str, reason: str) -> None:
        with self.stats.lock:
            slot.stats.files_failed += 1
            slot.stats.last_error = reason
            self.stats.conversions_failed += 1
            self.stats.note_error_locked(reason if reason.startswith(shown) else f"{shown}: {reason}")

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        """Stop taking files; conversions in progress leave their sources in place."""
        self.stopping.set()
        self.wake()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for file jobs still running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._inflight:
                    break
            time.sleep(0.02)
        self.handover.close()
