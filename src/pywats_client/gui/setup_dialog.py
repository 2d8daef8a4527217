"""The first-run window: server address and credentials, a connection test, the station.

:class:`SetupDialog` writes the instance config (token encrypted) with
:func:`~pywats_client.gui.link.write_instance_config` and then offers to start the service.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pywats_client import paths
from pywats_client.config import ClientConfig, ConfigError
from pywats_client.gui.link import ConnectionCheck, check_connection, token_from_credentials, write_instance_config

__all__ = ["CredentialsBox", "SetupDialog"]


class CredentialsBox(QGroupBox):
    """Token, or user name + password turned into the token WATS expects."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Credentials", parent)
        self.use_token = QRadioButton("API token")
        self.use_password = QRadioButton("User name and password")
        self.use_token.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.use_token)
        group.addButton(self.use_password)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("the token from WATS (Control Panel → API tokens)")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        modes = QHBoxLayout()
        modes.addWidget(self.use_token)
        modes.addWidget(self.use_password)
        form.addRow(modes)
        form.addRow("Token", self.token)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        self.use_token.toggled.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        token_mode = self.use_token.isChecked()
        self.token.setEnabled(token_mode)
        self.user.setEnabled(not token_mode)
        self.password.setEnabled(not token_mode)

    def token_value(self) -> str:
        """The token to store (raises ValueError when the user name is unusable)."""
        if self.use_token.isChecked():
            return self.token.text().strip()
        return token_from_credentials(self.user.text(), self.password.text())


class SetupDialog(QDialog):
    """Create (or re-do) an instance: server, credentials, connection test, station fields.

    After :meth:`save` succeeds, :attr:`saved` holds the written config.
    """

    def __init__(self, instance_id: str | None = None, parent: QWidget | None = None, *, ask_start: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("pyWATS Client — set up a station")
        self.saved: ClientConfig | None = None
        self.last_check: ConnectionCheck | None = None
        self._ask_start = ask_start
        existing = _existing(instance_id)

        self.instance_id = QLineEdit(instance_id or paths.DEFAULT_INSTANCE_ID)
        self.instance_id.setToolTip("Several instances can run side by side, each with its own config and queue")
        self.server_url = QLineEdit(existing.service_address if existing else "")
        self.server_url.setPlaceholderText("https://yourcompany.wats.com")
        self.credentials = CredentialsBox()
        self.test_button = QPushButton("Test connection")
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.station_name = QLineEdit(existing.station_name_template if existing else "")
        self.station_name.setPlaceholderText("empty = this computer's name")
        self.location = QLineEdit(existing.location if existing else "")
        self.purpose = QLineEdit(existing.purpose if existing else "")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        server = QGroupBox("WATS server")
        server_form = QFormLayout(server)
        server_form.addRow("Instance", self.instance_id)
        server_form.addRow("Server address", self.server_url)
        station = QGroupBox("Station")
        station_form = QFormLayout(station)
        station_form.addRow("Station name", self.station_name)
        station_form.addRow("Location", self.location)
        station_form.addRow("Purpose", self.purpose)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(server)
        layout.addWidget(self.credentials)
        layout.addLayout(test_row)
        layout.addWidget(station)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.test_button.clicked.connect(self.test_connection)
        self.buttons.accepted.connect(self._save_and_close)
        self.buttons.rejected.connect(self.reject)

    def test_connection(self) -> ConnectionCheck:
        """Run the connection test and show its answer (reachable? version? token accepted?)."""
        try:
            token = self.credentials.token_value()
        except ValueError as exc:
            check = ConnectionCheck(False, False, None, str(exc))
        else:
            check = check_connection(self.server_url.text(), token)
        self.last_check = check
        colour = "#1b5e20" if check.ok else "#b00020"
        self.test_result.setStyleSheet(f"color: {colour}")
        self.test_result.setText(check.message)
        return check

    def save(self) -> ClientConfig | None:
        """Validate and write the config; shows the error (naming the key) and returns None on failure."""
        self.error.setText("")
        try:
            iid = paths.validate_instance_id(self.instance_id.text().strip())
            token = self.credentials.token_value()
            if not token:
                raise ValueError("api_token: enter a token, or a user name and password")
            self.saved = write_instance_config(
                iid,
                service_address=self.server_url.text().strip(),
                api_token=token,
                station_name=self.station_name.text().strip(),
                location=self.location.text().strip(),
                purpose=self.purpose.text().strip(),
            )
        except (ConfigError, ValueError) as exc:
            self.error.setText(str(exc))
            return None
        return self.saved

    def _save_and_close(self) -> None:
        if self.save() is None:
            return
        if self._ask_start:
            self._offer_start()
        self.accept()

    def _offer_start(self) -> None:
        from pywats_client.gui.link import ServiceLink

        assert self.saved is not None
        link = ServiceLink(self.saved.instance_id)
        if link.status() is not None:
            link.reload()
            return
        box = QMessageBox(self)
        box.setWindowTitle("Start the service?")
        box.setText(
            f"The configuration was saved to {self.saved.path}.\n\n"
            "Start the station service for this instance now, or install it as a system service "
            "that starts at every boot (needs administrator rights)?"
        )
        start = box.addButton("Start now", QMessageBox.ButtonRole.AcceptRole)
        install = box.addButton("Install as a service", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is start:
            link.start_service()
        elif box.clickedButton() is install:
            done = link.install_service()
            text = (done.stdout + done.stderr).strip() or f"exit code {done.returncode}"
            if done.returncode == 0:
                QMessageBox.information(self, "Service installed", text[-2000:])
            else:
                QMessageBox.warning(self, "The service was not installed", text[-2000:])


def _existing(instance_id: str | None) -> ClientConfig | None:
    if not instance_id:
        return None
    try:
        path = paths.config_path(instance_id)
        return ClientConfig.load_file(path, ignore_token_errors=True) if path.exists() else None
    except (ConfigError, paths.InvalidInstanceId):
        return None
