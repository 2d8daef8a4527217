"""Station rules 5 and 9 of docs/architecture.md (events are hints; low disk stops intake) on a running service.

- Rule 5: file-system events are only hints. With events off (as on a network share that
  sends none), the periodic rescan alone finds and uploads every file.
- Rule 9: low disk space stops intake (back-pressure) instead of failing writes: the file
  stays in the watch folder, status says why; with space "back" (the limit lowered and the
  configuration reloaded), it is taken and uploaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pywats_client.service.control import request_reload
from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config


def _config(home: Path, server: Any, incoming: Path, **over: Any) -> Path:
    return write_config(
        home,
        "rules",
        service_address=server.base_url,
        api_token=server.token,
        station_name="RULES-01",
        process_sync_enabled=False,
        health_check_interval=0.5,
        max_converter_workers=1,
        converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(incoming),
                     "done_folder": str(home / "Done"), "file_stable_seconds": 0.1}],
        **over,
    )


def test_without_file_events_the_rescan_alone_uploads_every_file(tmp_path: Path, wats_server: Any) -> None:
    home, incoming = tmp_path / "home", tmp_path / "share"
    incoming.mkdir(parents=True)
    _config(home, wats_server, incoming, file_events=False, rescan_interval_seconds=0.3)
    prefix = f"NOEVENTS-{os.getpid()}-"
    svc = ServiceProcess(home, "rules").start()
    try:
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        for i in range(5):
            (incoming / f"r{i}.csv").write_text(guide_csv(f"{prefix}{i}"), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"].get("completed", 0) == 5, 60)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
    assert "file events off" in svc.output()
    assert sorted(h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, prefix)) == [
        f"{prefix}{i}" for i in range(5)
    ]
    assert sorted(p.name for p in (home / "Done").iterdir()) == [f"r{i}.csv" for i in range(5)]


def test_low_disk_space_holds_files_in_the_watch_folder_until_space_returns(
    tmp_path: Path, wats_server: Any
) -> None:
    home, incoming = tmp_path / "home", tmp_path / "incoming"
    incoming.mkdir(parents=True)
    # more free space demanded than any disk has: intake must pause, not fail
    path = _config(home, wats_server, incoming, min_free_disk_mb=2**40, rescan_interval_seconds=0.3)
    serial = f"LOWDISK-{os.getpid()}"
    svc = ServiceProcess(home, "rules").start()
    try:
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        paused = svc.wait_for(lambda s: bool(s["intake_paused"]), 30)
        assert "disk" in paused["intake_paused"]
        assert (incoming / "unit.csv").exists()
        assert sum(paused["queue"].values()) == 0 and paused["conversions_failed"] == 0
        shown = subprocess.run([sys.executable, "-m", "pywats_client", "status", "--instance-id", "rules"],
                               env=svc.env(), capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0 and "intake paused:   low disk space" in shown.stdout, shown.stdout + shown.stderr

        data = json.loads(path.read_text(encoding="utf-8"))
        data["min_free_disk_mb"] = 0
        path.write_text(json.dumps(data), encoding="utf-8")
        request_reload(svc.control_target)
        svc.wait_for(lambda s: s["queue"].get("completed", 0) == 1 and not s["intake_paused"], 60)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
    assert not (incoming / "unit.csv").exists()
    assert [h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, serial)] == [serial]
