"""Entry point of the headless client's container image (``python -m pywats_client.deploy.container``).

Folders (the image sets these variables)::

    /app/config   PYWATS_CLIENT_HOME: config_<id>.json, token key, instance runtime files
    /app/data     PYWATS_DATA_DIR: the offline queue (queue/ or queue_<id>/) and, through
                  PYWATS_LOG_DIR=/app/data/logs, the log files (also on stdout: `docker logs`)

The API token comes from ``PYWATS_API_TOKEN``, else from the file named by
``PYWATS_API_TOKEN_FILE``, else from the secret ``/run/secrets/pywats_api_token`` if present;
it is passed to the service in its environment and never written to the config file.

Without arguments: when the instance (``PYWATS_INSTANCE_ID``, default ``default``) has no
config file yet, one is written from ``PYWATS_SERVICE_ADDRESS`` (required then),
``PYWATS_STATION_NAME``, ``PYWATS_LOCATION``, ``PYWATS_PURPOSE`` and, for one watched folder,
``PYWATS_WATCH_FOLDER`` with ``PYWATS_CONVERTER`` (default ``csv``); an existing config file
is used as it is. Then the service runs in the foreground (SIGTERM stops it cleanly).
With arguments, they are a ``pywats-client`` command line (``status``, ``queue list``, ...).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from collections.abc import MutableMapping, Sequence

from pywats_client import paths

__all__ = ["DATA_ENV", "DEFAULT_SECRET", "TOKEN_FILE_ENV", "ensure_config", "load_token", "main"]

TOKEN_ENV = "PYWATS_API_TOKEN"
TOKEN_FILE_ENV = "PYWATS_API_TOKEN_FILE"
DEFAULT_SECRET = Path("/run/secrets/pywats_api_token")
DATA_ENV = "PYWATS_DATA_DIR"


class ContainerSetupError(RuntimeError):
    """The container's environment does not describe a usable instance."""


def load_token(environ: MutableMapping[str, str], default_secret: Path = DEFAULT_SECRET) -> str | None:
    """Put the token from ``PYWATS_API_TOKEN_FILE`` (or the default secret) into
    ``PYWATS_API_TOKEN`` unless that is set; returns where it came from (None = nowhere)."""
    if environ.get(TOKEN_ENV, "").strip():
        return TOKEN_ENV
    named = environ.get(TOKEN_FILE_ENV, "").strip()
    source = Path(named) if named else default_secret
    if not named and not source.is_file():
        return None
    try:
        token = source.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ContainerSetupError(f"{TOKEN_FILE_ENV}: cannot read the token file {source}: {exc}") from None
    if not token:
        raise ContainerSetupError(f"the token file {source} is empty")
    environ[TOKEN_ENV] = token
    return str(source)


def ensure_config(instance_id: str, environ: MutableMapping[str, str]) -> Path:
    """The instance's config file, written from the environment if it does not exist yet."""
    from pywats_client.config import ClientConfig

    path = paths.config_path(instance_id)
    if path.exists():
        return path
    address = environ.get("PYWATS_SERVICE_ADDRESS", "").strip()
    if not address:
        raise ContainerSetupError(
            f"no config file {path} and no PYWATS_SERVICE_ADDRESS to write one from; "
            "mount a config into the client home or set PYWATS_SERVICE_ADDRESS"
        )
    data_dir = Path(environ.get(DATA_ENV, "").strip() or "/app/data")
    queue = "queue" if instance_id == paths.DEFAULT_INSTANCE_ID else f"queue_{instance_id}"
    data: dict[str, Any] = {
        "instance_id": instance_id,
        "service_address": address,
        "reports_folder": str(data_dir / queue),
    }
    for key, env in (("station_name", "PYWATS_STATION_NAME"), ("location", "PYWATS_LOCATION"),
                     ("purpose", "PYWATS_PURPOSE")):
        if environ.get(env, "").strip():
            data[key] = environ[env].strip()
    watch = environ.get("PYWATS_WATCH_FOLDER", "").strip()
    if watch:
        data["converters"] = [{
            "name": "container",
            "module_path": environ.get("PYWATS_CONVERTER", "").strip() or "csv",
            "watch_folder": watch,
        }]
    config = ClientConfig.from_dict(data, path=path)
    config.save()
    for conv in config.converters:
        for folder in (conv.watch_folder, conv.done_folder, conv.error_folder):
            Path(folder).mkdir(parents=True, exist_ok=True)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the token (and config), then run the service or the given command."""
    from pywats_client.cli import main as cli_main
    from pywats_client.config import ConfigError

    args = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ
    try:
        load_token(environ)
        if args:
            return cli_main(args)
        instance_id = paths.validate_instance_id(paths.default_instance_id())
        ensure_config(instance_id, environ)
    except (ContainerSetupError, ConfigError, paths.InvalidInstanceId) as exc:
        print(f"pywats-client container: {exc}", file=sys.stderr)
        return 1
    return cli_main(["service", "--instance-id", instance_id])


if __name__ == "__main__":
    raise SystemExit(main())
