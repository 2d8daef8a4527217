"""The README's first command: the demo runs the guide's station flow end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_uploads_sample_and_reads_it_back(tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "pywats_client", "demo", "--workdir", str(workdir)],
        capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "SN-12345" in out and "WIDGET-100" in out
    for step in ("Resistance", "Voltage", "Current"):
        assert step in out
    assert (workdir / "TestData" / "Done" / "test.csv").exists()
    assert not list((workdir / "TestData" / "Incoming").glob("*.csv"))
    assert "ONLINE" in out or "online" in out
