"""One running service per instance: an OS-level lock on ``<instance_dir>/service.lock``.

``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows. The OS releases the lock when the
process dies, however it dies, so a crashed service never blocks its restart.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

__all__ = ["InstanceLock", "InstanceLocked"]


class InstanceLocked(RuntimeError):
    """Another process holds the instance lock."""


class InstanceLock:
    """Exclusive, non-blocking lock on a file; holder's pid is written into it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`InstanceLocked` naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open while the lock is held
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                fh.seek(0)
                holder = fh.read().strip() or "unknown"
            except OSError:
                holder = "unknown"
            fh.close()
            raise InstanceLocked(f"pid {holder}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Release the lock (idempotent)."""
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
                except OSError:
                    pass
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
