"""``pywats-client converter test`` as a real process (the harness a converter author runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYWATS_CLIENT_HOME"] = str(tmp_path / "home")
    for var in ("PYWATS_API_TOKEN", "PYWATS_INSTANCE_ID", "PYWATS_DEBUG"):
        env.pop(var, None)
    return subprocess.run([sys.executable, "-m", "pywats_client", *args], env=env, capture_output=True,
                          text=True, timeout=120, input="")


def test_converter_test_in_a_subprocess(tmp_path: Path) -> None:
    done = _run(["converter", "test", str(DATA / "openhtf" / "power_board_fail.json"), "--converter", "openhtf",
                 "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["ok"] and payload["reports"][0]["sn"] == "SN-9001"
    assert payload["reports"][0]["result"] == "F"

    text = _run(["converter", "test", str(DATA / "openhtf" / "power_board_fail.json"), "--converter", "openhtf"],
                tmp_path)
    assert text.returncode == 0, text.stderr
    assert "    [F] v5: 5.31 V  [4.9 <= x <= 5.1]" in text.stdout

    bad = _run(["converter", "test", str(DATA / "openhtf" / "not_openhtf.json"), "--converter", "openhtf"], tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("error: not_openhtf.json: not an OpenHTF test record")
