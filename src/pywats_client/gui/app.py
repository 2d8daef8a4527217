"""``pywats-client gui``: the application object and the first window it opens."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QDialog

from pywats_client import paths
from pywats_client.gui.link import list_instances
from pywats_client.gui.main_window import MainWindow
from pywats_client.gui.setup_dialog import SetupDialog

__all__ = ["run"]


def run(argv: list[str], *, instance_id: str | None = None) -> int:
    """Open the set-up window (no instance configured yet, or ``instance_id`` is new), then
    the main window; returns when the last window closes."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "pywats-client", *argv])
    app.setApplicationName("pyWATS Client")
    known = {info.instance_id for info in list_instances()}
    if instance_id is not None:
        paths.validate_instance_id(instance_id)
    if not known or (instance_id is not None and instance_id not in known):
        setup = SetupDialog(instance_id)
        if setup.exec() != QDialog.DialogCode.Accepted or setup.saved is None:
            return 0
        instance_id = setup.saved.instance_id
    window = MainWindow(instance_id)
    window.show()
    return int(app.exec())
