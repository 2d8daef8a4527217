"""The converters page: add, edit, enable/disable, remove; test a converter on a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pywats_client.config import ConfigError
from pywats_client.converters.loader import BUILTIN_CONVERTERS
from pywats_client.gui.link import ServiceLink
from pywats_client.gui.widgets import ReadOnlyTable

__all__ = ["ConverterDialog", "ConvertersPage", "summarize_conversion"]


class ConverterDialog(QDialog):
    """Edit one converter entry (a dict of config keys)."""

    def __init__(self, entry: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        entry = dict(entry or {})
        self.setWindowTitle("Converter")
        self.name = QLineEdit(str(entry.get("name", "")))
        self.module = QComboBox()
        self.module.setEditable(True)
        self.module.addItems(sorted(BUILTIN_CONVERTERS))
        self.module.setCurrentText(str(entry.get("module_path", "csv")))
        self.module.setToolTip("A built-in short name, or module.Class of your own converter")
        self.watch_folder = QLineEdit(str(entry.get("watch_folder", "")))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.watch_folder, 1)
        folder_row.addWidget(browse)
        patterns = entry.get("file_patterns")
        self.patterns = QLineEdit(", ".join(patterns) if isinstance(patterns, list) else "")
        self.patterns.setPlaceholderText("empty = the converter's own patterns, e.g. *.csv")
        self.post_action = QComboBox()
        self.post_action.addItems(["move", "delete", "keep"])
        self.post_action.setCurrentText(str(entry.get("post_action", "move")))
        self.enabled = QCheckBox("Enabled")
        self.enabled.setChecked(bool(entry.get("enabled", True)))
        params = entry.get("parameters") or {}
        self.parameters = QPlainTextEdit(json.dumps(params, indent=2) if params else "{}")
        self.parameters.setToolTip("JSON object, e.g. {\"part_number\": \"WIDGET-100\", \"operation_type\": \"FCT\"}")
        self._rest = {k: v for k, v in entry.items() if k not in {
            "name", "module_path", "watch_folder", "file_patterns", "post_action", "enabled", "parameters"}}
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Converter", self.module)
        form.addRow("Watch folder", folder_row)
        form.addRow("File patterns", self.patterns)
        form.addRow("After conversion", self.post_action)
        form.addRow("", self.enabled)
        form.addRow("Parameters (JSON)", self.parameters)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Watch folder", self.watch_folder.text())
        if folder:
            self.watch_folder.setText(folder)

    def entry(self) -> dict[str, Any]:
        """The entry as written to the config (raises ValueError for bad parameters JSON)."""
        try:
            params = json.loads(self.parameters.toPlainText() or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"parameters: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(params, dict):
            raise ValueError("parameters: must be a JSON object")
        patterns = [p.strip() for p in self.patterns.text().split(",") if p.strip()]
        entry: dict[str, Any] = {
            **self._rest,
            "name": self.name.text().strip(),
            "module_path": self.module.currentText().strip(),
            "watch_folder": self.watch_folder.text().strip(),
            "post_action": self.post_action.currentText(),
            "enabled": self.enabled.isChecked(),
            "parameters": params,
        }
        if patterns:
            entry["file_patterns"] = patterns
        return entry

    def _accept(self) -> None:
        try:
            self.entry()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def summarize_conversion(path: Path, entry: dict[str, Any], converter_paths: list[Path] | None = None) -> str:
    """Convert ``path`` with the converter of ``entry`` in this process and describe the result
    (serial, part number, result and step count of each report), or the converter's error."""
    from pywats_client.converters import load_converter
    from pywats_client.converters.parameters import merge_parameters

    try:
        spec = str(entry.get("module_path", ""))
        # a converter of the user's own is imported afresh, so edits to it show at once
        own = spec.lower() not in BUILTIN_CONVERTERS and not spec.startswith("pywats_client.")
        converter = load_converter(spec, converter_paths or (), fresh=own)()
    except Exception as exc:  # noqa: BLE001 - shown to the user as is
        return f"Cannot load the converter: {exc}"
    result = converter.convert_file(path, arguments=merge_parameters(entry.get("arguments"), entry.get("parameters")))
    if not result.success:
        return f"{path.name}: conversion failed: {result.error}"
    reports = result.data if isinstance(result.data, list) else [result.data]
    lines = [f"{path.name}: {len(reports)} report(s)"]
    for report in reports:
        steps = _count_steps((report or {}).get("root"))
        lines.append(
            f"  SN {report.get('sn')}  PN {report.get('pn')} rev {report.get('rev')}  "
            f"operation {report.get('processCode')}  result {report.get('result')}  {steps} step(s)"
        )
    return "\n".join(lines)


