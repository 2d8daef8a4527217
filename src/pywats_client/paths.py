"""Where the station client keeps its files.

Layout (``<home>`` is :func:`client_home`)::

    <home>/config_<id>.json          one configuration file per instance
    <home>/token.key                 machine-local key that encrypts API tokens at rest
    <home>/converters/               user converter modules (default ``converter_paths``)
    <home>/reports/                  offline queue of the first instance (see below)
    <home>/reports_<id>/             offline queue of any other instance (never shared)
    <home>/client.log                log of the instance whose queue is ``<home>/reports``
    <home>/client_<id>.log           log of any other instance
    <home>/reports.owner             id of the instance that owns reports/ and client.log

The first instance set up on a station (the only one configured, or "default"), whatever
its id, gets ``<home>/reports`` and ``<home>/client.log`` -- the paths the integration guide
shows -- and is recorded as their owner in ``<home>/reports.owner`` (by ``config init`` and
at service start); later instances get the ``_<id>`` forms. A ``reports_folder`` written in
the config file always wins. Nothing moves when a second instance is added.
    <home>/instances/<id>/           per-instance runtime files (control secret, lock, port)

``<home>`` is ``%APPDATA%\\pyWATS_Client`` on Windows and ``~/.config/pywats_client``
elsewhere (``$XDG_CONFIG_HOME/pywats_client`` when that variable is set); the environment
variable ``PYWATS_CLIENT_HOME`` overrides it (tests and containers use it). The log files go
to ``PYWATS_LOG_DIR`` instead of the client home when that variable is set (containers).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

__all__ = [
    "DEFAULT_INSTANCE_ID",
    "HOME_ENV",
    "INSTANCE_ENV",
    "LOG_DIR_ENV",
    "InstanceNotChosen",
    "InvalidInstanceId",
    "claim_shared_layout",
    "client_home",
    "config_path",
    "configured_instances",
    "converters_dir",
    "default_instance_id",
    "default_reports_folder",
    "instance_dir",
    "key_path",
    "log_path",
    "select_instance",
    "shared_layout_owner",
    "shared_log_path",
    "shared_reports_folder",
    "validate_instance_id",
]

DEFAULT_INSTANCE_ID = "default"
HOME_ENV = "PYWATS_CLIENT_HOME"
INSTANCE_ENV = "PYWATS_INSTANCE_ID"
LOG_DIR_ENV = "PYWATS_LOG_DIR"

SHARED_OWNER_FILE = "reports.owner"

_INSTANCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class InvalidInstanceId(ValueError):
    """An instance id that cannot be used in file names."""


class InstanceNotChosen(ValueError):
    """Several instances are configured and none was chosen (``--instance-id`` or env)."""

    def __init__(self, instances: list[str]) -> None:
        self.instances = list(instances)
        super().__init__(
            f"{len(self.instances)} instances are configured ({', '.join(self.instances)}) in {client_home()}: "
            f"pick one with --instance-id ID (or set {INSTANCE_ENV}), "
            f"e.g. `pywats-client --instance-id {self.instances[0]} status`"
        )


def validate_instance_id(instance_id: str) -> str:
    """Return ``instance_id`` if it is usable in file and service names, else raise.

    Allowed: 1-64 characters of letters, digits, ``_``, ``.`` and ``-``, starting with a
    letter or digit (so no path separators and no ``..``).
    """
    if not isinstance(instance_id, str) or not _INSTANCE_RE.match(instance_id) or ".." in instance_id:
        raise InvalidInstanceId(
            f"invalid instance id {instance_id!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return instance_id


def default_instance_id() -> str:
    """The instance id from ``PYWATS_INSTANCE_ID``, or ``"default"``."""
    return os.environ.get(INSTANCE_ENV) or DEFAULT_INSTANCE_ID


def configured_instances() -> list[str]:
    """The ids of the instances that have a ``config_<id>.json`` in the client home, sorted."""
    home = client_home()
    found: list[str] = []
    try:
        names = [p.name for p in home.iterdir()]
    except OSError:
        return []
    for name in names:
        if name.startswith("config_") and name.endswith(".json"):
            iid = name[len("config_"):-len(".json")]
            if _INSTANCE_RE.match(iid) and ".." not in iid:
                found.append(iid)
    return sorted(found)


def select_instance(explicit: str | None = None) -> str:
    """The instance a command works on.

    ``explicit`` (``--instance-id``), else ``PYWATS_INSTANCE_ID``, else the one configured
    instance when exactly one is configured, else ``"default"`` when none is. With several
    configured and none chosen, :class:`InstanceNotChosen` names them.
    """
    chosen = explicit or os.environ.get(INSTANCE_ENV)
    if chosen:
        return validate_instance_id(chosen)
    instances = configured_instances()
    if len(instances) == 1:
        return instances[0]
    if not instances:
        return DEFAULT_INSTANCE_ID
    raise InstanceNotChosen(instances)


def client_home() -> Path:
    """The client's home folder (not created here)."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
        return base / "pyWATS_Client"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "pywats_client"


