"""A stop always ends: SIGTERM timed against start-up and against activity bursts.

The service's idle housekeeping sleeps in 3 s "quiet" windows after every burst of
activity; on Python 3.10/3.11 a cancellation arriving as such a wait times out could be
lost (``asyncio.wait_for``), and a stop 3 s after start then hung for ever. Every stop
here, at each of those moments, must end with exit code 0 within a few seconds.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from pywats_client.service.testing import ServiceProcess, guide_csv, write_config
from support.polling import hold_for

STOP_LIMIT = 6.0


def _service(tmp_path: Path, server: Any) -> tuple[ServiceProcess, Path]:
    home, incoming = tmp_path / "home", tmp_path / "incoming"
    incoming.mkdir(parents=True)
    write_config(home, "timing", service_address=server.base_url, api_token=server.token,
                 rescan_interval_seconds=0.5, health_check_interval=0.5, process_sync_enabled=False,
                 converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(incoming),
                              "file_patterns": ["*.csv"], "file_stable_seconds": 0.1}])
    return ServiceProcess(home, "timing"), incoming


def _stop_and_check(svc: ServiceProcess) -> None:
    code, elapsed = svc.stop(timeout=30)
    assert code == 0, svc.output()[-3000:]
    assert elapsed < STOP_LIMIT, f"stopping took {elapsed:.1f}s:\n{svc.output()[-3000:]}"


@pytest.mark.parametrize("after_start", [0.0, 1.0, 2.9, 3.0, 3.1, 3.3])
def test_stop_timed_after_start(tmp_path: Path, wats_server: Any, after_start: float) -> None:
    svc, _ = _service(tmp_path, wats_server)
    with svc:
        svc.start()
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        hold_for(after_start)  # timing is the point of the test
        _stop_and_check(svc)


@pytest.mark.parametrize("after_burst", [None, 0.0, 2.95, 3.05])
def test_stop_timed_against_an_activity_burst(tmp_path: Path, wats_server: Any, after_burst: float | None) -> None:
    svc, incoming = _service(tmp_path, wats_server)
    tag = f"BURST-{uuid.uuid4().hex[:6]}"
    with svc:
        svc.start()
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        for i in range(20):
            (incoming / f"u{i}.csv").write_text(guide_csv(f"{tag}-{i}"), encoding="utf-8")
        if after_burst is None:  # in the middle of the burst
            svc.wait_for(lambda s: s["conversions_total"] >= 1 or s["queue"]["completed"] >= 1, 30)
        else:
            svc.wait_for(lambda s: s["queue"]["completed"] >= 20, 60)
            hold_for(after_burst)
        _stop_and_check(svc)
