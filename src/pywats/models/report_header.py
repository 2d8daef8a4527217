"""Report query headers (``GET /api/Report/Query/Header``) and submit results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, Field

from pywats.models.common import WATSModel

__all__ = ["ReportHeader", "SubmitResult"]


class ReportHeader(WATSModel):
    """One report header. ``id`` is the report GUID; ``operation_type`` is the process name.

    Unknown fields the server sends are kept as extra attributes.
    """

    uuid: str
    serial_number: str | None = None
    part_number: str | None = None
    report_type: str | None = Field(default=None, description="'T' test (UUT) or 'R' repair (UUR)")
    start: datetime | None = Field(default=None, validation_alias=AliasChoices("start", "startUtc"))
    revision: str | None = None
    result: str | None = Field(default=None, description="Passed / Failed / Error / Terminated")
    batch_number: str | None = None
    user_name: str | None = Field(default=None, validation_alias=AliasChoices("userName", "user_name", "operator"))
    station_name: str | None = None
    location: str | None = None
    purpose: str | None = None
    measures_deleted: bool | None = None
    time_stamp: int | None = None
    process_code: int | None = None
    process_name: str | None = None
    comment: str | None = None
    execution_time: float | None = None
    sw_filename: str | None = None
    sw_version: str | None = None
    test_socket_index: int | None = None
    fixture_id: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    run: int | None = None
    receive_count: int | None = None
    report_size: float | None = None
    caused_uut_failure: str | None = None
    caused_uut_failure_path: str | None = None
    passed_in_run: int | None = None
    referenced_uut: str | None = None
    sub_units: list[dict[str, Any]] | None = None
    misc_info: list[dict[str, Any]] | None = None
    assets: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    uur_sub_units: list[dict[str, Any]] | None = None
    uur_misc_info: list[dict[str, Any]] | None = None
    uur_attachments: list[dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        """The report GUID (same as ``uuid``)."""
        return self.uuid

    @property
    def operation_type(self) -> str | None:
        """The operation (process) name, e.g. ``"FCT"``."""
        return self.process_name

    @property
    def operator(self) -> str | None:
        """The operator (``userName``)."""
        return self.user_name


class SubmitResult(WATSModel):
    """The server's answer to a report submission (``InsertReportResult``).

    ``id`` is the submitted report's GUID (string), ``uuid`` the stored report's GUID (the
    same on WATS), ``report_id`` the legacy integer id.
    """

    id: str = Field(validation_alias=AliasChoices("ID", "id", "Id"), serialization_alias="ID")
    uuid: str | None = None
    report_id: int | None = Field(default=None, validation_alias=AliasChoices("Report_ID", "reportId", "report_id"),
                                  serialization_alias="Report_ID")

    def __str__(self) -> str:
        return self.id
