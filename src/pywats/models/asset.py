"""Asset models: assets, asset types, status and log entries."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pywats.models.common import WATSModel
from pywats.models.product import Setting

__all__ = ["Asset", "AssetType", "AssetStatus", "AssetLog", "AssetState", "AssetLogType"]


class AssetState:
    """Asset states accepted by ``PUT /api/Asset/State`` (0–6)."""

    UNKNOWN = 0
    IN_OPERATION = 1
    IN_TRANSIT = 2
    IN_MAINTENANCE = 3
    IN_CALIBRATION = 4
    IN_STORAGE = 5
    SCRAPPED = 6


class AssetLogType:
    """``type`` codes of asset log entries (0–8)."""

    MESSAGE = 0
    REGISTER = 1
    UPDATE = 2
    RESET_COUNT = 3
    CALIBRATION = 4
    MAINTENANCE = 5
    STATE_CHANGE = 6
    COUNT = 7
    DELETE = 8


class Asset(WATSModel):
    """A test-station asset (fixture, instrument, ...). Counts and dates are server-owned."""

    asset_id: str | None = None
    serial_number: str
    parent_asset_id: str | None = None
    parent_serial_number: str | None = None
    asset_name: str | None = None
    part_number: str | None = None
    revision: str | None = None
    type_id: str | None = None
    state: int | None = None
    description: str | None = None
    location: str | None = None
    first_seen_date: str | None = None
    last_seen_date: str | None = None
    last_maintenance_date: str | None = None
    next_maintenance_date: str | None = None
    last_calibration_date: str | None = None
    next_calibration_date: str | None = None
    total_count: int | None = None
    running_count: int | None = None
    tags: list[Setting] = Field(default_factory=list)


class AssetType(WATSModel):
    """An asset type with its count limits and maintenance/calibration intervals (days)."""

    type_id: str | None = None
    type_name: str
    parent_type_id: str | None = None
    running_count_limit: int | None = None
    total_count_limit: int | None = None
    maintenance_interval: float | None = None
    calibration_interval: float | None = None
    warning_threshold: float | None = None
    alarm_threshold: float | None = None
    is_read_only: bool | None = None


class AssetStatus(WATSModel):
    """``GET /api/Asset/Status``: alarm state of an asset (0 ok, 1 warning, 2 alarm)."""

    asset_id: str | None = None
    serial_number: str | None = None
    alarm_state: int | None = None
    messages: list[Any] = Field(default_factory=list)
    running_count: int | None = None
    running_count_limit: int | None = None
    total_count: int | None = None
    total_count_limit: int | None = None
    next_calibration_date: str | None = None
    next_maintenance_date: str | None = None

    @property
    def is_in_alarm(self) -> bool:
        """True when a limit or due date has been reached."""
        return self.alarm_state == 2

    @property
    def is_in_warning(self) -> bool:
        """True when a limit or due date is near (warning threshold), not yet reached."""
        return self.alarm_state == 1


class AssetLog(WATSModel):
    """One asset log entry (``GET /api/Asset/Log``)."""

    log_id: int | None = None
    asset_id: str | None = None
    serial_number: str | None = None
    date: str | None = None
    user: str | None = None
    type: int | None = None
    property: str | None = None
    value: str | None = None
    comment: str | None = None
