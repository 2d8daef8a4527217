"""The main window against a real service and the local server: live counts, retry from the
queue page, re-authentication, settings and converters saved as the CLI would."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from pywats_client.config import ClientConfig
from pywats_client.gui.main_window import MainWindow
from pywats_client.service.testing import ServiceProcess, guide_csv

from conftest import INSTANCE, configure

WRONG_TOKEN = "d3Jvbmc6d3Jvbmc="  # base64 of wrong:wrong


def _window(qtbot: QtBot) -> MainWindow:
    window = MainWindow(INSTANCE, refresh_ms=100)
    qtbot.addWidget(window)
    return window


def test_dashboard_counts_change_when_a_file_is_dropped(
    qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object, service: ServiceProcess
) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    configure(client_home, base_url, token, watch_folder)
    window = _window(qtbot)
    assert window.dashboard.state.text() == "Service not running"
    assert window.start_button.isEnabled()
    service.start()
    qtbot.waitUntil(lambda: window.dashboard.state.text() == "ONLINE", timeout=30000)
    assert window.dashboard.counts["completed"].text() == "0"

    (watch_folder / "unit.csv").write_text(guide_csv("SN-GUI-DASH-1"), encoding="utf-8")
    qtbot.waitUntil(lambda: window.dashboard.counts["completed"].text() == "1", timeout=30000)
    qtbot.waitUntil(lambda: window.dashboard.uploads.rowCount() == 1, timeout=10000)
    assert window.dashboard.uploads.cell_text(0, 0) == "SN-GUI-DASH-1"
    assert window.dashboard.uploads.cell_text(0, 2) == "Passed"
    assert window.dashboard.converters.cell_text(0, 0) == "csv"
    assert window.dashboard.converters.cell_text(0, 2) == "1"  # files converted
    assert not window.start_button.isEnabled()


def test_failed_report_is_retried_from_the_queue_page(
    qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object, service: ServiceProcess
) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    # operation 777 does not exist on the server: the report is refused (400) and parked in failed/
    configure(client_home, base_url, token, watch_folder, converter={"parameters": {"process_code": 777}})
    service.start()
    window = _window(qtbot)
    (watch_folder / "unit.csv").write_text(guide_csv("SN-GUI-RETRY-1"), encoding="utf-8")
    qtbot.waitUntil(lambda: window.queue.table.rowCount() == 1, timeout=30000)
    assert window.queue.table.cell_text(0, 0) == "SN-GUI-RETRY-1"
    assert "777" in window.queue.table.cell_text(0, 4)
    assert service.status()["uploads_failed"] == 1  # type: ignore[index]

    window.queue.table.selectRow(0)
    assert window.queue.retry_current() == 1
    # the service sent it again: the server refused it a second time
    service.wait_for(lambda s: s["uploads_failed"] == 2, timeout=30)
    qtbot.waitUntil(lambda: window.queue.table.rowCount() == 1, timeout=10000)
    assert window.queue.retry_everything() == 1
    service.wait_for(lambda s: s["uploads_failed"] == 3, timeout=30)


def test_auth_failed_asks_for_a_new_token_and_uploads_resume(
    qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object, service: ServiceProcess
) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    configure(client_home, base_url, WRONG_TOKEN, watch_folder)
    service.start()
    (watch_folder / "unit.csv").write_text(guide_csv("SN-GUI-AUTH-1"), encoding="utf-8")
    service.wait_for(lambda s: s["state"] == "AUTH_FAILED", timeout=30)
    window = _window(qtbot)
    qtbot.waitUntil(lambda: window.reauth_dialog is not None and window.reauth_dialog.isVisible(), timeout=10000)
    dialog = window.reauth_dialog
    assert dialog is not None
    dialog.credentials.token.setText(WRONG_TOKEN)
    assert not dialog.save()  # checked against the server before it is stored
    assert "refused" in dialog.error.text()
    dialog.credentials.token.setText(token)
    assert dialog.save()
    stored = json.loads((client_home / f"config_{INSTANCE}.json").read_text(encoding="utf-8"))
    assert stored["api_token"] != token and ClientConfig.load_for_instance(INSTANCE).api_token == token
    service.wait_for(lambda s: s["state"] == "ONLINE" and s["queue"]["completed"] == 1, timeout=30)
    qtbot.waitUntil(lambda: window.dashboard.counts["completed"].text() == "1", timeout=10000)


def test_settings_are_validated_like_the_cli_and_applied(
    qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object
) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    configure(client_home, base_url, token, watch_folder)
    window = _window(qtbot)
    page = window.settings
    assert "health check" in page.edits["health_check_interval"].toolTip().lower()
    page.edits["max_retry_attempts"].setText("many")
    assert not page.save()
    assert "max_retry_attempts" in page.message.text()
    page.edits["max_retry_attempts"].setText("9")
    page.edits["location"].setText("Hall 3")
    assert page.save()
    config = ClientConfig.load_for_instance(INSTANCE)
    assert (config.max_retry_attempts, config.location, config.api_token) == (9, "Hall 3", token)
    assert "not running" in page.message.text()


def test_converters_are_added_toggled_and_tested_on_a_file(
    qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object, tmp_path: Path
) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    configure(client_home, base_url, token, watch_folder)
    window = _window(qtbot)
    page = window.converters
    second = tmp_path / "json-in"
    assert page.add({"name": "wsjf in", "module_path": "wsjf", "watch_folder": str(second)})
    assert [c.name for c in ClientConfig.load_for_instance(INSTANCE).converters] == ["csv", "wsjf in"]
    assert page.toggle(1)
    assert ClientConfig.load_for_instance(INSTANCE).converters[1].enabled is False
    assert not page.add({"name": "", "module_path": "csv", "watch_folder": str(second)})
    assert "name" in page.message.text()

    sample = tmp_path / "sample.csv"
    sample.write_text(guide_csv("SN-GUI-TEST-1"), encoding="utf-8")
    text = page.test_file(sample, row=0)
    assert "SN SN-GUI-TEST-1" in text and "result P" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,test\n", encoding="utf-8")
    assert "conversion failed" in page.test_file(bad, row=0)
    assert page.remove(1)
    assert len(ClientConfig.load_for_instance(INSTANCE).converters) == 1


def test_log_page_follows_the_log(qtbot: QtBot, client_home: Path, watch_folder: Path, wats_server: object) -> None:
    base_url, token = wats_server  # type: ignore[misc]
    configure(client_home, base_url, token, watch_folder)
    window = _window(qtbot)
    log = ClientConfig.load_for_instance(INSTANCE).log_file
    assert window.log.path.text() == str(log)
    log.write_text("first line\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "first line" in window.log.text.toPlainText(), timeout=5000)
    with log.open("a", encoding="utf-8") as fh:
        fh.write("second line\n")
    qtbot.waitUntil(lambda: "second line" in window.log.text.toPlainText(), timeout=5000)
