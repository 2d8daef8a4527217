"""``api.asset``: test-station assets, their types, counts, calibration and log.

Assets are addressed by ``assetId`` (a GUID) or serial number; every method taking
``asset`` accepts either and sends ``id=`` or ``serialNumber=`` accordingly.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Mapping
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.asset import Asset, AssetLog, AssetStatus, AssetType

__all__ = ["AssetDomain", "asset_key_params"]


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def asset_key_params(asset: str) -> dict[str, str]:
    """``{"id": ...}`` for a GUID, else ``{"serialNumber": ...}``.

    Raises:
        ValidationError: ``asset`` is empty or not a string.
    """
    if not isinstance(asset, str) or not asset.strip():
        raise ValidationError(f"asset must be an asset id or serial number, not {asset!r}", field="asset")
    return {"id": asset} if _is_guid(asset) else {"serialNumber": asset}


def _when(value: datetime | date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _asset_body(asset: Asset | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(asset, Asset):
        return asset.to_wire()
    if isinstance(asset, Mapping):
        return Asset.model_validate(dict(asset)).to_wire()
    raise ValidationError(f"asset must be an Asset or a dict, not {type(asset).__name__}", field="asset")


class AssetDomain(Domain[ModeT]):
    """Assets (fixtures, instruments, ...): registry, state, usage counts, calibration, maintenance, log."""

    @operation
    def get_assets(
        self,
        filter: str | None = None,
        top: int | None = None,
        skip: int | None = None,
        orderby: str | None = None,
    ) -> Generator[Request, Any, list[Asset]]:
        """Assets (``GET /api/Asset``) with optional OData ``$filter``/``$top``/``$skip``/``$orderby``.

        The server returns at most 1000 by default, ordered by ``assetId``.
        """
        params = {"$filter": filter, "$top": top, "$skip": skip, "$orderby": orderby}
        data = yield Request("GET", "/api/Asset", params=params)
        return [Asset.model_validate(item) for item in data or []]

    @operation
    def get_asset(self, asset: str) -> Generator[Request, Any, Asset]:
        """One asset by id or serial number (``GET /api/Asset/{key}``).

        Raises:
            NotFoundError: no such asset.
        """
        asset_key_params(asset)
        data = yield Request("GET", f"/api/Asset/{quote(asset, safe='')}")
        return Asset.model_validate(data)

    @operation
    def save_asset(self, asset: Asset | Mapping[str, Any]) -> Generator[Request, Any, Asset]:
        """Create or update an asset (``PUT /api/Asset``); counts and dates are ignored by the server."""
        data = yield Request("PUT", "/api/Asset", json=_asset_body(asset))
        return Asset.model_validate(data)

    @operation
    def create_asset(
        self,
        serial_number: str,
        type_id: str,
        asset_name: str | None = None,
        parent: str | None = None,
        **fields: Any,
    ) -> Generator[Request, Any, Asset]:
        """Register a new asset of type ``type_id``; ``parent`` (id or serial) makes it a child asset."""
        body: dict[str, Any] = {"serial_number": serial_number, "type_id": type_id, "asset_name": asset_name, **fields}
        if parent:
            body["parent_asset_id" if _is_guid(parent) else "parent_serial_number"] = parent
        return (yield from steps(self.save_asset, Asset.model_validate(body)))

    @operation
    def update_asset(self, asset: Asset | Mapping[str, Any]) -> Generator[Request, Any, Asset]:
        """Update an asset (``PUT /api/Asset``): fetch it, change fields, pass it back."""
        return (yield from steps(self.save_asset, asset))

    @operation
    def get_asset_types(
        self, filter: str | None = None, top: int | None = None
    ) -> Generator[Request, Any, list[AssetType]]:
        """Asset types (``GET /api/Asset/Types``) with optional OData ``$filter``/``$top``."""
        data = yield Request("GET", "/api/Asset/Types", params={"$filter": filter, "$top": top})
        return [AssetType.model_validate(item) for item in data or []]

    @operation
    def create_asset_type(self, type_name: str, **fields: Any) -> Generator[Request, Any, AssetType]:
        """Create (or update, by name) an asset type (``PUT /api/Asset/Types``).

        Keyword fields: ``running_count_limit``, ``total_count_limit``, ``calibration_interval``
        and ``maintenance_interval`` (days), ``warning_threshold``, ``alarm_threshold``, ...
        """
        body = AssetType.model_validate({"type_name": type_name, **fields}).to_wire()
        data = yield Request("PUT", "/api/Asset/Types", json=body)
        return AssetType.model_validate(data)

    @operation
    def get_status(self, asset: str) -> Generator[Request, Any, AssetStatus]:
        """Alarm/warning status of an asset (``GET /api/Asset/Status``)."""
        data = yield Request("GET", "/api/Asset/Status", params=asset_key_params(asset))
        return AssetStatus.model_validate(data or {})

    @operation
    def set_asset_state(self, asset: str, state: int) -> Generator[Request, Any, None]:
        """Set an asset's state 0–6 (``PUT /api/Asset/State``, see :class:`~pywats.models.asset.AssetState`)."""
        if not isinstance(state, int) or isinstance(state, bool) or not 0 <= state <= 6:
            raise ValidationError(f"state must be an integer 0-6, not {state!r}", field="state")
        yield Request("PUT", "/api/Asset/State", params={**asset_key_params(asset), "state": state}, expect="none")
        return None

    @operation
    def increment_count(
        self, asset: str, increment_by: int = 1, increment_children: bool = False
    ) -> Generator[Request, Any, None]:
        """Add ``increment_by`` uses to the running and total counts (``PUT /api/Asset/Count``).

        ``increment_children`` also counts every sub-asset.
        """
        params = {**asset_key_params(asset), "incrementBy": increment_by, "incrementChildren": increment_children}
        yield Request("PUT", "/api/Asset/Count", params=params, expect="none", idempotent=False)
        return None

    @operation
    def reset_running_count(self, asset: str, comment: str | None = None) -> Generator[Request, Any, None]:
        """Set the running count back to 0 (``POST /api/Asset/ResetRunningCount``)."""
        params = {**asset_key_params(asset), "comment": comment}
        yield Request("POST", "/api/Asset/ResetRunningCount", params=params, expect="none")
        return None

    @operation
    def record_calibration(
        self, asset: str, date_time: datetime | date | str | None = None, comment: str | None = None
    ) -> Generator[Request, Any, None]:
        """Record a calibration (``POST /api/Asset/Calibration``); ``date_time`` defaults to now."""
        params = {**asset_key_params(asset), "dateTime": _when(date_time), "comment": comment}
        yield Request("POST", "/api/Asset/Calibration", params=params, expect="none")
        return None

    @operation
    def record_maintenance(
        self, asset: str, date_time: datetime | date | str | None = None, comment: str | None = None
    ) -> Generator[Request, Any, None]:
        """Record a maintenance (``POST /api/Asset/Maintenance``); ``date_time`` defaults to now."""
        params = {**asset_key_params(asset), "dateTime": _when(date_time), "comment": comment}
        yield Request("POST", "/api/Asset/Maintenance", params=params, expect="none")
        return None

    @operation
    def get_asset_log(
        self,
        filter: str | None = None,
        top: int | None = None,
        skip: int | None = None,
        orderby: str | None = None,
        serial_number: str | None = None,
    ) -> Generator[Request, Any, list[AssetLog]]:
        """Asset log entries (``GET /api/Asset/Log``, OData); ``serial_number`` narrows to one asset."""
        if serial_number is not None:
            clause = "serialNumber eq '" + serial_number.replace("'", "''") + "'"
            filter = f"{clause} and ({filter})" if filter else clause
        params = {"$filter": filter, "$top": top, "$skip": skip, "$orderby": orderby}
        data = yield Request("GET", "/api/Asset/Log", params=params)
        return [AssetLog.model_validate(item) for item in data or []]

    @operation
    def get_child_assets(self, asset: str, level: int | None = None) -> Generator[Request, Any, list[Asset]]:
        """Sub-assets of an asset (``GET /api/Asset/SubAssets``); ``level`` limits the depth (1 = direct)."""
        params = {**asset_key_params(asset), "level": level}
        data = yield Request("GET", "/api/Asset/SubAssets", params=params)
        return [Asset.model_validate(item) for item in data or []]

    @operation
    def post_message(self, asset: str, content: str) -> Generator[Request, Any, None]:
        """Add a message (comment) to the asset's log (``POST /api/Asset/Message``); ``asset`` is
        its id or serial number."""
        if not content or not content.strip():
            raise ValidationError("content must not be empty", field="content")
        yield Request("POST", "/api/Asset/Message", params=asset_key_params(asset), json={"content": content},
                      expect="none")

    @operation
    def delete_asset(self, asset: str) -> Generator[Request, Any, None]:
        """Delete an asset by id or serial number (``DELETE /api/Asset``); its log goes with it and
        its child assets move to its parent."""
        yield Request("DELETE", "/api/Asset", params=asset_key_params(asset), expect="none")

    @operation
    def set_running_count(self, asset: str, running_count: int) -> Generator[Request, Any, None]:
        """Set the running count to a value (``PUT /api/Asset/SetRunningCount``, WATS 25.3)."""
        params = {**asset_key_params(asset), "runningCount": running_count}
        yield Request("PUT", "/api/Asset/SetRunningCount", params=params, expect="none")

    @operation
    def set_total_count(self, asset: str, total_count: int) -> Generator[Request, Any, None]:
        """Set the total count to a value (``PUT /api/Asset/SetTotalCount``, WATS 25.3)."""
        params = {**asset_key_params(asset), "totalCount": total_count}
        yield Request("PUT", "/api/Asset/SetTotalCount", params=params, expect="none")

    @operation
    def record_external_calibration(
        self, asset: str, from_date: datetime | date | str, to_date: datetime | date | str, comment: str | None = None
    ) -> Generator[Request, Any, None]:
        """Record a calibration managed by an external system: ``from_date`` is the last and
        ``to_date`` the next calibration (``POST /api/Asset/Calibration/External``, WATS 25.3)."""
        params = {**asset_key_params(asset), "fromDate": _when(from_date), "toDate": _when(to_date), "comment": comment}
        yield Request("POST", "/api/Asset/Calibration/External", params=params, expect="none")

    @operation
    def record_external_maintenance(
        self, asset: str, from_date: datetime | date | str, to_date: datetime | date | str, comment: str | None = None
    ) -> Generator[Request, Any, None]:
        """Record maintenance managed by an external system (``POST /api/Asset/Maintenance/External``,
        WATS 25.3)."""
        params = {**asset_key_params(asset), "fromDate": _when(from_date), "toDate": _when(to_date), "comment": comment}
        yield Request("POST", "/api/Asset/Maintenance/External", params=params, expect="none")
