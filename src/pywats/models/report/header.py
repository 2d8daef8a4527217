"""Fields shared by the test and repair report roots."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pywats.models.report.base import WSJFModel
from pywats.models.report.common import AdditionalData, Asset, AssetStats, BinaryData, MiscInfo, SubUnit
from pywats.models.report.types import Timestamp, UTCTimestamp

__all__ = ["ReportBase"]


class ReportBase(WSJFModel):
    """The report root fields common to ``UUTReport`` and ``UURReport``."""

    id: str | None = None
    pn: str | None = None
    sn: str | None = None
    rev: str | None = None
    process_code: int | None = None
    process_code_format: str | None = None
    process_name: str | None = None
    result: str | None = None
    machine_name: str | None = None
    location: str | None = None
    purpose: str | None = None
    start: Timestamp | None = None
    start_utc: UTCTimestamp | None = Field(default=None, alias="startUTC")
    misc_infos: list[MiscInfo] | None = None
    sub_units: list[SubUnit] | None = None
    assets: list[Asset] | None = None
    asset_stats: list[AssetStats] | None = None
    binary_data: list[BinaryData] | None = None
    additional_data: list[AdditionalData] | None = None
    origin: str | None = None
    product_name: str | None = None

    def to_wsjf(self) -> dict[str, Any]:
        """Return a JSON-ready WSJF dict holding the fields that were set (``type`` always)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if "type" not in data:
            data = {"type": self.type, **data}  # type: ignore[attr-defined]
        return data

    def to_json(self) -> bytes:
        """Serialise :meth:`to_wsjf` to compact JSON bytes."""
        from pywats.models.report.serialize import dumps

        return dumps(self.to_wsjf())
