"""The integration guide's *Troubleshooting Guide* and *Pattern: Authentication Expiration*,
run line by line as written, on a station set up the guide's way: ONE instance called
``production`` (Step 2: ``config init --instance-id production``, then the file edited into
the guide's JSON), a real service and a real local server.

The commands run in ``bash`` with ``HOME`` pointing at a temporary user folder and no
``PYWATS_CLIENT_HOME``/``PYWATS_INSTANCE_ID``: ``~/.config/pywats_client`` is the real
default client home, and no command gets an ``--instance-id`` the guide does not give.
The only substitutions are the guide's server URL and token placeholders (asserted to be
present). Windows-only lines (``dir``, ``Get-Content``, ``Get-Process``, ``Test-Path``) are
checked for the paths they name. ``systemctl restart`` is done as the stop and start of the
service process it stands for; ``tail -f`` is read until the line we wait for, then stopped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers
from pywats_server.testing import DEFAULT_TEST_TOKEN, RunningServer, start_server
from support.markdown_blocks import CodeBlock, code_blocks

GUIDE = Path(__file__).resolve().parents[1] / "data" / "guide" / "integration-patterns.md"
BLOCKS = code_blocks(GUIDE)


def block(index: int, lang: str, starts_with: str) -> CodeBlock:
    found = BLOCKS[index]
    assert found.lang == lang and found.text.startswith(starts_with), f"guide block {index} changed: {found.text[:60]!r}"
    return found


def linux_lines(text: str) -> list[str]:
    """The commands under a block's ``# Linux`` comment (all commands if it has none)."""
    lines = text.splitlines()
    if "# Linux" in lines:
        lines = lines[lines.index("# Linux") + 1:]
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Station:
    """A user account with one configured instance ``production``."""

    def __init__(self, root: Path, server: RunningServer, port: int) -> None:
        self.user_home = root / "user"
        self.client_home = self.user_home / ".config" / "pywats_client"
        self.incoming = root / "TestData" / "Incoming"
        self.db = root / "server.db"
        self.server = server
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.token = DEFAULT_TEST_TOKEN
        self.service: ServiceProcess | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYWATS_CLIENT_HOME", "PYWATS_INSTANCE_ID", "PYWATS_API_TOKEN", "XDG_CONFIG_HOME")}
        env["HOME"] = str(self.user_home)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env.update(extra)
        return env

    def sh(self, script: str, *, stdin: str | None = None, timeout: float = 60, **extra: str) -> subprocess.CompletedProcess[str]:
        """Run guide lines in bash, as a user would type them."""
        return subprocess.run(["bash", "-c", script], env=self.env(**extra), input=stdin, capture_output=True,
                              text=True, timeout=timeout)

    def start_service(self, **extra: str) -> ServiceProcess:
        svc = StationService(self, extra)
        svc.start()
        self.service = svc
        return svc

    def restart_server(self) -> None:
        self.server = start_server(self.db, port=self.port, tokens=[self.token])


class StationService(ServiceProcess):
    """The service as the guide's systemd unit runs it: ``python -m pywats_client service``
    with the user's HOME, no instance id (the one configured instance is used)."""

    def __init__(self, station: Station, extra: dict[str, str]) -> None:
        super().__init__(station.client_home, "production")
        self.station = station
        self.extra = extra

    def command(self) -> list[str]:
        return [sys.executable, "-m", "pywats_client", "service"]

    def env(self) -> dict[str, str]:
        env = self.station.env(**self.extra)
        env["PYTHONUNBUFFERED"] = "1"
        return env


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    root = tmp_path_factory.mktemp("guide_station")
    port = free_port()
    server = start_server(root / "server.db", port=port, tokens=[DEFAULT_TEST_TOKEN])
    st = Station(root, server, port)
    st.user_home.mkdir(parents=True)
    st.incoming.mkdir(parents=True)
    try:
        # Step 2, headless: config init, then the file edited into the guide's JSON
        init = st.sh(block(3, "bash", "python -m pywats_client config init").text)
        assert init.returncode == 0, init.stderr
        config_file = st.client_home / "config_production.json"
        text = block(4, "json", "{").text
        assert "https://company.wats.com" in text
        config_file.write_text(text.replace("https://company.wats.com", st.base_url), encoding="utf-8")
        # Step 3 headless (token) and Step 4 (a converter; the built-in one reads Step 6's file)
        converters = [{"name": "CSV Test Converter", "module_path": "csv", "watch_folder": str(st.incoming),
                       "file_patterns": ["*.csv"], "file_stable_seconds": 0.2}]
        for cmd in (f"pywats-client config set --api-token {st.token}",
                    f"pywats-client config set converters '{json.dumps(converters)}'",
                    "pywats-client config set health_check_interval 0.5",
                    "pywats-client config set rescan_interval_seconds 0.5",
                    "pywats-client config set process_sync_enabled false"):
            done = st.sh(cmd)
            assert done.returncode == 0, (cmd, done.stderr)
        st.start_service().wait_for(lambda s: s["state"] == "ONLINE")
        yield st
    finally:
        if st.service is not None:
            st.service.kill()
        st.server.kill()


