#!/usr/bin/env python3
"""Crash safety at scale: SIGKILL the station service at random points across 1,000 files.

Target (docs/architecture.md): 0 lost, 0 duplicated on the server. The test suite runs the same
scenario on 150 files (tests/reliability/test_service_crash.py); this runs the full size.

1,000 guide-layout CSV files are dropped into a watched folder while the service runs; the
service is killed with SIGKILL after a random 0.2–1.5 s, restarted, killed again, … until
every file has left the watch folder; then it runs to an empty queue. Every serial number
must be on the server exactly once and every source file in Done.

Prints one JSON line per figure: files, kills, lost, duplicated, left_in_incoming, seconds.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

FILES = int(os.environ.get("PYWATS_BENCH_FILES", "1000"))
SEED = int(os.environ.get("PYWATS_BENCH_SEED", "7"))


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit, **extra}), flush=True)


def main() -> int:
    from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
    from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server

    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="pywats-crash-") as tmp:
        root = Path(tmp)
        home, incoming, done = root / "home", root / "Incoming", root / "Done"
        incoming.mkdir(parents=True)
        tag = f"CRASH{SEED}"
        with start_server(root / "server.db", tokens=[DEFAULT_TEST_TOKEN]) as server:
            write_config(
                home, "crash", service_address=server.url, api_token=DEFAULT_TEST_TOKEN,
                station_name="CRASH-01", rescan_interval_seconds=0.5, health_check_interval=0.5,
                process_sync_enabled=False, max_converter_workers=2,
                converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(incoming),
                             "done_folder": str(done), "file_patterns": ["*.csv"],
                             "file_stable_seconds": 0.2}],
            )
            for n in range(FILES):
                tmp_file = incoming / f".unit{n:04}.tmp"
                tmp_file.write_text(guide_csv(f"{tag}-{n:04}"), encoding="utf-8")
                os.replace(tmp_file, incoming / f"unit{n:04}.csv")
            t0 = time.monotonic()
            kills = 0
            deadline = t0 + 600
            while any(incoming.glob("*.csv")) and time.monotonic() < deadline:
                svc = ServiceProcess(home, "crash").start()
                time.sleep(rng.uniform(0.2, 1.5))  # the random kill point is the point
                svc.kill()
                kills += 1
            final = ServiceProcess(home, "crash").start()
            try:
                final.wait_for(lambda s: s["queue"]["pending"] == 0 and s["queue"]["processing"] == 0
                               and not any(incoming.glob("*.csv")), timeout=300)
                final.stop()
            finally:
                final.kill()
            seconds = time.monotonic() - t0
            per_serial = Counter(h["serialNumber"] for h in server_headers(server.url, server.token, tag))
        in_done = len(list(done.glob("unit*.csv"))) if done.exists() else 0
    expected = {f"{tag}-{n:04}" for n in range(FILES)}
    lost = len(expected - set(per_serial))
    duplicated = sum(c - 1 for c in per_serial.values() if c > 1)
    left = FILES - in_done
    emit("crash_safety_files", FILES, "files", kills=kills, seed=SEED)
    emit("crash_safety_lost", lost, "reports", bar=0, passed=lost == 0)
    emit("crash_safety_duplicated", duplicated, "reports", bar=0, passed=duplicated == 0)
    emit("crash_safety_not_in_done", left, "files", bar=0, passed=left == 0)
    emit("crash_safety_seconds", round(seconds, 1), "s", kills=kills)
    return 0 if lost == duplicated == left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
