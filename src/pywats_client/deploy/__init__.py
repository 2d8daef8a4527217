"""Install the station service under the platform's service manager.

``pywats-client install-service --instance-id ID`` registers ``pywats-client service
--instance-id ID`` (the same code) with:

- Windows: the Service Control Manager, as ``pyWATS-Client-<ID>`` (:mod:`.windows`);
- Linux: systemd, as the template unit ``pywats-client@.service`` plus a drop-in per
  instance (:mod:`.systemd`);
- macOS: launchd, as ``com.pywats.client.<ID>`` (:mod:`.launchd`).

Each platform module builds a plan first (what would be written, registered, run); ``--dry-run``
prints it, otherwise it is applied. :mod:`.container` is the container image's entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Sequence

from pywats_client.queue._fs import write_durable

__all__ = ["DeployError", "FileToWrite", "Plan", "interpreter", "pythonpath_for_service"]


class DeployError(RuntimeError):
    """Installing or removing the service failed (the message says what and where)."""


@dataclass(frozen=True)
class FileToWrite:
    """A file the plan writes (parent folders are created)."""

    path: Path
    text: str
    mode: int = 0o644
    owner: str | None = None
    """User name to give the file to (POSIX, when running as root); None = leave as created."""


@dataclass
class Plan:
    """What an install or uninstall does: folders, files, removals, commands (in this order)."""

    title: str
    stop_first: list[tuple[str, ...]] = field(default_factory=list)
    """Commands run before anything else (stopping the service before its files go)."""
    folders: list[tuple[Path, str | None]] = field(default_factory=list)
    """Folders to create if missing, with the user to give them to (None = unchanged)."""
    files: list[FileToWrite] = field(default_factory=list)
    remove: list[Path] = field(default_factory=list)
    commands: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Next steps for the operator, printed after the plan."""

    def render(self) -> str:
        """The plan as text (``--dry-run`` prints this; file contents in full)."""
        out = [self.title]
        for argv in self.stop_first:
            out.append("run " + " ".join(argv))
        for folder, owner in self.folders:
            out.append(f"create folder {folder}" + (f" (owner {owner})" if owner else ""))
        for f in self.files:
            out.append(f"write {f.path} (mode {f.mode:04o}" + (f", owner {f.owner})" if f.owner else ")"))
            out.extend("    " + line if line else "" for line in f.text.rstrip("\n").splitlines())
        for path in self.remove:
            out.append(f"remove {path}")
        for argv in self.commands:
            out.append("run " + " ".join(argv))
        out.extend(self.notes)
        return "\n".join(out) + "\n"

    def apply(self, run: Callable[[Sequence[str]], int] | None = None) -> None:
        """Carry the plan out; ``run`` executes a command and returns its exit code."""
        runner = run or _run
        for argv in self.stop_first:
            runner(argv)  # best effort: the service may not be loaded/running any more
        for folder, owner in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            _chown(folder, owner)
        for f in self.files:
            f.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.path.with_name(f".{f.path.name}.tmp")
            write_durable(tmp, f.text.encode("utf-8"), mode=f.mode)
            if sys.platform != "win32":
                os.chmod(tmp, f.mode)
            _chown(tmp, f.owner)
            os.replace(tmp, f.path)
        for path in self.remove:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        for argv in self.commands:
            code = runner(argv)
            if code != 0:
                raise DeployError(f"`{' '.join(argv)}` failed with exit code {code}")


def _run(argv: Sequence[str]) -> int:
    return subprocess.run(list(argv), check=False).returncode


def _chown(path: Path, owner: str | None) -> None:
    if owner is None or sys.platform == "win32":
        return
    else:
        if os.geteuid() != 0:
            return
        import pwd

        try:
            entry = pwd.getpwnam(owner)
        except KeyError:
            raise DeployError(f"no such user {owner!r} (for {path})") from None
        os.chown(path, entry.pw_uid, entry.pw_gid)


def interpreter() -> Path:
    """The Python interpreter the service is to run with: this one, as invoked (a virtual
    environment's ``bin/python`` is kept as it is, not resolved to the base interpreter)."""
    exe = Path(sys.executable or "")
    if not exe.is_absolute() or not exe.exists():
        raise DeployError(f"cannot tell which Python runs pywats-client (sys.executable is {sys.executable!r})")
    return exe


def pythonpath_for_service() -> str | None:
    """The folder to put on ``PYTHONPATH`` when ``pywats_client`` is not installed in the
    interpreter's own site-packages (a source checkout), else None."""
    import sysconfig

    import pywats_client

    package_parent = Path(pywats_client.__file__).resolve().parent.parent
    installed = {Path(p).resolve() for key in ("purelib", "platlib") if (p := sysconfig.get_paths().get(key))}
    return None if package_parent in installed else str(package_parent)
