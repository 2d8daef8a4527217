"""pywats-server command line: URL line, generated token, seed file, latency, clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pywats_server.testing import ServerStartError, start_server


def test_generated_token_is_printed_and_accepted(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pywats_server", "--port", "0", "--db", str(tmp_path / "g.db")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("pywats-server listening on http://127.0.0.1:")
        second = proc.stdout.readline().strip()
        assert second.startswith("pywats-server token: ")
        token = second.split(": ", 1)[1]
        url = first.rsplit(" ", 1)[1]
        assert httpx.get(url + "/api/App/Version", headers={"Authorization": f"Basic {token}"}).status_code == 200
        assert httpx.get(url + "/api/App/Version", headers={"Authorization": "Basic x"}).status_code == 401
    finally:
        if sys.platform == "win32":
            proc.terminate()
            proc.wait(15)
        else:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(15) == 0


def test_sigterm_stops_cleanly_and_data_survives_restart(tmp_path: Path, make_uut) -> None:
    db = tmp_path / "r.db"
    report = make_uut(sn="RESTART-1")
    srv = start_server(db, tokens=["tok1", "tok2"])
    r = httpx.post(srv.url + "/api/Report/WSJF", json=report, headers={"Authorization": "Basic tok2"})
    assert r.status_code == 200
    assert srv.stop() == 0
    with start_server(db, tokens=["tok1"]) as again:
        back = httpx.get(f"{again.url}/api/Report/Wsjf/{report['id']}", headers=again.auth_headers)
        assert back.status_code == 200 and back.json()["sn"] == "RESTART-1"


def test_seed_file_adds_processes(tmp_path: Path, make_uut) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({
        "processes": [{"code": 777, "name": "Vibration", "isTestOperation": True}],
        "levels": [{"levelId": 9, "levelName": "Lab"}],
        "productGroups": [{"productGroupId": 9, "productGroupName": "Lab kit"}],
    }))
    with start_server(tmp_path / "s.db", seed=seed) as srv, httpx.Client(
        base_url=srv.url, headers=srv.auth_headers
    ) as c:
        codes = {p["code"]: p["name"] for p in c.get("/api/App/Processes").json()}
        assert codes[777] == "Vibration" and codes[100] == "FCT"
        assert {"levelId": 9, "levelName": "Lab"} in c.get("/api/App/Levels").json()
        assert c.post("/api/Report/WSJF", json=make_uut(processCode=777)).status_code == 200


def test_bad_seed_file_fails_start_naming_it(tmp_path: Path) -> None:
    seed = tmp_path / "broken-seed.json"
    seed.write_text(json.dumps({"processes": [{"code": "x", "name": "Bad"}]}))
    with pytest.raises(ServerStartError) as info:
        start_server(tmp_path / "b.db", seed=seed, startup_timeout=30)
    assert "broken-seed.json" in str(info.value) and "code" in str(info.value)


def test_latency_is_added_to_api_calls_only(tmp_path: Path) -> None:
    with start_server(tmp_path / "l.db", latency_ms=300) as srv:
        t0 = time.monotonic()
        r = httpx.get(srv.url + "/api/App/Version", headers=srv.auth_headers)
        elapsed = time.monotonic() - t0
        assert r.status_code == 200 and elapsed >= 0.3
        assert httpx.get(srv.url + "/").status_code == 200


def test_help_documents_options() -> None:
    out = subprocess.run([sys.executable, "-m", "pywats_server", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for opt in ("--host", "--port", "--db", "--token", "--latency-ms", "--seed"):
        assert opt in out.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("pywats-server.exe" if sys.platform == "win32" else "pywats-server")
    assert script.exists()
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "pywats-server" in out.stdout
