"""Entry point of a converter worker process (see :mod:`pywats_client.converters.pool`).

Started by :func:`pywats_client.converters.child.start_child`, which also ends the worker
when the service goes away. Protocol over one duplex connection, pickled tuples:

- worker → parent once after start-up: ``("ready", pid)``
- parent → worker: ``("convert", spec, path, ContextData, MemoryCap | None)`` per file,
  ``("describe", spec)`` to load a converter and report on it, or ``None`` to stop
- worker → parent while converting: ``("report", dict)`` for each report as soon as it is
  ready (so the worker holds one report at a time; the parent collects them)
- worker → parent per request: ``("done", ConversionOutcome | ConverterInfo, retire)``;
  ``retire`` asks the parent to replace this worker (after a MemoryError its heap is
  suspect). A failed outcome cancels the reports sent before it.
"""

from __future__ import annotations

import os
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from collections.abc import Sequence

__all__ = ["worker_main"]


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
    for folder in reversed(list(converter_paths)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    from pywats_client.converters.memory import memory_cap_message, set_memory_cap
    from pywats_client.converters.outcome import ConversionOutcome
    from pywats_client.converters.runner import convert_in_process, describe_converter

    try:  # warm the report model so the first file does not pay for it
        import pywats.models.report
        import pywats.tools  # noqa: F401
    except Exception:  # noqa: BLE001 - reported per file if really missing
        pass
    conn.send(("ready", os.getpid()))
    warned_cap = False
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
        _kind, spec, path, context = request[:4]
        cap = request[4] if len(request) > 4 else None
        capped = cap is not None and cap.mb > 0 and set_memory_cap(cap.mb)
        cap_refused = cap is not None and cap.mb > 0 and not capped

        def send_report(report: dict[str, Any]) -> None:
            conn.send(("report", report))

        try:
            outcome = convert_in_process(
                spec, Path(path), context=context, converter_paths=converter_paths, sink=send_report
            )
        except (EOFError, OSError):
            return  # the parent went away while reports were being sent
        except MemoryError:  # e.g. while pickling a report for the pipe
            outcome = ConversionOutcome.failed("converter raised MemoryError while returning its reports")
        finally:
            if capped:
                set_memory_cap(None)
        if cap_refused and cap is not None and not warned_cap:
            warned_cap = True  # once per worker
            outcome.logs.append(("WARNING", f"the memory cap of {cap.mb} MB ({cap.key}) could not be set here"))
        retire = bool(outcome.error and "MemoryError" in outcome.error)
        if retire and capped and cap is not None:
            outcome.traceback = f"{outcome.error}\n\n{outcome.traceback or ''}".rstrip()
            outcome.error = memory_cap_message(cap)
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
