"""The station client's configuration: :class:`ClientConfig` and :class:`ConverterConfig`."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from pywats_client import paths, secrets
from pywats_client.config.errors import ConfigError
from pywats_client.config.jsonc import loads_jsonc
from pywats_client.config.placeholders import UnknownPlaceholder, expand_placeholders, host_name
from pywats_client.fileio import write_atomic

__all__ = ["ClientConfig", "ConverterConfig", "TOKEN_ENV", "foreign_path"]

TOKEN_ENV = "PYWATS_API_TOKEN"

Seconds = Annotated[float, Strict(), Field(ge=0)]
PostAction = Literal["move", "delete", "keep"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
_POST_ACTIONS = ("move", "delete", "keep")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _to_path(value: Any) -> Any:
    """Accept str or Path, expand ``~``, resolve relative paths against the client home."""
    if isinstance(value, Path):
        p = value
    elif isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        p = Path(value)
    else:
        raise ValueError(f"must be a path string (got {value!r})")
    p = p.expanduser()
    if not p.is_absolute() and not _looks_absolute_elsewhere(str(value)):
        p = paths.client_home() / p
    return p


def _looks_absolute_elsewhere(text: str) -> bool:
    """True for an absolute path in another platform's form, kept as written: a Windows path
    (``C:\\TestData``, ``\\\\server\\share``) read on POSIX, a POSIX one (``/data/in``) on Windows."""
    if sys.platform == "win32":
        return text.startswith("/") and not text.startswith("//")
    return (len(text) >= 3 and text[1] == ":" and text[2] in "\\/") or text.startswith("\\\\")


def foreign_path(path: Path) -> bool:
    """True if ``path`` is an absolute path written for another platform (see the config
    loader: such paths are kept as written, and the service refuses to start with them)."""
    return _looks_absolute_elsewhere(str(path))


class _Base(BaseModel):
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, arbitrary_types_allowed=False, use_attribute_docstrings=True
    )


class ConverterConfig(_Base):
    """One converter entry (``converters[i]`` in the config file)."""

    name: StrictStr
    """Display name; also names the converter in logs and status."""
    module_path: StrictStr
    """``module.Class`` (resolved on ``converter_paths`` and the normal import path)."""
    watch_folder: Path
    """Folder watched for input files."""
    done_folder: Path
    """Where sources go after success with ``post_action`` move (default ``<watch_folder>/Done``)."""
    error_folder: Path
    """Where failed sources go, with a ``NAME.error`` file (default ``<watch_folder>/Error``)."""
    file_patterns: list[StrictStr] | None = None
    """Glob patterns (matched ignoring case) of files this converter takes; absent: the
    converter class's own ``file_patterns`` (``["*.csv"]`` for the built-in CSV converter)."""
    post_action: StrictStr = "move"
    """What happens to a source once its report is queued: move (to done_folder), delete, keep."""
    enabled: StrictBool = True
    priority: Annotated[StrictInt, Field(ge=1, le=10)] = 5
    """1 = highest … 10 = lowest; decides which converter wins when patterns overlap."""
    file_stable_seconds: Seconds = 2.0
    """A file is converted once size and mtime were unchanged this long."""
    timeout_seconds: Annotated[float, Strict(), Field(gt=0)] = 60.0
    """Per-file converter time limit; a converter that runs longer is killed, the file goes to error."""
    max_memory_mb: Annotated[StrictInt, Field(ge=0)] | None = None
    """Memory cap (MB) of the converter worker while it converts one of this converter's
    files; absent: the instance's ``max_converter_memory_mb``; 0 = no cap."""
    arguments: dict[StrictStr, Any] = Field(default_factory=dict)
    """Converter options (the older name of ``parameters``; both are read, ``parameters`` wins)."""
    parameters: dict[StrictStr, Any] = Field(default_factory=dict)
    """Converter parameters: defaults for what files lack (part number, operation, culture, …;
    see ``pywats_client.converters.parameters``) and the converter's own options."""

    @model_validator(mode="before")
    @classmethod
    def _default_folders(cls, data: Any) -> Any:
        if isinstance(data, dict):
            watch = data.get("watch_folder")
            if isinstance(watch, (str, Path)) and str(watch).strip():
                data = dict(data)
                for key, sub in (("done_folder", "Done"), ("error_folder", "Error")):
                    if data.get(key) in (None, ""):
                        base = Path(watch) if isinstance(watch, Path) else None
                        data[key] = base / sub if base is not None else _join(str(watch), sub)
        return data

    @field_validator("watch_folder", "done_folder", "error_folder", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        return _to_path(value)

    @field_validator("name", "module_path")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("post_action", mode="before")
    @classmethod
    def _post_action(cls, value: Any) -> Any:
        if value not in _POST_ACTIONS:
            raise ValueError(f"must be one of {', '.join(_POST_ACTIONS)} (got {value!r})")
        return value

    @field_validator("file_patterns")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value or any(not p.strip() for p in value):
            raise ValueError("must be a non-empty list of non-empty patterns")
        return value


def _join(base: str, sub: str) -> str:
    sep = "\\" if "\\" in base and "/" not in base else "/"
    return base.rstrip("\\/") + sep + sub


class ClientConfig(_Base):
    """Configuration of one client instance (``config_<instance_id>.json`` in the client home).

    Load with :meth:`load_for_instance` (file must exist) or :meth:`load` (defaults when the
    file does not exist); change attributes; :meth:`save` writes atomically and encrypts the
    token. ``api_token`` is the plaintext token (``PYWATS_API_TOKEN`` overrides it and is
    never written to the file).
    """

    schema_version: Annotated[StrictInt, Field(ge=1, le=1)] = 1
    """Version of the file layout (1)."""
    instance_id: StrictStr = paths.DEFAULT_INSTANCE_ID
    """This instance's id (also in the file name ``config_<id>.json``)."""
    instance_name: StrictStr = "pyWATS Client"
    """A display name for this instance."""
    service_address: StrictStr = ""
    """WATS base URL, without a trailing ``/api``."""
    configured_api_token: StrictStr = Field(default="", alias="api_token", repr=False)
    """The token as configured (plaintext in memory); use :attr:`api_token`."""
    station_name: StrictStr = ""
    """Station (machineName) for reports; empty = host name; ``${NAME}`` placeholders expanded."""
    location: StrictStr = ""
    """Station location stamped on reports that carry none."""
    purpose: StrictStr = ""
    """Station purpose stamped on reports that carry none."""
    converters: list[ConverterConfig] = Field(default_factory=list)
    """The converters: one entry per watched folder and format."""
    converter_paths: list[Path] = Field(default_factory=list)
    """Folders put on the import path for ``module_path`` (default ``[<home>/converters]``)."""
    offline_queue_enabled: StrictBool = True
    """Keep completed reports in the queue for the retention period (false: none kept)."""
    reports_folder: Path = Path()
    """Offline queue folder (default ``<home>/reports`` or ``<home>/reports_<id>``)."""
    max_retry_attempts: Annotated[StrictInt, Field(ge=0)] = 5
    """Failed upload attempts (server errors) before a report goes to failed/."""
    retry_interval_seconds: Seconds = 60.0
    """Upper bound of the wait between upload attempts of one report."""
    auto_reconnect: StrictBool = True
    """Go back ONLINE by itself when the health check reaches the server again."""
    health_check_interval: Annotated[float, Strict(), Field(gt=0)] = 30.0
    """Seconds between health checks while OFFLINE."""
    max_converter_workers: Annotated[StrictInt, Field(ge=1)] = 10
    """Upper bound; the service runs ``effective_converter_workers`` = min(this, CPU count)."""
    max_converter_memory_mb: Annotated[StrictInt, Field(ge=0)] = 2048
    """Memory cap (MB) of a converter worker process while it converts a file (POSIX: its
    address space, ``RLIMIT_AS``; Windows: its committed memory, through a job object; not
    enforced on macOS). A file whose conversion needs more goes to the error folder with a
    reason naming this key; other files and the service are not affected. 0 = no cap. A
    converter entry's ``max_memory_mb`` overrides it for that converter."""
    process_sync_enabled: StrictBool = True
    """Keep a cached copy of the server's process list (refreshed every 5 minutes)."""
    converters_enabled: StrictBool = True
    """False: no folder is watched (uploads of queued reports still run)."""
    upload_concurrency: Annotated[StrictInt, Field(ge=1)] = 8
    """Reports uploaded at the same time."""
    rescan_interval_seconds: Annotated[float, Strict(), Field(gt=0)] = 5.0
    """Seconds between rescans of the watched folders (events are only hints)."""
    file_events: StrictBool = True
    """Use native file-system events as hints; false = the periodic rescan only (shares
    whose events are missing or unreliable)."""
    control_port: Annotated[StrictInt, Field(ge=0, le=65535)] = 0
    """Loopback port of the control API; 0 = pick a free one."""
    completed_retention_days: Seconds = 30.0
    """Completed queue entries older than this are deleted; 0 = no age limit."""
    completed_max_count: Annotated[StrictInt, Field(ge=0)] = 10000
    """At most this many completed entries are kept; 0 = no count limit."""
    min_free_disk_mb: Annotated[StrictInt, Field(ge=0)] = 100
    """Below this much free space in reports_folder, intake stops (back-pressure)."""
    log_level: StrictStr = "INFO"
    """DEBUG, INFO, WARNING, ERROR or CRITICAL."""

    FILE_KEYS: ClassVar[tuple[str, ...]]
    """The keys a config file may contain (set below)."""

    _path: Path | None = PrivateAttr(default=None)
    _station_raw: str = PrivateAttr(default="")
    _station_expanded: str = PrivateAttr(default="")
    _station_error: str | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ validation

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_instance(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        iid = data.get("instance_id", paths.DEFAULT_INSTANCE_ID)
        if isinstance(iid, str):
            try:
                paths.validate_instance_id(iid)
            except paths.InvalidInstanceId:
                return data  # the field validator reports it
            if data.get("reports_folder") in (None, ""):
                data["reports_folder"] = paths.default_reports_folder(iid)
        if data.get("converter_paths") is None:
            data["converter_paths"] = [paths.converters_dir()]
        return data

    @field_validator("instance_id")
    @classmethod
    def _instance_id(cls, value: str) -> str:
        try:
            return paths.validate_instance_id(value)
        except paths.InvalidInstanceId as exc:
            raise ValueError(str(exc).replace(f"invalid instance id {value!r}: ", "")) from None

    @field_validator("service_address")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value.lower().endswith("/api"):
            value = value[:-4]
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https:// (got {value!r})")
        return value

    @field_validator("configured_api_token")
    @classmethod
    def _token(cls, value: str) -> str:
        value = value.strip()
        if secrets.is_encrypted(value):
            try:
                return secrets.decrypt_token(value)
            except secrets.TokenDecryptError as exc:
                raise ValueError(
                    f"cannot decrypt the stored token: {exc}; set it again with "
                    "`pywats-client config set --api-token TOKEN`"
                ) from None
        return value

    @field_validator("reports_folder", mode="before")
    @classmethod
    def _reports(cls, value: Any) -> Any:
        return _to_path(value)

    @field_validator("converter_paths", mode="before")
    @classmethod
    def _conv_paths(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError(f"must be a list of folder paths (got {value!r})")
        return [_to_path(v) for v in value]

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value.upper() in _LOG_LEVELS:
            return value.upper()
        raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)} (got {value!r})")

    @model_validator(mode="after")
    def _expand_station(self) -> ClientConfig:
        raw = self.station_name
        try:
            expanded = expand_placeholders(raw) if raw else host_name()
        except UnknownPlaceholder as exc:
            # reading the config (CLI, status) must work without the service's environment;
            # the service refuses to start with it (see start_problems)
            expanded = raw
            self._station_error = str(exc)
        self._station_raw = raw
        self._station_expanded = expanded
        self.__dict__["station_name"] = expanded
        return self

    # ------------------------------------------------------------------ token

    @property
    def api_token(self) -> str:
        """The plaintext API token: ``PYWATS_API_TOKEN`` if set, else the configured one."""
        return os.environ.get(TOKEN_ENV) or self.configured_api_token

    @api_token.setter
    def api_token(self, value: str) -> None:
        self.configured_api_token = value.strip()

    @property
    def token_source(self) -> str:
        """Where :attr:`api_token` comes from: ``"env"``, ``"config"`` or ``"none"``."""
        if os.environ.get(TOKEN_ENV):
            return "env"
        return "config" if self.configured_api_token else "none"

    def __repr_args__(self) -> Any:
        yield from super().__repr_args__()
        yield "api_token", "***" if self.api_token else ""

    # ------------------------------------------------------------------ derived values

    @property
    def path(self) -> Path:
        """The file this config was loaded from / is saved to."""
        return self._path if self._path is not None else paths.config_path(self.instance_id)

    @path.setter
    def path(self, value: Path) -> None:
        self._path = Path(value)

    @property
    def station_name_template(self) -> str:
        """``station_name`` as written in the file (placeholders unexpanded; empty = host name)."""
        if self.station_name != self._station_expanded:
            return self.station_name
        return self._station_raw

    @property
    def effective_converter_workers(self) -> int:
        """Converter processes actually run: min(max_converter_workers, CPU count)."""
        return max(1, min(self.max_converter_workers, os.cpu_count() or 1))

    @property
    def instance_dir(self) -> Path:
        """Per-instance runtime folder (control secret, lock, port file)."""
        return paths.instance_dir(self.instance_id)

    @property
    def log_file(self) -> Path:
        """This instance's log file: ``<home>/client.log`` when its queue is ``<home>/reports``
        (the first instance's layout), else ``<home>/client_<id>.log``."""
        if Path(self.reports_folder) == paths.shared_reports_folder():
            return paths.shared_log_path()
        return paths.log_path(self.instance_id)

    # ------------------------------------------------------------------ start checks

    def start_problems(self) -> list[str]:
        """What stops this config from running a service, one line each naming the file and
        the key (empty: it can start). Loading never fails for these, so commands that only
        read the config work without the service's environment."""
        where = str(self.path)
        problems: list[str] = []
        if not self.service_address:
            problems.append(f"{where}: service_address: not set; run `pywats-client config set service_address URL`")
        if not self.api_token:
            problems.append(
                f"{where}: api_token: not set; run `pywats-client config set --api-token TOKEN` "
                f"or set {TOKEN_ENV}"
            )
        if self._station_error is not None:
            problems.append(f"{where}: station_name: {self._station_error}")
        folders: list[tuple[str, Path]] = [("reports_folder", self.reports_folder)]
        folders += [(f"converter_paths[{i}]", p) for i, p in enumerate(self.converter_paths)]
        for i, conv in enumerate(self.converters):
            for key in ("watch_folder", "done_folder", "error_folder"):
                folders.append((f"converters[{i}].{key}", getattr(conv, key)))
        other = "Windows" if sys.platform != "win32" else "POSIX"
        for key, folder in folders:
            if foreign_path(folder):
                problems.append(f"{where}: {key}: {str(folder)!r} is a {other} path; this station needs a path "
                                f"of its own platform")
        return problems

    # ------------------------------------------------------------------ loading

    @classmethod
    def defaults(cls, instance_id: str = paths.DEFAULT_INSTANCE_ID) -> ClientConfig:
        """A config with every key at its default for ``instance_id`` (nothing is written)."""
        return cls.from_dict({"instance_id": instance_id}, path=paths.config_path(instance_id))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, path: Path | None = None) -> ClientConfig:
        """Validate a config mapping; errors raise :class:`ConfigError` naming ``path`` and the key."""
        label = path.name if path is not None else "config"
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: the file must contain a JSON object", path=path)
        if "configured_api_token" in data:  # the Python attribute name is not a file key
            raise ConfigError(f"{label}: configured_api_token: unknown key", path=path, key="configured_api_token")
        try:
            config = cls.model_validate(data)
        except ValidationError as exc:
            raise _config_error(exc, label, path) from None
        except ValueError as exc:  # raised by the after-validator outside pydantic's wrapping
            raise ConfigError(f"{label}: {exc}", path=path) from None
        if path is not None:
            config._path = Path(path)  # noqa: SLF001 - set by the class's own loader
        return config

    @classmethod
    def load_file(cls, path: Path | str, *, ignore_token_errors: bool = False) -> ClientConfig:
        """Load a config file (JSON with ``//``/``/* */`` comments and trailing commas allowed).

        Missing keys take defaults. If the file is named ``config_<id>.json`` its
        ``instance_id`` must be ``<id>`` (or absent). With ``ignore_token_errors`` a token that
        cannot be decrypted is treated as empty (used by commands that replace it).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: file not found", path=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}", path=path) from None
        try:
            data = loads_jsonc(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path.name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg} ({path})",
                path=path,
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path.name}: the file must contain a JSON object ({path})", path=path)
        name_id = _instance_from_name(path)
        if name_id is not None:
            file_id = data.get("instance_id")
            if file_id is None:
                data["instance_id"] = name_id
            elif file_id != name_id:
                raise ConfigError(
                    f"{path.name}: instance_id: {file_id!r} does not match the file name "
                    f"(expected {name_id!r})",
                    path=path,
                    key="instance_id",
                )
        tok = data.get("api_token")
        if ignore_token_errors and isinstance(tok, str) and secrets.is_encrypted(tok):
            try:
                secrets.decrypt_token(tok)
            except secrets.TokenDecryptError:
                data["api_token"] = ""
        config = cls.from_dict(data, path=path)
        if isinstance(tok, str) and tok.strip() and not secrets.is_encrypted(tok.strip()):
            _encrypt_token_in_place(config, text, tok)
        if (name_id is not None and data.get("reports_folder") in (None, "")
                and Path(config.reports_folder) == paths.shared_reports_folder()):
            try:  # <home>/reports stays this instance's when others are added
                paths.claim_shared_layout(config.instance_id)
            except OSError:
                pass
        return config

    @classmethod
    def load_for_instance(cls, instance_id: str, *, ignore_token_errors: bool = False) -> ClientConfig:
        """Load ``config_<instance_id>.json`` from the client home; a missing file is an error."""
        try:
            path = paths.config_path(instance_id)
        except paths.InvalidInstanceId as exc:
            raise ConfigError(str(exc), key="instance_id") from None
        if not path.exists():
            raise ConfigError(
                f"no config for instance {instance_id!r} at {path}; "
                f"run `pywats-client config init --instance-id {instance_id}`",
                path=path,
            )
        return cls.load_file(path, ignore_token_errors=ignore_token_errors)

    @classmethod
    def load(cls, instance_id: str | None = None) -> ClientConfig:
        """Load an instance's config, or its defaults if it has no file yet.

        ``instance_id`` defaults to ``PYWATS_INSTANCE_ID``, else to the one configured
        instance when exactly one is configured, else ``"default"`` when none is; with
        several configured and none chosen it raises :class:`ConfigError` naming them.
        """
        try:
            iid = paths.select_instance(instance_id)
            path = paths.config_path(iid)
        except paths.InstanceNotChosen as exc:
            raise ConfigError(str(exc), key="instance_id") from None
        except paths.InvalidInstanceId as exc:
            raise ConfigError(str(exc), key="instance_id") from None
        if path.exists():
            return cls.load_file(path)
        return cls.defaults(iid)

    # ------------------------------------------------------------------ saving

    def to_file_dict(self) -> dict[str, Any]:
        """The mapping written to the file: token encrypted, station_name as its template."""
        data = self.model_dump(mode="json", by_alias=True, warnings=False)
        data["station_name"] = self.station_name_template
        data["api_token"] = secrets.encrypt_token(self.configured_api_token)
        return data

    def to_display_dict(self) -> dict[str, Any]:
        """The config as shown to users: token masked, station_name expanded."""
        data = self.model_dump(mode="json", by_alias=True, warnings=False)
        data["api_token"] = mask_token(self.api_token)
        return data

    def save(self, path: Path | str | None = None) -> Path:
        """Validate and write the config atomically (temp file, fsync, rename); returns the path.

        The token is written encrypted; comments in a hand-edited file are not preserved.
        """
        target = Path(path) if path is not None else self.path
        data = self.to_file_dict()
        # re-validate what we are about to write, so a bad attribute assignment cannot persist
        ClientConfig.from_dict({**data, "api_token": self.configured_api_token}, path=target)
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomic(target, text, private=True)
        self._path = target
        return target


ClientConfig.FILE_KEYS = tuple(
    (f.alias or name) for name, f in ClientConfig.model_fields.items()
)


_TOKEN_ENTRY = re.compile(r'("api_token"\s*:\s*)("(?:[^"\\]|\\.)*")')


def _encrypt_token_in_place(config: ClientConfig, text: str, clear: str) -> None:
    """A token found in clear in the file is replaced by its encrypted form at once (the
    rest of the file, comments included, is kept; mode 0600 on POSIX). If the file cannot
    be written, a warning says so and loading goes on."""
    path = config.path
    encrypted = secrets.encrypt_token(config.configured_api_token)
    matches = [m for m in _TOKEN_ENTRY.finditer(text) if _json_string(m.group(2)) == clear]
    try:
        if len(matches) == 1:
            m = matches[0]
            new_text = text[: m.start(2)] + json.dumps(encrypted) + text[m.end(2):]
            write_atomic(path, new_text, private=True)
        else:  # not found verbatim (unusual escaping): write the whole file canonically
            config.save(path)
    except OSError as exc:
        logging.getLogger("pywats_client.config").warning(
            "%s: api_token is stored in clear and the file cannot be rewritten to encrypt it: %s", path, exc
        )
        return
    logging.getLogger("pywats_client.config").info("%s: api_token was stored in clear; encrypted it in place", path)


def _json_string(literal: str) -> str | None:
    try:
        value = json.loads(literal)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def mask_token(token: str) -> str:
    """A display form of a token that reveals nothing but whether one is set."""
    return "********" if token else ""


def _instance_from_name(path: Path) -> str | None:
    name = path.name
    if name.startswith("config_") and name.endswith(".json"):
        iid = name[len("config_"):-len(".json")]
        try:
            return paths.validate_instance_id(iid)
        except paths.InvalidInstanceId:
            return None
    return None


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "api_token" if part == "configured_api_token" else str(part)
            out += f".{name}" if out else name
    return out


def _config_error(exc: ValidationError, label: str, path: Path | None) -> ConfigError:
    lines: list[str] = []
    first_key: str | None = None
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key = _loc(loc)
        kind = err["type"]
        msg = str(err["msg"])
        if kind == "extra_forbidden":
            msg = "unknown key"
        elif kind == "missing":
            msg = "required key is missing"
        elif kind in ("value_error", "assertion_error"):
            msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
            if msg.startswith("station_name: "):
                key, msg = "station_name", msg.removeprefix("station_name: ")
        else:
            msg = f"{msg[:1].lower()}{msg[1:]} (got {err.get('input')!r})"
        first_key = first_key or key
        lines.append(f"{label}: {key}: {msg}" if key else f"{label}: {msg}")
    return ConfigError("\n".join(lines), path=path, key=first_key)
