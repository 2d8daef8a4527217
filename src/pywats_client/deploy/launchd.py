"""macOS launchd: one property list per instance, ``com.pywats.client.<id>``.

System daemon (default, needs root): ``/Library/LaunchDaemons/com.pywats.client.<id>.plist``
running as the service account (``UserName``); ``--user``: a LaunchAgent in
``~/Library/LaunchAgents`` that runs while that user is logged in. launchd starts it at
boot/login (``RunAtLoad``), restarts it whenever it exits (``KeepAlive``) and sends SIGTERM to
stop it (``ExitTimeOut`` seconds before SIGKILL). Its stdout/stderr go to
``<client home>/launchd_<id>.log``; the service's own log is in the client home as everywhere.
"""

from __future__ import annotations

import os
import plistlib
from dataclasses import dataclass
from pathlib import Path

from pywats_client.deploy import FileToWrite, Plan, interpreter, pythonpath_for_service

__all__ = ["LaunchdTarget", "install_plan", "label", "plist_data", "uninstall_plan"]


def label(instance_id: str) -> str:
    """``com.pywats.client.<id>``."""
    return f"com.pywats.client.{instance_id}"


@dataclass(frozen=True)
class LaunchdTarget:
    """Where and as whom one instance is installed."""

    instance_id: str
    client_home: Path
    service_user: str | None
    """``UserName`` of a system daemon; None for a LaunchAgent (``--user``)."""
    user_mode: bool = False
    root: Path = Path("/")

    @property
    def plist_path(self) -> Path:
        """``/Library/LaunchDaemons/<label>.plist`` or ``~/Library/LaunchAgents/<label>.plist``."""
        if self.user_mode:
            return Path.home() / "Library" / "LaunchAgents" / f"{label(self.instance_id)}.plist"
        return self.root / "Library" / "LaunchDaemons" / f"{label(self.instance_id)}.plist"

    @property
    def domain(self) -> str:
        """launchctl's domain: ``system`` or ``gui/<uid>``."""
        return f"gui/{os.getuid()}" if self.user_mode and hasattr(os, "getuid") else "system"


def plist_data(target: LaunchdTarget) -> dict[str, object]:
    """The property list of one instance."""
    env = {"PYWATS_CLIENT_HOME": str(target.client_home), "PYTHONUNBUFFERED": "1"}
    pythonpath = pythonpath_for_service()
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = str(target.client_home / f"launchd_{target.instance_id}.log")
    data: dict[str, object] = {
        "Label": label(target.instance_id),
        "ProgramArguments": [str(interpreter()), "-m", "pywats_client", "service", "--instance-id", target.instance_id],
        "EnvironmentVariables": env,
        "WorkingDirectory": str(target.client_home),
        "RunAtLoad": True,
        "KeepAlive": True,
        "ThrottleInterval": 5,
        "ExitTimeOut": 15,
        "ProcessType": "Background",
        "StandardOutPath": out,
        "StandardErrorPath": out,
    }
    if target.service_user and not target.user_mode:
        data["UserName"] = target.service_user
    return data


def install_plan(target: LaunchdTarget) -> Plan:
    """Write the plist and load it (``launchctl bootstrap``)."""
    text = plistlib.dumps(plist_data(target), sort_keys=True).decode("utf-8")
    plan = Plan(title=f"install launchd service {label(target.instance_id)}")
    plan.folders = [(target.client_home, target.service_user)]
    plan.files = [FileToWrite(target.plist_path, text, mode=0o644)]
    if target.root == Path("/"):
        plan.commands.append(("launchctl", "bootstrap", target.domain, str(target.plist_path)))
    plan.notes = [
        "next:",
        f"  launchctl print {target.domain}/{label(target.instance_id)}",
        f"  log: {target.client_home / f'launchd_{target.instance_id}.log'}",
    ]
    return plan


def uninstall_plan(target: LaunchdTarget) -> Plan:
    """Unload (``launchctl bootout``) and remove the plist; the client home stays."""
    plan = Plan(title=f"uninstall launchd service {label(target.instance_id)}")
    if target.root == Path("/"):
        plan.stop_first.append(("launchctl", "bootout", f"{target.domain}/{label(target.instance_id)}"))
    plan.remove = [target.plist_path]
    plan.notes = [f"kept: the client home {target.client_home} (configuration, queue, logs)"]
    return plan
