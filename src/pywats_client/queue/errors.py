"""Errors raised by the offline queue."""

from __future__ import annotations

from pathlib import Path

__all__ = ["QueueError", "QueueFullError", "ItemNotFoundError", "InvalidStateError"]


class QueueError(Exception):
    """Base class of every queue error."""


class QueueFullError(QueueError):
    """Intake refused: the queue's volume has too little free space (back-pressure).

    Attributes:
        path: the queue folder.
        free_bytes: free bytes on its volume when the check ran.
        needed_bytes: bytes the refused report(s) would have taken.
        min_free_bytes: the configured floor that must stay free.
    """

    def __init__(self, path: Path, free_bytes: int, needed_bytes: int, min_free_bytes: int) -> None:
        self.path = path
        self.free_bytes = free_bytes
        self.needed_bytes = needed_bytes
        self.min_free_bytes = min_free_bytes
        super().__init__(
            f"queue {path} is full: {free_bytes} bytes free on its volume, {needed_bytes} needed "
            f"plus {min_free_bytes} that must stay free; report not accepted"
        )


class ItemNotFoundError(QueueError, LookupError):
    """No queue entry (or no report file) with the given id."""


class InvalidStateError(QueueError):
    """The entry is not in a state that allows the requested change."""
