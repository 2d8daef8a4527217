"""Import-check the configured converters in a throw-away process: :class:`ConverterCheck`.

User code never runs in the service process. At start and on reload the service imports
every converter once in a separate process to learn its ``file_patterns`` or the reason it
does not load (file, line, reason). The check can be cancelled from another thread — a
stop request during start-up kills the check process at once instead of waiting for a
converter whose import hangs.
"""

from __future__ import annotations

import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from pywats_client.converters.child import ChildProcess, ChildStartError, start_child

__all__ = ["CheckCancelled", "ConverterCheck", "check_converters"]

CheckResult = dict[str, dict[str, Any]]


class CheckCancelled(Exception):
    """:meth:`ConverterCheck.cancel` was called while the check ran."""


def _check_in_child(conn: Connection, specs: list[str], converter_paths: list[str]) -> None:
    """Runs in the throw-away process: try to import every converter spec, send the result.
    (A hanging import does not outlive a service that was killed: see
    :mod:`pywats_client.converters.child`.)"""
    from pywats_client.converters import ConverterLoadError, load_converter

    out: CheckResult = {}
    for spec in specs:
        try:
            cls = load_converter(spec, converter_paths)
            out[spec] = {"patterns": [str(p) for p in cls().file_patterns]}
        except ConverterLoadError as exc:
            out[spec] = {"message": str(exc), "file": exc.file, "line": exc.line, "reason": exc.reason}
        except BaseException as exc:  # noqa: BLE001 - anything user code raises is a load error
            out[spec] = {"message": f"{spec}: {type(exc).__name__}: {exc}", "file": None, "line": None,
                         "reason": f"{type(exc).__name__}: {exc}"}
    conn.send(out)
    conn.close()


def _failed(specs: list[str], reason: str) -> CheckResult:
    return {s: {"message": f"{s}: {reason}", "file": None, "line": None, "reason": reason} for s in specs}


class ConverterCheck:
    """One import check of ``specs``; :meth:`run` blocks, :meth:`cancel` stops it from
    any thread."""

    def __init__(self, specs: list[str], converter_paths: list[str], timeout: float = 60.0) -> None:
        self.specs = list(specs)
        self.converter_paths = list(converter_paths)
        self.timeout = float(timeout)
        self._cancelled = threading.Event()
        self._process: ChildProcess | None = None
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Kill the check process (if any); :meth:`run` raises :class:`CheckCancelled`."""
        with self._lock:
            self._cancelled.set()
            process = self._process
        if process is not None:
            process.kill()

    def run(self) -> CheckResult:
        """``{spec: {"patterns": [...]}}`` for a converter that loads (its own
        ``file_patterns``), ``{spec: {"message", "file", "line", "reason"}}`` for one that
        does not."""
        if not self.specs:
            return {}
        with self._lock:
            if self._cancelled.is_set():
                raise CheckCancelled()
            process = start_child(f"{__name__}:_check_in_child", [self.specs, self.converter_paths])
            self._process = process
        deadline = time.monotonic() + self.timeout
        try:
            try:
                conn = process.connect(self.timeout)
            except ChildStartError as exc:
                if self._cancelled.is_set():
                    raise CheckCancelled() from None
                return _failed(self.specs, f"the import check could not start: {exc}")
            arrived = conn.poll(max(0.0, deadline - time.monotonic()))
            if self._cancelled.is_set():
                raise CheckCancelled()
            if arrived:
                try:
                    result: CheckResult = conn.recv()
                    return result
                except (EOFError, OSError):
                    if self._cancelled.is_set():
                        raise CheckCancelled() from None
                    process.join(5)
                    return _failed(
                        self.specs, f"importing the converter crashed its process (exit code {process.exitcode})"
                    )
            return _failed(self.specs, f"importing the converter took longer than {self.timeout:g}s")
        finally:
            process.kill()
            process.join(5)


def check_converters(specs: list[str], converter_paths: list[str], timeout: float = 60.0) -> CheckResult:
    """Import-check ``specs`` in a separate process (see :class:`ConverterCheck`)."""
    return ConverterCheck(specs, converter_paths, timeout).run()