def _count_steps(step: Any) -> int:
    if not isinstance(step, dict):
        return 0
    children = step.get("steps") or []
    return sum(1 + _count_steps(child) for child in children if isinstance(child, dict))


class ConvertersPage(QWidget):
    """The instance's converters; changes are saved to the config and a running service reloads."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link: ServiceLink | None = None
        self.entries: list[dict[str, Any]] = []
        self.table = ReadOnlyTable(["Name", "Converter", "Watch folder", "Patterns", "Enabled"])
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.toggle_button = QPushButton("Enable / disable")
        self.remove_button = QPushButton("Remove")
        self.test_button = QPushButton("Test on a file…")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.test_output = QPlainTextEdit()
        self.test_output.setReadOnly(True)
        self.test_output.setMaximumHeight(140)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.toggle_button, self.remove_button, self.test_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.test_output)
        self.add_button.clicked.connect(lambda: self._edit(None))
        self.edit_button.clicked.connect(lambda: self._edit(self.table.currentRow()))
        self.toggle_button.clicked.connect(lambda: self.toggle(self.table.currentRow()))
        self.remove_button.clicked.connect(lambda: self.remove(self.table.currentRow()))
        self.test_button.clicked.connect(self._pick_and_test)

    def show_converters(self, link: ServiceLink) -> None:
        """Read the converter entries from the config file."""
        self.link = link
        try:
            config = link.load_config()
        except ConfigError as exc:
            self.message.setText(str(exc))
            return
        self.entries = [c.model_dump(mode="json", exclude_defaults=False) for c in config.converters]
        self.table.set_rows(
            [
                (e["name"], e["module_path"], e["watch_folder"], ", ".join(e.get("file_patterns") or []) or "(default)",
                 "yes" if e.get("enabled", True) else "no")
                for e in self.entries
            ]
        )

    def save_entries(self, entries: list[dict[str, Any]]) -> bool:
        """Validate and save ``entries`` as the converter list; a running service reloads."""
        if self.link is None:
            return False
        try:
            note = self.link.apply_changes({"converters": entries})
        except ConfigError as exc:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(str(exc))
            return False
        self.message.setStyleSheet("color: #1b5e20")
        self.message.setText(f"Saved. {note}")
        self.show_converters(self.link)
        return True

    def add(self, entry: dict[str, Any]) -> bool:
        """Add a converter entry."""
        return self.save_entries([*self.entries, entry])

    def toggle(self, row: int) -> bool:
        """Enable a disabled converter or disable an enabled one."""
        if not 0 <= row < len(self.entries):
            return False
        entries = [dict(e) for e in self.entries]
        entries[row]["enabled"] = not entries[row].get("enabled", True)
        return self.save_entries(entries)

    def remove(self, row: int) -> bool:
        """Remove a converter entry."""
        if not 0 <= row < len(self.entries):
            return False
        return self.save_entries([e for i, e in enumerate(self.entries) if i != row])

    def _edit(self, row: int | None) -> None:
        current = self.entries[row] if row is not None and 0 <= row < len(self.entries) else None
        if row is not None and current is None:
            return
        dialog = ConverterDialog(current, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        entry = dialog.entry()
        if current is None:
            self.add(entry)
        else:
            entries = list(self.entries)
            entries[row or 0] = entry
            self.save_entries(entries)

    def test_file(self, path: Path, row: int | None = None) -> str:
        """Convert ``path`` with the selected (or given) converter and show the summary."""
        index = self.table.currentRow() if row is None else row
        if not 0 <= index < len(self.entries):
            text = "Select a converter first."
        else:
            paths = self.link.load_config().converter_paths if self.link is not None else []
            text = summarize_conversion(path, self.entries[index], paths)
        self.test_output.setPlainText(text)
        return text

    def _pick_and_test(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Test the converter on a file")
        if name:
            self.test_file(Path(name))
