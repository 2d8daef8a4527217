"""Watched folders: native events as hints, a periodic rescan as the truth, a stability gate.

- :class:`FolderEvents` runs a watchdog observer on the watched folders (non-recursive) and
  turns every event into a *hint* (a path to look at soon) plus a wake-up call. If the
  observer cannot start (network share, inotify limits) the rescan alone still finds files.
- :class:`StabilityTracker` decides when a file may be taken: its size and mtime must be
  unchanged for ``stable_seconds`` of our own clock (a copy that preserves mtime is still
  caught by the size check), and on Windows it must open exclusively.
- :func:`is_candidate` filters out our own ``*.error`` files, hidden files and the usual
  temporary names of writers and copy tools.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Iterator

__all__ = ["FolderEvents", "StabilityTracker", "can_open_exclusively", "is_candidate", "iter_files"]

DEFAULT_MAX_HINTS = 4096
"""Hints kept between two takes; past this the consumer is told to rescan instead."""

log = logging.getLogger("pywats_client.service.watcher")

_TEMP_SUFFIXES = (".error", ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".pywats-tmp", "~")
_TEMP_PREFIXES = (".", "~$", "~")


def is_candidate(name: str) -> bool:
    """False for files the service must never take (``*.error``, temp and hidden files)."""
    lower = name.lower()
    if lower.startswith(_TEMP_PREFIXES):
        return False
    return not lower.endswith(_TEMP_SUFFIXES)


def iter_files(folder: Path) -> Iterator[tuple[Path, int, int]]:
    """``(path, size, mtime_ns)`` of the regular candidate files directly in ``folder``, one
    at a time (a folder with 50,000 waiting files is never held as one list)."""
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if not is_candidate(entry.name):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                yield Path(entry.path), st.st_size, st.st_mtime_ns
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot list %s: %s", folder, exc)



def can_open_exclusively(path: Path) -> bool:
    """True if no other process holds the file open for writing (Windows: share mode 0).

    On POSIX there is no mandatory locking; the size/mtime gate does the work and this
    only checks that the file can be opened for reading.
    """
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        create = kernel32.CreateFileW
        create.argtypes = [
            wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
            wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE,
        ]
        create.restype = wintypes.HANDLE
        generic_read, open_existing = 0x80000000, 3
        handle = create(str(path), generic_read, 0, None, open_existing, 0, None)
        if handle in (None, wintypes.HANDLE(-1).value):
            return False
        kernel32.CloseHandle(handle)
        return True
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float
    stable_seconds: float


class StabilityTracker:
    """Tracks candidate files until their size and mtime stop changing.

    Call :meth:`observe` with a fresh ``stat`` each time the file is looked at; it returns
    True once the file was seen with the same size and mtime ``stable_seconds`` apart.
    :meth:`due` lists the files worth looking at again now, :meth:`next_deadline` when.
    """

    def __init__(self) -> None:
        self._seen: dict[Path, _Seen] = {}

    def observe(self, path: Path, size: int, mtime_ns: int, now: float, stable_seconds: float) -> bool:
        """Record a sighting; True if the file is stable now."""
        seen = self._seen.get(path)
        if seen is None or seen.size != size or seen.mtime_ns != mtime_ns:
            self._seen[path] = _Seen(size, mtime_ns, now, stable_seconds)
            return stable_seconds <= 0
        seen.stable_seconds = stable_seconds
        return now - seen.since >= stable_seconds

    def forget(self, path: Path) -> None:
        """Stop tracking ``path`` (taken, gone or not ours)."""
        self._seen.pop(path, None)

    def retain(self, alive: Iterable[Path], folder: Path) -> None:
        """Forget tracked files in ``folder`` that are no longer listed in ``alive``."""
        keep = set(alive)
        for p in [p for p in self._seen if p.parent == folder and p not in keep]:
            del self._seen[p]

    def due(self, now: float) -> list[Path]:
        """Tracked paths whose stability time has come (look at them again)."""
        return [p for p, s in self._seen.items() if s.since + s.stable_seconds <= now]

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, path: object) -> bool:
        return path in self._seen

    def next_deadline(self) -> float | None:
        """Earliest monotonic time at which a tracked file can become stable."""
        if not self._seen:
            return None
        return min(s.since + s.stable_seconds for s in self._seen.values())


class FolderEvents:
    """watchdog observer feeding path hints; ``on_hint`` is called from observer threads."""

    def __init__(
        self,
        folders: Iterable[Path],
        on_hint: Callable[[], None],
        *,
        enabled: bool = True,
        max_hints: int = DEFAULT_MAX_HINTS,
    ) -> None:
        self.folders = sorted({Path(f) for f in folders})
        self.enabled = enabled
        self.max_hints = max_hints
        self._on_hint = on_hint
        self._lock = threading.Lock()
        self._hints: set[Path] = set()
        self._overflowed = False
        self._observer: Any = None
        self.error: str | None = None

    def _add(self, path: str | bytes) -> None:
        p = Path(os.fsdecode(path))
        if not is_candidate(p.name):
            return
        with self._lock:
            first = not self._hints and not self._overflowed
            if len(self._hints) < self.max_hints:
                self._hints.add(p)
            else:  # a flood of new files: memory stays bounded, the consumer rescans instead
                self._overflowed = True
        if first:  # one wake-up per batch of hints: the consumer takes them all at once
            self._on_hint()

    def take(self) -> set[Path]:
        """Return and clear the hints collected so far."""
        with self._lock:
            hints, self._hints = self._hints, set()
        return hints

    def take_overflow(self) -> bool:
        """True (once) if hints were dropped since the last call: rescan the folders."""
        with self._lock:
            overflowed, self._overflowed = self._overflowed, False
        return overflowed

    def start(self) -> None:
        """Start the observer; on failure log it and rely on the rescan."""
        if not self.enabled:
            log.info("file events off (file_events: false): the rescan alone finds new files")
            return
        try:
            from watchdog.events import (
                FileClosedEvent,
                FileCreatedEvent,
                FileModifiedEvent,
                FileMovedEvent,
                FileSystemEvent,
                FileSystemEventHandler,
            )
            from watchdog.observers import Observer
        except ImportError as exc:  # pragma: no cover - watchdog is a client-headless dependency
            self.error = f"watchdog not available ({exc}); using the periodic rescan only"
            log.warning(self.error)
            return
        owner = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory:
                    return
                dest = getattr(event, "dest_path", None)
                if dest:
                    owner._add(dest)
                if event.event_type != "deleted" and event.event_type != "moved":
                    owner._add(event.src_path)

        observer = Observer()
        observer.daemon = True
        try:
            for folder in self.folders:
                if folder.is_dir():
                    # only what can make a file appear or change: not opens/reads (our own
                    # hashing and converting open every file, which would echo back as events)
                    observer.schedule(
                        _Handler(), str(folder), recursive=False,
                        event_filter=[FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent],
                    )
            observer.start()
        except Exception as exc:  # noqa: BLE001 - e.g. inotify watch limit: rescan still works
            self.error = f"native folder events unavailable ({type(exc).__name__}: {exc}); using the periodic rescan only"
            log.warning(self.error)
            try:
                observer.stop()
            except Exception:  # noqa: BLE001
                pass
            return
        self._observer = observer

    def stop(self) -> None:
        """Stop the observer (idempotent)."""
        observer, self._observer = self._observer, None
        if observer is not None:
            try:
                observer.stop()
                observer.join(2)
            except Exception:  # noqa: BLE001
                pass
