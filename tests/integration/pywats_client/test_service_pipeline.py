"""The station service as a real process against the real local server.

Guide Step 6 CSV → Done + report on the server (with the station identity) + live status;
a bad file → Error + NAME.error; a converter that fails to load is reported while the
rest keep running; a second process for the same instance is refused; SIGTERM stops it
within 5 s; post_action keep + restart never uploads twice.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import httpx

from pywats_client.service import control
from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
from support.polling import wait_until

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "csv"


def _config(home: Path, iid: str, server: object, incoming: Path, **over: object) -> None:
    base_url, token = server  # type: ignore[misc]
    conv = {
        "name": "Guide CSV",
        "module_path": "csv",
        "watch_folder": str(incoming),
        "done_folder": str(incoming.parent / "Done"),
        "error_folder": str(incoming.parent / "Error"),
        "file_patterns": ["*.csv"],
        "post_action": over.pop("post_action", "move"),
        "file_stable_seconds": 0.2,
    }
    converters = [conv] + list(over.pop("extra_converters", []))  # type: ignore[arg-type]
    write_config(
        home,
        iid,
        service_address=base_url,
        api_token=token,
        station_name="ICT-STATION-01",
        location="Building A - Line 1",
        purpose="Production",
        rescan_interval_seconds=0.5,
        health_check_interval=0.5,
        retry_interval_seconds=1,
        process_sync_enabled=False,
        max_converter_workers=2,
        converters=converters,
        **over,
    )


def _workers(proc):  # type: ignore[no-untyped-def]
    """Child processes of the service (only converter workers: no resource tracker either)."""
    return proc.children(recursive=True)


def test_guide_csv_end_to_end_status_errors_lock_and_sigterm(tmp_path: Path, fresh_server: object) -> None:
    base_url, token = fresh_server  # type: ignore[misc]
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    conv_dir = home / "converters"
    conv_dir.mkdir(parents=True)
    (conv_dir / "broken_conv.py").write_text("import os\n\nx = undefined_name\n", encoding="utf-8")
    broken = {
        "name": "Broken",
        "module_path": "broken_conv.Broken",
        "watch_folder": str(tmp_path / "BrokenIn"),
        "file_patterns": ["*.txt"],
    }
    _config(home, "line1", fresh_server, incoming, extra_converters=[broken])
    (tmp_path / "BrokenIn").mkdir()
    (tmp_path / "BrokenIn" / "left.txt").write_text("stays here", encoding="utf-8")

    with ServiceProcess(home, "line1") as svc:
        svc.start()
        svc.wait_for(lambda s: s["state"] == "ONLINE" and all(c["status"] != "starting" for c in s["converters"]))
        shutil.copy(DATA / "guide_step6.csv", incoming / "test.csv")
        (incoming / "bad.csv").write_text("this,is\nnot,a test file\n", encoding="utf-8")
        (incoming / "notes.txt").write_text("not matched by *.csv", encoding="utf-8")

        done = tmp_path / "Done" / "test.csv"
        wait_until(done.exists, what="test.csv in Done")
        assert not (incoming / "test.csv").exists()
        st = svc.wait_for(lambda s: s["queue"]["completed"] == 1 and s["uploads_total"] == 1)
        assert st["queue"]["pending"] == 0 and st["queue"]["failed"] == 0

        headers = server_headers(base_url, token, "SN-12345")
        assert len(headers) == 1
        h = headers[0]
        assert h["serialNumber"] == "SN-12345" and h["partNumber"] == "WIDGET-100"
        assert (h["stationName"], h["location"], h["purpose"]) == (
            "ICT-STATION-01", "Building A - Line 1", "Production",
        )
        r = httpx.get(
            base_url + "/api/Report/Query/Header",
            params={"$filter": "serialNumber eq 'SN-12345'"},
            headers={"Authorization": f"Basic {token}"},
        )
        assert r.status_code == 200 and len(r.json()) == 1

        err_file = tmp_path / "Error" / "bad.csv.error"
        wait_until(err_file.exists, what="bad.csv.error")
        assert (tmp_path / "Error" / "bad.csv").exists()
        assert "bad.csv" in err_file.read_text(encoding="utf-8")
        assert (incoming / "notes.txt").exists()  # not ours: untouched

        st = svc.wait_for(lambda s: s["conversions_failed"] == 1)
        by_name = {c["name"]: c for c in st["converters"]}
        assert by_name["Guide CSV"]["files_converted"] == 1
        assert by_name["Guide CSV"]["files_failed"] == 1
        assert by_name["Broken"]["status"] == "load_error"
        le = by_name["Broken"]["load_error"]
        assert le["line"] == 3 and le["file"].endswith("broken_conv.py") and "NameError" in le["reason"]
        assert (tmp_path / "BrokenIn" / "left.txt").exists()
        assert st["version"] and st["uptime_seconds"] > 0

        # metrics, authentication of the control API
        got = control.request(svc.control_target, "GET", "/metrics")
        assert got is not None and got[0] == 200
        text = got[1].decode()
        assert 'pywats_uploads_total{instance="line1"} 1' in text
        assert 'pywats_queue_reports{instance="line1",state="completed"} 1' in text
        assert 'pywats_state{instance="line1",state="ONLINE"} 1' in text
        port = json.loads((svc.instance_dir / "control.json").read_text())["port"]
        anon = httpx.get(f"http://127.0.0.1:{port}/status")
        assert anon.status_code == 401

        # a second process for the same instance is refused
        second = svc.run_to_exit()
        assert second.returncode == 3
        assert "already running" in second.stderr

        code, took = svc.stop()
        assert code == 0
        assert took < 5.0
    assert control.read_status(svc.control_target) is None


def test_keep_is_never_uploaded_twice_after_restart(tmp_path: Path, wats_server: object) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"KEEP-{uuid.uuid4().hex[:10]}"
    (incoming / "kept.csv").write_text(guide_csv(serial), encoding="utf-8")  # present at start
    _config(home, "keep", wats_server, incoming, post_action="keep")
    svc = ServiceProcess(home, "keep")
    with svc:
        svc.start()
        svc.wait_for(lambda s: s["uploads_total"] == 1)
        assert svc.stop()[0] == 0
    assert (incoming / "kept.csv").exists()
    assert len(server_headers(base_url, token, serial)) == 1

    svc2 = ServiceProcess(home, "keep")
    with svc2:
        svc2.start()
        wait_until(lambda: "was already queued" in svc2.output(), what="the kept file to be recognised")
        st = svc2.wait_for(lambda s: s["state"] == "ONLINE")
        assert st["uploads_total"] == 0 and st["conversions_total"] == 0
        assert st["queue"]["pending"] == 0 and st["queue"]["completed"] == 1
        assert (incoming / "kept.csv").exists()

        # a source already handed over (queued, still in the folder — as after a crash
        # between queue.add and the move) only gets its post action: no second report
        _config(home, "keep", wats_server, incoming, post_action="move")
        control.request_reload(svc2.control_target)
        wait_until((tmp_path / "Done" / "kept.csv").exists, what="kept.csv moved to Done")
        st = svc2.wait_for(lambda s: s["queue"]["completed"] == 1)
        assert st["uploads_total"] == 0 and st["conversions_total"] == 0 and st["queue"]["pending"] == 0
        assert svc2.stop()[0] == 0
    assert not (incoming / "kept.csv").exists()
    assert len(server_headers(base_url, token, serial)) == 1


def test_retry_and_reload_through_the_control_api(tmp_path: Path, wats_server: object) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"AUTH-{uuid.uuid4().hex[:10]}"
    _config(home, "auth", (base_url, "bm90OnZhbGlk"), incoming)  # a token the server rejects
    with ServiceProcess(home, "auth") as svc:
        svc.start()
        (incoming / "a.csv").write_text(guide_csv(serial), encoding="utf-8")
        st = svc.wait_for(lambda s: s["state"] == "AUTH_FAILED" and s["queue"]["pending"] == 1)
        assert st["queue"]["failed"] == 0 and st["uploads_total"] == 0
        assert server_headers(base_url, token, serial) == []

        with_retry = control.request_retry(svc.control_target, None)
        assert with_retry == {"retried": 0}

        _config(home, "auth", (base_url, token), incoming)  # the right token
        control.request_reload(svc.control_target)
        svc.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["completed"] == 1)
        assert len(server_headers(base_url, token, serial)) == 1
        assert svc.stop()[0] == 0


def test_idle_converter_workers_exit_and_restart_on_demand(tmp_path: Path, wats_server: object) -> None:
    import psutil

    base_url, token = wats_server  # type: ignore[misc]
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    _config(home, "idle", wats_server, incoming)
    tag = f"IDLE-{uuid.uuid4().hex[:8]}"
    with ServiceProcess(home, "idle", env={"PYWATS_CONVERTER_IDLE_SECONDS": "1"}) as svc:
        svc.start()
        svc.wait_for(lambda s: s["state"] == "ONLINE" and s["converters"][0]["status"] == "running", 60)
        proc = psutil.Process(svc.process.pid)  # type: ignore[union-attr]
        for n in range(2):
            (incoming / f"unit{n}.csv").write_text(guide_csv(f"{tag}-{n}"), encoding="utf-8")
            svc.wait_for(lambda s, n=n: s["queue"]["completed"] >= n + 1, 60)
            assert (tmp_path / "Done" / f"unit{n}.csv").exists()
            # idle: the worker processes have gone and the service keeps no other child
            # (workers are not started through multiprocessing: no resource tracker)
            wait_until(lambda: not _workers(proc), 30, "idle converter workers to exit")
        # the second file was converted by a freshly started worker
        assert {h["serialNumber"] for h in server_headers(base_url, token, tag)} == {f"{tag}-0", f"{tag}-1"}
        assert svc.status()["conversions_failed"] == 0  # type: ignore[index]
