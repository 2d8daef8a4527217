"""Reliability of the running service: server outages and SIGKILL at random points.

- Server stopped mid-run: the instance goes OFFLINE, pending grows, nothing fails; the
  server restarted on the same port and database: everything uploads, oldest first.
- The service SIGKILLed at random moments while files flow (several rounds): every file
  ends up on the server exactly once (counted per serial number), none is left behind.
"""

from __future__ import annotations

import os
import random
import uuid
from pathlib import Path

from pywats_client.queue import PersistentQueue
from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server
from support.polling import hold_for, wait_until


def _drop(folder: Path, name: str, text: str) -> None:
    """Write a file the way careful station software does (temp name, then rename)."""
    tmp = folder / f".{name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / name)


def _config(home: Path, iid: str, url: str, incoming: Path, **over: object) -> None:
    write_config(
        home,
        iid,
        service_address=url,
        api_token=DEFAULT_TEST_TOKEN,
        station_name="REL-01",
        rescan_interval_seconds=0.5,
        health_check_interval=0.3,
        retry_interval_seconds=1,
        max_retry_attempts=3,
        process_sync_enabled=False,
        max_converter_workers=2,
        converters=[
            {
                "name": "csv",
                "module_path": "csv",
                "watch_folder": str(incoming),
                "file_patterns": ["*.csv"],
                "file_stable_seconds": 0.2,
            }
        ],
        **over,
    )


def test_server_outage_goes_offline_then_everything_uploads_in_order(tmp_path: Path) -> None:
    home, incoming = tmp_path / "home", tmp_path / "in"
    incoming.mkdir(parents=True)
    db = tmp_path / "wats.db"
    prefix = f"OUT-{uuid.uuid4().hex[:8]}-"
    srv = start_server(db, tokens=[DEFAULT_TEST_TOKEN])
    port = srv.port
    _config(home, "outage", srv.url, incoming, upload_concurrency=1)
    svc = ServiceProcess(home, "outage")
    try:
        svc.start()
        for i in range(3):
            _drop(incoming, f"before{i}.csv", guide_csv(f"{prefix}{i:03d}"))
        svc.wait_for(lambda s: s["queue"]["completed"] == 3)

        srv.stop()
        svc.wait_for(lambda s: s["state"] == "OFFLINE")
        for i in range(3, 8):
            _drop(incoming, f"during{i}.csv", guide_csv(f"{prefix}{i:03d}"))
            svc.wait_for(lambda s, n=i - 2: s["queue"]["pending"] == n)  # grows one by one
        for i in range(8, 15):
            _drop(incoming, f"during{i}.csv", guide_csv(f"{prefix}{i:03d}"))
        st = svc.wait_for(lambda s: s["queue"]["pending"] == 12 and s["conversions_total"] == 15)
        assert st["state"] == "OFFLINE"
        assert st["queue"]["failed"] == 0 and st["uploads_failed"] == 0

        srv = start_server(db, tokens=[DEFAULT_TEST_TOKEN], port=port)
        st = svc.wait_for(lambda s: s["queue"]["completed"] == 15, timeout=30)
        assert st["state"] == "ONLINE" and st["queue"]["failed"] == 0 and st["queue"]["pending"] == 0

        headers = server_headers(srv.url, srv.token, prefix)
        serials = sorted(h["serialNumber"] for h in headers)
        assert serials == [f"{prefix}{i:03d}" for i in range(15)]

        # oldest first: the server's arrival order follows the queue's order
        arrival = {h["serialNumber"]: h["timeStamp"] for h in headers}
        q = PersistentQueue(home / "reports_outage")
        try:
            queued = [it.serial_number for it in q.list("completed")]
        finally:
            q.close()
        stamps = [arrival[sn] for sn in queued]
        assert stamps == sorted(stamps), (queued, stamps)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
        srv.stop()


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    home, incoming = tmp_path / "home", tmp_path / "in"
    incoming.mkdir(parents=True)
    prefix = f"KILL-{uuid.uuid4().hex[:8]}-"
    serials: list[str] = []
    with start_server(tmp_path / "wats.db", tokens=[DEFAULT_TEST_TOKEN]) as srv:
        _config(home, "crash", srv.url, incoming, upload_concurrency=4)
        n = 0
        rounds = 5
        for r in range(rounds):
            svc = ServiceProcess(home, "crash").start()
            try:
                svc.wait_for(lambda s: s["state"] in ("ONLINE", "OFFLINE"), timeout=30)
                for _ in range(30):
                    sn = f"{prefix}{n:04d}"
                    serials.append(sn)
                    _drop(incoming, f"unit{n:04d}.csv", guide_csv(sn))
                    n += 1
                # kill while files are being converted, queued, moved and uploaded
                hold_for(rng.uniform(0.2, 1.2))
            finally:
                svc.kill()
        svc = ServiceProcess(home, "crash").start()
        try:
            svc.wait_for(
                lambda s: s["queue"]["completed"] == len(serials) and s["queue"]["pending"] == 0
                and s["queue"]["processing"] == 0,
                timeout=60,
            )
            wait_until(lambda: not any(incoming.glob("*.csv")), 10, "the watch folder to drain")
            assert svc.stop()[0] == 0
        finally:
            svc.kill()
        headers = server_headers(srv.url, srv.token, prefix)
        per_serial: dict[str, int] = {}
        for h in headers:
            per_serial[h["serialNumber"]] = per_serial.get(h["serialNumber"], 0) + 1
        lost = sorted(set(serials) - set(per_serial))
        dup = sorted(sn for sn, c in per_serial.items() if c > 1)
        assert lost == [] and dup == []
        assert len(headers) == len(serials) == 150
        done = list((incoming / "Done").glob("*.csv"))
        assert len(done) == 150
        assert not (incoming / "Error").exists() or not any((incoming / "Error").iterdir())
