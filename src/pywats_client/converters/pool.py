"""Run converters in isolated, reusable worker processes: :class:`ConverterPool`.

Each conversion runs in a worker process: a child interpreter started by
:func:`pywats_client.converters.child.start_child` (a fresh interpreter on every platform,
like multiprocessing's ``spawn``, but without its resource-tracker process). Workers start
lazily, stay alive between files and cache the converter classes they import, so a file
costs one round trip over the worker's connection.
A converter that crashes its process (``os._exit``, a segfault) or hangs past the timeout
fails only that file: the worker is killed if needed and a new one is started on demand.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable, Sequence

from pywats_client.converters.child import ChildConnection, ChildProcess, ChildStartError, describe_exit, start_child
from pywats_client.converters.context import ContextData
from pywats_client.converters.memory import MemoryCap
from pywats_client.converters.outcome import ConversionOutcome
from pywats_client.converters.runner import ConverterInfo

__all__ = ["ConverterPool"]

_WORKER_MAIN = "pywats_client.converters._worker:worker_main"


@dataclass(eq=False)
class _Worker:
    process: ChildProcess
    ready: bool = False
    pid: int | None = None

    @property
    def conn(self) -> ChildConnection:
        assert self.process.conn is not None, "used before _await_ready()"
        return self.process.conn

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)


class ConverterPool:
    """A pool of at most ``max_workers`` converter processes.

    ``convert()`` is blocking and thread-safe: call it from up to ``max_workers`` threads
    at once (more callers wait for a free worker). ``converter_paths`` are folders put on
    each worker's ``sys.path``. ``startup_timeout`` bounds a new worker's start-up (not
    counted in a conversion's ``timeout``).
    """

    def __init__(
        self,
        max_workers: int,
        *,
        converter_paths: Sequence[str | Path] = (),
        startup_timeout: float = 60.0,
    ) -> None:
        if int(max_workers) < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers!r}")
        self.max_workers = int(max_workers)
        self.converter_paths = [str(Path(p)) for p in converter_paths]
        self.startup_timeout = startup_timeout
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._count = 0
        self._closed = False
        self.workers_started = 0

    # -- public -----------------------------------------------------------------------
    def convert(
        self,
        spec: str,
        path: str | Path,
        *,
        context: ContextData,
        timeout: float | None,
        memory_cap_mb: int | None = None,
        memory_cap_key: str = "max_converter_memory_mb",
        on_report: Callable[[dict[str, Any]], None] | None = None,
    ) -> ConversionOutcome:
        """Convert ``path`` with the converter ``spec`` in a worker process.

        Returns a :class:`ConversionOutcome`; never raises for converter problems (load
        errors, exceptions, crashes, timeouts all become ``ok=False``). ``timeout`` is
        the wall-clock limit in seconds for this file (``None``: no limit).
        ``memory_cap_mb`` caps the worker's memory for this file (``None``/``0``: no cap;
        see :mod:`pywats_client.converters.memory`); a conversion that needs more fails
        with a reason naming ``memory_cap_key``, and the worker is replaced.
        ``on_report``: called with each report as it arrives from the worker, instead of
        collecting them in ``outcome.reports`` (``outcome.report_count`` still counts
        them); a failed outcome then means the reports already handed over must be
        discarded.

        Raises:
            RuntimeError: if the pool is closed.
        """
        t0 = time.perf_counter()
        cap = MemoryCap(memory_cap_mb, memory_cap_key) if memory_cap_mb else None
        request = ("convert", spec, str(path), context, cap)
        return self._request(request, timeout, t0, cap, on_report)  # type: ignore[return-value]

    def describe(self, spec: str, *, timeout: float | None = 60.0) -> ConverterInfo:
        """Load ``spec`` in a worker and return its name and file patterns, or why it failed.

        Use this at service start instead of importing user converters in the service
        process: an import that crashes or hangs then costs a worker, not the service.
        """
        t0 = time.perf_counter()
        result = self._request(("describe", spec), timeout, t0)
        if isinstance(result, ConversionOutcome):  # the worker died, hung or did not start
            return ConverterInfo(False, error=f"{spec}: {result.error}", reason=result.error)
        return result

    def _request(
        self,
        request: tuple[Any, ...],
        timeout: float | None,
        t0: float,
        cap: MemoryCap | None = None,
        on_report: Callable[[dict[str, Any]], None] | None = None,
    ) -> ConversionOutcome | ConverterInfo:
        for _attempt in range(3):
            worker = self._acquire()
            healthy = False
            try:
                if not worker.ready:
                    failure = self._await_ready(worker)
                    if failure is not None:
                        return self._stamp(failure, t0)
                try:
                    worker.conn.send(request)
                except (OSError, EOFError):
                    continue  # the idle worker had died; nothing was converted, use a new one
                except Exception as exc:  # noqa: BLE001 - unpicklable context: not the worker's fault
                    healthy = True
                    return self._stamp(
                        ConversionOutcome.failed(
                            f"the conversion request could not be sent: {type(exc).__name__}: {exc}"
                        ),
                        t0,
                    )
                outcome, healthy = self._await_result(worker, timeout, cap, on_report)
                return outcome
            finally:
                self._release(worker, healthy)
        return self._stamp(ConversionOutcome.failed("no converter worker could be started"), t0)

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for diagnostics and tests)."""
        with self._cond:
            return sorted(w.pid for w in self._all if w.pid is not None and w.process.is_alive())

    def recycle(self) -> None:
        """Stop the idle workers; new ones (with fresh imports) start on demand."""
        with self._cond:
            idle, self._idle = self._idle, []
        for worker in idle:
            self._stop(worker)
            self._forget(worker)

    def close(self, timeout: float = 5.0) -> None:
        """Stop every worker (idle ones politely, busy ones by force). Idempotent."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            everyone = list(self._all)
            self._cond.notify_all()
        for worker in idle:
            try:
                worker.conn.send(None)
            except (OSError, EOFError, ValueError):
                pass
        deadline = time.monotonic() + timeout
        for worker in everyone:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            worker.kill()

    def __enter__(self) -> ConverterPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------
    @staticmethod
    def _stamp(outcome: ConversionOutcome, t0: float) -> ConversionOutcome:
        outcome.duration = time.perf_counter() - t0
        return outcome

    def _acquire(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("ConverterPool is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        return worker
                    self._all.discard(worker)
                    self._count -= 1
                    worker.kill()
                if self._count < self.max_workers:
                    self._count += 1
                    break
                self._cond.wait()
        try:
            return self._spawn()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _spawn(self) -> _Worker:
        worker = _Worker(process=start_child(_WORKER_MAIN, [self.converter_paths]))
        with self._cond:
            self._all.add(worker)
            self.workers_started += 1
        return worker

    def _await_ready(self, worker: _Worker) -> ConversionOutcome | None:
        try:
            worker.process.connect(self.startup_timeout)
        except ChildStartError as exc:
            return ConversionOutcome.failed(f"converter worker failed to start: {exc}")
        try:
            if worker.conn.poll(self.startup_timeout):
                tag, pid = worker.conn.recv()
                if tag == "ready":
                    worker.ready = True
                    worker.pid = int(pid)
                    return None
        except (EOFError, OSError):
            pass
        worker.kill()
        if worker.process.exitcode is None:
            return ConversionOutcome.failed(
                f"converter worker did not start within {self.startup_timeout:g}s"
            )
        return ConversionOutcome.failed(
            f"converter worker failed to start ({describe_exit(worker.process.exitcode)})"
        )

    def _await_result(
        self,
        worker: _Worker,
        timeout: float | None,
        cap: MemoryCap | None = None,
        on_report: Callable[[dict[str, Any]], None] | None = None,
    ) -> tuple[ConversionOutcome | ConverterInfo, bool]:
        t0 = time.perf_counter()
        deadline = None if timeout is None else time.monotonic() + timeout
        reports: list[dict[str, Any]] = []
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                arrived = worker.conn.poll(remaining)
            except (OSError, EOFError):
                arrived = True
            if not arrived:
                worker.kill()
                return (
                    self._stamp(ConversionOutcome.failed(f"converter timed out after {timeout:g}s"), t0),
                    False,
                )
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                return self._died(worker, t0, cap), False
            if message[0] == "report":
                if on_report is not None:
                    on_report(message[1])
                else:
                    reports.append(message[1])
                continue
            _tag, outcome, retire = message
            if isinstance(outcome, ConversionOutcome) and outcome.ok and reports:
                outcome.reports = reports + list(outcome.reports)
            return outcome, not retire

    def _died(self, worker: _Worker, t0: float, cap: MemoryCap | None) -> ConversionOutcome:
        worker.process.join(5)
        code = worker.process.exitcode
        worker.kill()
        hint = ""
        if cap is not None:
            hint = f"; it may have hit the memory cap of {cap.mb} MB ({cap.key})"
        return self._stamp(
            ConversionOutcome.failed(
                f"converter process died while converting ({describe_exit(code)}){hint}",
                traceback=(
                    "The worker process ended without answering; the converter (or a "
                    "library it uses) crashed the interpreter, called os._exit() or was "
                    f"killed. Process {worker.pid}: {describe_exit(code)}."
                ),
            ),
            t0,
        )

    def _release(self, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            if healthy and not self._closed and worker.process.is_alive():
                self._idle.append(worker)
                self._cond.notify()
                return
        if healthy:
            self._stop(worker)
        else:
            worker.kill()
        self._forget(worker)

    def _stop(self, worker: _Worker) -> None:
        try:
            worker.conn.send(None)
            worker.process.join(2)
        except (OSError, EOFError, ValueError):
            pass
        worker.kill()

    def _forget(self, worker: _Worker) -> None:
        with self._cond:
            if worker in self._all:
                self._all.discard(worker)
                self._count -= 1
                self._cond.notify()
