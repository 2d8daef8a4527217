"""The Windows service host: ``pythonservice.exe`` loads :class:`PyWATSClientService` from here.

:class:`ServiceHost` does the work and knows nothing of pywin32's class machinery, so tests
drive it with fake modules: it reads the instance id and client home stored with the service,
runs :func:`pywats_client.service.runner.run_service` (the code of ``pywats-client service``),
writes start, stop and failure to the Windows event log, and turns an SCM stop request into
the service's ordinary stop (the same as SIGTERM: well within the 5 s wait hint it reports;
uploads in flight go back to pending, nothing is lost).

A non-zero exit is reported as ``SERVICE_STOPPED`` with ``ERROR_SERVICE_SPECIFIC_ERROR`` and
the exit code, which makes the SCM apply the recovery actions (restart).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from collections.abc import Callable

from pywats_client.deploy.windows import Win32Modules, instance_from_service_name, load_modules
from pywats_client.service.supervisor import StopRequest, Supervisor

__all__ = ["ERROR_SERVICE_SPECIFIC_ERROR", "STOP_WAIT_HINT_MS", "ServiceHost", "make_service_class"]

STOP_WAIT_HINT_MS = 5_000
ERROR_SERVICE_SPECIFIC_ERROR = 1066


class ServiceHost:
    """Runs one instance inside a Windows service (see the module docstring)."""

    def __init__(self, name: str, mods: Win32Modules, *, run: Callable[..., int] | None = None) -> None:
        self.name = name
        self.mods = mods
        self.stop_request = StopRequest()
        self._run = run

    def option(self, key: str) -> str | None:
        """A value stored with the service by ``install-service`` (None if absent)."""
        value = self.mods.serviceutil.GetServiceCustomOption(self.name, key, None)
        return str(value) if value else None

    def _event(self, kind: str, text: str) -> None:
        sm = self.mods.servicemanager
        if kind == "error":
            sm.LogErrorMsg(text)
        elif kind == "warning":
            sm.LogWarningMsg(text)
        else:
            sm.LogInfoMsg(text)

    def run(self) -> int:
        """Run the instance until stopped; returns its exit code (0 = clean stop)."""
        instance_id = self.option("instance_id") or instance_from_service_name(self.name)
        if not instance_id:
            self._event("error", f"{self.name}: no instance id stored with the service; reinstall it with "
                                 "`pywats-client install-service --instance-id ID`")
            return 1
        home = self.option("client_home")
        if home:
            os.environ["PYWATS_CLIENT_HOME"] = home
        os.environ["PYWATS_INSTANCE_ID"] = instance_id
        # pythonservice.exe has no console: logging to stdout must not fail
        if sys.stdout is None:
            sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        if sys.stderr is None:
            sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        from pywats_client import secrets
        from pywats_client.config import ClientConfig, ConfigError

        secrets.use_child_process()  # the long-running process never loads the crypto library
        try:
            config = ClientConfig.load_for_instance(instance_id)
        except ConfigError as exc:
            self._event("error", f"{self.name}: cannot start instance {instance_id!r}: {exc}")
            return 1
        self._event("info", f"{self.name}: starting instance {instance_id!r} (client home {Path(config.path).parent}, "
                            f"log {config.log_file})")
        run = self._run
        if run is None:
            from pywats_client.service.runner import run_service

            run = run_service
        try:
            code = int(run(config, Supervisor(stop_request=self.stop_request)) or 0)
        except Exception as exc:  # noqa: BLE001 - the event log is where an operator looks
            self._event("error", f"{self.name}: the service failed: {type(exc).__name__}: {exc}")
            return 2
        if code == 0:
            self._event("info", f"{self.name}: stopped")
        else:
            self._event("error", f"{self.name}: exited with code {code}; see {config.log_file}")
        return code

    def stop(self) -> None:
        """The SCM asked for a stop (called on the control handler's thread)."""
        self._event("info", f"{self.name}: stop requested")
        self.stop_request.request()


def make_service_class(mods: Win32Modules, *, exit_process: Callable[[int], None] = os._exit) -> type:
    """The ``ServiceFramework`` subclass for ``mods`` (real pywin32 or fakes)."""
    framework = mods.serviceutil.ServiceFramework

    class PyWATSClientService(framework):  # type: ignore[misc, valid-type]
        """pyWATS station client, one service per instance (``pyWATS-Client-<id>``)."""

        _svc_name_ = "pyWATS-Client"
        _svc_display_name_ = "pyWATS Client"
        _svc_description_ = "pyWATS station client"

        def __init__(self, args: list[str]) -> None:
            framework.__init__(self, args)
            self.host = ServiceHost(str(args[0]) if args else self._svc_name_, mods)

        def SvcStop(self) -> None:  # noqa: N802 - pywin32's name
            self.ReportServiceStatus(mods.service.SERVICE_STOP_PENDING, waitHint=STOP_WAIT_HINT_MS)
            self.host.stop()

        def SvcDoRun(self) -> None:  # noqa: N802 - pywin32's name
            code = self.host.run()  # ServiceFramework.SvcRun has reported SERVICE_RUNNING
            if code != 0:
                self.ReportServiceStatus(
                    mods.service.SERVICE_STOPPED, win32ExitCode=ERROR_SERVICE_SPECIFIC_ERROR, svcExitCode=code
                )
                exit_process(code)  # a failure must reach the SCM as one: it then restarts the service

    return PyWATSClientService


if sys.platform == "win32":  # pythonservice.exe imports this name (see windows.SERVICE_CLASS)
    try:
        PyWATSClientService = make_service_class(load_modules())
    except Exception:  # noqa: BLE001 - importable without pywin32 (install-service says what is missing)
        pass
