"""Deployment at run time: systemd notifications from a real service process, the Windows
service host (pywin32 faked) stopping a real service, the container entry point and the
health command against the local server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pywats_client.service.control import read_status
from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
from support.win32_fakes import Recorder, fake_win32
from support.polling import wait_until


def _receive(sock: socket.socket, want: str, seen: list[str], timeout: float = 30.0) -> None:
    """Read datagrams into ``seen`` until one contains the line ``want``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(4096).decode()
        except TimeoutError:
            break
        seen.append(data)
        if want in data.splitlines():
            return
    raise AssertionError(f"no {want!r} within {timeout}s; got {seen}")


@pytest.mark.parametrize("abstract", [False, True], ids=["path-socket", "abstract-socket"])
def test_service_notifies_systemd_ready_watchdog_reloading_stopping(tmp_path: Path, abstract: bool) -> None:
    home = tmp_path / "home"
    write_config(home, "sd", service_address="http://127.0.0.1:9", api_token="t", process_sync_enabled=False)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        name = f"pywats-test-{os.getpid()}-{time.monotonic_ns()}"
        sock.bind("\0" + name)
        address = "@" + name
    else:
        address = str(tmp_path / "notify.sock")
        sock.bind(address)
    seen: list[str] = []
    svc = ServiceProcess(home, "sd", env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "400000"})
    with sock, svc:
        svc.start()
        _receive(sock, "READY=1", seen)
        assert not any("STOPPING=1" in m for m in seen)
        _receive(sock, "WATCHDOG=1", seen, timeout=5)
        n = len(seen)
        _receive(sock, "WATCHDOG=1", seen, timeout=5)  # pings keep coming (every 0.2 s here)
        assert len(seen) > n
        assert svc.process is not None
        svc.process.send_signal(signal.SIGHUP)  # what `systemctl reload` sends (ExecReload)
        _receive(sock, "RELOADING=1", seen)
        reloading = next(m for m in seen if "RELOADING=1" in m)
        assert any(line.startswith("MONOTONIC_USEC=") for line in reloading.splitlines())
        _receive(sock, "READY=1", seen)
        code, took = svc.stop()
        _receive(sock, "STOPPING=1", seen, timeout=2)
        assert code == 0 and took < 5


def test_windows_service_host_stops_a_real_service_within_5_seconds(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """SvcStop from the SCM's thread ends the real service well within the 5 s wait hint;
    a report that could not be uploaded yet (server unreachable) stays in the queue."""
    home = tmp_path / "ProgramData" / "pyWATS_Client"
    watch = tmp_path / "Incoming"
    write_config(home, "production", service_address="http://127.0.0.1:9", api_token="t",
                 process_sync_enabled=False,
                 converters=[{"name": "csv", "module_path": "csv", "watch_folder": str(watch)}])
    watch.mkdir()
    (watch / "a.csv").write_text(guide_csv("SN-WIN-1"), encoding="utf-8")
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(tmp_path / "user-appdata"))  # replaced by the stored home
    monkeypatch.setenv("PYWATS_INSTANCE_ID", "other")
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    rec = Recorder()
    exits: list[int] = []
    from pywats_client.deploy.winservice import make_service_class

    mods = fake_win32(rec, {"instance_id": "production", "client_home": str(home)})
    svc = make_service_class(mods, exit_process=exits.append)(["pyWATS-Client-production"])
    runner = threading.Thread(target=svc.SvcDoRun, name="SvcDoRun")
    runner.start()
    try:
        target = type("T", (), {"instance_dir": home / "instances" / "production", "instance_id": "production"})
        def queued() -> dict[str, Any] | None:
            status = read_status(target)
            counts = (status or {}).get("queue", {})
            return status if counts.get("pending", 0) + counts.get("processing", 0) >= 1 else None

        status = wait_until(queued, 60, "the report in the queue")
        assert status["queue"]["pending"] + status["queue"].get("processing", 0) == 1, status
        t0 = time.monotonic()
        svc.SvcStop()  # the SCM's control handler thread
        runner.join(5.0)
        took = time.monotonic() - t0
        assert not runner.is_alive(), "the service did not stop within 5 s"
    finally:
        if runner.is_alive():
            svc.host.stop()
            runner.join(30)
    assert took < 5 and exits == []
    assert ((mods.service.SERVICE_STOP_PENDING,), {"waitHint": 5000}) in rec.named("ReportServiceStatus")
    infos = [a[0] for a, _ in rec.named("LogInfoMsg")]
    assert any("starting instance 'production'" in m for m in infos)
    assert any("stop requested" in m for m in infos) and infos[-1].endswith("stopped")
    assert rec.named("LogErrorMsg") == []
    from pywats_client.queue import PersistentQueue

    queue = PersistentQueue(Path(status["reports_folder"]))
    try:
        assert queue.counts()["pending"] == 1  # nothing lost: uploaded at the next start
    finally:
        queue.close()
    assert (watch / "Done" / "a.csv").exists()


def test_container_entrypoint_and_health_against_the_local_server(tmp_path: Path, wats_server: Any) -> None:
    base_url, token = wats_server
    config_dir, data_dir, incoming = tmp_path / "app" / "config", tmp_path / "app" / "data", tmp_path / "testdata" / "Incoming"
    secret = tmp_path / "secret"
    secret.write_text(token + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_") and k != "NOTIFY_SOCKET"}
    env.update({
        "PYWATS_CLIENT_HOME": str(config_dir), "PYWATS_DATA_DIR": str(data_dir),
        "PYWATS_LOG_DIR": str(data_dir / "logs"), "PYWATS_INSTANCE_ID": "default",
        "PYWATS_SERVICE_ADDRESS": base_url, "PYWATS_API_TOKEN_FILE": str(secret),
        "PYWATS_WATCH_FOLDER": str(incoming), "PYWATS_STATION_NAME": "container-1", "PYTHONUNBUFFERED": "1",
    })
    entry = [sys.executable, "-m", "pywats_client.deploy.container"]

    def health() -> subprocess.CompletedProcess[str]:
        return subprocess.run(entry + ["health"], env=env, capture_output=True, text=True, timeout=60)

    out = open(tmp_path / "container.out", "wb")  # noqa: SIM115 - closed after the process ends
    proc = subprocess.Popen(entry, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def ready() -> bool:
            assert proc.poll() is None, (tmp_path / "container.out").read_text()
            return (incoming / "Done").is_dir() and health().returncode == 0

        wait_until(ready, 60, "the container's service to be healthy", interval=0.1)
        serial = f"SN-CTR-{time.monotonic_ns()}"
        (incoming / "r.csv").write_text(guide_csv(serial), encoding="utf-8")
        wait_until(lambda: server_headers(base_url, token, serial), 60, "the report on the server", interval=0.1)
        ok = health()
        assert ok.returncode == 0 and "healthy" in ok.stdout
        online = subprocess.run(entry + ["health", "--require-online"], env=env, capture_output=True, text=True,
                                timeout=60)
        assert online.returncode == 0, online.stderr
        assert (data_dir / "queue").is_dir() and (data_dir / "logs" / "client.log").is_file()
        assert token not in (config_dir / "config_default.json").read_text()  # the token stays in the secret
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        out.close()
    down = health()
    assert down.returncode == 1 and "unhealthy" in down.stderr


def test_container_entrypoint_without_address_or_config_says_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    env["PYWATS_CLIENT_HOME"] = str(tmp_path / "config")
    done = subprocess.run([sys.executable, "-m", "pywats_client.deploy.container"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert "PYWATS_SERVICE_ADDRESS" in done.stderr and "config_default.json" in done.stderr
