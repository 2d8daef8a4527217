"""Re-authentication: the service reported AUTH_FAILED; ask for a new token and reload."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from pywats_client.config import ConfigError
from pywats_client.gui.link import ServiceLink, check_connection
from pywats_client.gui.setup_dialog import CredentialsBox
from pywats_client.service.control import ControlError

__all__ = ["ReauthDialog"]


class ReauthDialog(QDialog):
    """Asks for a new token, checks it against the server, saves it encrypted and reloads
    the running service, so that uploads resume without a restart."""

    def __init__(self, link: ServiceLink, reason: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.setWindowTitle(f"pyWATS Client — sign in again ({link.instance_id})")
        message = QLabel(
            "The WATS server refused the station's token"
            + (f":\n{reason}" if reason else ".")
            + "\nEnter a new token (or user name and password). Uploads resume once it is accepted."
        )
        message.setWordWrap(True)
        self.credentials = CredentialsBox()
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.credentials)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._save_and_close)
        buttons.rejected.connect(self.reject)

    def save(self) -> bool:
        """Check the token with the server, store it and reload the service; False (with the
        reason shown) when any step fails."""
        self.error.setText("")
        try:
            token = self.credentials.token_value()
            config = self.link.load_config()
            check = check_connection(config.service_address, token)
            if not check.ok:
                self.error.setText(check.message)
                return False
            self.link.set_token(token)
        except (ConfigError, ValueError) as exc:
            self.error.setText(str(exc))
            return False
        try:
            if self.link.status() is not None:
                self.link.reload()
        except ControlError as exc:
            self.error.setText(f"Token saved, but the service did not reload: {exc}")
            return False
        return True

    def _save_and_close(self) -> None:
        if self.save():
            self.accept()
