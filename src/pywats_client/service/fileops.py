"""File moves for the watched folders: never overwrite, work across file systems, fsync.

- :func:`move_unique` moves a source into done/ or error/ under a name that does not exist
  yet (``name.csv``, then ``name (1).csv``, ``name (2).csv`` …). On POSIX it hard-links then
  unlinks (``link`` fails instead of overwriting); on Windows ``os.rename`` refuses to
  overwrite. When the target is on another file system (``EXDEV``) or links are not
  supported, it copies to a temporary file, fsyncs, renames into place and unlinks the source.
- :func:`write_error_file` writes ``NAME.error`` (reason + traceback) durably;
  :func:`sidecar_name` shortens ``NAME.error`` for a name at the file system's length limit.
- :func:`shown_name` is a file name as logs, status and ``.error`` files show it: names that
  are not valid UTF-8 (possible on POSIX) show their odd bytes as ``\\xNN``.
- :func:`file_sha256` hashes a file's content.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sys
from pathlib import Path

__all__ = [
    "ERROR_SUFFIX",
    "NAME_MAX",
    "file_sha256",
    "fsync_dir",
    "move_unique",
    "name_length",
    "shown_name",
    "sidecar_name",
    "unique_name",
    "write_error_file",
]

ERROR_SUFFIX = ".error"
#: Longest file name: 255 bytes on Linux/macOS file systems, 255 UTF-16 units on NTFS.
NAME_MAX = 255

_NO_LINK = {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def shown_name(name: str) -> str:
    """``name`` as text that can be logged and written as UTF-8: bytes that are not valid
    UTF-8 in a POSIX file name appear as ``\\xNN`` (lone surrogates on Windows as ``\\udNNN``)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    if sys.platform != "win32":
        try:
            return os.fsencode(name).decode("utf-8", "backslashreplace")
        except UnicodeError:
            pass
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def name_length(name: str) -> int:
    """Length of a file name as the file system counts it (bytes; UTF-16 units on Windows)."""
    if sys.platform == "win32":
        return len(name.encode("utf-16-le", "surrogatepass")) // 2
    try:
        return len(os.fsencode(name))
    except UnicodeError:
        return len(name.encode("utf-8", "surrogatepass"))


def _fit(stem: str, tail: str, limit: int = NAME_MAX) -> str:
    """``stem + tail``, the stem shortened until the whole fits ``limit``."""
    while stem and name_length(stem + tail) > limit:
        stem = stem[:-1]
    return stem + tail


def sidecar_name(name: str, suffix: str = ERROR_SUFFIX) -> str:
    """``name + suffix``; for a name at the length limit a shortened name that stays unique
    (``<start of name>~<hash>.error``): the ``.error`` file's first line names the file."""
    if name_length(name + suffix) <= NAME_MAX:
        return name + suffix
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return _fit(name, f"~{digest}{suffix}")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's content."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make directory entries in ``folder`` durable (no-op on Windows)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def unique_name(folder: Path, name: str, *, also: tuple[str, ...] = ()) -> Path:
    """First of ``name``, ``stem (1).ext``, ``stem (2).ext`` … that does not exist in ``folder``.

    ``also`` lists extra suffixes that must be free too (``(".error",)`` reserves
    ``NAME.error`` beside it, see :func:`sidecar_name`). Numbered names stay within the file
    system's name length (the stem is shortened).
    """
    p = Path(name)
    stem, suffix = p.stem, p.suffix
    n = 0
    while True:
        candidate = folder / (name if n == 0 else _fit(stem, f" ({n}){suffix}"))
        if not candidate.exists() and not any(
            (folder / sidecar_name(candidate.name, extra)).exists() for extra in also
        ):
            return candidate
        n += 1


def _copy_then_unlink(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.pywats-tmp")
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    try:
        shutil.copystat(src, tmp)
    except OSError:
        pass
    if dst.exists():  # someone else took the name meanwhile: keep both
        tmp_target = unique_name(dst.parent, dst.name)
    else:
        tmp_target = dst
    os.replace(tmp, tmp_target)
    fsync_dir(dst.parent)
    os.unlink(src)
    fsync_dir(src.parent)


def _already_linked(src: Path, folder: Path, base: str) -> Path | None:
    """A name in ``folder`` that is the same file as ``src`` (a move interrupted after link)."""
    if sys.platform == "win32":
        return None
    p = Path(base)
    for n in range(1000):
        candidate = folder / (base if n == 0 else _fit(p.stem, f" ({n}){p.suffix}"))
        if not candidate.exists():
            return None
        try:
            if os.path.samefile(src, candidate):
                return candidate
        except OSError:
            return None
    return None


def move_unique(src: Path, folder: Path, *, name: str | None = None, also: tuple[str, ...] = ()) -> Path:
    """Move ``src`` into ``folder`` without overwriting anything; return the final path.

    ``name`` defaults to ``src.name``; a numbered suffix is added when taken. Works across
    file systems (copy + fsync + unlink). If ``src`` was already linked to the target by an
    interrupted earlier move, the source is simply removed.
    """
    base = name or src.name
    if sys.platform != "win32" and not also:
        # the usual case first, in two system calls: the name is free and the folder exists
        first = folder / base
        try:
            os.link(src, first)
        except OSError:
            pass  # name taken, folder missing, no hard links, ...: the careful path below
        else:
            os.unlink(src)
            return first
    folder.mkdir(parents=True, exist_ok=True)
    linked = _already_linked(src, folder, base)
    if linked is not None:
        os.unlink(src)
        return linked
    for _ in range(10000):
        dst = unique_name(folder, base, also=also)
        if sys.platform == "win32":
            try:
                os.rename(src, dst)  # refuses to overwrite on Windows
                return dst
            except FileExistsError:
                continue
            except OSError as exc:
                if getattr(exc, "winerror", None) == 17 or exc.errno == errno.EXDEV:
                    _copy_then_unlink(src, dst)
                    return dst
                raise
        try:
            os.link(src, dst)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno in _NO_LINK:
                _copy_then_unlink(src, dst)
                return dst
            raise
        # no directory fsync needed: if the move is lost (power failure) the source comes
        # back, its content hash is found in the queue and only the move is redone
        os.unlink(src)
        return dst
    raise OSError(f"no free name for {base} in {folder}")


def write_error_file(path: Path, reason: str, details: str | None) -> None:
    """Write ``path`` (a ``NAME.error`` file) with the reason and details, durably."""
    text = f"{reason}\n"
    if details:
        text += "\n" + details.rstrip() + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
