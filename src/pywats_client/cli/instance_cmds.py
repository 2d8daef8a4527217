"""``pywats-client instances`` (which instances exist, and their state) and
:func:`prompt_credentials` (the server address and token entered at a prompt: what ``gui``
does where no window can open)."""

from __future__ import annotations

import json
from typing import Any

import click

from pywats_client import paths
from pywats_client.cli._common import CliError, json_option, load_config, stdin_is_tty
from pywats_client.config import ClientConfig, ConfigError

__all__ = ["instances_cmd", "prompt_credentials"]


def _instance_row(instance_id: str) -> dict[str, Any]:
    from pywats_client.service.control import read_status

    row: dict[str, Any] = {"instance_id": instance_id, "config": str(paths.config_path(instance_id))}
    try:
        config = ClientConfig.load_for_instance(instance_id, ignore_token_errors=True)
    except ConfigError as exc:
        row.update(state="config error", error=str(exc).splitlines()[0])
        return row
    row.update(
        service_address=config.service_address,
        reports_folder=str(config.reports_folder),
        log_file=str(config.log_file),
    )
    live = read_status(config)
    if live is None:
        row["state"] = "stopped"
    else:
        row["state"] = str(live.get("state") or "running")
        row["pid"] = live.get("pid")
    return row


@click.command("instances")
@json_option
def instances_cmd(as_json: bool) -> None:
    """List the configured instances with their state (running or stopped), server and paths."""
    rows = [_instance_row(iid) for iid in paths.configured_instances()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no instance is configured in {paths.client_home()}; create one with `pywats-client config init`")
        return
    for row in rows:
        state = row["state"] + (f" (pid {row['pid']})" if row.get("pid") else "")
        click.echo(f"{row['instance_id']}: {state}")
        click.echo(f"    config:  {row['config']}")
        if "error" in row:
            click.echo(f"    error:   {row['error']}")
            continue
        click.echo(f"    server:  {row['service_address'] or '(not set)'}")
        click.echo(f"    queue:   {row['reports_folder']}")
        click.echo(f"    log:     {row['log_file']}")
    if len(rows) > 1:
        click.echo("pick one with --instance-id ID (or PYWATS_INSTANCE_ID)")


def prompt_credentials() -> None:
    """Ask for the server address and API token at a prompt (the token is not echoed and is
    stored encrypted); a running service re-reads them at once."""
    config = load_config(ignore_token_errors=True)
    address = click.prompt("WATS server address", default=config.service_address or None, err=True)
    # hidden when typed at a terminal; read plainly from a pipe (nothing is echoed there)
    token = click.prompt("API token", hide_input=stdin_is_tty(), err=True)
    data = config.model_dump(mode="json", by_alias=True)
    data["station_name"] = config.station_name_template
    data.update(service_address=address, api_token=token)
    try:
        new = ClientConfig.from_dict(data, path=config.path)
    except ConfigError as exc:
        raise CliError(str(exc).replace("\n", "; ")) from None
    new.save()
    click.echo(f"saved the server address and API token (encrypted) in {new.path}")
    from pywats_client.service.control import ControlError, request_reload

    try:
        status = request_reload(new)
    except ControlError:
        click.echo("the service is not running; start it to use the new credentials")
        return
    click.echo(f"the running service reloaded them; it is {status.get('state', 'running')}")
