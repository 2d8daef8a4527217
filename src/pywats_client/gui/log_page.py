"""The log page: the tail of the instance's log file, following it."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from pywats_client.gui.link import ServiceLink

__all__ = ["LogPage"]


class LogPage(QWidget):
    """Shows the end of the log; keeps scrolled to the bottom unless the user scrolled up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLabel("")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setMaximumBlockCount(5000)
        layout = QVBoxLayout(self)
        layout.addWidget(self.path)
        layout.addWidget(self.text, 1)
        self._shown = ""

    def show_log(self, link: ServiceLink) -> None:
        """Read the tail of the log again (cheap: at most 64 KiB)."""
        self.path.setText(str(link.log_file()))
        tail = link.log_tail()
        if tail == self._shown:
            return
        bar = self.text.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        self._shown = tail
        self.text.setPlainText(tail if tail else "(the log is empty or does not exist yet)")
        if at_bottom:
            bar.setValue(bar.maximum())
