"""Turning a report into the bytes the queue stores, and reading them back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["normalize_id", "prepare_report", "parse_report", "identity_fields"]


def normalize_id(value: object, *, what: str = "report id") -> str:
    """Return ``value`` as a canonical lower-case GUID string, or raise ValueError naming it."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a GUID string, got {type(value).__name__}: {value!r}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a GUID") from None


def _as_dict(report: Any) -> dict[str, Any]:
    if isinstance(report, Mapping):
        return dict(report)
    dump = getattr(report, "model_dump", None)
    if callable(dump):
        data = dump(mode="json", by_alias=True, exclude_none=True)
        if isinstance(data, dict):
            return data
    to_dict = getattr(report, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, dict):
            return data
    raise TypeError(f"a report must be a dict (WSJF) or a model with model_dump(), got {type(report).__name__}")


def identity_fields(report: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(serial_number, part_number)`` of a WSJF report (``sn``/``pn``), for listings."""

    def pick(*keys: str) -> str | None:
        for key in keys:
            value = report.get(key)
            if value is not None and value != "":
                return str(value)
        return None

    return pick("sn", "serialNumber", "serial_number"), pick("pn", "partNumber", "part_number")


def prepare_report(report: Any) -> tuple[str, dict[str, Any], bytes]:
    """Fix the report's GUID (assigning one if missing) and encode it.

    Returns ``(id, report_with_id, utf8_json_bytes)``; the caller's object is not changed.
    """
    data = _as_dict(report)
    raw_id = data.get("id")
    report_id = str(uuid.uuid4()) if raw_id in (None, "") else normalize_id(raw_id, what="report field 'id'")
    data["id"] = report_id
    try:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"report {report_id} cannot be stored as JSON: {exc}") from exc
    return report_id, data, encoded


def parse_report(raw: bytes, *, where: str) -> dict[str, Any]:
    """Decode a stored report file, raising ValueError naming ``where`` if it is not a JSON object."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"report file {where} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"report file {where} does not hold a JSON object")
    return data
