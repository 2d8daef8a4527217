"""The packages ship ``py.typed``: what users' type checkers see of the clients is checked
here (mypy over the whole source, for each platform, runs in ``test_tooling.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_domain_methods_have_their_real_types(tmp_path: Path) -> None:
    """``tests/typecheck/check_domain_types.py`` asserts (``assert_type``) what mypy sees of
    ``pyWATS``/``AsyncWATS`` domain methods: their real result types, not ``Any``."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"),
         "tests/typecheck/check_domain_types.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_every_package_ships_py_typed() -> None:
    for package in ("pywats", "pywats_client", "pywats_server"):
        assert (ROOT / "src" / package / "py.typed").is_file()
