"""The main window: pick an instance, then one page each for dashboard, converters, queue,
log and settings; refreshed from the service's control API every two seconds."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QToolBar,
    QWidget,
)

from pywats_client.gui.converters_page import ConvertersPage
from pywats_client.gui.dashboard import DashboardPage
from pywats_client.gui.link import ServiceLink, list_instances
from pywats_client.gui.log_page import LogPage
from pywats_client.gui.queue_page import QueuePage
from pywats_client.gui.reauth_dialog import ReauthDialog
from pywats_client.gui.settings_page import SettingsPage
from pywats_client.gui.setup_dialog import SetupDialog
from pywats_client.service.control import ControlError

__all__ = ["MainWindow"]

#: How often the pages are refreshed from the running service (milliseconds).
REFRESH_MS = 2000


class MainWindow(QMainWindow):
    """The configurator and status monitor of one instance at a time."""

    def __init__(self, instance_id: str | None = None, parent: QWidget | None = None, *, refresh_ms: int = REFRESH_MS) -> None:
        super().__init__(parent)
        self.setWindowTitle("pyWATS Client")
        self.resize(1000, 720)
        self.link: ServiceLink | None = None
        self.reauth_dialog: ReauthDialog | None = None
        self.last_status: dict[str, object] | None = None

        self.instances = QComboBox()
        self.instances.setMinimumWidth(180)
        self.new_instance = QPushButton("New instance…")
        self.service_state = QLabel("")
        self.start_button = QPushButton("Start service")
        self.reload_button = QPushButton("Reload config")
        bar = QToolBar("Instance")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Instance: "))
        bar.addWidget(self.instances)
        bar.addWidget(self.new_instance)
        bar.addSeparator()
        bar.addWidget(self.service_state)
        bar.addSeparator()
        bar.addWidget(self.start_button)
        bar.addWidget(self.reload_button)
        self.addToolBar(bar)

        self.dashboard = DashboardPage()
        self.converters = ConvertersPage()
        self.queue = QueuePage()
        self.log = LogPage()
        self.settings = SettingsPage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.tabs.addTab(self.converters, "Converters")
        self.tabs.addTab(self.queue, "Queue")
        self.tabs.addTab(self.log, "Log")
        self.tabs.addTab(self.settings, "Settings")
        self.setCentralWidget(self.tabs)

        self.instances.currentTextChanged.connect(self.select_instance)
        self.new_instance.clicked.connect(self.create_instance)
        self.start_button.clicked.connect(self.start_service)
        self.reload_button.clicked.connect(self.reload_service)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.load_instances(instance_id)
        self.timer.start()

    # -- instances --------------------------------------------------------------------
    def load_instances(self, select: str | None = None) -> None:
        """Fill the instance list from the client home and select ``select`` (or the first)."""
        ids = [info.instance_id for info in list_instances()]
        current = select or (self.link.instance_id if self.link else None)
        self.instances.blockSignals(True)
        self.instances.clear()
        self.instances.addItems(ids)
        self.instances.blockSignals(False)
        if current in ids:
            self.instances.setCurrentText(current)
        if ids:
            self.select_instance(self.instances.currentText())

    def select_instance(self, instance_id: str) -> None:
        """Show ``instance_id`` on every page."""
        if not instance_id:
            return
        self.link = ServiceLink(instance_id)
        self.reauth_dialog = None
        self.converters.show_converters(self.link)
        self.settings.show_config(self.link)
        self.refresh()

    def create_instance(self) -> None:
        """Run the set-up window for a new instance, then show it."""
        dialog = SetupDialog(None, self)
        dialog.instance_id.setText("")
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.load_instances(dialog.saved.instance_id)

    # -- the service ------------------------------------------------------------------
    def start_service(self) -> None:
        """Start the service of the selected instance in the background."""
        if self.link is not None and self.link.status() is None:
            self.link.start_service()
            self.service_state.setText("starting…")

    def reload_service(self) -> None:
        """Ask the running service to re-read its config."""
        if self.link is None:
            return
        try:
            self.link.reload()
        except ControlError as exc:
            self.service_state.setText(str(exc))
        self.refresh()

    def refresh(self) -> None:
        """Read the live status and update every page (never raises: errors are shown)."""
        if self.link is None:
            self.service_state.setText("No instance configured")
            return
        status = self.link.status()
        self.last_status = status
        uploads = []
        if status is not None:
            try:
                uploads = self.link.recent_uploads()
            except ControlError:
                uploads = []
        self.dashboard.show_status(status, uploads)
        self.queue.show_entries(self.link, status is not None)
        self.log.show_log(self.link)
        running = status is not None
        self.start_button.setEnabled(not running)
        self.reload_button.setEnabled(running)
        self.service_state.setText(f"Service: {status.get('state')}" if status else "Service: not running")
        if status is not None and status.get("state") == "AUTH_FAILED":
            self._ask_for_token(str(status.get("state_reason") or ""))
        elif self.reauth_dialog is not None and not self.reauth_dialog.isVisible():
            self.reauth_dialog = None

    def _ask_for_token(self, reason: str) -> None:
        if self.reauth_dialog is not None or self.link is None:
            return
        self.reauth_dialog = ReauthDialog(self.link, reason, self)
        self.reauth_dialog.finished.connect(lambda _code: self.refresh())
        self.reauth_dialog.open()
