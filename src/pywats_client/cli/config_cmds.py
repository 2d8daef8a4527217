"""``pywats-client config …``: create, show, change and reset an instance's config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pywats_client import paths
from pywats_client.cli._common import CliError, instance_option, json_option, load_config, resolve_instance_id
from pywats_client.config import ClientConfig, ConfigError
from pywats_client.config.jsonc import loads_jsonc

__all__ = ["config_group", "parse_value"]

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@click.group("config")
def config_group() -> None:
    """Create, show and change the instance's configuration file."""


def _create_folders(config: ClientConfig) -> None:
    paths.client_home().mkdir(parents=True, exist_ok=True)
    for folder in (*config.converter_paths, config.reports_folder):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"cannot create folder {folder}: {exc}") from None


@config_group.command("init")
@instance_option
@click.option("--service-address", metavar="URL", help="WATS server base URL.")
@click.option("--api-token", metavar="TOKEN", help="WATS API token (stored encrypted).")
@click.option("--station-name", metavar="NAME", help="Station name (default: host name; ${VAR} allowed).")
@click.option("--location", metavar="TEXT", help="Station location.")
@click.option("--purpose", metavar="TEXT", help="Station purpose.")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
def init_cmd(
    service_address: str | None,
    api_token: str | None,
    station_name: str | None,
    location: str | None,
    purpose: str | None,
    force: bool,
) -> None:
    """Write config_<ID>.json with defaults plus the given values, and create the folders."""
    iid = resolve_instance_id()
    path = paths.config_path(iid)
    if path.exists() and not force:
        raise CliError(f"{path} already exists; use --force to overwrite it or `config set` to change it")
    if [i for i in paths.configured_instances() if i != iid] == [] and paths.shared_layout_owner() is None:
        paths.claim_shared_layout(iid)  # the first instance gets the guide's paths (reports/, client.log)
    data: dict[str, Any] = {"instance_id": iid}
    for key, value in (
        ("service_address", service_address),
        ("api_token", api_token),
        ("station_name", station_name),
        ("location", location),
        ("purpose", purpose),
    ):
        if value is not None:
            data[key] = value
    try:
        config = ClientConfig.from_dict(data, path=path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    _create_folders(config)
    config.save()
    click.echo(f"wrote {path}")


def _show_text(config: ClientConfig) -> None:
    data = config.to_display_dict()
    click.echo(f"# {config.path}")
    for key, value in data.items():
        if key == "api_token":
            source = {"env": " (from PYWATS_API_TOKEN)", "config": "", "none": " (not set)"}[config.token_source]
            click.echo(f"api_token: {value}{source}")
        elif key == "converters":
            if not value:
                click.echo("converters: []")
                continue
            click.echo("converters:")
            for conv in value:
                click.echo("  - " + json.dumps(conv, ensure_ascii=False))
        else:
            click.echo(f"{key}: {json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}")


@config_group.command("show")
@instance_option
@json_option
def show_cmd(as_json: bool) -> None:
    """Print the configuration (the token is masked)."""
    config = load_config()
    if as_json:
        click.echo(json.dumps(config.to_display_dict(), indent=2, ensure_ascii=False))
    else:
        _show_text(config)


def parse_value(key: str, text: str) -> Any:
    """Convert command-line text to the type of config key ``key`` (raises click.BadParameter)."""
    fields = ClientConfig.model_fields
    name = "configured_api_token" if key == "api_token" else key
    if name not in fields:
        raise click.BadParameter(
            f"unknown config key {key!r}; known keys: {', '.join(ClientConfig.FILE_KEYS)}", param_hint="KEY"
        )
    sample = getattr(ClientConfig.defaults(resolve_instance_id()), name)
    if isinstance(sample, bool):
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise click.BadParameter(f"{key}: must be true or false (got {text!r})", param_hint="VALUE")
    if isinstance(sample, int):
        try:
            return int(text.strip())
        except ValueError:
            raise click.BadParameter(f"{key}: must be an integer (got {text!r})", param_hint="VALUE") from None
    if isinstance(sample, float):
        try:
            return float(text.strip())
        except ValueError:
            raise click.BadParameter(f"{key}: must be a number (got {text!r})", param_hint="VALUE") from None
    if isinstance(sample, (list, dict)):
        try:
            return loads_jsonc(text)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"{key}: must be JSON ({exc.msg} at column {exc.colno})", param_hint="VALUE") from None
    if isinstance(sample, Path):
        return text
    return text


def _updated(config: ClientConfig, changes: dict[str, Any]) -> ClientConfig:
    data = config.model_dump(mode="json", by_alias=True)
    data["station_name"] = config.station_name_template
    data["api_token"] = config.configured_api_token
    data.update(changes)
    try:
        return ClientConfig.from_dict(data, path=config.path)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).replace("\n", "; "), param_hint="VALUE") from None


@config_group.command("set")
@instance_option
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--api-token", "api_token", metavar="TOKEN", help="Set the API token (stored encrypted).")
def set_cmd(key: str | None, value: str | None, api_token: str | None) -> None:
    """Set KEY to VALUE (typed by the key: numbers, true/false, JSON for lists), or --api-token."""
    if api_token is None and key is None:
        raise click.UsageError("give KEY VALUE or --api-token TOKEN")
    if key is not None and value is None:
        raise click.UsageError(f"missing VALUE for {key}")
    if key == "instance_id":
        raise click.BadParameter(
            "instance_id cannot be changed (it names the file); create another instance with `config init`",
            param_hint="KEY",
        )
    changes: dict[str, Any] = {}
    if key is not None:
        changes[key] = parse_value(key, value or "")
    if api_token is not None:
        changes["api_token"] = api_token
    replacing_token = "api_token" in changes
    config = load_config(ignore_token_errors=replacing_token)
    new = _updated(config, changes)
    new.save()
    shown = [k if k != "api_token" else "api_token (encrypted)" for k in changes]
    click.echo(f"set {', '.join(shown)} in {new.path}")


@config_group.command("reset")
@instance_option
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--all", "reset_all", is_flag=True,
              help="Reset EVERY key to its default (converters, folders, server, ...), not only the token.")
def reset_cmd(yes: bool, reset_all: bool) -> None:
    """Remove the stored API token (the credentials), keeping every other setting.

    Set a new one with `config set --api-token TOKEN` or `gui`. With --all, every key goes
    back to its default (the instance id stays)."""
    iid = resolve_instance_id()
    path = paths.config_path(iid)
    if not path.exists():
        raise CliError(
            f"no config for instance {iid!r} at {path}; nothing to reset "
            f"(configured: {', '.join(paths.configured_instances()) or 'none'})"
        )
    question = (
        f"Reset EVERY key of {path} to its default (converters, folders and the API token are removed)?"
        if reset_all
        else f"Remove the API token from {path} (converters, folders and other settings are kept)?"
    )
    if not yes:
        try:
            click.confirm(question, abort=True, err=True)
        except click.Abort:
            raise CliError("not reset (no confirmation; pass --yes to reset without asking)") from None
    if reset_all:
        ClientConfig.defaults(iid).save(path)
        click.echo(f"reset every key of {path} to its default")
        return
    config = load_config(ignore_token_errors=True)
    config.api_token = ""
    config.save(path)
    click.echo(
        f"removed the API token from {path} (converters, folders and other settings kept; "
        "`config reset --all` resets every key); set a new one with `pywats-client config set --api-token TOKEN` "
        "or `pywats-client gui`"
    )


@config_group.command("path")
@instance_option
def path_cmd() -> None:
    """Print the config file's path."""
    click.echo(str(paths.config_path(resolve_instance_id())))


