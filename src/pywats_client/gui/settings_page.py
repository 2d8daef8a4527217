"""The settings page: every config key with its meaning, validated as the CLI validates it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget

from pywats_client.cli.config_cmds import parse_value
from pywats_client.config import ClientConfig, ConfigError
from pywats_client.gui.link import ServiceLink

__all__ = ["SETTINGS_KEYS", "SettingsPage", "describe_key"]

#: Keys edited elsewhere: the converters page, the sign-in dialogs, and the file name.
_ELSEWHERE = {"converters", "api_token", "instance_id", "schema_version"}

#: The keys shown, in the config file's order.
SETTINGS_KEYS: tuple[str, ...] = tuple(k for k in ClientConfig.FILE_KEYS if k not in _ELSEWHERE)


def describe_key(key: str) -> str:
    """The meaning of a config key (its documentation in the config model)."""
    field = ClientConfig.model_fields.get(key)
    text = (field.description or "") if field is not None else ""
    return " ".join(text.replace("``", "").split())


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, Path):
        return str(value)
    return "" if value is None else str(value)


class SettingsPage(QWidget):
    """One line edit per key; :meth:`save` validates all of them and writes the file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link: ServiceLink | None = None
        self.edits: dict[str, QLineEdit] = {}
        self._loaded: dict[str, str] = {}
        form_host = QWidget()
        form = QFormLayout(form_host)
        for key in SETTINGS_KEYS:
            edit = QLineEdit()
            meaning = describe_key(key)
            edit.setToolTip(meaning)
            self.edits[key] = edit
            help_label = QLabel(meaning)
            help_label.setWordWrap(True)
            help_label.setStyleSheet("color: #555; font-size: 9pt")
            box = QVBoxLayout()
            box.addWidget(edit)
            box.addWidget(help_label)
            form.addRow(key, box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.save_button = QPushButton("Save and apply")
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.save_button)
        self.save_button.clicked.connect(self.save)

    def show_config(self, link: ServiceLink) -> None:
        """Fill the fields from the instance's config file."""
        self.link = link
        try:
            config = link.load_config()
        except ConfigError as exc:
            self.message.setText(str(exc))
            return
        data = config.model_dump(mode="json", by_alias=True)
        data["station_name"] = config.station_name_template
        for key, edit in self.edits.items():
            text = _shown(data.get(key))
            edit.setText(text)
            self._loaded[key] = text

    def save(self) -> bool:
        """Validate every changed key (as ``pywats-client config set`` does), write the file
        and ask a running service to reload. Shows the error naming the key on failure."""
        if self.link is None:
            return False
        changes: dict[str, Any] = {}
        try:
            # parse_value is the CLI's `config set` parser; it reads the instance from a click context
            context = click.Context(click.Command("gui"))
            context.meta["pywats_instance_id"] = self.link.instance_id
            with context.scope():
                for key, edit in self.edits.items():
                    if edit.text() != self._loaded.get(key):
                        changes[key] = parse_value(key, edit.text())
        except click.BadParameter as exc:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(exc.format_message())
            return False
        if not changes:
            self.message.setStyleSheet("")
            self.message.setText("Nothing changed.")
            return True
        try:
            note = self.link.apply_changes(changes)
        except ConfigError as exc:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(str(exc))
            return False
        self.message.setStyleSheet("color: #1b5e20")
        self.message.setText(f"Saved {', '.join(sorted(changes))} to {self.link.config_path}. {note}")
        self.show_config(self.link)
        return True
