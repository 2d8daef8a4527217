"""systemd: the template unit ``pywats-client@.service`` and one drop-in per instance.

Files (system manager; ``--user`` puts them under ``~/.config`` instead)::

    /etc/systemd/system/pywats-client@.service                 the template (%i = instance id)
    /etc/systemd/system/pywats-client@<id>.service.d/instance.conf
                                         service account, client home, writable folders
    /etc/pywats-client/<id>.env          PYWATS_API_TOKEN=... (mode 0600, the service account's)

The template runs ``<python> -m pywats_client service --instance-id %i`` as ``Type=notify``:
the service itself sends READY/RELOADING/STOPPING/WATCHDOG (:mod:`pywats_client.service.sdnotify`).
``systemctl reload`` sends SIGHUP, which re-reads the configuration. The file system is
read-only for the service (``ProtectSystem=strict``) except the folders the instance writes:
its client home, reports folder, log folder and every converter's watch/done/error folder.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pywats_client.deploy import DeployError, FileToWrite, Plan, interpreter, pythonpath_for_service

if TYPE_CHECKING:
    from pywats_client.config import ClientConfig

__all__ = [
    "UNIT_TEMPLATE_NAME",
    "SystemdTarget",
    "drop_in_text",
    "env_file_text",
    "install_plan",
    "template_text",
    "uninstall_plan",
    "writable_folders",
]

UNIT_TEMPLATE_NAME = "pywats-client@.service"
WATCHDOG_SEC = 60
_HOME_TREES = (Path("/home"), Path("/root"), Path("/run/user"))
_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9+/=._:@%-]*$")


@dataclass(frozen=True)
class SystemdTarget:
    """Where and as whom one instance is installed."""

    instance_id: str
    client_home: Path
    writable: tuple[Path, ...]
    """Folders the service writes (see :func:`writable_folders`)."""
    service_user: str | None
    """The account the service runs as (system manager); None for ``--user`` units."""
    token: str = ""
    user_mode: bool = False
    root: Path = Path("/")
    """Prefix for every written path (packaging, tests); ``/`` = the real system."""

    @property
    def unit_dir(self) -> Path:
        """``/etc/systemd/system`` or ``~/.config/systemd/user``."""
        if self.user_mode:
            return _config_home() / "systemd" / "user"
        return self.root / "etc" / "systemd" / "system"

    @property
    def env_file(self) -> Path:
        """``/etc/pywats-client/<id>.env`` (``%E/pywats-client/%i.env`` in the template)."""
        base = _config_home() if self.user_mode else self.root / "etc"
        return base / "pywats-client" / f"{self.instance_id}.env"

    @property
    def unit_name(self) -> str:
        """``pywats-client@<id>.service``."""
        return f"pywats-client@{self.instance_id}.service"

    @property
    def drop_in_dir(self) -> Path:
        """``<unit dir>/pywats-client@<id>.service.d``."""
        return self.unit_dir / f"{self.unit_name}.d"


def _config_home() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return Path(xdg) if xdg else Path.home() / ".config"


def writable_folders(config: ClientConfig, client_home: Path) -> tuple[Path, ...]:
    """Every folder the instance writes: client home, reports folder, log folder and each
    converter's watch, done and error folder; nested ones are covered by their parent."""
    candidates: list[Path] = [Path(client_home), Path(config.reports_folder),
                              Path(config.log_file).parent]
    for conv in config.converters:
        candidates += [Path(conv.watch_folder), Path(conv.done_folder), Path(conv.error_folder)]
    result: list[Path] = []
    for path in sorted({Path(os.path.abspath(p)) for p in candidates}, key=lambda p: len(p.parts)):
        if not any(path == kept or kept in path.parents for kept in result):
            result.append(path)
    return tuple(sorted(result))


