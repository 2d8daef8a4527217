#!/usr/bin/env python3
"""Render every window of the desktop configurator to PNG (for ``docs/gui.md``).

Usage::

    python tools/gui_screenshots.py [OUTDIR]     # default: docs/images

Starts a local WATS server and a station service in a temporary client home, drops a few
result files (one of them for an operation the server does not know, so the queue page has
a failed report), then renders the set-up window, each page of the main window and the
sign-in-again dialog offscreen (``QT_QPA_PLATFORM=offscreen``). Needs the ``client`` and
``server`` extras.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = ("setup", "dashboard", "converters", "queue", "log", "settings", "reauth")


def _wait(predicate: object, timeout: float, app: object) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise TimeoutError("the service did not get there in time")


def render(outdir: Path) -> list[Path]:
    """Render the windows into ``outdir``; returns the files written."""
    from PySide6.QtWidgets import QApplication

    from pywats_client.service.testing import ServiceProcess, guide_csv, write_config
    from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server

    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="pywats-gui-") as tmp:
        home = Path(tmp) / "home"
        os.environ["PYWATS_CLIENT_HOME"] = str(home)
        incoming = Path(tmp) / "Incoming"
        incoming.mkdir(parents=True)
        app = QApplication.instance() or QApplication(["pywats-client"])
        from pywats_client.gui.main_window import MainWindow
        from pywats_client.gui.reauth_dialog import ReauthDialog
        from pywats_client.gui.link import ServiceLink
        from pywats_client.gui.setup_dialog import SetupDialog

        with start_server(Path(tmp) / "wats.db", tokens=[DEFAULT_TEST_TOKEN]) as server:
            setup = SetupDialog("production", ask_start=False)
            setup.server_url.setText(server.url)
            setup.credentials.token.setText(DEFAULT_TEST_TOKEN)
            setup.station_name.setText("FCT-STATION-01")
            setup.location.setText("Building A - Line 1")
            setup.purpose.setText("Production")
            setup.test_connection()
            written.append(_grab(setup, outdir / "gui-setup.png", app))
            setup.close()

            converters = [
                {"name": "FCT CSV", "module_path": "csv", "watch_folder": str(incoming), "file_stable_seconds": 0.2},
                {"name": "Rework CSV", "module_path": "csv", "watch_folder": str(Path(tmp) / "Rework"),
                 "file_stable_seconds": 0.2, "parameters": {"process_code": 777}},
            ]
            write_config(home, "production", service_address=server.url, api_token=DEFAULT_TEST_TOKEN,
                         station_name="FCT-STATION-01", location="Building A - Line 1", purpose="Production",
                         converters=converters, process_sync_enabled=False)
            (Path(tmp) / "Rework").mkdir()
            service = ServiceProcess(home, "production").start()
            try:
                service.wait_for(lambda s: s["state"] == "ONLINE", timeout=60)
                for n in range(1, 4):
                    (incoming / f"unit{n}.csv").write_text(guide_csv(f"SN-1000{n}"), encoding="utf-8")
                (Path(tmp) / "Rework" / "rework.csv").write_text(guide_csv("SN-20001"), encoding="utf-8")
                service.wait_for(lambda s: s["queue"]["completed"] == 3 and s["queue"]["failed"] == 1, timeout=60)
                window = MainWindow("production", refresh_ms=200)
                window.show()
                _wait(lambda: window.dashboard.uploads.rowCount() == 3, 20, app)
                for index, name in enumerate(("dashboard", "converters", "queue", "log", "settings")):
                    window.tabs.setCurrentIndex(index)
                    window.refresh()
                    written.append(_grab(window, outdir / f"gui-{name}.png", app))
                reauth = ReauthDialog(ServiceLink("production"), "401 Unauthorized: the token was refused")
                written.append(_grab(reauth, outdir / "gui-reauth.png", app))
                window.close()
            finally:
                service.stop()
    return written


def _grab(widget: object, path: Path, app: object) -> Path:
    widget.show()  # type: ignore[attr-defined]
    widget.adjustSize() if not hasattr(widget, "tabs") else None  # type: ignore[attr-defined]
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]
    if not widget.grab().save(str(path)):  # type: ignore[attr-defined]
        raise OSError(f"cannot write {path}")
    return path


def main(argv: list[str]) -> int:
    outdir = Path(argv[0]) if argv else ROOT / "docs" / "images"
    for path in render(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
