"""The queue page: failed reports with their errors; retry one or all; open the source folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pywats_client.gui.link import ServiceLink
from pywats_client.gui.widgets import ReadOnlyTable, format_time
from pywats_client.service.control import ControlError

__all__ = ["QueuePage"]


class QueuePage(QWidget):
    """Failed queue entries of the running service."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link: ServiceLink | None = None
        self.entries: list[dict[str, Any]] = []
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.table = ReadOnlyTable(["Serial number", "Part number", "Attempts", "Failed at", "Error", "Source"])
        self.retry_selected = QPushButton("Retry selected")
        self.retry_all = QPushButton("Retry all")
        self.open_folder = QPushButton("Open source folder")
        buttons = QHBoxLayout()
        for b in (self.retry_selected, self.retry_all, self.open_folder):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.retry_selected.clicked.connect(self.retry_current)
        self.retry_all.clicked.connect(self.retry_everything)
        self.open_folder.clicked.connect(self.open_source_folder)

    def show_entries(self, link: ServiceLink, running: bool) -> None:
        """Read the failed entries from the service (or say that it is not running)."""
        self.link = link
        if not running:
            self.entries = []
            self.table.set_rows([])
            self.note.setText("The service is not running: start it to see and retry failed reports.")
            self._enable(False)
            return
        try:
            self.entries = link.failed_entries()
        except ControlError as exc:
            self.entries = []
            self.note.setText(str(exc))
            self._enable(False)
            return
        self.note.setText(f"{len(self.entries)} failed report(s)." if self.entries else "No failed reports.")
        self.table.set_rows(
            [
                (e.get("serial_number"), e.get("part_number"), e.get("attempts"), format_time(e.get("updated_at")),
                 e.get("error"), e.get("source"))
                for e in self.entries
            ]
        )
        self._enable(True)

    def _enable(self, on: bool) -> None:
        has = on and bool(self.entries)
        self.retry_selected.setEnabled(has)
        self.retry_all.setEnabled(has)
        self.open_folder.setEnabled(has)

    def selected_entry(self) -> dict[str, Any] | None:
        """The entry of the selected row, if any."""
        row = self.table.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def retry_current(self) -> int:
        """Retry the selected entry; returns how many went back to pending."""
        entry = self.selected_entry()
        if entry is None or self.link is None:
            return 0
        return self._retry(str(entry["id"]))

    def retry_everything(self) -> int:
        """Retry every failed entry; returns how many went back to pending."""
        return self._retry(None) if self.link is not None else 0

    def _retry(self, report_id: str | None) -> int:
        assert self.link is not None
        try:
            moved = self.link.retry(report_id)
        except ControlError as exc:
            self.note.setText(f"Retry failed: {exc}")
            return 0
        self.note.setText(f"{moved} report(s) sent back to the upload queue.")
        self.show_entries(self.link, True)
        return moved

    def open_source_folder(self) -> bool:
        """Open the folder of the selected entry's source file in the file manager."""
        entry = self.selected_entry()
        source = entry.get("source") if entry else None
        if not source:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(str(source)).parent)))