def config_path(instance_id: str = DEFAULT_INSTANCE_ID) -> Path:
    """``<home>/config_<instance_id>.json``."""
    return client_home() / f"config_{validate_instance_id(instance_id)}.json"


def instance_dir(instance_id: str = DEFAULT_INSTANCE_ID) -> Path:
    """``<home>/instances/<instance_id>/``: runtime files of one instance (secret, lock, port)."""
    return client_home() / "instances" / validate_instance_id(instance_id)


def default_reports_folder(instance_id: str = DEFAULT_INSTANCE_ID) -> Path:
    """The queue folder of an instance whose config names none.

    ``<home>/reports`` (the integration guide's path) when that instance owns it (see
    :func:`shared_layout_owner`), or when nobody owns it yet and the instance is the only
    configured one or "default" -- unless the instance already has a ``<home>/reports_<id>``
    folder, which it keeps. Loading a config file that resolves to ``<home>/reports``
    claims it for that instance. Every other instance: ``<home>/reports_<id>``. Each instance
    gets its own queue so that a report can never be uploaded by another instance to
    another server; an owned folder never moves when instances are added.
    """
    validate_instance_id(instance_id)
    own = client_home() / f"reports_{instance_id}"
    owner = shared_layout_owner()
    if owner == instance_id:
        return shared_reports_folder()
    if owner is None and not own.exists() and (
        instance_id == DEFAULT_INSTANCE_ID or configured_instances() == [instance_id]
    ):
        return shared_reports_folder()
    return own


def shared_layout_owner() -> str | None:
    """The instance that owns ``<home>/reports`` and ``<home>/client.log`` (recorded in
    ``<home>/reports.owner`` by :func:`claim_shared_layout`), or None."""
    try:
        text = (client_home() / SHARED_OWNER_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if _INSTANCE_RE.match(text) else None


def claim_shared_layout(instance_id: str) -> bool:
    """Record ``instance_id`` as the owner of ``<home>/reports`` unless another instance
    owns it already; True if ``instance_id`` owns it afterwards. Called when an instance
    first uses the folder (``config init``, service start), so that adding instances later
    never moves it."""
    validate_instance_id(instance_id)
    owner = shared_layout_owner()
    if owner is not None:
        return owner == instance_id
    home = client_home()
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(home / SHARED_OWNER_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # another process claimed it first
        return shared_layout_owner() == instance_id
    try:
        os.write(fd, (instance_id + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return True


def log_path(instance_id: str = DEFAULT_INSTANCE_ID) -> Path:
    """``<home>/client.log`` for "default", ``<home>/client_<id>.log`` otherwise
    (``$PYWATS_LOG_DIR`` instead of ``<home>`` when set)."""
    validate_instance_id(instance_id)
    log_dir = os.environ.get(LOG_DIR_ENV)
    base = Path(log_dir).expanduser() if log_dir else client_home()
    if instance_id == DEFAULT_INSTANCE_ID:
        return base / "client.log"
    return base / f"client_{instance_id}.log"


def shared_reports_folder() -> Path:
    """``<home>/reports``: the queue folder of the first instance created (``config init``
    gives it to the instance when no other is configured) and of "default"."""
    return client_home() / "reports"


def shared_log_path() -> Path:
    """``<home>/client.log``: the log of the instance whose queue is :func:`shared_reports_folder`
    (``$PYWATS_LOG_DIR`` instead of ``<home>`` when set)."""
    log_dir = os.environ.get(LOG_DIR_ENV)
    return (Path(log_dir).expanduser() if log_dir else client_home()) / "client.log"


def converters_dir() -> Path:
    """``<home>/converters``: default folder for user converter modules (shared by instances)."""
    return client_home() / "converters"


def key_path() -> Path:
    """``<home>/token.key``: the machine-local key that encrypts API tokens at rest."""
    return client_home() / "token.key"