def test_one_instance_needs_no_instance_id(station: Station) -> None:
    listed = station.sh("pywats-client instances")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("production: ONLINE")
    assert f"queue:   {station.client_home / 'reports'}" in listed.stdout
    assert f"log:     {station.client_home / 'client.log'}" in listed.stdout


def test_reports_not_uploading(station: Station) -> None:
    svc = station.service
    assert svc is not None
    # "Check connection status"
    status = station.sh(block(41, "bash", "python -m pywats_client status").text)
    assert status.returncode == 0, status.stderr
    assert "instance:        production" in status.stdout and "running (ONLINE)" in status.stdout
    # an outage: the file is converted and waits in the queue
    station.server.kill()
    svc.wait_for(lambda s: s["state"] == "OFFLINE")
    serial = f"GUIDE-TS-{uuid.uuid4().hex[:8]}"
    (station.incoming / "test.csv").write_text(guide_csv(serial), encoding="utf-8")
    waiting = svc.wait_for(lambda s: s["queue"]["pending"] == 1)
    assert waiting["last_error"] and waiting["last_error_at"]
    status = station.sh(block(41, "bash", "python -m pywats_client status").text)
    assert "running (OFFLINE)" in status.stdout and "last error:" in status.stdout and "(at 20" in status.stdout
    # "Check queue" (Linux line, as written)
    [ls_line] = linux_lines(block(42, "bash", "# Windows").text)
    listed = station.sh(ls_line)
    assert listed.returncode == 0, listed.stderr
    [name] = listed.stdout.split()
    assert name.endswith(".json")
    # "Check logs": tail -f shows the upload once the server is back
    [tail_line] = linux_lines(block(43, "bash", "# Windows").text)
    assert tail_line.startswith("tail -f ")
    tail = subprocess.Popen(["bash", "-c", tail_line], env=station.env(), stdout=subprocess.PIPE, text=True)
    try:
        station.restart_server()
        back = time.monotonic()
        svc.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["completed"] >= 1 and s["queue"]["pending"] == 0)
        assert time.monotonic() - back < 10
        assert tail.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = tail.stdout.readline()
            seen.append(line)
            if "uploaded test.csv" in line:
                break
        assert f"serial {serial}" in seen[-1] and f"report {name[:-5]}" in seen[-1], seen[-5:]
    finally:
        tail.kill()
        tail.wait(10)
    assert len(server_headers(station.base_url, station.token, serial)) == 1
    status = svc.wait_for(lambda s: s["state"] == "ONLINE")
    assert status["last_error"] is None  # cleared on recovery
    # `status | head` (a closed pipe) is not an error
    piped = station.sh("python -m pywats_client status | head -1; exit ${PIPESTATUS[0]}")
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout.startswith("instance:")
    as_json = json.loads(station.sh("python -m pywats_client status --json").stdout)
    assert as_json["instance_id"] == "production" and as_json["state"] == "ONLINE"
    # "Manual retry", on this instance's queue while the service runs
    code = block(44, "python", "from pywats_client.queue import PersistentQueue").text
    assert '"path/to/queue"' in code
    code = code.replace('"path/to/queue"', repr(str(station.client_home / "reports")))
    retry = station.sh(f"python - <<'EOF'\n{code}\nEOF")
    assert retry.returncode == 0, retry.stderr


