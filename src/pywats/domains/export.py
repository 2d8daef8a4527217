"""``api.export``: files made by the export wizard (``/api/Export/*``)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation
from pywats.domains.analytics import FilterLike, build_filter
from pywats.exceptions import ValidationError
from pywats.models.export import ExportJob

__all__ = ["ExportDomain"]


class ExportDomain(Domain[ModeT]):
    """Certificate exports and the caller's exported files."""

    @operation
    def export_certificates(
        self,
        filter: FilterLike = None,
        header_data_only: bool = False,
        as_individual_files: bool = True,
        dimensions: str | None = None,
        numeric_format: str | None = None,
        body_footer_tag: str | None = None,
        document_footer_tag: str | None = None,
        email: str | None = None,
        **fields: Any,
    ) -> Generator[Request, Any, ExportJob]:
        """Queue an export of the UUT certificates of the reports matching ``filter``
        (``POST /api/Export/Certificate``); fetch the file with :meth:`get_exported_file`."""
        body = build_filter(filter, **fields)
        params = {"headerDataOnly": header_data_only, "asIndividualFiles": as_individual_files,
                  "dimensions": dimensions, "numericFormat": numeric_format, "bodyFooterTag": body_footer_tag,
                  "documentFooterTag": document_footer_tag, "email": email}
        data = yield Request("POST", "/api/Export/Certificate", params=params, json=body.to_wire())
        return ExportJob.model_validate(data if isinstance(data, dict) else {"fileName": data})

    @operation
    def get_export_list(self) -> Generator[Request, Any, list[str]]:
        """Names of the caller's exports (``GET /api/Export/List``)."""
        data = yield Request("GET", "/api/Export/List")
        return [str(n) for n in data or []]

    @operation
    def get_exported_file(self, file_name: str) -> Generator[Request, Any, bytes]:
        """The exported file's bytes (``GET /api/Export/{fileName}``, with or without extension)."""
        if not file_name:
            raise ValidationError("file_name is required", field="file_name")
        data = yield Request("GET", f"/api/Export/{quote(file_name, safe='')}", expect="bytes")
        return bytes(data)
