"""First run: the set-up window tests the connection and writes a working, encrypted config."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from pywats_client.config import ClientConfig
from pywats_client.gui.link import check_connection
from pywats_client.gui.setup_dialog import SetupDialog


def test_first_run_writes_a_working_config(qtbot: QtBot, client_home: Path, wats_server: object) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    dialog = SetupDialog("production", ask_start=False)
    qtbot.addWidget(dialog)
    dialog.server_url.setText(base_url)
    dialog.credentials.token.setText(token)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "token accepted" in dialog.test_result.text()
    assert dialog.last_check is not None and dialog.last_check.version
    dialog.station_name.setText("FCT-07")
    dialog.location.setText("Line 2")
    dialog.purpose.setText("Production")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == SetupDialog.DialogCode.Accepted

    path = client_home / "config_production.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["api_token"] and stored["api_token"] != token  # encrypted at rest
    config = ClientConfig.load_for_instance("production")
    assert (config.service_address, config.api_token) == (base_url, token)
    assert (config.station_name, config.location, config.purpose) == ("FCT-07", "Line 2", "Production")
    assert check_connection(config.service_address, config.api_token).ok


def test_user_and_password_become_the_token(qtbot: QtBot, client_home: Path, wats_server: object) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    dialog = SetupDialog("default", ask_start=False)
    qtbot.addWidget(dialog)
    dialog.server_url.setText(base_url)
    dialog.credentials.use_password.setChecked(True)
    dialog.credentials.user.setText("test")
    dialog.credentials.password.setText("test")
    assert dialog.test_connection().ok
    assert dialog.save() is not None
    assert ClientConfig.load_for_instance("default").api_token == token


def test_connection_test_tells_refused_token_from_unreachable_server(
    qtbot: QtBot, client_home: Path, wats_server: object
) -> None:
    base_url, _token = wats_server  # type: ignore[misc]
    dialog = SetupDialog("default", ask_start=False)
    qtbot.addWidget(dialog)
    dialog.server_url.setText(base_url)
    dialog.credentials.token.setText("d3Jvbmc6d3Jvbmc=")
    refused = dialog.test_connection()
    assert refused.reachable and not refused.token_accepted
    assert "refused" in dialog.test_result.text()

    dialog.server_url.setText("http://127.0.0.1:9")  # discard port: nothing listens
    unreachable = dialog.test_connection()
    assert not unreachable.reachable
    assert "Cannot reach" in dialog.test_result.text()


def test_bad_values_are_refused_naming_the_key(qtbot: QtBot, client_home: Path) -> None:
    dialog = SetupDialog("default", ask_start=False)
    qtbot.addWidget(dialog)
    dialog.server_url.setText("wats.example.com")  # no scheme
    dialog.credentials.token.setText("abc")
    assert dialog.save() is None
    assert "service_address" in dialog.error.text()
    assert not (client_home / "config_default.json").exists()


def test_install_as_a_service_shows_what_it_would_register(client_home: Path, wats_server: object) -> None:
    from pywats_client.gui.link import ServiceLink, write_instance_config

    base_url, token = wats_server  # type: ignore[misc]
    write_instance_config("production", service_address=base_url, api_token=token)
    done = ServiceLink("production").install_service(dry_run=True)
    assert done.returncode == 0, done.stderr
    assert "pywats-client@" in done.stdout or "pyWATS-Client-production" in done.stdout
