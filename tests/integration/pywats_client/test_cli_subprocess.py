"""The pywats-client CLI as a user runs it: real processes, real files, the real local server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

SAMPLE_CSV = """PartNumber,SerialNumber,,,
WIDGET-100,SN-12345,,,
TestName,Value,Unit,LowLimit,HighLimit
Resistance,10.5,Ohm,9.0,12.0
Voltage,5.01,V,4.95,5.05
Current,0.998,A,0.95,1.05
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e["PYWATS_CLIENT_HOME"] = str(tmp_path / "home")
    for var in ("PYWATS_API_TOKEN", "PYWATS_INSTANCE_ID", "PYWATS_DEBUG"):
        e.pop(var, None)
    return e


def cli(args: list[str], env: dict[str, str], *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pywats_client", *args],
        env=env, input=stdin if stdin is not None else "", capture_output=True, text=True, timeout=120,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_version_module_and_console_script(env: dict[str, str]) -> None:
    from pywats._version import __version__

    done = cli(["--version"], env)
    assert (done.returncode, done.stdout.strip()) == (0, f"pywats-client {__version__}")
    script = shutil.which("pywats-client", path=str(Path(sys.executable).parent))
    assert script is not None, "the pywats-client console script is not installed next to python"
    done = subprocess.run([script, "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"pywats-client {__version__}")


def test_config_lifecycle_and_exit_codes(env: dict[str, str]) -> None:
    home = Path(env["PYWATS_CLIENT_HOME"])
    missing = cli(["config", "show", "--instance-id", "production"], env)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        (f"error: no config for instance 'production' at {home / 'config_production.json'}; "
        "run `pywats-client config init --instance-id production`")
    ]
    done = cli(["config", "init", "--instance-id", "production", "--api-token", "c2VjcmV0OnRva2Vu",
                "--service-address", "http://127.0.0.1:9"], env)
    assert done.returncode == 0, done.stderr
    assert (home / "config_production.json").exists()
    assert "c2VjcmV0OnRva2Vu" not in (home / "config_production.json").read_text(encoding="utf-8")
    assert cli(["config", "set", "--instance-id", "production", "max_retry_attempts", "3"], env).returncode == 0
    show = cli(["config", "show", "--instance-id", "production", "--json"], env)
    assert show.returncode == 0
    data = json.loads(show.stdout)
    assert data["max_retry_attempts"] == 3 and data["api_token"] == "********"
    assert "c2VjcmV0OnRva2Vu" not in show.stdout + show.stderr
    usage = cli(["config", "set", "--instance-id", "production", "no_such_key", "1"], env)
    assert usage.returncode == 2 and "no_such_key" in usage.stderr
    assert "Traceback" not in usage.stderr
    path = cli(["config", "path", "--instance-id", "production"], env)
    assert path.stdout.strip() == str(home / "config_production.json")
    reset = cli(["config", "reset", "--instance-id", "production"], env)  # no stdin: needs --yes
    assert reset.returncode == 1 and "--yes" in reset.stderr
    assert cli(["config", "reset", "--instance-id", "production", "--yes"], env).returncode == 0
    assert json.loads(cli(["config", "show", "--instance-id", "production", "--json"], env).stdout)["api_token"] == ""


def test_bad_config_file_error_names_file_and_key(env: dict[str, str]) -> None:
    home = Path(env["PYWATS_CLIENT_HOME"])
    home.mkdir(parents=True)
    (home / "config_production.json").write_text(
        '{\n  // edited by hand\n  "converters": [{"name": "c", "module_path": "csv", "watch_folder": "in",'
        ' "post_action": "archive"}],\n}\n', encoding="utf-8")
    done = cli(["status", "--instance-id", "production"], env)
    assert done.returncode == 1
    assert done.stderr.strip() == ("error: config_production.json: converters[0].post_action: must be one of "
                                   "move, delete, keep (got 'archive')")


def test_test_connection_unreachable_is_one_line(env: dict[str, str]) -> None:
    port = free_port()
    assert cli(["config", "init", "--service-address", f"http://127.0.0.1:{port}", "--api-token", "eDp5"],
               env).returncode == 0
    done = cli(["test-connection"], env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach WATS at http://127.0.0.1:")
    assert done.stdout == ""


def test_test_connection_against_local_server(env: dict[str, str], wats_server: Any) -> None:
    assert cli(["config", "init", "--service-address", wats_server.base_url], env).returncode == 0
    env_with_token = {**env, "PYWATS_API_TOKEN": wats_server.token}
    done = cli(["test-connection"], env_with_token)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Connected to WATS ")
    assert wats_server.base_url in done.stdout
    # a wrong token is a clear failure
    assert cli(["config", "set", "--api-token", "d3Jvbmc6dG9rZW4="], env).returncode == 0
    bad = cli(["test-connection"], env)
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) == 1


def test_upload_files_and_folders(env: dict[str, str], wats_server: Any, tmp_path: Path) -> None:
    assert cli(["config", "init", "--service-address", wats_server.base_url, "--api-token", wats_server.token],
               env).returncode == 0
    conv = [{"name": "CSV", "module_path": "csv", "watch_folder": str(tmp_path / "in"), "file_patterns": ["*.csv"]}]
    assert cli(["config", "set", "converters", json.dumps(conv)], env).returncode == 0
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.csv").write_text(SAMPLE_CSV, encoding="utf-8")
    (folder / "b.csv").write_text(SAMPLE_CSV.replace("SN-12345", "SN-67890"), encoding="utf-8")
    from pywats_client.converters.runner import convert_in_process

    report = convert_in_process("csv", folder / "a.csv").reports[0]
    report["id"] = str(uuid.uuid4())
    report["sn"] = "SN-JSON-1"
    single = tmp_path / "report.json"
    single.write_text(json.dumps(report), encoding="utf-8")

    done = cli(["upload", str(folder), str(single)], env)
    assert done.returncode == 0, done.stderr
    assert "uploaded 3 report(s) from 3 of 3 file(s)" in done.stdout
    from pywats import pyWATS

    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        stored = api.report.get_report_wsjf(report["id"])
    assert stored["sn"] == "SN-JSON-1"

    # a station installs no console library: the upload (and its progress bar) works
    # without rich and pygments, and prints no progress when its output is not a terminal
    (folder / "c.csv").write_text(SAMPLE_CSV.replace("SN-12345", "SN-NORICH"), encoding="utf-8")
    without = subprocess.run(
        [sys.executable, "-c",
         ("import sys\n"
          "sys.modules['rich'] = sys.modules['pygments'] = None  # as if not installed\n"
          "from pywats_client.cli import main\n"
          "sys.exit(main())\n"),
         "upload", str(folder / "c.csv")],
        env=env, input="", capture_output=True, text=True, timeout=120,
    )
    assert (without.returncode, without.stderr) == (0, ""), without.stderr
    assert "uploaded 1 report(s) from 1 of 1 file(s)" in without.stdout

    bad = tmp_path / "bad.txt"
    bad.write_text("nothing converts this", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    failed = cli(["upload", str(bad), str(broken)], env)
    assert failed.returncode == 1
    assert f"FAILED {bad}: no enabled converter" in failed.stderr
    assert f"FAILED {broken}: not a WSJF JSON file" in failed.stderr
    assert "2 file(s) failed" in failed.stdout
