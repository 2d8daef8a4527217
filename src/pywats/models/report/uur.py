"""The repair report (``type: "R"``): ``UURReport`` and its ``uur`` object."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pywats.models.report.base import WSJFModel
from pywats.models.report.header import ReportBase
from pywats.models.report.types import Number, Timestamp

__all__ = ["UURReport", "UURInfo"]


class UURInfo(WSJFModel):
    """The ``uur`` object. ``process_code`` is the *test* operation in which the failure
    was found (the report's top-level ``processCode`` is the repair operation)."""

    user: str | None = None
    comment: str | None = None
    process_code: int | None = None
    process_code_format: str | None = None
    process_name: str | None = None
    ref_uut: str | None = Field(default=None, alias="refUUT")
    confirm_date: Timestamp | None = None
    finalize_date: Timestamp | None = None
    exec_time: Number | None = None
    parent: str | None = None
    children: list[str] | None = None


class UURReport(ReportBase):
    """A WSJF repair report: header, ``uur`` info, sub-units with failures, attachments."""

    type: Literal["R"] = "R"
    uur: UURInfo | None = None
