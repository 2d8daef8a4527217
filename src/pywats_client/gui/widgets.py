"""Small Qt helpers shared by the pages."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

__all__ = ["ReadOnlyTable", "format_time"]


def format_time(unix: Any) -> str:
    """A Unix time as local ``YYYY-MM-DD HH:MM:SS`` (empty for a missing value)."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(unix)))
    except (TypeError, ValueError, OverflowError):
        return ""


class ReadOnlyTable(QTableWidget):
    """A table of text rows with fixed headers; rows are replaced wholesale by :meth:`set_rows`."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Show ``rows`` (each a sequence of cell values, shown as text)."""
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                item.setToolTip(item.text())  # long errors and paths are cut in the cell
                self.setItem(r, c, item)

    def cell_text(self, row: int, column: int) -> str:
        """The text in one cell (empty when there is none)."""
        item = self.item(row, column)
        return item.text() if item is not None else ""
