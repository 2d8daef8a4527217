"""Read-only views of the queue served by the control API (``GET /queue``, ``GET /uploads``).

They run in a worker thread of the service (they read SQLite and, for the latest uploads,
a few report files) and return JSON-ready dicts; the GUI and scripts read them through
:func:`pywats_client.service.control.read_queue` / :func:`~pywats_client.service.control.read_uploads`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from collections.abc import Mapping

from pywats_client.queue import PersistentQueue
from pywats_client.queue.models import COMPLETED, STATES

__all__ = ["QueryError", "queue_entries", "recent_uploads"]

#: The most entries one request returns.
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A query parameter has a bad value (the message names it)."""


def _limit(params: Mapping[str, Any], default: int) -> int:
    raw = params.get("limit", default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise QueryError(f"limit must be a whole number, got {raw!r}") from None
    if not 1 <= value <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, got {value}")
    return value


def queue_entries(queue: PersistentQueue, params: Mapping[str, Any]) -> dict[str, Any]:
    """``{"entries": [...]}``: entries in arrival order (``state``, ``limit`` from ``params``)."""
    state = params.get("state") or None
    if state is not None and state not in STATES:
        raise QueryError(f"state must be one of {', '.join(STATES)}, got {state!r}")
    items = queue.list(state, _limit(params, 200))
    return {"entries": [asdict(item) for item in items]}


def recent_uploads(queue: PersistentQueue, params: Mapping[str, Any]) -> dict[str, Any]:
    """``{"uploads": [...]}``: the latest acknowledged reports, newest first, with their result."""
    uploads: list[dict[str, Any]] = []
    for item in queue.list(COMPLETED, _limit(params, 20), newest_first=True):
        result: str | None = None
        try:
            report = queue.read_report(item)
            value = report.get("result")
            result = str(value) if value is not None else None
        except (OSError, ValueError, LookupError):
            result = None  # a completed entry's file may already be pruned
        uploads.append(
            {
                "id": item.id,
                "serial_number": item.serial_number,
                "part_number": item.part_number,
                "result": result,
                "uploaded_at": item.updated_at,
                "source": item.source,
                "server_id": item.server_id,
            }
        )
    return {"uploads": uploads}
