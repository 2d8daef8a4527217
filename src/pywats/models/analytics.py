"""Analytics models: the WATS filter and the statistics rows."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import IntEnum

from pydantic import Field, field_validator

from pywats.models.common import WATSModel

__all__ = [
    "DateGrouping",
    "RunFilter",
    "WATSFilter",
    "YieldData",
    "TopFailedStep",
    "MeasurementData",
    "AggregatedMeasurement",
    "MEASUREMENT_PATH_SEPARATOR",
    "RepairStatistics",
    "RelatedRepair",
    "OeeResult",
    "StepAnalysis",
    "StepStatus",
    "AlarmLogEntry",
]

MEASUREMENT_PATH_SEPARATOR = "\u00b6"
"""``¶``: separates step names in a measurement path (``¶¶`` before a multi-measurement name)."""


class DateGrouping(IntEnum):
    """Period length of the ``period`` dimension."""

    NONE = -1
    YEAR = 0
    QUARTER = 1
    MONTH = 2
    WEEK = 3
    DAY = 4
    HOUR = 5


class RunFilter(IntEnum):
    """Which run of a unit in an operation a query looks at (``run``)."""

    FIRST = 1
    SECOND = 2
    THIRD = 3
    LAST = -1
    ALL = -2


class WATSFilter(WATSModel):
    """The filter body of the ``/api/App/*`` statistics endpoints (``PublicWatsFilter``).

    Text fields accept WATS wildcards: ``;`` separates several values, ``%`` matches any text,
    ``_`` one character. Naive ``date_from``/``date_to`` are taken as local time and sent in
    UTC. Unset fields are not sent.
    """

    serial_number: str | None = None
    part_number: str | None = None
    revision: str | None = None
    batch_number: str | None = None
    station_name: str | None = None
    test_operation: str | None = Field(default=None, description="process (operation) name")
    status: str | None = Field(default=None, description="Passed / Failed / Error / Terminated")
    yield_: int | None = Field(default=None, alias="yield")
    misc_description: str | None = None
    misc_value: str | None = None
    product_group: str | None = None
    level: str | None = None
    sw_filename: str | None = None
    sw_version: str | None = None
    socket: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    date_grouping: DateGrouping | None = None
    period_count: int | None = None
    include_current_period: bool | None = None
    max_count: int | None = None
    min_count: int | None = None
    top_count: int | None = None
    dimensions: str | None = None
    run: RunFilter | None = None

    @field_validator("date_from", "date_to")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.astimezone()
        return value.astimezone(timezone.utc)


class YieldData(WATSModel):
    """One row of a yield query. Fields not among the requested dimensions are ``None``.

    Counts are units: ``fp_count`` passed on the first run, ``sp_count`` by the second,
    ``tp_count`` by the third, ``lp_count`` on their last run; the yields are percentages
    (0–100) of ``unit_count``.
    """

    part_number: str | None = None
    revision: str | None = None
    product_name: str | None = None
    product_group: str | None = None
    station_name: str | None = None
    test_operation: str | None = None
    period: str | None = None
    unit_count: int = 0
    fp_count: int = 0
    sp_count: int = 0
    tp_count: int = 0
    lp_count: int = 0
    fpy: float | None = None
    spy: float | None = None
    tpy: float | None = None
    lpy: float | None = None


class TopFailedStep(WATSModel):
    """A step that caused unit failures, with how often (``fail_count`` of ``total_count``
    reports of that product and operation)."""

    part_number: str | None = None
    revision: str | None = None
    test_operation: str | None = None
    step_name: str | None = None
    step_path: str | None = None
    step_type: str | None = None
    fail_count: int = 0
    total_count: int = 0
    fail_percent: float | None = None


class MeasurementData(WATSModel):
    """One measured value with its report's identity and limits."""

    report_id: str | None = None
    serial_number: str | None = None
    part_number: str | None = None
    revision: str | None = None
    start: datetime | None = None
    station_name: str | None = None
    test_operation: str | None = None
    measurement_path: str | None = None
    step_name: str | None = None
    measurement_name: str | None = None
    value: float | None = None
    unit: str | None = None
    status: str | None = None
    comp_op: str | None = None
    low_limit: float | None = None
    high_limit: float | None = None


class AggregatedMeasurement(WATSModel):
    """Statistics of one measurement path; ``cp``/``cpk`` only when both limits are known."""

    measurement_path: str | None = None
    unit: str | None = None
    count: int = 0
    fail_count: int = 0
    min: float | None = None
    max: float | None = None
    avg: float | None = None
    stdev: float | None = None
    low_limit: float | None = None
    high_limit: float | None = None
    cp: float | None = None
    cpk: float | None = None


class RepairStatistics(WATSModel):
    """One row of ``POST /api/App/DynamicRepair``: the requested dimension values (kept as
    extra fields, e.g. ``row.part_number``) and the counts."""

    repair_count: int = 0
    unit_count: int = 0
    failure_count: int = 0


class RelatedRepair(WATSModel):
    """One repaired failure from ``GET /api/App/RelatedRepairHistory``."""

    report_id: str | None = None
    serial_number: str | None = None
    part_number: str | None = None
    revision: str | None = None
    repair_operation_code: int | None = None
    repair_operation: str | None = None
    test_operation_code: int | None = None
    repair_date: str | None = None
    fail_category: str | None = None
    fail_code: str | None = None
    component_reference: str | None = None
    comment: str | None = None


class OeeResult(WATSModel):
    """``POST /api/App/OeeAnalysis``: availability, performance, quality and OEE (percent)."""

    report_count: int | None = None
    availability: float | None = None
    performance: float | None = None
    quality: float | None = None
    oee: float | None = None


class StepAnalysis(WATSModel):
    """One step of ``POST /api/App/TestStepAnalysis``: run counts and measurement statistics."""

    part_number: str | None = None
    test_operation: str | None = None
    step_name: str | None = None
    step_path: str | None = None
    step_type: str | None = None
    step_group: str | None = None
    step_count: int = 0
    step_passed_count: int = 0
    step_done_count: int = 0
    step_skipped_count: int = 0
    step_failed_count: int = 0
    step_error_count: int = 0
    step_terminated_count: int = 0
    step_other_count: int = 0
    step_caused_uut_failed: int = 0
    measure_count: int = 0
    min: float | None = None
    max: float | None = None
    avg: float | None = None


class StepStatus(WATSModel):
    """One execution of a step (``/api/internal/App/StepStatusList``)."""

    report_id: str | None = None
    serial_number: str | None = None
    part_number: str | None = None
    start: str | None = None
    test_operation: str | None = None
    step_name: str | None = None
    step_path: str | None = None
    step_type: str | None = None
    status: str | None = None


class AlarmLogEntry(WATSModel):
    """An alarm or notification (``/api/internal/Trigger/GetAlarmAndNotificationLogs``)."""

    log_id: int | None = None
    type_id: int | None = None
    type: str | None = None
    is_alarm: bool | None = None
    name: str | None = None
    message: str | None = None
    date: str | None = None
    calculation: str | None = None
