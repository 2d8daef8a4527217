"""Windows: register the station service with the Service Control Manager (pywin32).

One native service per instance, ``pyWATS-Client-<id>`` ("pyWATS Client (<id>)"), hosted by
pywin32's ``pythonservice.exe``, which loads :class:`pywats_client.deploy.winservice.PyWATSClientService`
and runs the same code as ``pywats-client service --instance-id <id>``.

- Start type automatic; recovery actions: restart after 5 s, 10 s, then 60 s (failure
  count reset after a day), applied also when the service stops with a non-zero exit code.
- Account: LocalSystem unless ``--service-user`` is given. The client home of a service is
  NOT the installing user's ``%APPDATA%\\pyWATS_Client`` (per user, roaming, not the
  service account's): it defaults to ``%ProgramData%\\pyWATS_Client`` and is stored with the
  service (``client_home`` parameter), so ``pywats-client`` commands for the service set
  ``PYWATS_CLIENT_HOME`` to the same folder.

The pywin32 modules are passed in (:class:`Win32Modules`) so that tests can give fakes;
:func:`load_modules` imports the real ones on Windows.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from pywats_client.deploy import DeployError

__all__ = [
    "RECOVERY_DELAYS_MS",
    "RESET_PERIOD_S",
    "SERVICE_CLASS",
    "SERVICE_PREFIX",
    "Win32Modules",
    "WindowsService",
    "default_service_home",
    "describe_error",
    "instance_from_service_name",
    "load_modules",
    "service_name",
]

SERVICE_PREFIX = "pyWATS-Client-"
SERVICE_CLASS = "pywats_client.deploy.winservice.PyWATSClientService"
RECOVERY_DELAYS_MS = (5_000, 10_000, 60_000)
RESET_PERIOD_S = 86_400
ERROR_SERVICE_EXISTS = 1073
ERROR_ACCESS_DENIED = 5
ERROR_SERVICE_DOES_NOT_EXIST = 1060
DESCRIPTION = "pyWATS station client: converts test results from watched folders and uploads them to WATS."


class Win32Modules(NamedTuple):
    """The pywin32 modules used here (real ones from :func:`load_modules`, fakes in tests)."""

    serviceutil: ModuleType
    """``win32serviceutil``."""
    service: ModuleType
    """``win32service``."""
    servicemanager: ModuleType
    """``servicemanager`` (event log; only in the service process)."""


def load_modules() -> Win32Modules:
    """Import pywin32's service modules (Windows only; a clear error when missing)."""
    if sys.platform == "win32":
        try:
            import servicemanager
            import win32service
            import win32serviceutil
        except ImportError as exc:
            raise DeployError(
                f"pywin32 is not installed ({exc}); install it with `pip install \"pywats-api[client-headless]\"` "
                "or `pip install pywin32`"
            ) from None
        return Win32Modules(win32serviceutil, win32service, servicemanager)
    raise DeployError("Windows services can only be installed on Windows")


def describe_error(exc: BaseException, action: str) -> str:
    """One line for a failed SCM call (pywin32 raises ``pywintypes.error`` with ``winerror``)."""
    code = getattr(exc, "winerror", None)
    if code == ERROR_ACCESS_DENIED:
        return f"{action}: access denied; run the command from an elevated (Run as administrator) prompt"
    if code == ERROR_SERVICE_DOES_NOT_EXIST:
        return f"{action}: no such service"
    text = getattr(exc, "strerror", None) or str(exc)
    return f"{action}: {text}" + (f" (Windows error {code})" if code is not None else "")


def service_name(instance_id: str) -> str:
    """``pyWATS-Client-<instance id>``."""
    return SERVICE_PREFIX + instance_id


def instance_from_service_name(name: str) -> str | None:
    """The instance id in a service name made by :func:`service_name`, else None."""
    if not name.startswith(SERVICE_PREFIX):
        return None
    return name[len(SERVICE_PREFIX):] or None


def default_service_home(environ: dict[str, str] | None = None) -> Path:
    r"""``%ProgramData%\pyWATS_Client``: machine-wide, readable by the service account
    (LocalSystem has no useful %APPDATA%: it would be under C:\Windows\System32\config)."""
    env = os.environ if environ is None else environ
    base = env.get("ProgramData") or env.get("PROGRAMDATA") or "C:\\ProgramData"
    return Path(base) / "pyWATS_Client"


