"""The screenshot script renders every window (the pictures in docs/gui.md come from it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("setup", "dashboard", "converters", "queue", "log", "settings", "reauth")


def test_script_renders_each_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gui_screenshots.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=240, env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for name in NAMES:
        png = tmp_path / f"gui-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    for name in NAMES:  # the docs show every one of them
        assert f"images/gui-{name}.png" in (ROOT / "docs" / "gui.md").read_text(encoding="utf-8")
