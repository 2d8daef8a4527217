"""Report-level WSJF objects: miscInfos, subUnits, failures, assets, assetStats,
binaryData and additionalData."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pywats.models.report.base import WSJFModel

__all__ = [
    "MiscInfo",
    "BinaryData",
    "Failure",
    "SubUnit",
    "Asset",
    "AssetStats",
    "AdditionalProp",
    "AdditionalData",
]

Number = int | float


class MiscInfo(WSJFModel):
    """``miscInfos[]``: a described text (or numeric) value on the report header."""

    id: str | None = None
    description: str | None = None
    text: str | None = None
    numeric: Number | None = None
    numeric_format: str | None = None
    typedef: str | None = None


class BinaryData(WSJFModel):
    """``binaryData[]`` / failure ``attachments[]``: a file in base64."""

    id: str | None = None
    name: str | None = None
    content_type: str | None = None
    data: str | None = None


class Failure(WSJFModel):
    """A repair failure on a sub-unit (UUR)."""

    category: str | None = None
    code: str | None = None
    comment: str | None = None
    com_ref: str | None = None
    func_block: str | None = None
    ref_step_id: int | None = None
    ref_step_name: str | None = None
    art_number: str | None = None
    art_rev: str | None = None
    art_vendor: str | None = None
    art_description: str | None = None
    attachments: list[BinaryData] | None = None


class SubUnit(WSJFModel):
    """``subUnits[]``: a part built into the unit; in repair reports also the repair tree."""

    part_type: str | None = None
    pn: str | None = None
    rev: str | None = None
    sn: str | None = None
    position: int | None = None
    idx: int | None = None
    parent_idx: int | None = None
    replaced_idx: int | None = None
    failures: list[Failure] | None = None


class Asset(WSJFModel):
    """``assets[]``: equipment used for the test, with its usage count."""

    asset_sn: str | None = Field(default=None, alias="assetSN")
    usage_count: Number | None = None
    usage_count_format: str | None = None


class AssetStats(WSJFModel):
    """``assetStats[]`` (output only): per-asset statistics at processing time."""

    asset_sn: str | None = Field(default=None, alias="assetSN")
    running_count: Number | None = None
    running_count_exceeded: Number | None = None
    total_count: Number | None = None
    total_count_exceeded: Number | None = None
    days_since_calibration: Number | None = None
    is_days_since_calibration_unknown: bool | None = None
    calibration_days_overdue: Number | None = None
    days_since_maintenance: Number | None = None
    is_days_since_maintenance_unknown: bool | None = None
    maintenance_days_overdue: Number | None = None
    message: str | None = None


class AdditionalProp(WSJFModel):
    """One property of an ``additionalData``/``additionalResults`` entry (may nest)."""

    name: str | None = None
    type: str | None = None
    flags: int | None = None
    value: Any = None
    comment: str | None = None
    num_format: str | None = None
    props: list[AdditionalProp] | None = None
    array: dict[str, Any] | None = None


class AdditionalData(WSJFModel):
    """``additionalData[]`` / step ``additionalResults[]``: named structured data."""

    name: str | None = None
    props: list[AdditionalProp] | None = None


AdditionalProp.model_rebuild()
