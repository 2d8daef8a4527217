"""``service``, ``reload``, ``status`` and ``test-connection``."""

from __future__ import annotations

import json
from typing import Any

import click

from pywats_client.cli._common import CliError, echo_err, instance_option, json_option, load_config
from pywats_client.config import ClientConfig

__all__ = ["queue_counts", "reload_cmd", "service_cmd", "status_cmd", "test_connection_cmd"]

_STATES = ("pending", "processing", "failed", "completed")


@click.command("service")
@instance_option
def service_cmd() -> None:
    """Run the station service in the foreground (Ctrl+C stops it)."""
    config = load_config()
    from pywats_client.service.runner import run_service

    code = run_service(config)
    raise click.exceptions.Exit(int(code or 0))


@click.command("reload")
@instance_option
def reload_cmd() -> None:
    """Make the running service re-read its configuration (a new token, converters, …)
    without a restart; a token change clears the AUTH_FAILED state."""
    config = load_config()
    from pywats_client.service.control import ControlError, request_reload

    try:
        status = request_reload(config)
    except ControlError as exc:
        raise CliError(f"cannot reload instance {config.instance_id!r}: {exc}") from None
    click.echo(f"reloaded {config.path}; service is {status.get('state', 'running')}")


@click.command("test-connection")
@instance_option
def test_connection_cmd() -> None:
    """Ask the configured WATS server for its version (exit 1 on any failure)."""
    config = load_config()
    if not config.service_address:
        raise CliError(f"service_address is not set in {config.path}; use `pywats-client config set service_address URL`")
    if not config.api_token:
        raise CliError("no API token: set PYWATS_API_TOKEN or run `pywats-client config set --api-token TOKEN`")
    from pywats import pyWATS
    from pywats.exceptions import PyWATSError

    api = pyWATS(base_url=config.service_address, token=config.api_token)
    try:
        version = api.app.get_version()
    except PyWATSError as exc:
        raise CliError(f"cannot reach WATS at {config.service_address}: {exc}") from None
    finally:
        close = getattr(api, "close", None)
        if callable(close):
            close()
    click.echo(f"Connected to WATS {version} at {config.service_address}")


def _read_live(config: ClientConfig) -> dict[str, Any] | None:
    try:
        from pywats_client.service.control import read_status
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("pywats_client.service"):
            return None
        raise
    try:
        return read_status(config)
    except Exception as exc:  # noqa: BLE001 - a broken control API must not hide the queue
        echo_err(f"warning: the service's control API did not answer ({type(exc).__name__}: {exc}); "
                 "showing the queue on disk")
        return None


def queue_counts(config: ClientConfig) -> dict[str, int]:
    """Entry counts per state from the queue on disk (zeros if the queue was never created)."""
    counts = dict.fromkeys(_STATES, 0)
    if not config.reports_folder.exists():
        return counts
    from pywats_client.queue import PersistentQueue

    queue = PersistentQueue(config.reports_folder)
    try:
        got = queue.counts() if hasattr(queue, "counts") else {
            "pending": queue.get_pending_count(),
            "failed": queue.get_failed_count(),
        }
    finally:
        close = getattr(queue, "close", None)
        if callable(close):
            close()
    for key, value in dict(got).items():
        counts[str(key)] = int(value)
    return counts


def _status_dict(config: ClientConfig) -> dict[str, Any]:
    live = _read_live(config)
    result: dict[str, Any] = {
        "instance_id": config.instance_id,
        "running": live is not None,
        "state": "stopped",
        "service_address": config.service_address,
        "station_name": config.station_name,
        "reports_folder": str(config.reports_folder),
        "queue": None,
        "converters": [],
    }
    if live is not None:
        for key, value in live.items():
            if key in ("state", "status") and value:
                result["state"] = str(value)
            elif key == "queue" and isinstance(value, dict):
                result["queue"] = {**dict.fromkeys(_STATES, 0), **value}
            elif key != "running":
                result[key] = value
        if result["state"] == "stopped":
            result["state"] = "running"
    if result["queue"] is None:
        result["queue"] = queue_counts(config)
    return result


def _converter_rows(converters: Any) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    if isinstance(converters, dict):
        for name, stats in converters.items():
            rows.append((str(name), stats if isinstance(stats, dict) else {"value": stats}))
    elif isinstance(converters, list):
        for item in converters:
            if isinstance(item, dict):
                stats = {k: v for k, v in item.items() if k != "name"}
                rows.append((str(item.get("name", "?")), stats))
    return rows


@click.command("status")
@instance_option
@json_option
def status_cmd(as_json: bool) -> None:
    """Show the service state and queue counts (live when the service runs, else from disk)."""
    config = load_config()
    status = _status_dict(config)
    if as_json:
        click.echo(json.dumps(status, indent=2, default=str))
        return
    q = status["queue"]
    running = "running" if status["running"] else "not running"
    state = status["state"] if status["running"] else "stopped"
    click.echo(f"instance:        {status['instance_id']}")
    click.echo(f"service:         {running} ({state})")
    click.echo(f"server:          {status['service_address'] or '(not set)'}")
    click.echo(f"station:         {status['station_name']}")
    click.echo(f"reports folder:  {status['reports_folder']}")
    click.echo(
        "queue:           "
        + "  ".join(f"{name} {q.get(name, 0)}" for name in _STATES)
        + ("" if status["running"] else "  (from disk)")
    )
    if status.get("state_reason") and status["running"]:
        click.echo(f"reason:          {status['state_reason']}")
    if status.get("intake_paused"):
        click.echo(f"intake paused:   {status['intake_paused']}")
    if status.get("rate_limited_until"):
        import datetime

        until = datetime.datetime.fromtimestamp(float(status["rate_limited_until"])).strftime("%H:%M:%S")
        click.echo(f"uploads paused:  the server asked for a pause (429) until {until}")
    if status.get("last_error"):
        click.echo(f"last error:      {status['last_error']}")
    rows = _converter_rows(status.get("converters"))
    if rows:
        click.echo("converters:")
        for name, stats in rows:
            for line in _converter_lines(name, stats):
                click.echo(line)


_COUNTERS = (("files_converted", "converted"), ("files_failed", "failed"), ("reports_queued", "queued"))


def _converter_lines(name: str, stats: dict[str, Any]) -> list[str]:
    """One readable line per converter (plus its error, if any) instead of a key=value dump."""
    state = stats.get("status") or ("enabled" if stats.get("enabled", True) else "disabled")
    counters = " · ".join(f"{label} {stats[key]}" for key, label in _COUNTERS if stats.get(key) is not None)
    lines = [f"  {name} [{state}]" + (f"  {counters}" if counters else "")]
    if stats.get("watch_folder"):
        lines.append(f"      watching {stats['watch_folder']}")
    for key in ("load_error", "last_error"):
        if stats.get(key):
            lines.append(f"      {key.replace('_', ' ')}: {stats[key]}")
    shown = {"status", "enabled", "watch_folder", "load_error", "last_error", "module_path", *dict(_COUNTERS)}
    extra = {k: v for k, v in stats.items() if k not in shown and v not in (None, "", [], {})}
    if extra:
        lines.append("      " + "  ".join(f"{k}={v}" for k, v in extra.items()))
    return lines
