"""Idle footprint of the station service right after start (no files dropped).

Starts the local WATS server and the station service (real processes, one CSV converter
watching an empty folder), waits until the service is ONLINE with its converter running,
lets it settle (``--settle-seconds``: the service gives memory back 3 s after its last
activity) and measures the resident memory of the service process and of every child
process it keeps (converter workers; there is no other child).

Prints one JSON line: ``station_idle_after_start_rss_mb`` (service + children), with the
service's file-backed resident memory (Linux; the rest is heap and stacks) and the shared
libraries / extension modules holding the most file-backed resident memory (where
the platform lets psutil list memory maps).
Usage: ``python benchmarks/bench_idle.py [--settle-seconds 6]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import psutil

from pywats_client.service.testing import ServiceProcess, write_config
from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--settle-seconds", type=float, default=6.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_idle_") as tmp_s:
        tmp = Path(tmp_s)
        home, incoming = tmp / "home", tmp / "Incoming"
        incoming.mkdir(parents=True)
        with start_server(tmp / "wats.db", tokens=[DEFAULT_TEST_TOKEN]) as srv:
            write_config(
                home,
                "idle",
                service_address=srv.url,
                api_token=DEFAULT_TEST_TOKEN,
                station_name="IDLE-01",
                process_sync_enabled=False,
                converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(incoming),
                             "file_patterns": ["*.csv"]}],
            )
            with ServiceProcess(home, "idle") as svc:
                svc.start()
                svc.wait_for(
                    lambda s: s["state"] == "ONLINE" and s["converters"][0]["status"] == "running", 60
                )
                time.sleep(args.settle_seconds)  # the idle window being measured, not a synchronisation
                assert svc.process is not None
                proc = psutil.Process(svc.process.pid)
                info = proc.memory_info()
                rss = info.rss / 1e6
                shared = getattr(info, "shared", None)  # Linux: file-backed resident pages
                kids: list[tuple[str, float]] = []
                for child in proc.children(recursive=True):
                    try:
                        kids.append((" ".join(child.cmdline())[-60:], child.memory_info().rss / 1e6))
                    except psutil.Error:
                        pass
                total = rss + sum(mb for _, mb in kids)
                files: list[tuple[str, float]] = []
                try:
                    for m in proc.memory_maps(grouped=True):
                        if m.path and Path(m.path).suffix in (".so", ".pyd", ".dll", ".dylib") or ".so." in m.path:
                            files.append((Path(m.path).name, m.rss / 1e6))
                except (psutil.Error, NotImplementedError, AttributeError):
                    pass
                files.sort(key=lambda f: -f[1])
                print(json.dumps({
                    "name": "station_idle_after_start_rss_mb", "value": round(total, 1), "unit": "MB", "bar": 64,
                    "service_process_rss_mb": round(rss, 1),
                    "service_file_backed_mb": None if shared is None else round(shared / 1e6, 1),
                    "child_processes": len(kids),
                    "children": [{"cmd": cmd, "rss_mb": round(mb, 1)} for cmd, mb in kids],
                    "file_backed_libraries_mb": {name: round(mb, 2) for name, mb in files[:12]},
                }), flush=True)
                svc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
