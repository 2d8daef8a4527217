"""The project's checkers pass: ruff (config ``[tool.ruff]``) over src, tests and benchmarks,
and mypy (config ``[tool.mypy]``) for Linux, Windows and macOS. Both run as subprocesses of
this venv's Python, as a developer runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=400, check=False
    )


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", "--no-cache", "src", "tests", "benchmarks", "tools")
    assert done.returncode == 0, done.stdout + done.stderr


# Platform code is guarded by sys.platform checks, which mypy evaluates for the platform it is
# told: the sources must also check clean as seen on Windows (most stations) and macOS.
@pytest.mark.parametrize(
    ("platform", "paths"),
    [(None, ()), ("win32", ()), ("darwin", ())],
    ids=["default", "win32", "darwin"],
)
def test_mypy_finds_no_errors(platform: str | None, paths: tuple[str, ...], tmp_path: Path) -> None:
    options = ["--platform", platform] if platform else []
    done = run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"), *options, *paths)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout
