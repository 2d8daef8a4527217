"""What the GUI knows about instances and their services, without Qt.

:class:`ServiceLink` reads and writes one instance's config file and talks to its running
service through the control API; :func:`list_instances`, :func:`check_connection` and
:func:`write_instance_config` serve the first-run window. Everything here is plain Python
so it is tested without a display.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pywats_client import paths
from pywats_client.config import ClientConfig, ConfigError
from pywats_client.service import control

__all__ = [
    "ConnectionCheck",
    "InstanceInfo",
    "ServiceLink",
    "check_connection",
    "list_instances",
    "token_from_credentials",
    "write_instance_config",
]


@dataclass(frozen=True)
class InstanceInfo:
    """One configured instance: its id, config file and whether its service answers."""

    instance_id: str
    config_path: Path
    state: str | None
    """The running service's state (ONLINE, OFFLINE, …), or None when it is not running."""


def list_instances() -> list[InstanceInfo]:
    """Every ``config_<id>.json`` in the client home, sorted by id, with its service state."""
    home = paths.client_home()
    found: list[InstanceInfo] = []
    for path in sorted(home.glob("config_*.json")):
        iid = path.name[len("config_"):-len(".json")]
        try:
            paths.validate_instance_id(iid)
        except paths.InvalidInstanceId:
            continue
        status = control.read_status(_Target(iid))
        found.append(InstanceInfo(iid, path, str(status.get("state")) if status else None))
    return found


@dataclass(frozen=True)
class _Target:
    """What the control client functions need: the instance id and its runtime folder."""

    instance_id: str

    @property
    def instance_dir(self) -> Path:
        return paths.instance_dir(self.instance_id)


def token_from_credentials(user: str, password: str) -> str:
    """The token WATS expects for ``user`` and ``password`` (or API key): base64 of ``user:password``."""
    if not user.strip():
        raise ValueError("user name is empty")
    if ":" in user:
        raise ValueError("a user name cannot contain ':'")
    return base64.b64encode(f"{user.strip()}:{password}".encode()).decode("ascii")


@dataclass(frozen=True)
class ConnectionCheck:
    """The answer of :func:`check_connection`."""

    reachable: bool
    token_accepted: bool
    version: str | None
    message: str

    @property
    def ok(self) -> bool:
        """Reachable and the token accepted."""
        return self.reachable and self.token_accepted


def check_connection(url: str, token: str, *, timeout: float = 10.0) -> ConnectionCheck:
    """Ask the WATS server at ``url`` for its version with ``token`` (no retries).

    Tells apart: address malformed, server not reachable, token refused, and success with
    the server's version.
    """
    from pywats import pyWATS
    from pywats.core.retry import RetryConfig
    from pywats.exceptions import AuthenticationError, AuthorizationError, PyWATSError, TransportError

    address = url.strip().rstrip("/")
    if address.lower().endswith("/api"):
        address = address[:-4]
    if not address.lower().startswith(("http://", "https://")):
        return ConnectionCheck(False, False, None, "The server address must start with http:// or https://")
    if not token.strip():
        return ConnectionCheck(False, False, None, "Enter a token, or a user name and password")
    api = pyWATS(base_url=address, token=token.strip(), timeout=timeout,
                 retry_config=RetryConfig.disabled(), throttle=False)
    try:
        version = api.app.get_version()
    except (AuthenticationError, AuthorizationError) as exc:
        return ConnectionCheck(True, False, None, f"Server reachable, but the token was refused ({exc.status_code})")
    except TransportError as exc:
        return ConnectionCheck(False, False, None, f"Cannot reach {address}: {exc}")
    except PyWATSError as exc:
        return ConnectionCheck(True, False, None, f"The server answered with an error: {exc}")
    finally:
        api.close()
    return ConnectionCheck(True, True, str(version), f"Connected: WATS {version} at {address}; token accepted")


def write_instance_config(
    instance_id: str,
    *,
    service_address: str,
    api_token: str,
    station_name: str = "",
    location: str = "",
    purpose: str = "",
) -> ClientConfig:
    """Create or update ``config_<instance_id>.json`` with the first-run answers.

    Existing keys (converters, folders, …) are kept; the token is stored encrypted.

    Raises:
        ConfigError: a value is not valid (the message names the key).
    """
    path = paths.config_path(instance_id)
    if path.exists():
        config = ClientConfig.load_file(path, ignore_token_errors=True)
        data = config.model_dump(mode="json", by_alias=True)
        data["station_name"] = config.station_name_template
    else:
        data = {"instance_id": instance_id}
    data.update(
        service_address=service_address,
        api_token=api_token,
        station_name=station_name,
        location=location,
        purpose=purpose,
    )
    new = ClientConfig.from_dict(data, path=path)
    new.save(path)
    return new


