"""Entry point of a converter worker process (see :mod:`pywats_client.converters.pool`).

Protocol over one duplex pipe, pickled tuples:

- worker → parent once after start-up: ``("ready", pid)``
- parent → worker: ``("convert", spec, path, ContextData)`` per file,
  ``("describe", spec)`` to load a converter and report on it, or ``None`` to stop
- worker → parent per request: ``("done", ConversionOutcome | ConverterInfo, retire)``;
  ``retire`` asks the parent to replace this worker (after a MemoryError its heap is
  suspect).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from collections.abc import Sequence

__all__ = ["exit_with_parent", "worker_main"]


def exit_with_parent() -> None:
    """Exit as soon as the parent process goes away, even if user code hangs."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(conn: Connection, converter_paths: Sequence[str]) -> None:
    """Serve conversion requests from ``conn`` until told to stop or the parent leaves."""
    # The parent decides when we stop. Stop signals sent to the whole process group (Ctrl-C
    # in a console, systemd's SIGTERM to the unit's cgroup, Ctrl-Break on Windows) must not
    # kill a conversion in progress: the service would take that for a converter crash and
    # move a good file to the error folder. The pool ends workers with kill() when it must.
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, signal.SIG_IGN)
            except (OSError, ValueError):
                pass
    exit_with_parent()
    for folder in reversed(list(converter_paths)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    from pywats_client.converters.outcome import ConversionOutcome
    from pywats_client.converters.runner import convert_in_process, describe_converter

    try:  # warm the report model so the first file does not pay for it
        import pywats.models.report
        import pywats.tools  # noqa: F401
    except Exception:  # noqa: BLE001 - reported per file if really missing
        pass
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        if request[0] == "describe":
            try:
                conn.send(("done", describe_converter(request[1], converter_paths), False))
            except (EOFError, OSError):
                return
            continue
        _kind, spec, path, context = request
        outcome = convert_in_process(spec, Path(path), context=context, converter_paths=converter_paths)
        retire = bool(outcome.error and "MemoryError" in outcome.error.split(":", 1)[0])
        try:
            conn.send(("done", outcome, retire))
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a report that cannot be pickled
            conn.send(
                (
                    "done",
                    ConversionOutcome.failed(
                        f"the converter's result could not be returned: {type(exc).__name__}: {exc}",
                        logs=outcome.logs,
                        duration=outcome.duration,
                    ),
                    False,
                )
            )
        if retire:
            return
