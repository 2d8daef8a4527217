"""The integration guide's "Step 7: Deploy to Production", checked against what pyWATS installs.

Installing a real service is not possible on a test machine, so each option's command lines
are run with ``--dry-run`` (the guide's own command line, plus that flag) and the names the
guide then uses — ``Start-Service pyWATS-Client-production``, ``systemctl ... pywats-client@production``,
the ``/app/config`` and ``/app/data`` volumes — are checked against what would be registered.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from pywats_client.service.testing import write_config
from support.markdown_blocks import code_blocks

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = code_blocks(ROOT / "tests" / "data" / "guide" / "integration-patterns.md")


def _block(index: int, lang: str, starts_with: str) -> str:
    found = BLOCKS[index]
    assert found.lang == lang and found.text.startswith(starts_with), f"guide block {index} changed"
    return found.text


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    env["PYWATS_CLIENT_HOME"] = str(home)
    return env


def _guide_command(line: str, *extra: str) -> list[str]:
    argv = shlex.split(line)
    assert argv[:3] == ["python", "-m", "pywats_client"], line
    return [sys.executable, *argv[1:], *extra]


def test_option_a_windows_service_names(tmp_path: Path) -> None:
    text = _block(11, "powershell", "# Install as service")
    install = next(line for line in text.splitlines() if "install-service" in line)
    home = tmp_path / "ProgramData" / "pyWATS_Client"
    write_config(home, "production", service_address="http://127.0.0.1:9")
    done = subprocess.run(_guide_command(install, "--platform", "windows", "--dry-run"), env=_env(home),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "install Windows service pyWATS-Client-production" in done.stdout
    assert "start type:     automatic" in done.stdout
    for verb in ("Start-Service", "Get-Service"):
        name = re.search(rf"^{verb} (\S+)$", text, re.MULTILINE)
        assert name is not None and f"{verb} {name.group(1)}" in done.stdout  # the names the guide uses


def test_option_b_systemd_unit_names(tmp_path: Path) -> None:
    text = _block(12, "bash", "# Create service file")
    template = re.search(r"sudo nano (\S+)", text)
    assert template is not None
    home = tmp_path / "srv" / "pywats"
    write_config(home, "production", service_address="http://127.0.0.1:9")
    done = subprocess.run([sys.executable, "-m", "pywats_client", "install-service", "--instance-id", "production",
                           "--platform", "systemd", "--dry-run"], env=_env(home), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"write {template.group(1)} (mode 0644)" in done.stdout  # the file the guide edits by hand
    for verb in ("enable", "start", "status"):
        unit = re.search(rf"^sudo systemctl {verb} (\S+)$", text, re.MULTILINE)
        assert unit is not None
        assert f"sudo systemctl {verb} {unit.group(1)}.service" in done.stdout


def test_option_c_docker_volumes_match_the_image() -> None:
    text = _block(13, "bash", "docker run -d")
    mounts = dict(m.split(":")[::-1] for m in re.findall(r"-v (\S+)", text))
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    client = dockerfile[dockerfile.index("AS client-headless"):]
    assert "/app/config" in mounts and "/app/data" in mounts
    assert f"PYWATS_CLIENT_HOME={'/app/config'}" in client and "PYWATS_DATA_DIR=/app/data" in client
    assert "--restart unless-stopped" in text
