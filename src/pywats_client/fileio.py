"""Atomic file replacement for the station client's own small files (config, control
secret and port file, process cache): :func:`write_atomic`.

Readers see the old or the new content, never a mix; after return the new content and its
directory entry are durable. ``private=True`` creates the file readable by its owner only
(mode 0600 on POSIX; on Windows the files live in the user's own profile folder).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from pywats_client.queue._fs import fsync_dir, replace_file, write_durable

__all__ = ["write_atomic"]


def write_atomic(path: Path | str, data: bytes | str, *, private: bool = False) -> Path:
    """Replace ``path`` by ``data`` (str is written as UTF-8): temp file in the same folder,
    fsync, rename (retried while Windows holds the target open), folder fsync. Creates the
    folder if needed; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write_durable(tmp, raw, mode=0o600 if private else 0o644)
        if private and sys.platform != "win32":
            os.chmod(tmp, 0o600)  # also when a stale temp file of that name existed
        replace_file(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    fsync_dir(target.parent)
    return target
