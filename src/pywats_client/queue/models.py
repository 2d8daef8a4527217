"""Value types of the offline queue: entry states, :class:`QueueItem`, :class:`RecoveryStats`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["PENDING", "PROCESSING", "COMPLETED", "FAILED", "STATES", "HELD_UNTIL", "QueueItem", "RecoveryStats"]

PENDING: Final = "pending"
PROCESSING: Final = "processing"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
#: Every state; each is also the name of the folder that holds the entry's report file.
STATES: Final = (PENDING, PROCESSING, COMPLETED, FAILED)
#: ``next_attempt_at`` of a *held* pending entry: stored durably but never handed out (nor
#: made due by ``make_due``) until ``release_held`` releases it or ``discard_held`` drops it.
#: The intake holds the reports of a large source file this way until the whole file has
#: converted (year 9999, so every "is it due yet" comparison keeps working).
HELD_UNTIL: Final = 253_402_300_799.0


@dataclass(frozen=True)
class QueueItem:
    """A snapshot of one queue entry (it does not change when the queue does).

    Attributes:
        id: the report GUID (also the report file's name without ``.json``).
        state: ``"pending"``, ``"processing"``, ``"completed"`` or ``"failed"``.
        attempts: failed upload attempts counted so far (reset by ``retry``).
        error: the last error recorded, if any.
        source: where the report came from (e.g. the converted file's path), if given.
        source_hash: content hash of that source, if given.
        created_at: when the entry was added (Unix time).
        updated_at: when its state last changed (Unix time).
        next_attempt_at: a pending entry is not handed out before this time (Unix time);
            :data:`HELD_UNTIL` for a held entry.
        server_id: what the server returned for the report once acknowledged.
        priority: higher goes first; equal priorities go in order of arrival.
        serial_number: the report's ``sn``, for listings.
        part_number: the report's ``pn``, for listings.
        seq: arrival order within the queue.
    """

    id: str
    state: str
    attempts: int = 0
    error: str | None = None
    source: str | None = None
    source_hash: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    next_attempt_at: float | None = None
    server_id: str | None = None
    priority: int = 0
    serial_number: str | None = None
    part_number: str | None = None
    seq: int = 0


@dataclass
class RecoveryStats:
    """What the last start-up repair (``recover_crashed_reports``) found and did.

    Attributes:
        requeued_processing: entries moved from processing/ back to pending/ (their owner died).
        reindexed_orphans: report files found in a folder but missing from the index.
        fixed_states: index rows corrected to the folder their file is in (the folder wins).
        rebuilt_index: the index was missing or corrupt and was rebuilt from the folders.
        corrupt_index_moved_to: where a corrupt index was moved aside, if it was.
        dropped_missing: index rows removed because their report file was gone from every folder.
        unreadable_files: report files that could not be parsed (kept, moved to failed/).
        duplicate_files: extra copies of a report found in a second folder (renamed aside).
        removed_temp_files: half-written files of adds that never returned (deleted).
        skipped_live_processing: processing entries left alone because their owner still runs.
        pruned_completed: completed entries pruned by age/count (or their files dropped).
        full_scan: True when every folder was compared with the index; False when the last
            session had closed cleanly and nothing changed since (then only the entries in
            flight are looked at, and the recovery costs nothing per queued report).
        started_at: when the recovery ran (Unix time).
        duration_seconds: how long it took.
    """

    requeued_processing: int = 0
    reindexed_orphans: int = 0
    fixed_states: int = 0
    rebuilt_index: bool = False
    corrupt_index_moved_to: str | None = None
    dropped_missing: int = 0
    unreadable_files: int = 0
    duplicate_files: int = 0
    removed_temp_files: int = 0
    skipped_live_processing: int = 0
    pruned_completed: int = 0
    full_scan: bool = True
    started_at: float = 0.0
    duration_seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        """True when the recovery repaired or moved anything."""
        return bool(
            self.requeued_processing
            or self.reindexed_orphans
            or self.fixed_states
            or self.rebuilt_index
            or self.dropped_missing
            or self.unreadable_files
            or self.duplicate_files
            or self.removed_temp_files
        )

    def __str__(self) -> str:
        parts = [
            f"requeued_processing={self.requeued_processing}",
            f"reindexed_orphans={self.reindexed_orphans}",
            f"fixed_states={self.fixed_states}",
            f"rebuilt_index={self.rebuilt_index}",
            f"dropped_missing={self.dropped_missing}",
            f"unreadable_files={self.unreadable_files}",
            f"duplicate_files={self.duplicate_files}",
            f"removed_temp_files={self.removed_temp_files}",
            f"skipped_live_processing={self.skipped_live_processing}",
            f"pruned_completed={self.pruned_completed}",
            f"full_scan={self.full_scan}",
        ]
        text = "RecoveryStats(" + ", ".join(parts) + f", duration={self.duration_seconds:.3f}s)"
        if self.corrupt_index_moved_to:
            text += f"; corrupt index moved to {self.corrupt_index_moved_to}"
        return text
