"""Barcode identifier model (``/api/BarcodeIdentifiers/*``)."""

from __future__ import annotations

from pywats.models.common import WATSModel

__all__ = ["BarcodeIdentifier"]


class BarcodeIdentifier(WATSModel):
    """A rule that splits a scanned code into its values, or (from IdentifyBarcode) the values
    found in one code. ``pattern`` is a regular expression; the value fields say where each
    value comes from (``{name}``/``{1}`` for a regex group)."""

    id: int | None = None
    pattern: str | None = None
    serial_number: str | None = None
    part_number: str | None = None
    revision: str | None = None
    batch_number: str | None = None
    process: str | None = None
    order: int | None = None
    description: str | None = None
