"""File-system helpers of the queue: durable writes, directory fsync, free space, and a
rename that rides out Windows' transient sharing violations (:func:`replace_file`).

This module imports nothing from the rest of pyWATS, so the configuration code can use
:func:`replace_file` too without an import cycle.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

__all__ = [
    "write_durable",
    "fsync_dir",
    "disk_free_bytes",
    "replace_file",
    "remove_file",
    "CAN_FSYNC_DIR",
    "REPLACE_RETRY_SECONDS",
]

#: How long :func:`replace_file` keeps retrying a rename refused with PermissionError on
#: Windows before it gives up and raises that error.
REPLACE_RETRY_SECONDS = 2.0
_FIRST_DELAY = 0.01
_MAX_DELAY = 0.25

# Indirections so tests can run the retry loop on a fake clock.
_monotonic = time.monotonic
_sleep = time.sleep

#: Directories can be opened and fsync'd on POSIX; on Windows ``os.open`` on a folder fails
#: (NTFS makes a rename's directory entry durable with the metadata journal instead).
CAN_FSYNC_DIR = sys.platform != "win32"


def write_durable(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Create ``path`` with ``data`` and fsync it (the caller renames it into place)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make the entries of folder ``path`` durable (no-op where the OS cannot do it)."""
    if not CAN_FSYNC_DIR:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_free_bytes(path: Path) -> int:
    """Free bytes (usable by this user) on the volume that holds ``path``."""
    return shutil.disk_usage(path).free


def replace_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], *, retry_seconds: float | None = None) -> None:
    """``os.replace(src, dst)``, retried on Windows while another process holds a file open.

    On NTFS a rename fails with PermissionError (sharing violation / access denied) while
    any process (antivirus, search indexer, backup agent, an editor, the CLI reading a
    queued report) has ``src`` or ``dst`` open without delete sharing; those holds are
    short. On Windows this retries with a growing pause (10 ms doubling up to 250 ms) for
    at most ``retry_seconds`` (default :data:`REPLACE_RETRY_SECONDS`), then re-raises the
    last PermissionError unchanged. Elsewhere, and for every other error (e.g.
    FileNotFoundError), the error is raised at once.
    """
    budget = REPLACE_RETRY_SECONDS if retry_seconds is None else retry_seconds
    deadline: float | None = None
    delay = _FIRST_DELAY
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if sys.platform != "win32":
                raise
            now = _monotonic()
            if deadline is None:
                deadline = now + budget
            remaining = deadline - now
            if remaining <= 0:
                raise
            _sleep(min(delay, remaining))
            delay = min(delay * 2, _MAX_DELAY)


def remove_file(path: str | os.PathLike[str]) -> bool:
    """Delete ``path``; True if it is gone (also if it was already), False if the OS refused.

    Refusal (PermissionError) is what Windows answers while another process has the file
    open; the caller leaves the file for a later clean-up instead of failing. Other errors
    are raised.
    """
    try:
        os.unlink(path)
    except FileNotFoundError:
        return True
    except PermissionError:
        return False
    return True
