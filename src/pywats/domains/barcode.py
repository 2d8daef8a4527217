"""``api.barcode``: barcode identifiers (``/api/BarcodeIdentifiers/*``)."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation
from pywats.exceptions import ValidationError
from pywats.models.barcode import BarcodeIdentifier

__all__ = ["BarcodeDomain"]


class BarcodeDomain(Domain[ModeT]):
    """Rules that split scanned codes into serial number, part number, revision, batch and process."""

    @operation
    def get_identifiers(self) -> Generator[Request, Any, list[BarcodeIdentifier]]:
        """Every barcode identifier (``GET /api/BarcodeIdentifiers/BarcodeIdentifiers``)."""
        data = yield Request("GET", "/api/BarcodeIdentifiers/BarcodeIdentifiers")
        return [BarcodeIdentifier.model_validate(d) for d in data or []]

    @operation
    def save_identifier(self, identifier: BarcodeIdentifier | Mapping[str, Any]
                        ) -> Generator[Request, Any, BarcodeIdentifier]:
        """Add (no ``id``) or update an identifier (``PUT /api/BarcodeIdentifiers/BarcodeIdentifier``)."""
        model = identifier if isinstance(identifier, BarcodeIdentifier) else BarcodeIdentifier.model_validate(dict(identifier))
        data = yield Request("PUT", "/api/BarcodeIdentifiers/BarcodeIdentifier", json=model.to_wire())
        return BarcodeIdentifier.model_validate(data)

    @operation
    def delete_identifier(self, identifier_id: int) -> Generator[Request, Any, None]:
        """Remove an identifier (``DELETE /api/BarcodeIdentifiers/BarcodeIdentifier/{id}``)."""
        if not isinstance(identifier_id, int) or isinstance(identifier_id, bool):
            raise ValidationError("identifier_id must be an integer", field="id")
        yield Request("DELETE", f"/api/BarcodeIdentifiers/BarcodeIdentifier/{identifier_id}", expect="none")

    @operation
    def identify(self, code: str) -> Generator[Request, Any, BarcodeIdentifier]:
        """The values in a scanned ``code`` (``GET /api/BarcodeIdentifiers/IdentifyBarcode``)."""
        if not code:
            raise ValidationError("code is required", field="code")
        data = yield Request("GET", "/api/BarcodeIdentifiers/IdentifyBarcode", params={"code": code})
        return BarcodeIdentifier.model_validate(data)
