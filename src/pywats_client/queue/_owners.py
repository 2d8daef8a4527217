"""Liveness of queue users across processes, by exclusive locks on per-session files.

Every open :class:`~pywats_client.queue.PersistentQueue` holds an exclusive lock on
``<queue>/owners/<token>.lock`` and stamps the entries it claims with its token. Start-up
recovery moves a processing entry back to pending only when the lock of its owner can be
taken, i.e. the owner process is gone (the OS drops the lock of a killed process). So a
CLI ``queue retry`` next to a running service never steals the service's in-flight uploads.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

__all__ = ["OwnerLock", "owner_alive"]


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class OwnerLock:
    """The lock that marks this queue session as alive; release it with :meth:`release`."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.path = folder / f"{self.token}.lock"
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if sys.platform == "win32":
            os.write(self._fd, b"\0")
            os.lseek(self._fd, 0, os.SEEK_SET)
        if not _try_lock(self._fd):  # pragma: no cover - a fresh random name cannot be locked
            os.close(self._fd)
            self._fd = None
            raise OSError(f"cannot lock queue session file {self.path}")

    def release(self) -> None:
        """Drop the lock and delete the session file."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)
        try:
            self.path.unlink()
        except OSError:
            pass


def owner_alive(folder: Path, token: str | None, *, min_age: float = 0.0) -> bool:
    """True when the session ``token`` still holds its lock (its process is running).

    A dead session's file is deleted. With ``min_age``, a lock file younger than that many
    seconds counts as alive even if unlocked (its creator may not have locked it yet).
    """
    if not token:
        return False
    path = folder / f"{token}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    if min_age > 0:
        try:
            if time.time() - os.fstat(fd).st_mtime < min_age:
                os.close(fd)
                return True
        except OSError:
            pass
    try:
        if _try_lock(fd):
            _unlock(fd)
            alive = False
        else:
            alive = True
    finally:
        os.close(fd)
    if not alive:
        try:
            path.unlink()
        except OSError:
            pass
    return alive
