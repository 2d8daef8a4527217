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


EXTRA_CONVERTER = '''
from pywats_client.converters.builtin.csv import CSVConverter


class ExtraCSV(CSVConverter):
    """The built-in CSV converter under another name, in a folder added by a reload."""
'''


def test_reload_applies_converter_paths_and_log_level_and_names_restart_keys(tmp_path: Path, wats_server: Any) -> None:
    base_url, token = wats_server
    home, incoming, extra = tmp_path / "home", tmp_path / "Incoming", tmp_path / "extra_converters"
    incoming.mkdir(parents=True)
    extra.mkdir()
    (extra / "extraconv.py").write_text(EXTRA_CONVERTER, encoding="utf-8")
    keys: dict[str, Any] = {
        "service_address": base_url, "api_token": token, "rescan_interval_seconds": 0.5, "health_check_interval": 0.5,
        "process_sync_enabled": False, "log_level": "INFO",
        "converters": [{"name": "Extra", "module_path": "extraconv.ExtraCSV", "watch_folder": str(incoming),
                     "file_patterns": ["*.csv"], "file_stable_seconds": 0.2}],
    }
    write_config(home, "rp", **keys)
    serial = f"RLPATH-{uuid.uuid4().hex[:8]}"
    with ServiceProcess(home, "rp") as svc:
        svc.start()
        first = svc.wait_for(lambda s: s["converters"][0]["status"] == "load_error")
        assert "extraconv" in first["converters"][0]["load_error"]["message"]
        write_config(home, "rp", **{**keys, "converter_paths": [str(extra)], "log_level": "DEBUG"})
        done = _cli(home, "reload", "--instance-id", "rp")
        assert done.returncode == 0, done.stderr
        assert "every setting is applied" in done.stdout
        svc.wait_for(lambda s: s["converters"][0]["status"] == "running")
        (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"]["completed"] == 1)
        assert len(server_headers(base_url, token, serial)) == 1
        log_text = (home / "client.log").read_text(encoding="utf-8")  # the only instance: the guide's log
        assert "changed: converter_paths, log_level" in log_text and " DEBUG   " in log_text
        # a key only a restart applies is named, and the command does not claim success
        write_config(home, "rp", **{**keys, "converter_paths": [str(extra)], "reports_folder": str(tmp_path / "q2")})
        partial = _cli(home, "reload", "--instance-id", "rp")
        assert partial.returncode == 1
        assert "reports_folder" in partial.stderr and "after a restart" in partial.stderr
        assert "every setting is applied" not in partial.stdout
        assert svc.status()["reports_folder"] != str(tmp_path / "q2")  # type: ignore[index]
        assert svc.stop()[0] == 0
