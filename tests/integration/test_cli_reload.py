"""`pywats-client reload`: a new token takes effect in the running service without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYWATS_CLIENT_HOME": str(home)}
    env.pop("PYWATS_API_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "pywats_client", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_reload_after_token_change_clears_auth_failed(tmp_path: Path, wats_server: Any) -> None:
    base_url, token = wats_server
    home, incoming = tmp_path / "home", tmp_path / "Incoming"
    incoming.mkdir(parents=True)
    serial = f"RELOAD-{uuid.uuid4().hex[:8]}"
    write_config(home, "rl", service_address=base_url, api_token="d3Jvbmc6dG9rZW4=", rescan_interval_seconds=0.5,
                 health_check_interval=0.5, process_sync_enabled=False,
                 converters=[{"name": "CSV", "module_path": "csv", "watch_folder": str(incoming),
                              "file_patterns": ["*.csv"], "file_stable_seconds": 0.2}])
    with ServiceProcess(home, "rl") as svc:
        svc.start()
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        svc.wait_for(lambda s: s["state"] == "AUTH_FAILED" and s["queue"]["pending"] == 1)
        assert _cli(home, "config", "set", "--instance-id", "rl", "--api-token", token).returncode == 0
        done = _cli(home, "reload", "--instance-id", "rl")
        assert done.returncode == 0, done.stderr
        assert "reloaded" in done.stdout
        svc.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["completed"] == 1)
        assert len(server_headers(base_url, token, serial)) == 1
        assert svc.stop()[0] == 0


def test_reload_without_a_running_service_is_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _cli(home, "config", "init", "--instance-id", "idle").returncode == 0
    done = _cli(home, "reload", "--instance-id", "idle")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "idle" in lines[0] and "Traceback" not in done.stderr
