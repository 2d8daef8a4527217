"""Fake pywin32 modules (``win32serviceutil``, ``win32service``, ``servicemanager``) that
record every call, for testing the Windows service code on any platform."""

from __future__ import annotations

import types
from typing import Any

from pywats_client.deploy.windows import Win32Modules

__all__ = ["Recorder", "fake_win32"]


class Recorder:
    """Records calls made on fake pywin32 modules."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def fn(self, name: str, result: Any = None) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return result(*args) if callable(result) else result
        return call

    def named(self, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(a, k) for n, a, k in self.calls if n == name]


def fake_win32(rec: Recorder, options: dict[str, str] | None = None) -> Win32Modules:
    store = dict(options or {})
    service = types.ModuleType("win32service")
    for i, const in enumerate(["SERVICE_AUTO_START", "SC_MANAGER_ALL_ACCESS", "SERVICE_ALL_ACCESS",
                               "SERVICE_CONFIG_FAILURE_ACTIONS", "SERVICE_CONFIG_FAILURE_ACTIONS_FLAG",
                               "SC_ACTION_RESTART", "SERVICE_STOP_PENDING", "SERVICE_STOPPED", "SERVICE_RUNNING"]):
        setattr(service, const, 100 + i)
    service.OpenSCManager = rec.fn("OpenSCManager", "scm-handle")  # type: ignore[attr-defined]
    service.OpenService = rec.fn("OpenService", "svc-handle")  # type: ignore[attr-defined]
    service.ChangeServiceConfig2 = rec.fn("ChangeServiceConfig2")  # type: ignore[attr-defined]
    service.CloseServiceHandle = rec.fn("CloseServiceHandle")  # type: ignore[attr-defined]

    class ServiceFramework:
        def __init__(self, args: list[str]) -> None:
            rec.calls.append(("ServiceFramework.__init__", (list(args),), {}))

        def ReportServiceStatus(self, status: int, **kwargs: Any) -> None:  # noqa: N802
            rec.calls.append(("ReportServiceStatus", (status,), kwargs))

    util = types.ModuleType("win32serviceutil")
    util.ServiceFramework = ServiceFramework  # type: ignore[attr-defined]
    installed: set[str] = set()

    class FakeWinError(Exception):
        def __init__(self, winerror: int) -> None:
            super().__init__(winerror)
            self.winerror = winerror

    def install(cls: str, name: str, display: str, **kwargs: Any) -> None:
        rec.calls.append(("InstallService", (cls, name, display), kwargs))
        if name in installed:
            raise FakeWinError(1073)  # ERROR_SERVICE_EXISTS
        installed.add(name)

    util.InstallService = install  # type: ignore[attr-defined]
    util.ChangeServiceConfig = rec.fn("ChangeServiceConfig")  # type: ignore[attr-defined]
    util.RemoveService = rec.fn("RemoveService")  # type: ignore[attr-defined]
    util.StopServiceWithDeps = rec.fn("StopServiceWithDeps")  # type: ignore[attr-defined]

    def set_option(name: str, key: str, value: str) -> None:
        rec.calls.append(("SetServiceCustomOption", (name, key, value), {}))
        store[key] = value

    util.SetServiceCustomOption = set_option  # type: ignore[attr-defined]
    util.GetServiceCustomOption = lambda name, key, default=None: store.get(key, default)  # type: ignore[attr-defined]
    sm = types.ModuleType("servicemanager")
    for level in ("LogInfoMsg", "LogWarningMsg", "LogErrorMsg"):
        setattr(sm, level, rec.fn(level))
    return Win32Modules(util, service, sm)