def _kill_binary() -> str:
    for candidate in ("/bin/kill", "/usr/bin/kill"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("kill") or "/bin/kill"


def _quote(value: str) -> str:
    """A value as systemd reads it in ``Environment=``/environment files."""
    if _PLAIN_VALUE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _path_value(path: Path) -> str:
    text = str(path)
    if any(c.isspace() for c in text) or '"' in text:
        raise DeployError(f"folder {text!r} contains a space or quote; systemd units cannot list it in ReadWritePaths")
    return text


def template_text(*, user_mode: bool = False) -> str:
    """The template unit ``pywats-client@.service`` for this interpreter."""
    exe = interpreter()
    pythonpath = pythonpath_for_service()
    lines = [
        "# pyWATS station client, one service per instance: pywats-client@<instance id>.service",
        "# Written by `pywats-client install-service`; per-instance settings are in",
        "# pywats-client@<id>.service.d/instance.conf, the API token in the environment file.",
        "[Unit]",
        "Description=pyWATS station client (instance %i)",
        "After=network-online.target",
        "Wants=network-online.target",
        "StartLimitIntervalSec=0",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
        f"ExecStart={_path_value(exe)} -m pywats_client service --instance-id %i",
        f"ExecReload={_kill_binary()} -HUP $MAINPID",
        "Restart=always",
        "RestartSec=5",
        f"WatchdogSec={WATCHDOG_SEC}",
        "TimeoutStartSec=120",
        "TimeoutStopSec=15",
        "KillMode=mixed",
        "EnvironmentFile=-%E/pywats-client/%i.env",
        "Environment=PYTHONUNBUFFERED=1",
        # glibc: two malloc arenas instead of one per thread (about 2 MB less after a burst)
        "Environment=MALLOC_ARENA_MAX=2",
    ]
    if pythonpath:
        lines.append(f"Environment=PYTHONPATH={_quote(pythonpath)}")
    lines += ["UMask=0027", "NoNewPrivileges=yes"]
    if not user_mode:
        lines += [
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectControlGroups=yes",
            "RestrictSUIDSGID=yes",
            "RestrictRealtime=yes",
            "LockPersonality=yes",
        ]
    lines += ["", "[Install]", f"WantedBy={'default.target' if user_mode else 'multi-user.target'}"]
    return "\n".join(lines) + "\n"


def drop_in_text(target: SystemdTarget) -> str:
    """``instance.conf``: account, client home and writable folders of one instance."""
    lines = [
        f"# pyWATS client instance {target.instance_id!r} (written by `pywats-client install-service`)",
        "[Service]",
    ]
    if target.service_user is not None:
        lines += [f"User={target.service_user}"]
    lines.append(f"Environment=PYWATS_CLIENT_HOME={_quote(str(target.client_home))}")
    if not target.user_mode:
        under_home = any(t == p or t in p.parents for p in target.writable for t in _HOME_TREES)
        if under_home:
            lines.append("# folders below /home: visible read-only, writable only where listed")
            lines.append("ProtectHome=read-only")
        lines += [f"ReadWritePaths={_path_value(p)}" for p in target.writable]
    return "\n".join(lines) + "\n"


def env_file_text(target: SystemdTarget) -> str:
    """The environment file: the API token (``PYWATS_API_TOKEN`` overrides the config's)."""
    lines = [
        f"# pyWATS client instance {target.instance_id!r}: read by systemd when the service starts.",
        "# Keep this file private (mode 0600). PYWATS_API_TOKEN overrides the token in the config.",
    ]
    if target.token:
        lines.append(f"PYWATS_API_TOKEN={_quote(target.token)}")
    else:
        lines.append("#PYWATS_API_TOKEN=")
    return "\n".join(lines) + "\n"


def _systemctl(target: SystemdTarget, *args: str) -> tuple[str, ...]:
    return ("systemctl", *(("--user",) if target.user_mode else ()), *args)


def install_plan(target: SystemdTarget) -> Plan:
    """Write template, drop-in and environment file; create the writable folders;
    ``systemctl daemon-reload`` (skipped when installing below another root)."""
    owner = target.service_user
    plan = Plan(title=f"install systemd service {target.unit_name}"
                + (" (user manager)" if target.user_mode else ""))
    plan.folders = [(target.root / p.relative_to(p.anchor) if target.root != Path("/") else p, owner)
                    for p in target.writable]
    plan.files = [
        FileToWrite(target.unit_dir / UNIT_TEMPLATE_NAME, template_text(user_mode=target.user_mode)),
        FileToWrite(target.drop_in_dir / "instance.conf", drop_in_text(target)),
        FileToWrite(target.env_file, env_file_text(target), mode=0o600, owner=owner),
    ]
    ctl = " ".join(_systemctl(target))
    sudo = "" if target.user_mode else "sudo "
    if target.root == Path("/"):
        plan.commands.append(_systemctl(target, "daemon-reload"))
    plan.notes = [
        "next:",
        f"  {sudo}{ctl} enable {target.unit_name}",
        f"  {sudo}{ctl} start {target.unit_name}",
        f"  {sudo}{ctl} status {target.unit_name}",
    ]
    if not target.token:
        plan.notes.append(f"no API token given: the service uses the token in its config file "
                          f"(or add PYWATS_API_TOKEN=... to {target.env_file})")
    return plan


def uninstall_plan(target: SystemdTarget, *, other_instances: bool | None = None) -> Plan:
    """Stop and disable the instance, remove its drop-in and environment file, and the
    template once no other instance uses it. Folders and queue are left in place."""
    plan = Plan(title=f"uninstall systemd service {target.unit_name}")
    if target.root == Path("/"):
        plan.stop_first.append(_systemctl(target, "disable", "--now", target.unit_name))
    plan.remove = [target.drop_in_dir, target.env_file]
    if other_instances is None:
        other_instances = any(
            p.name.startswith("pywats-client@") and p.name.endswith(".service.d") and p != target.drop_in_dir
            for p in (target.unit_dir.iterdir() if target.unit_dir.is_dir() else ())
        )
    if not other_instances:
        plan.remove.append(target.unit_dir / UNIT_TEMPLATE_NAME)
    if target.root == Path("/"):
        plan.commands.append(_systemctl(target, "daemon-reload"))
    plan.notes = [f"kept: the client home {target.client_home} (configuration, queue, logs)"]
    return plan
