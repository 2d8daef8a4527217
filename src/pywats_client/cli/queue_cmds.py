"""``queue list|retry|retry-all`` on the instance's queue on disk (safe while the service runs)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import click

from pywats_client.cli._common import CliError, instance_option, json_option, load_config

__all__ = ["queue_group"]


@click.group("queue")
def queue_group() -> None:
    """Inspect the offline queue and retry failed reports."""


def _open_queue() -> Any:
    config = load_config()
    from pywats_client.queue import PersistentQueue

    return PersistentQueue(config.reports_folder)


def _close(queue: Any) -> None:
    close = getattr(queue, "close", None)
    if callable(close):
        close()


def _entry_dict(entry: Any) -> dict[str, Any]:
    if isinstance(entry, dict):
        return dict(entry)
    if dataclasses.is_dataclass(entry) and not isinstance(entry, type):
        return dataclasses.asdict(entry)
    dump = getattr(entry, "model_dump", None)
    if callable(dump):
        return dict(dump())
    if hasattr(entry, "_asdict"):
        return dict(entry._asdict())
    return {k: v for k, v in vars(entry).items() if not k.startswith("_")}


@queue_group.command("list")
@instance_option
@click.option("--state", type=click.Choice(["pending", "processing", "failed", "completed"]), help="Only this state.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many entries.")
@json_option
def list_cmd(state: str | None, limit: int, as_json: bool) -> None:
    """List queue entries, oldest first (read-only: never waits for or blocks the service)."""
    from pywats_client.queue.reader import QueueReader

    with QueueReader(load_config().reports_folder) as reader:
        entries = [_entry_dict(e) for e in reader.list(state, limit)]
    if as_json:
        click.echo(json.dumps(entries, indent=2, default=str))
        return
    if not entries:
        click.echo("no entries")
        return
    for line in _table(entries):
        click.echo(line)


_COLUMNS = (
    ("id", "ID"),
    ("state", "STATE"),
    ("attempts", "TRIES"),
    ("serial_number", "SN"),
    ("part_number", "PN"),
    ("created_at", "CREATED"),
    ("error", "LAST ERROR"),
)


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "created_at" and isinstance(value, (int, float)):
        if value <= 0:
            return ""
        return datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    return " ".join(str(value).split())


def _table(entries: list[dict[str, Any]]) -> list[str]:
    """Aligned text columns for the known entry fields (the last column is not padded)."""
    cols = [(k, title) for k, title in _COLUMNS if any(k in e for e in entries)]
    if len(cols) < 2:
        return ["  ".join(f"{k}={v}" for k, v in e.items() if v not in (None, "")) for e in entries]
    rows = [[title for _, title in cols]] + [[_cell(k, e.get(k)) for k, _ in cols] for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    return ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths[:-1])) + "  " + r[-1] if len(r) > 1 else r[0]
            for r in rows]


@queue_group.command("retry")
@instance_option
@click.argument("entry_id")
def retry_cmd(entry_id: str) -> None:
    """Move failed entry ENTRY_ID back to pending."""
    queue = _open_queue()
    try:
        ok = queue.retry(entry_id)
    finally:
        _close(queue)
    if ok is False:
        raise CliError(f"no failed queue entry {entry_id!r}")
    click.echo(f"{entry_id} moved back to pending")


@queue_group.command("retry-all")
@instance_option
def retry_all_cmd() -> None:
    """Move every failed entry back to pending."""
    queue = _open_queue()
    try:
        count = queue.retry_all_failed()
    finally:
        _close(queue)
    if isinstance(count, int):
        click.echo(f"{count} failed entr{'y' if count == 1 else 'ies'} moved back to pending")
    else:
        click.echo("failed entries moved back to pending")
