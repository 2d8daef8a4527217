"""Service behaviour driven by configuration and signals.

- ``offline_queue_enabled: false``: reports still pass through the durable queue, but a
  completed report's file is not kept after upload.
- SIGHUP (POSIX) re-reads the configuration, like ``pywats-client reload``.
- A refused second process writes nothing into the running instance's log.
"""

from __future__ import annotations

import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config


def _config(home: Path, iid: str, server: Any, incoming: Path, **over: Any) -> Path:
    base_url, token = server
    keys: dict[str, Any] = {
        "service_address": base_url, "api_token": token, "rescan_interval_seconds": 0.5, "health_check_interval": 0.5,
        "process_sync_enabled": False,
        "converters": [{"name": "CSV", "module_path": "csv", "watch_folder": str(incoming),
                     "file_patterns": ["*.csv"], "file_stable_seconds": 0.2}],
    }
    keys.update(over)
    return write_config(home, iid, **keys)


def test_offline_queue_disabled_keeps_no_completed_reports(tmp_path: Path, wats_server: Any) -> None:
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    reports = tmp_path / "queue"
    serial = f"NOKEEP-{uuid.uuid4().hex[:8]}"
    _config(home, "nokeep", wats_server, incoming, offline_queue_enabled=False, reports_folder=str(reports))
    with ServiceProcess(home, "nokeep") as svc:
        svc.start()
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"]["completed"] == 1 and s["queue"]["pending"] == 0)
        assert svc.stop()[0] == 0
    assert len(server_headers(wats_server.base_url, wats_server.token, serial)) == 1
    assert list((reports / "completed").iterdir()) == []


def test_sighup_reloads_the_configuration(tmp_path: Path, wats_server: Any) -> None:
    if not hasattr(signal, "SIGHUP"):  # Windows has no SIGHUP: `pywats-client reload` is the way there
        assert sys.platform == "win32"
        return
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"HUP-{uuid.uuid4().hex[:8]}"
    path = _config(home, "hup", wats_server, incoming, api_token="bm90OnZhbGlk")
    with ServiceProcess(home, "hup") as svc:
        svc.start()
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        svc.wait_for(lambda s: s["state"] == "AUTH_FAILED" and s["queue"]["pending"] == 1)
        path.write_text("{ not json", encoding="utf-8")  # a broken edit first: the service keeps going
        svc.process.send_signal(signal.SIGHUP)  # type: ignore[union-attr]
        svc.wait_for(lambda s: "reload failed" in (s.get("last_error") or ""))
        _config(home, "hup", wats_server, incoming)  # now the right token
        svc.process.send_signal(signal.SIGHUP)  # type: ignore[union-attr]
        svc.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["completed"] == 1)
        assert svc.stop()[0] == 0
    assert len(server_headers(wats_server.base_url, wats_server.token, serial)) == 1


def test_refused_second_process_does_not_write_into_the_running_log(tmp_path: Path, wats_server: Any) -> None:
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    _config(home, "single", wats_server, incoming)
    with ServiceProcess(home, "single") as svc:
        svc.start()
        svc.wait_for(lambda s: s["state"] == "ONLINE")
        second = svc.run_to_exit()
        assert second.returncode == 3 and "already running" in second.stderr
        log_file = home / "client.log"  # the only instance: the guide's log path
        assert log_file.exists()
        assert "already running" not in log_file.read_text(encoding="utf-8")
        assert svc.stop()[0] == 0


def test_converter_own_patterns_apply_when_config_gives_none(tmp_path: Path, wats_server: Any) -> None:
    """A csv entry without `file_patterns` takes *.csv only (the class's own patterns), not
    every file in its folder."""
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"PAT-{uuid.uuid4().hex[:8]}"
    _config(home, "pat", wats_server, incoming,
            converters=[{"name": "CSV", "module_path": "csv", "watch_folder": str(incoming),
                         "file_stable_seconds": 0.2}])
    (incoming / "notes.txt").write_text("operator notes, not a result file", encoding="utf-8")
    with ServiceProcess(home, "pat") as svc:
        svc.start()
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"]["completed"] == 1)
        status = svc.status()
        assert svc.stop()[0] == 0
    assert (incoming / "notes.txt").exists()  # untouched: not in Error, not converted
    assert not (incoming / "Error").exists() or not list((incoming / "Error").iterdir())
    assert status is not None and status["conversions_failed"] == 0


def test_identical_file_dropped_again_is_not_uploaded_twice(tmp_path: Path, wats_server: Any) -> None:
    """A byte-identical copy of a result already uploaded is a re-drop, not a new test: it is
    moved to Done without a second report (`pywats-client upload` re-sends on purpose)."""
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"REDROP-{uuid.uuid4().hex[:8]}"
    content = guide_csv(serial)
    _config(home, "redrop", wats_server, incoming)
    with ServiceProcess(home, "redrop") as svc:
        svc.start()
        (incoming / "first.csv").write_text(content, encoding="utf-8")
        svc.wait_for(lambda s: s["queue"]["completed"] == 1)
        (incoming / "other.csv").write_text(guide_csv(serial + "-B"), encoding="utf-8")  # more work in between
        svc.wait_for(lambda s: s["queue"]["completed"] == 2)
        assert svc.stop()[0] == 0
        svc.start()  # and a restart in between
        svc.wait_for(lambda s: s["state"] == "ONLINE")
        (incoming / "again.csv").write_text(content, encoding="utf-8")
        done = incoming / "Done"
        svc.wait_for(lambda s: (done / "again.csv").exists())
        status = svc.status()
        assert svc.stop()[0] == 0
    assert status is not None and status["queue"]["completed"] == 2 and status["queue"]["pending"] == 0
    assert len(server_headers(wats_server.base_url, wats_server.token, serial)) == 2  # SN and SN-B
    assert [h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, serial)].count(serial) == 1
