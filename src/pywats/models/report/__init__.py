"""The WSJF report model (test reports ``UUTReport``, repair reports ``UURReport``).

Public helpers:

* :func:`parse_report` — a WSJF mapping → ``UUTReport`` or ``UURReport``;
* ``UUTReport.to_wsjf()`` / ``UURReport.to_wsjf()`` — back to a JSON-ready dict with
  exactly the fields that were present (unknown fields and step types are kept);
* :func:`prepare_for_submit` — any report form → complete, validated WSJF dict;
* :func:`dumps` — a WSJF dict → compact JSON bytes (fast);
* :class:`ReportStatus`, limit evaluation in :mod:`.limits`, timestamps in :mod:`.timestamps`.

Names are imported lazily so that the builder's hot path does not pay for pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats._lazy import lazy_exports

if TYPE_CHECKING:
    from pywats.models.report.common import (
        AdditionalData,
        Asset,
        AssetStats,
        BinaryData,
        Failure,
        MiscInfo,
        SubUnit,
    )
    from pywats.models.report.parse import parse_report
    from pywats.models.report.serialize import dumps
    from pywats.models.report.status import ReportStatus, normalize_status, roll_up
    from pywats.models.report.steps import (
        ActionStep,
        BooleanMeasurement,
        CallExeStep,
        ChartStep,
        GenericStep,
        LoopInfo,
        MessagePopupStep,
        NumericLimitStep,
        NumericMeasurement,
        PassFailStep,
        SequenceCallStep,
        Step,
        StringMeasurement,
        StringValueStep,
    )
    from pywats.models.report.submit import (
        DEFAULT_LOCATION,
        DEFAULT_PURPOSE,
        PreparedReport,
        UnresolvedProcessError,
        is_prepared,
        mark_prepared,
        prepare_for_submit,
    )
    from pywats.models.report.uur import UURInfo, UURReport
    from pywats.models.report.uut import UUTInfo, UUTReport

_LAZY: dict[str, str] = {
    "parse_report": ".parse",
    "dumps": ".serialize",
    "prepare_for_submit": ".submit",
    "PreparedReport": ".submit",
    "is_prepared": ".submit",
    "mark_prepared": ".submit",
    "UnresolvedProcessError": ".submit",
    "DEFAULT_LOCATION": ".submit",
    "DEFAULT_PURPOSE": ".submit",
    "ReportStatus": ".status",
    "normalize_status": ".status",
    "roll_up": ".status",
    "UUTReport": ".uut",
    "UUTInfo": ".uut",
    "UURReport": ".uur",
    "UURInfo": ".uur",
    "MiscInfo": ".common",
    "SubUnit": ".common",
    "Failure": ".common",
    "Asset": ".common",
    "AssetStats": ".common",
    "BinaryData": ".common",
    "AdditionalData": ".common",
    "Step": ".steps",
    "SequenceCallStep": ".steps",
    "NumericLimitStep": ".steps",
    "PassFailStep": ".steps",
    "StringValueStep": ".steps",
    "ActionStep": ".steps",
    "ChartStep": ".steps",
    "CallExeStep": ".steps",
    "MessagePopupStep": ".steps",
    "GenericStep": ".steps",
    "LoopInfo": ".steps",
    "NumericMeasurement": ".steps",
    "StringMeasurement": ".steps",
    "BooleanMeasurement": ".steps",
}

__all__ = [
    "ActionStep",
    "AdditionalData",
    "Asset",
    "AssetStats",
    "BinaryData",
    "BooleanMeasurement",
    "CallExeStep",
    "ChartStep",
    "DEFAULT_LOCATION",
    "DEFAULT_PURPOSE",
    "Failure",
    "GenericStep",
    "LoopInfo",
    "MessagePopupStep",
    "MiscInfo",
    "NumericLimitStep",
    "NumericMeasurement",
    "PassFailStep",
    "PreparedReport",
    "ReportStatus",
    "SequenceCallStep",
    "Step",
    "StringMeasurement",
    "StringValueStep",
    "SubUnit",
    "UURInfo",
    "UURReport",
    "UUTInfo",
    "UUTReport",
    "UnresolvedProcessError",
    "dumps",
    "is_prepared",
    "mark_prepared",
    "normalize_status",
    "parse_report",
    "prepare_for_submit",
    "roll_up",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
