"""The dashboard page: connectivity state, queue counts, the latest uploads, converters."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from pywats_client.gui.widgets import ReadOnlyTable, format_time

__all__ = ["DashboardPage"]

_STATE_COLOURS = {"ONLINE": "#1b5e20", "OFFLINE": "#e65100", "AUTH_FAILED": "#b00020"}


class DashboardPage(QWidget):
    """Live figures of the running service (or a note that it is not running)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = QLabel("—")
        self.state.setStyleSheet("font-size: 16pt; font-weight: bold")
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.last_error = QLabel("")
        self.last_error.setWordWrap(True)
        self.counts: dict[str, QLabel] = {name: QLabel("0") for name in ("pending", "processing", "failed", "completed")}
        counts_box = QGroupBox("Offline queue")
        counts_form = QFormLayout(counts_box)
        for name, label in self.counts.items():
            counts_form.addRow(name.capitalize(), label)
        self.uploads = ReadOnlyTable(["Serial number", "Part number", "Result", "Uploaded"])
        self.converters = ReadOnlyTable(["Converter", "Status", "Converted", "Failed", "Last error"])
        uploads_box = QGroupBox("Latest uploads")
        QVBoxLayout(uploads_box).addWidget(self.uploads)
        converters_box = QGroupBox("Converters")
        QVBoxLayout(converters_box).addWidget(self.converters)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.reason)
        layout.addWidget(self.last_error)
        layout.addWidget(counts_box)
        layout.addWidget(uploads_box, 1)
        layout.addWidget(converters_box, 1)

    def show_status(self, status: dict[str, Any] | None, uploads: list[dict[str, Any]]) -> None:
        """Show a status document from the control API (None: the service is not running)."""
        if status is None:
            self.state.setText("Service not running")
            self.state.setStyleSheet("font-size: 16pt; font-weight: bold; color: #555")
            self.reason.setText("Start it from the toolbar, or install it as a service (pywats-client install-service).")
            self.last_error.setText("")
            return
        state = str(status.get("state", "?"))
        self.state.setText(state)
        colour = _STATE_COLOURS.get(state, "#333")
        self.state.setStyleSheet(f"font-size: 16pt; font-weight: bold; color: {colour}")
        reason = status.get("state_reason") or ""
        paused = status.get("intake_paused")
        self.reason.setText("\n".join(str(x) for x in (reason, f"Intake paused: {paused}" if paused else "") if x))
        error = status.get("last_error")
        when = format_time(status.get("last_error_at"))
        self.last_error.setText(f"Last error ({when}): {error}" if error and when else f"Last error: {error}" if error else "")
        queue = status.get("queue") or {}
        for name, label in self.counts.items():
            label.setText(str(queue.get(name, 0)))
        self.uploads.set_rows(
            [
                (u.get("serial_number"), u.get("part_number"), _result_word(u.get("result")), format_time(u.get("uploaded_at")))
                for u in uploads
            ]
        )
        self.converters.set_rows(
            [
                (c.get("name"), c.get("status"), c.get("files_converted"), c.get("files_failed"), c.get("last_error") or "")
                for c in status.get("converters") or []
                if isinstance(c, dict)
            ]
        )


def _result_word(letter: Any) -> str:
    words = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}
    return words.get(str(letter), "" if letter is None else str(letter))