class ServiceLink:
    """One instance as the GUI sees it: its config file and its running service.

    Every ``read_*`` call returns None or raises :class:`~pywats_client.service.control.ControlError`
    when the service is not running; nothing here imports service internals.
    """

    def __init__(self, instance_id: str) -> None:
        self.instance_id = paths.validate_instance_id(instance_id)
        self._target = _Target(self.instance_id)

    # -- config --------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        """``config_<id>.json`` in the client home."""
        return paths.config_path(self.instance_id)

    def load_config(self) -> ClientConfig:
        """The instance's config (a token that cannot be decrypted reads as empty).

        Raises:
            ConfigError: the file is missing or not valid (the message names file and key).
        """
        return ClientConfig.load_file(self.config_path, ignore_token_errors=True)

    def update_config(self, changes: dict[str, Any]) -> ClientConfig:
        """Validate ``changes`` (file keys → values) on top of the current config and save.

        Raises:
            ConfigError: a value is not valid; nothing is written.
        """
        config = self.load_config()
        data = config.model_dump(mode="json", by_alias=True)
        data["station_name"] = config.station_name_template
        data["api_token"] = config.configured_api_token
        data.update(changes)
        new = ClientConfig.from_dict(data, path=self.config_path)
        new.save(self.config_path)
        return new

    def apply_changes(self, changes: dict[str, Any]) -> str:
        """Save ``changes`` (see :meth:`update_config`: a bad value raises ConfigError and nothing
        is written) and make a running service reload; returns one sentence on what happened."""
        self.update_config(changes)
        try:
            if self.status() is None:
                return "The service is not running; it applies them when it starts."
            answer = self.reload()
        except control.ControlError as exc:
            return f"The service did not reload: {exc}"
        later = answer.get("restart_required") or []
        return "The service reloaded them." + (f" Restart the service for: {', '.join(map(str, later))}." if later else "")

    def set_token(self, token: str) -> ClientConfig:
        """Store a new API token (encrypted) in the config file."""
        if not token.strip():
            raise ConfigError(f"{self.config_path.name}: api_token: must not be empty", key="api_token")
        return self.update_config({"api_token": token.strip()})

    # -- the running service -------------------------------------------------------
    def status(self) -> dict[str, Any] | None:
        """The live status, or None when the service is not running."""
        return control.read_status(self._target)

    def failed_entries(self, limit: int = 500) -> list[dict[str, Any]]:
        """Failed queue entries (id, error, source, serial_number, attempts, …)."""
        return control.read_queue(self._target, "failed", limit)

    def recent_uploads(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest acknowledged reports, newest first."""
        return control.read_uploads(self._target, limit)

    def retry(self, report_id: str | None = None) -> int:
        """Retry one failed entry, or all of them; returns how many went back to pending."""
        return int(control.request_retry(self._target, report_id).get("retried", 0))

    def reload(self) -> dict[str, Any]:
        """Ask the service to re-read the config; returns its status afterwards."""
        return control.request_reload(self._target)

    def start_service(self) -> subprocess.Popen[bytes]:
        """Start ``python -m pywats_client service --instance-id ID`` in the background.

        The service outlives the GUI (own session / process group); its output goes to the
        instance's log file like any service's.
        """
        cmd = [sys.executable, "-m", "pywats_client", "service", "--instance-id", self.instance_id]
        kwargs: dict[str, Any] = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS
        else:
            kwargs["start_new_session"] = True
        return subprocess.Popen(cmd, env=dict(os.environ), **kwargs)

    def install_service(self, *, dry_run: bool = False) -> subprocess.CompletedProcess[str]:
        """Run ``pywats-client install-service --instance-id ID`` (a system service that starts
        at boot: Windows service, systemd unit or launchd job); ``dry_run`` only shows what it
        would write. Installing usually needs administrator rights: the output says so."""
        cmd = [sys.executable, "-m", "pywats_client", "install-service", "--instance-id", self.instance_id]
        if dry_run:
            cmd.append("--dry-run")
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    # -- the log ---------------------------------------------------------------------
    def log_file(self) -> Path:
        """The instance's log file (where its config puts it; the per-instance default when
        the config cannot be read)."""
        try:
            return self.load_config().log_file
        except ConfigError:
            return paths.log_path(self.instance_id)

    def log_tail(self, max_bytes: int = 64 * 1024) -> str:
        """The end of the instance's log (at most ``max_bytes``, whole lines), or ``""``."""
        path = self.log_file()
        try:
            with path.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - max_bytes))
                data = fh.read()
        except OSError:
            return ""
        if size > max_bytes:
            data = data.split(b"\n", 1)[-1]
        return data.decode("utf-8", errors="replace")
