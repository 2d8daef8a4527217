"""File-system helpers of the queue: durable writes, directory fsync, free space."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = ["write_durable", "fsync_dir", "disk_free_bytes", "CAN_FSYNC_DIR"]

#: Directories can be opened and fsync'd on POSIX; on Windows ``os.open`` on a folder fails
#: (NTFS makes a rename's directory entry durable with the metadata journal instead).
CAN_FSYNC_DIR = sys.platform != "win32"


def write_durable(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` and fsync it (the caller renames it into place)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o644)
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
