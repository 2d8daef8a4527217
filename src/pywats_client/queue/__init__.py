"""The station client's durable offline queue.

>>> from pywats_client.queue import PersistentQueue
>>> queue = PersistentQueue("/path/to/queue")          # doctest: +SKIP
>>> queue.get_pending_count(), queue.get_failed_count()  # doctest: +SKIP

See :class:`PersistentQueue` for the layout on disk and the guarantees.
"""

from __future__ import annotations

from pywats_client.queue.errors import InvalidStateError, ItemNotFoundError, QueueError, QueueFullError
from pywats_client.queue.models import (
    COMPLETED,
    FAILED,
    HELD_UNTIL,
    PENDING,
    PROCESSING,
    STATES,
    QueueItem,
    RecoveryStats,
)
from pywats_client.queue.persistent import DEFAULT_MIN_FREE_BYTES, PersistentQueue

__all__ = [
    "PersistentQueue",
    "QueueItem",
    "RecoveryStats",
    "QueueError",
    "QueueFullError",
    "ItemNotFoundError",
    "InvalidStateError",
    "PENDING",
    "PROCESSING",
    "COMPLETED",
    "FAILED",
    "STATES",
    "HELD_UNTIL",
    "DEFAULT_MIN_FREE_BYTES",
]