@dataclass(frozen=True)
class WindowsService:
    """One instance's Windows service: what is registered, and how."""

    instance_id: str
    client_home: Path
    account: str | None = None
    """``DOMAIN\\user`` or ``.\\user``; None = LocalSystem."""
    password: str | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The service name (``Start-Service <name>``)."""
        return service_name(self.instance_id)

    @property
    def display_name(self) -> str:
        """The name shown in services.msc."""
        return f"pyWATS Client ({self.instance_id})"

    def options(self) -> dict[str, str]:
        """Stored with the service (``Parameters`` key) and read by the service host."""
        return {"instance_id": self.instance_id, "client_home": str(self.client_home)}

    def render(self) -> str:
        """What install does, as text (``--dry-run``)."""
        actions = ", ".join(f"restart after {ms // 1000} s" for ms in RECOVERY_DELAYS_MS)
        lines = [
            f"install Windows service {self.name}",
            f"  display name:   {self.display_name}",
            f"  description:    {DESCRIPTION}",
            f"  host:           pythonservice.exe (pywin32) loading {SERVICE_CLASS}",
            f"  runs:           pywats-client service --instance-id {self.instance_id}",
            "  start type:     automatic",
            f"  account:        {self.account or 'LocalSystem'}",
            f"  client home:    {self.client_home} (PYWATS_CLIENT_HOME of the service)",
            (
                f"  recovery:       {actions}; failure count reset after {RESET_PERIOD_S // 3600} h;"
                " also on a non-zero exit code"
            ),
            "  event log:      Application log, source " + self.name,
            "next:",
            f"  Start-Service {self.name}",
            f"  Get-Service {self.name}",
        ]
        return "\n".join(lines) + "\n"

    # -------------------------------------------------------------- applying

    def install(self, mods: Win32Modules) -> bool:
        """Register the service (or update it when it exists: a re-install after an upgrade
        or a move of the environment), store its options and set its recovery actions.
        Returns True when the service was new."""
        settings = {
            "startType": mods.service.SERVICE_AUTO_START,
            "userName": self.account,
            "password": self.password,
            "description": DESCRIPTION,
        }
        created = True
        try:
            mods.serviceutil.InstallService(SERVICE_CLASS, self.name, self.display_name, **settings)
        except Exception as exc:
            if getattr(exc, "winerror", None) != ERROR_SERVICE_EXISTS:
                raise
            mods.serviceutil.ChangeServiceConfig(SERVICE_CLASS, self.name, displayName=self.display_name, **settings)
            created = False
        for key, value in self.options().items():
            mods.serviceutil.SetServiceCustomOption(self.name, key, value)
        self.set_recovery(mods)
        return created

    def set_recovery(self, mods: Win32Modules) -> None:
        """Restart on failure (see :data:`RECOVERY_DELAYS_MS`), also after a non-zero exit."""
        svc = mods.service
        scm = svc.OpenSCManager(None, None, svc.SC_MANAGER_ALL_ACCESS)
        try:
            handle = svc.OpenService(scm, self.name, svc.SERVICE_ALL_ACCESS)
            try:
                svc.ChangeServiceConfig2(
                    handle,
                    svc.SERVICE_CONFIG_FAILURE_ACTIONS,
                    {
                        "ResetPeriod": RESET_PERIOD_S,
                        "RebootMsg": None,
                        "Command": None,
                        "Actions": [(svc.SC_ACTION_RESTART, ms) for ms in RECOVERY_DELAYS_MS],
                    },
                )
                svc.ChangeServiceConfig2(handle, svc.SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, True)
            finally:
                svc.CloseServiceHandle(handle)
        finally:
            svc.CloseServiceHandle(scm)

    def uninstall(self, mods: Win32Modules) -> None:
        """Stop the service (if running) and remove it; the client home stays."""
        try:
            mods.serviceutil.StopServiceWithDeps(self.name, waitSecs=30)
        except Exception:  # noqa: BLE001 - not running is fine
            pass
        mods.serviceutil.RemoveService(self.name)