def test_windows_lines_name_the_same_layout(station: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    from pywats_client import paths
    from pywats_client.config import ClientConfig

    monkeypatch.setenv("HOME", str(station.user_home))
    for key in ("PYWATS_CLIENT_HOME", "XDG_CONFIG_HOME", "PYWATS_INSTANCE_ID"):
        monkeypatch.delenv(key, raising=False)
    config = ClientConfig.load()
    assert config.reports_folder / "pending" == station.client_home / "reports" / "pending"
    assert config.log_file == station.client_home / "client.log"
    windows = block(42, "bash", "# Windows").text.splitlines()[1] + block(43, "bash", "# Windows").text.splitlines()[1]
    assert "%APPDATA%\\pyWATS_Client\\reports\\pending" in windows and "%APPDATA%\\pyWATS_Client\\client.log" in windows
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", "C:\\Users\\op\\AppData\\Roaming")
    assert str(paths.client_home()).endswith("pyWATS_Client")
    assert paths.shared_reports_folder().name == "reports" and paths.shared_log_path().name == "client.log"


def test_authentication_failures(station: Station, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    svc = station.service
    assert svc is not None
    # "Verify credentials" with curl, as written (URL and token are the guide's placeholders)
    curl = block(48, "bash", "# Test API access").text
    for old in ("https://company.wats.com", "YOUR_BASE64_TOKEN"):
        assert old in curl
    done = station.sh(curl.replace("https://company.wats.com", station.base_url)
                      .replace("YOUR_BASE64_TOKEN", station.token).rstrip() + " --fail --silent")
    assert done.returncode == 0, done.stderr
    # "Check token encryption": ClientConfig.load() finds the one instance
    monkeypatch.setenv("HOME", str(station.user_home))
    for key in ("PYWATS_CLIENT_HOME", "XDG_CONFIG_HOME", "PYWATS_INSTANCE_ID", "PYWATS_API_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    code = block(49, "python", "from pywats_client.config import ClientConfig").text
    exec(compile(code, "<guide block 49>", "exec"), {})  # noqa: S102 - running the guide's snippet is the point
    assert capsys.readouterr().out.splitlines() == ["Token present: True", f"Server URL: {station.base_url}"]
    assert station.token not in (station.client_home / "config_production.json").read_text(encoding="utf-8")
    # "Re-authenticate": reset (the credentials only), then enter them again
    reset_line, gui_line = block(50, "bash", "python -m pywats_client config reset").text.splitlines()
    reset = station.sh(reset_line, stdin="y\n")
    assert reset.returncode == 0, reset.stderr
    assert "converters, folders and other settings kept" in reset.stdout
    kept = json.loads((station.client_home / "config_production.json").read_text(encoding="utf-8"))
    assert kept["api_token"] == "" and kept["station_name"] == "ICT-STATION-01" and len(kept["converters"]) == 1
    gui = station.sh(gui_line, stdin=f"\n{station.token}\n")
    assert gui.returncode == 0, gui.stderr
    assert "the running service reloaded them" in gui.stdout
    assert svc.wait_for(lambda s: s["state"] == "ONLINE")


def test_authentication_expiration_manual_renewal(station: Station) -> None:
    svc = station.service
    assert svc is not None
    text = block(26, "bash", "# Update token in environment").text
    export_line, set_line, restart_line = linux_lines(text)
    assert export_line == 'export PYWATS_API_TOKEN="new-token-here"'
    assert set_line == 'pywats-client config set --api-token "new-token"'
    assert restart_line == "systemctl restart pywats-client@production"
    # the token expires: the station pauses as AUTH_FAILED, files wait
    assert station.sh('pywats-client config set --api-token "bm90OnZhbGlk"').returncode == 0
    assert station.sh("pywats-client reload").returncode == 0
    svc.wait_for(lambda s: s["state"] == "AUTH_FAILED")
    serial = f"GUIDE-AUTH-{uuid.uuid4().hex[:8]}"
    (station.incoming / "expired.csv").write_text(guide_csv(serial), encoding="utf-8")
    svc.wait_for(lambda s: s["queue"]["pending"] == 1)
    # "Update token in environment": the service started with it uses it over the file's
    assert svc.stop()[0] == 0
    station.sh(export_line)  # as written (affects only that shell)
    env_token = export_line.split("=", 1)[1].strip('"').replace("new-token-here", station.token)
    svc = station.start_service(PYWATS_API_TOKEN=env_token)
    svc.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["pending"] == 0 and s["queue"]["completed"] >= 1)
    assert len(server_headers(station.base_url, station.token, serial)) == 1
    assert svc.stop()[0] == 0
    # "Or update config file", then the restart
    done = station.sh(set_line.replace("new-token", station.token))
    assert done.returncode == 0, done.stderr
    svc = station.start_service()
    svc.wait_for(lambda s: s["state"] == "ONLINE")


def test_high_cpu_memory(station: Station) -> None:
    svc = station.service
    assert svc is not None
    workers = json.loads(block(51, "json", "{").text.split("//")[0] + "}")
    features = {k: v for k, v in (line.split("//")[0].strip().rstrip(",").split(":") for line in
                                  block(52, "json", "{").text.splitlines()[1:3])}
    assert workers == {"max_converter_workers": 5}
    assert set(features) == {'"process_sync_enabled"', '"converters_enabled"'}
    for key, value in [("max_converter_workers", 5), ("process_sync_enabled", "false"), ("converters_enabled", "false")]:
        assert station.sh(f"pywats-client config set {key} {value}").returncode == 0
    reload = station.sh("pywats-client reload")
    assert reload.returncode == 0, reload.stderr
    assert svc.wait_for(lambda s: s["converters_enabled"] is False)
    # "Monitor resources" (Linux): the service is among the processes pgrep finds
    [top_line] = linux_lines(block(53, "powershell", "# Windows").text)
    assert top_line == "top -p $(pgrep -f pywats_client)"
    found = station.sh("pgrep -f pywats_client")
    assert svc.process is not None and str(svc.process.pid) in found.stdout.split()
    shown = station.sh(f"top -b -n 1 -p {svc.process.pid}")
    assert shown.returncode == 0 and str(svc.process.pid) in shown.stdout
