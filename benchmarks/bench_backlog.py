"""Backlog benchmark: the service started with N files already waiting in its watch folder.

Writes N guide-layout CSV files (default 50,000) into the watched folder, starts the local
server and the station service (real processes) and samples the service's resident memory
(the service process alone, and with its child processes) every 0.2 s for ``--seconds``
(default 60), then stops it. Prints one JSON line per figure:

- ``backlog_peak_rss_mb`` / ``backlog_peak_rss_with_children_mb``;
- ``backlog_files_done``: files uploaded within the window (throughput under a backlog);
- ``backlog_first_upload_s``: from service start to the first acknowledged upload;
- ``backlog_stop_seconds``.

Usage: ``python benchmarks/bench_backlog.py [--files 50000] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import psutil

from pywats_client.service.testing import ServiceProcess, guide_csv, write_config
from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=50_000)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pywats-backlog-") as tmp:
        root = Path(tmp)
        incoming = root / "Incoming"
        incoming.mkdir()
        t0 = time.monotonic()
        for i in range(args.files):
            (incoming / f"unit{i:06d}.csv").write_text(guide_csv(f"BACKLOG-{i:06d}"), encoding="utf-8")
        emit("backlog_write_seconds", time.monotonic() - t0, "s", files=args.files)
        with start_server(root / "server.db", tokens=[DEFAULT_TEST_TOKEN]) as srv:
            write_config(root / "home", "backlog", service_address=srv.url, api_token=DEFAULT_TEST_TOKEN,
                         process_sync_enabled=False, health_check_interval=5.0,
                         converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(incoming),
                                      "file_patterns": ["*.csv"], "file_stable_seconds": 0.2}])
            svc = ServiceProcess(root / "home", "backlog").start()
            assert svc.process is not None
            started = time.monotonic()
            proc = psutil.Process(svc.process.pid)
            peak = peak_all = 0.0
            first_upload: float | None = None
            status = None
            next_status = started
            while time.monotonic() - started < args.seconds:
                try:
                    rss = proc.memory_info().rss
                    total = rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                except psutil.Error:
                    break
                peak, peak_all = max(peak, rss / 1e6), max(peak_all, total / 1e6)
                if time.monotonic() >= next_status:
                    status = svc.status() or status
                    next_status = time.monotonic() + 1.0
                    if first_upload is None and status and status.get("uploads_total", 0) > 0:
                        first_upload = time.monotonic() - started
                time.sleep(0.2)
            status = svc.status() or status
            code, stop_s = svc.stop(timeout=60)
        emit("backlog_peak_rss_mb", peak, "MB", files=args.files, window_s=args.seconds)
        emit("backlog_peak_rss_with_children_mb", peak_all, "MB")
        emit("backlog_files_done", float((status or {}).get("uploads_total", 0)), "files", window_s=args.seconds)
        emit("backlog_first_upload_s", first_upload if first_upload is not None else -1.0, "s")
        emit("backlog_stop_seconds", stop_s, "s", exit_code=code)


if __name__ == "__main__":
    main()
