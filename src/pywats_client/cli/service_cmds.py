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
    """Run the station service in the foreground (Ctrl+C stops it).

    Refuses (exit 1, one line per problem naming the key and the file) a config that cannot
    work: no server address or token, an unknown ${NAME} in station_name, a folder written
    for another platform."""
    from pywats_client import secrets

    secrets.use_child_process()  # the long-running process never loads the crypto library
    config = load_config()
    problems = config.start_problems()
    if problems:
        for line in problems:
            echo_err(f"error: {line}")
        echo_err(f"error: not starting instance {config.instance_id!r}")
        raise click.exceptions.Exit(1)
    from pywats_client.service.runner import run_service

    code = run_service(config)
    raise click.exceptions.Exit(int(code or 0))


@click.command("reload")
@instance_option
def reload_cmd() -> None:
    """Make the running service re-read its configuration and apply it without a restart
    (token, converters, converter paths, log level, folders, limits); a token change clears
    AUTH_FAILED. Keys only a restart applies (reports_folder, control_port) are named and
    the command exits 1."""
    config = load_config()
    from pywats_client.service.control import ControlError, request_reload

    try:
        status = request_reload(config)
    except ControlError as exc:
        raise CliError(f"cannot reload instance {config.instance_id!r}: {exc}") from None
    pending = [str(k) for k in status.get("restart_required") or []]
    if pending:
        echo_err(
            f"error: reloaded {config.path} and applied every other change, but {', '.join(pending)} "
            f"changed and takes effect only after a restart of the service (still using the old value)"
        )
        raise click.exceptions.Exit(1)
    click.echo(f"reloaded {config.path}; every setting is applied; service is {status.get('state', 'running')}")


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
    """Entry counts per state from the queue's index on disk, read-only (zeros if the queue
    was never created)."""
    counts = dict.fromkeys(_STATES, 0)
    if not config.reports_folder.exists():
        return counts
    from pywats_client.queue.reader import QueueReader

    with QueueReader(config.reports_folder) as reader:  # read-only: no write lock, no recovery
        counts.update(reader.counts())
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
        when = _clock(status.get("last_error_at"))
        click.echo(f"last error:      {status['last_error']}" + (f" (at {when})" if when else ""))
    rows = _converter_rows(status.get("converters"))
    if rows:
        click.echo("converters:")
        for name, stats in rows:
            for line in _converter_lines(name, stats):
                click.echo(line)


def _clock(timestamp: Any) -> str:
    """``YYYY-MM-DD HH:MM:SS`` (local time) of a Unix time, or "" if there is none."""
    import datetime

    try:
        return datetime.datetime.fromtimestamp(float(timestamp)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def _as_text(value: Any) -> str:
    """A status value as a sentence: a load error's message (with where it came from), not
    a Python dict."""
    if isinstance(value, dict):
        message = str(value.get("message") or value.get("error") or "")
        where = str(value.get("file") or "")
        if where and value.get("line"):
            where += f":{value['line']}"
        if message:
            return message + (f" ({where})" if where and str(value.get("file")) not in message else "")
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    return str(value)


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
            lines.append(f"      {key.replace('_', ' ')}: {_as_text(stats[key])}")
    shown = {"status", "enabled", "watch_folder", "load_error", "last_error", "module_path", *dict(_COUNTERS)}
    extra = {k: v for k, v in stats.items() if k not in shown and v not in (None, "", [], {})}
    if extra:
        lines.append("      " + "  ".join(f"{k}={v}" for k, v in extra.items()))
    return lines
