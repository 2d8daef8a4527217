"""The test report (``type: "T"``): ``UUTReport`` and its ``uut`` object."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pywats.models.report.base import WSJFModel
from pywats.models.report.header import ReportBase
from pywats.models.report.status import roll_up
from pywats.models.report.steps import SequenceCallStep
from pywats.models.report.types import Number, Timestamp

__all__ = ["UUTReport", "UUTInfo", "RefUUR"]


class RefUUR(WSJFModel):
    """``uut.refUURs[]`` (output only): a repair report referencing this test."""

    id: str | None = None
    start: Timestamp | None = None


class UUTInfo(WSJFModel):
    """The ``uut`` object: operator and test-run details."""

    user: str | None = None
    comment: str | None = None
    exec_time: Number | None = None
    exec_time_format: str | None = None
    test_socket_index: int | None = None
    test_socket_index_format: str | None = None
    batch_sn: str | None = Field(default=None, alias="batchSN")
    fixture_id: str | None = None
    error_code: int | None = None
    error_code_format: str | None = None
    error_message: str | None = None
    batch_fail_count: int | None = None
    batch_fail_count_format: str | None = None
    batch_loop_index: int | None = None
    batch_loop_index_format: str | None = None
    step_id_caused_uut_failure: int | None = Field(default=None, alias="stepIdCausedUUTFailure")
    ref_uurs: list[RefUUR] | None = Field(default=None, alias="refUURs")


class UUTReport(ReportBase):
    """A WSJF test report: header, ``uut`` info and the step tree under ``root``."""

    type: Literal["T"] = "T"
    uut: UUTInfo | None = None
    root: SequenceCallStep | None = None

    def computed_result(self) -> str:
        """The result rolled up from the step tree (``P``, ``F``, ``E`` or ``T``)."""
        if self.root is None:
            return "P"
        return roll_up([self.root.effective_status()])
