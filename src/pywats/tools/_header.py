"""What :class:`~pywats.tools.ReportBuilder` and :class:`~pywats.tools.UURBuilder` share:
the unit identity and WSJF report header (:class:`UnitIdentity`), operation parsing,
``miscInfos`` and ``subUnits`` entries, and attachment encoding."""

from __future__ import annotations

import base64
import mimetypes
import uuid
from typing import Any

__all__ = [
    "UnitIdentity",
    "check_unit",
    "parse_operation",
    "misc_info_entry",
    "subunit_entry",
    "guess_content_type",
    "encode_attachment",
]

_CONTENT_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
}
"""Content types guessed from a file name before asking :mod:`mimetypes` (whose answers
differ between platforms)."""


def guess_content_type(name: str) -> str:
    """Content type for a file name (``application/octet-stream`` when unknown)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def encode_attachment(name: str, content: bytes, content_type: str | None) -> dict[str, Any]:
    """``{name, contentType, data}`` with ``data`` in base64 (raises TypeError for non-bytes)."""
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"attachment {name!r}: content must be bytes, not {type(content).__name__}")
    return {
        "name": name,
        "contentType": content_type or guess_content_type(name),
        "data": base64.b64encode(bytes(content)).decode("ascii"),
    }


def check_unit(part_number: Any, serial_number: Any, revision: Any) -> None:
    """Raise ValueError naming the argument unless all three are non-empty strings."""
    for label, text in (("part_number", part_number), ("serial_number", serial_number), ("revision", revision)):
        if not isinstance(text, str) or not text:
            raise ValueError(f"{label} must be a non-empty string, got {text!r}")


def parse_operation(operation: Any, label: str) -> tuple[int | None, str | None]:
    """``(code, None)`` for an int or a numeric string, ``(None, name)`` for a process name.

    Raises:
        TypeError: a bool; ValueError: anything else that is neither (``label`` names it).
    """
    if isinstance(operation, bool):
        raise TypeError(f"{label} must be an int code or a process name")
    if isinstance(operation, int):
        return operation, None
    if isinstance(operation, str) and operation.strip():
        text = operation.strip()
        return (int(text), None) if text.isdigit() else (None, text)
    raise ValueError(f"{label} must be an int code or a process name, got {operation!r}")


class UnitIdentity:
    """The unit and station a report is about, and the WSJF header built from them."""

    part_number: str
    serial_number: str
    revision: str
    operator: str | None
    station_name: str | None
    location: str | None
    purpose: str | None
    id: str
    start: str
    start_utc: str

    def _set_identity(
        self,
        part_number: str,
        serial_number: str,
        revision: str,
        operator: str | None,
        station_name: str | None,
        location: str | None,
        purpose: str | None,
        report_id: str | uuid.UUID | None,
    ) -> None:
        check_unit(part_number, serial_number, revision)
        self.part_number = part_number
        self.serial_number = serial_number
        self.revision = revision
        self.operator = operator
        self.station_name = station_name
        self.location = location
        self.purpose = purpose
        self.id = str(report_id) if report_id is not None else str(uuid.uuid4())

    def _header(self, kind: str, code: int | None, name: str | None, result: str) -> dict[str, Any]:
        """The WSJF header fields in WSJF order: ``processName`` instead of ``processCode``
        when ``code`` is None; station fields that are None are left out."""
        data: dict[str, Any] = {
            "type": kind,
            "id": self.id,
            "pn": self.part_number,
            "sn": self.serial_number,
            "rev": self.revision,
        }
        if code is None:
            data["processName"] = name
        else:
            data["processCode"] = code
        data["result"] = result
        if self.station_name is not None:
            data["machineName"] = self.station_name
        if self.location is not None:
            data["location"] = self.location
        if self.purpose is not None:
            data["purpose"] = self.purpose
        data["start"] = self.start
        data["startUTC"] = self.start_utc
        return data


def misc_info_entry(description: str, text: str | float) -> dict[str, Any]:
    """A ``miscInfos`` entry: an int goes as ``numeric``, anything else as ``text``."""
    if isinstance(text, int) and not isinstance(text, bool):
        return {"description": description, "numeric": text}
    return {"description": description, "text": str(text)}


def subunit_entry(
    part_number: str, serial_number: str, revision: str | None, part_type: str | None
) -> dict[str, Any]:
    """A ``subUnits`` entry ``{partType, pn, rev?, sn}`` (``partType`` defaults to ``"Unknown"``)."""
    entry: dict[str, Any] = {"partType": part_type or "Unknown", "pn": part_number}
    if revision is not None:
        entry["rev"] = revision
    entry["sn"] = serial_number
    return entry
