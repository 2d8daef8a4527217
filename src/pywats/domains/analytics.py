"""``api.analytics``: yield, failures, measurements and report lists.

Every method takes a :class:`~pywats.models.analytics.WATSFilter` (or a dict with the wire
or Python names, or ``None``) plus keyword overrides of its fields, e.g.
``api.analytics.get_dynamic_yield(part_number="WIDGET-100", dimensions=["stationName"])``.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.analytics import (
    MEASUREMENT_PATH_SEPARATOR,
    AggregatedMeasurement,
    AlarmLogEntry,
    MeasurementData,
    OeeResult,
    RelatedRepair,
    RepairStatistics,
    StepAnalysis,
    StepStatus,
    TopFailedStep,
    WATSFilter,
    YieldData,
)
from pywats.models.report_header import ReportHeader
from pywats.models.unit_flow import UnitFlow, UnitFlowLink, UnitFlowNode, UnitFlowSerialNumber, UnitFlowUnit

__all__ = ["AnalyticsDomain", "build_filter", "measurement_path", "join_dimensions"]

FilterLike = WATSFilter | dict[str, Any] | None


def build_filter(filter: FilterLike = None, **fields: Any) -> WATSFilter:  # WATS name
    """A :class:`WATSFilter` from a filter/dict/None with keyword fields overriding.

    Raises ``ValidationError`` naming the field when a value does not fit.
    """
    try:
        if filter is None:
            base: dict[str, Any] = {}
        elif isinstance(filter, WATSFilter):
            base = filter.model_dump(exclude_unset=True)
        elif isinstance(filter, dict):
            base = WATSFilter.model_validate(filter).model_dump(exclude_unset=True)
        else:
            raise ValidationError("filter must be a WATSFilter, a dict or None", field="filter")
        unknown = [k for k in fields if k not in WATSFilter.model_fields]
        if unknown:
            raise ValidationError(f"unknown filter field(s): {', '.join(unknown)}", field=unknown[0])
        base.update({k: v for k, v in fields.items() if v is not None})
        return WATSFilter(**base)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        raise ValidationError(f"filter field {field}: {err.get('msg')}", field=field) from None


def measurement_path(path: str) -> str:
    """A user path (``Main/Power/5V rail``, multi-measurement ``Step//name``) in WATS form
    (``Main¶Power¶5V rail``, ``Step¶¶name``); paths already using ``¶`` are kept."""
    text = str(path).strip()
    if not text:
        raise ValidationError("measurement path is empty", field="measurement_paths")
    return text.replace("/", MEASUREMENT_PATH_SEPARATOR)


def _paths(measurement_paths: str | Iterable[str] | None) -> str | None:
    if measurement_paths is None:
        return None
    items = measurement_paths.split(";") if isinstance(measurement_paths, str) else list(measurement_paths)
    converted = [measurement_path(p) for p in items if str(p).strip()]
    return ";".join(converted) or None


def join_dimensions(dimensions: str | Iterable[str] | None) -> str | None:
    """Dimensions as WATS wants them: ``"partNumber;stationName desc"``."""
    if dimensions is None:
        return None
    if isinstance(dimensions, str):
        return dimensions.strip() or None
    return ";".join(str(d).strip() for d in dimensions if str(d).strip()) or None


def _ids(value: int | str | Iterable[int | str] | None) -> str:
    """Ids as the GET statistics forms want them: ``"1;2"`` (empty when none)."""
    if value is None:
        return ""
    if isinstance(value, (int, str)):
        return str(value)
    return ";".join(str(v) for v in value)


def _recent(days: int, product_group_ids: int | str | Iterable[int | str] | None,
            level_ids: int | str | Iterable[int | str] | None) -> dict[str, Any]:
    return {"days": days, "productGroupId": _ids(product_group_ids), "levelId": _ids(level_ids)}


class AnalyticsDomain(Domain[ModeT]):
    """Statistics computed by the server from the reports it holds."""

    # -- yield ---------------------------------------------------------------------------

    @operation
    def get_dynamic_yield(
        self,
        filter: FilterLike = None,  # WATS name
        dimensions: str | Iterable[str] | None = None,
        **fields: Any,
    ) -> Generator[Request, Any, list[YieldData]]:
        """Yield rows grouped by ``dimensions`` (``POST /api/App/DynamicYield``).

        Args:
            filter: which reports count (see :class:`WATSFilter`); ``fields`` override it.
            dimensions: e.g. ``["partNumber", "period"]`` or ``"stationName desc"``
                (``None`` = the filter's ``dimensions``; neither = one total row).
        """
        body = build_filter(filter, **fields)
        dims = join_dimensions(dimensions) or body.dimensions
        if dims:
            body.dimensions = dims
        data = yield Request("POST", "/api/App/DynamicYield", params={"dimensions": dims}, json=body.to_wire(),
                             idempotent=True)
        return [YieldData.model_validate(row) for row in (data or [])]

    @operation
    def get_yield_summary(
        self, filter: FilterLike = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per product, revision and operation."""
        return (yield from steps(self.get_dynamic_yield, filter, "partNumber;revision;testOperation", **fields))

    @operation
    def get_station_yield(
        self, filter: FilterLike = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per station and operation."""
        return (yield from steps(self.get_dynamic_yield, filter, "stationName;testOperation", **fields))

    # -- report lists ------------------------------------------------------------------------

    @operation
    def get_uut_reports(
        self, filter: FilterLike = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Test report headers, newest first (``POST /api/App/UutReport``): 1000 unless ``top_count``."""
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/UutReport", json=body.to_wire(), idempotent=True)
        return [ReportHeader.model_validate(row) for row in (data or [])]

    @operation
    def get_uur_reports(
        self, filter: FilterLike = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Repair report headers, newest first (``POST /api/App/UurReport``): 1000 unless ``top_count``."""
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/UurReport", json=body.to_wire(), idempotent=True)
        return [ReportHeader.model_validate(row) for row in (data or [])]

    @operation
    def get_serial_number_history(
        self, filter: FilterLike | str = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Every test and repair report of the matching units, oldest first
        (``POST /api/App/SerialNumberHistory``). A plain string is a serial number."""
        if isinstance(filter, str):
            fields["serial_number"] = filter
            filter = None
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/SerialNumberHistory", json=body.to_wire(), idempotent=True)
        return [ReportHeader.model_validate(row) for row in (data or [])]

    # -- failures and measurements -------------------------------------------------------------

    @operation
    def get_top_failed(
        self, filter: FilterLike = None, **fields: Any  # WATS name
    ) -> Generator[Request, Any, list[TopFailedStep]]:
        """The steps that caused unit failures most often (``POST /api/App/TopFailed``);
        ``top_count`` rows (server default 10)."""
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/TopFailed", json=body.to_wire(), idempotent=True)
        return [TopFailedStep.model_validate(row) for row in (data or [])]

    @operation
    def get_measurements(
        self,
        filter: FilterLike = None,  # WATS name
        measurement_paths: str | Iterable[str] | None = None,
        **fields: Any,
    ) -> Generator[Request, Any, list[MeasurementData]]:
        """Measured values of the given step paths, newest report first (``POST /api/App/Measurements``).

        Paths name the steps from below the root sequence, ``/`` between names (converted to
        WATS' ``¶``), e.g. ``"Power/5V rail"``; a multi-measurement step's value is
        ``"Step//name"``. Several paths: a list or ``;``-separated. At most ``max_count``
        (default and maximum 10000) values.
        """
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/Measurements", params={"measurementPaths": _paths(measurement_paths)},
                             json=body.to_wire(), idempotent=True)
        return [MeasurementData.model_validate(row) for row in (data or [])]

    @operation
    def get_aggregated_measurements(
        self,
        filter: FilterLike = None,  # WATS name
        measurement_paths: str | Iterable[str] | None = None,
        **fields: Any,
    ) -> Generator[Request, Any, list[AggregatedMeasurement]]:
        """Count, min, max, average, standard deviation and Cp/Cpk (when both limits are
        known) per measurement path (``POST /api/App/AggregatedMeasurements``)."""
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/AggregatedMeasurements",
                             params={"measurementPaths": _paths(measurement_paths)}, json=body.to_wire(),
                             idempotent=True)
        return [AggregatedMeasurement.model_validate(row) for row in (data or [])]

    # -- volume and yield lists ------------------------------------------------------------

    def _yield_rows(self, path: str, filter: FilterLike, fields: dict[str, Any]
                    ) -> Generator[Request, Any, list[YieldData]]:
        body = build_filter(filter, **fields)
        data = yield Request("POST", path, json=body.to_wire(), idempotent=True)
        return [YieldData.model_validate(row) for row in (data or [])]

    def _recent_rows(self, path: str, days: int, groups: Any, levels: Any) -> Generator[Request, Any, list[YieldData]]:
        data = yield Request("GET", path, params=_recent(days, groups, levels))
        return [YieldData.model_validate(row) for row in (data or [])]

    @operation
    def get_high_volume(self, filter: FilterLike = None, **fields: Any
                        ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per product, highest volume first (``POST /api/App/HighVolume``)."""
        return (yield from self._yield_rows("/api/App/HighVolume", filter, fields))

    @operation
    def get_high_volume_recent(self, days: int, product_group_ids: int | str | Iterable[int | str] | None = None,
                               level_ids: int | str | Iterable[int | str] | None = None
                               ) -> Generator[Request, Any, list[YieldData]]:
        """High-volume list of the last ``days`` days by product group and level ids (``GET /api/App/HighVolume``)."""
        return (yield from self._recent_rows("/api/App/HighVolume", days, product_group_ids, level_ids))

    @operation
    def get_high_volume_by_product_group(self, filter: FilterLike = None, **fields: Any
                                         ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per product group, highest volume first (``POST /api/App/HighVolumeByProductGroup``)."""
        return (yield from self._yield_rows("/api/App/HighVolumeByProductGroup", filter, fields))

    @operation
    def get_worst_yield(self, filter: FilterLike = None, **fields: Any
                        ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per product, lowest first-pass yield first (``POST /api/App/WorstYield``)."""
        return (yield from self._yield_rows("/api/App/WorstYield", filter, fields))

    @operation
    def get_worst_yield_recent(self, days: int, product_group_ids: int | str | Iterable[int | str] | None = None,
                               level_ids: int | str | Iterable[int | str] | None = None
                               ) -> Generator[Request, Any, list[YieldData]]:
        """Worst-yield list of the last ``days`` days (``GET /api/App/WorstYield``)."""
        return (yield from self._recent_rows("/api/App/WorstYield", days, product_group_ids, level_ids))

    @operation
    def get_worst_yield_by_product_group(self, filter: FilterLike = None, **fields: Any
                                         ) -> Generator[Request, Any, list[YieldData]]:
        """Yield per product group, lowest first (``POST /api/App/WorstYieldByProductGroup``)."""
        return (yield from self._yield_rows("/api/App/WorstYieldByProductGroup", filter, fields))

    @operation
    def get_volume_yield(self, filter: FilterLike = None, **fields: Any
                         ) -> Generator[Request, Any, list[YieldData]]:
        """Volume and yield per product (``POST /api/App/VolumeYield``)."""
        return (yield from self._yield_rows("/api/App/VolumeYield", filter, fields))

    @operation
    def get_volume_yield_recent(self, days: int, product_group_ids: int | str | Iterable[int | str] | None = None,
                                level_ids: int | str | Iterable[int | str] | None = None
                                ) -> Generator[Request, Any, list[YieldData]]:
        """Volume/yield list of the last ``days`` days (``GET /api/App/VolumeYield``)."""
        return (yield from self._recent_rows("/api/App/VolumeYield", days, product_group_ids, level_ids))

    @operation
    def get_top_failed_recent(self, part_number: str, process_code: int | str, days: int, count: int = 10,
                              product_group_ids: int | str | Iterable[int | str] | None = None,
                              level_ids: int | str | Iterable[int | str] | None = None
                              ) -> Generator[Request, Any, list[TopFailedStep]]:
        """Steps causing failures of ``part_number`` in operation ``process_code`` over the last
        ``days`` days, ``count`` at most (``GET /api/App/TopFailed``)."""
        params = {"partNumber": part_number, "processCode": process_code, "count": count,
                  **_recent(days, product_group_ids, level_ids)}
        data = yield Request("GET", "/api/App/TopFailed", params=params)
        return [TopFailedStep.model_validate(row) for row in (data or [])]

    @operation
    def get_uut_reports_by_query(
        self, serial_number: str | None = None, part_number: str | None = None, revision: str | None = None,
        batch_number: str | None = None, station_name: str | None = None, test_operation: str | None = None,
        status: str | None = None, date_from: str | None = None, date_to: str | None = None,
        product_group_ids: int | str | Iterable[int | str] | None = None,
        level_ids: int | str | Iterable[int | str] | None = None,
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """The newest 1000 test report headers matching the query parameters (``GET /api/App/UutReport``)."""
        params = {"serialNumber": serial_number, "partNumber": part_number, "revision": revision,
                  "batchNumber": batch_number, "stationName": station_name, "testOperation": test_operation,
                  "status": status, "dateFrom": date_from, "dateTo": date_to,
                  "productGroupId": _ids(product_group_ids) or None, "levelId": _ids(level_ids) or None}
        data = yield Request("GET", "/api/App/UutReport", params=params)
        return [ReportHeader.model_validate(row) for row in (data or [])]

    # -- repair, OEE, steps -------------------------------------------------------------------

    @operation
    def get_dynamic_repair(self, filter: FilterLike = None,
                           dimensions: str | Iterable[str] | None = None, **fields: Any
                           ) -> Generator[Request, Any, list[RepairStatistics]]:
        """Repair statistics grouped by ``dimensions`` (``POST /api/App/DynamicRepair``, PREVIEW),
        e.g. ``["partNumber", "repairCode"]``."""
        body = build_filter(filter, **fields)
        dims = join_dimensions(dimensions)
        data = yield Request("POST", "/api/App/DynamicRepair", params={"dimensions": dims}, json=body.to_wire(),
                             idempotent=True)
        return [RepairStatistics.model_validate(row) for row in (data or [])]

    @operation
    def get_related_repair_history(self, part_number: str, revision: str, repair_operation_code: int | str | None = None,
                                   test_operation_code: int | str | None = None
                                   ) -> Generator[Request, Any, list[RelatedRepair]]:
        """Repaired failures of ``part_number``/``revision`` (``GET /api/App/RelatedRepairHistory``)."""
        params = {"partNumber": part_number, "revision": revision, "repairOperationCode": repair_operation_code,
                  "testOperationCode": test_operation_code}
        data = yield Request("GET", "/api/App/RelatedRepairHistory", params=params)
        return [RelatedRepair.model_validate(row) for row in (data or [])]

    @operation
    def get_oee_analysis(self, filter: FilterLike = None,
                         available_time: Iterable[float] = (24, 24, 24, 24, 24, 24, 24),
                         target_output: int | None = None, min_execution_time: int | None = None,
                         max_execution_time: int | None = None, min_connection_time: int | None = None,
                         max_connection_time: int | None = None, **fields: Any) -> Generator[Request, Any, OeeResult]:
        """Overall equipment effectiveness (``POST /api/App/OeeAnalysis``); ``available_time`` is
        hours per weekday, Monday first."""
        hours = ",".join(f"{h:g}" for h in available_time)
        params = {"availableTime": hours, "targetOutput": target_output, "minExecutionTime": min_execution_time,
                  "maxExecutionTime": max_execution_time, "minConnectionTime": min_connection_time,
                  "maxConnectionTime": max_connection_time}
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/OeeAnalysis", params=params, json=body.to_wire(), idempotent=True)
        return OeeResult.model_validate(data or {})

    @operation
    def get_test_step_analysis(self, filter: FilterLike = None, **fields: Any
                               ) -> Generator[Request, Any, list[StepAnalysis]]:
        """Step and measurement statistics (``POST /api/App/TestStepAnalysis``, PREVIEW)."""
        body = build_filter(filter, **fields)
        data = yield Request("POST", "/api/App/TestStepAnalysis", json=body.to_wire(), idempotent=True)
        return [StepAnalysis.model_validate(row) for row in (data or [])]

    # -- internal routes of the WATS web application (sent with Referer) ----------------------

    def _referer(self) -> dict[str, str]:
        return {"Referer": self.client.base_url}

    @operation
    def get_unit_flow(self, filter: FilterLike = None, split_by: str | None = None,
                      **fields: Any) -> Generator[Request, Any, UnitFlow]:
        """How the matching units moved through the operations (``POST /api/internal/UnitFlow``,
        internal); ``split_by`` (e.g. ``"stationName"``) uses ``POST .../UnitFlow/SplitBy`` and
        splits the operation nodes by that field. The query becomes the current one for
        :meth:`get_unit_flow_nodes` and friends."""
        body = build_filter(filter, **fields).to_wire()
        path = "/api/internal/UnitFlow"
        if split_by:
            body["splitBy"] = split_by
            path += "/SplitBy"
        data = yield Request("POST", path, json=body, headers=self._referer(), idempotent=True)
        return UnitFlow.model_validate(data or {})

    @operation
    def split_unit_flow(self, split_by: str, filter: FilterLike = None,
                        **fields: Any) -> Generator[Request, Any, UnitFlow]:
        """The unit flow with operation nodes split by ``split_by`` (``POST /api/internal/UnitFlow/SplitBy``)."""
        body = {**build_filter(filter, **fields).to_wire(), "splitBy": split_by}
        data = yield Request("POST", "/api/internal/UnitFlow/SplitBy", json=body, headers=self._referer(),
                             idempotent=True)
        return UnitFlow.model_validate(data or {})

    def _flow_part(self, path: str, filter: FilterLike) -> Generator[Request, Any, Any]:
        text = "" if filter is None else json.dumps(build_filter(filter).to_wire())
        return (yield Request("GET", path, params={"filter": text}, headers=self._referer()))

    @operation
    def get_unit_flow_nodes(self, filter: FilterLike = None
                            ) -> Generator[Request, Any, list[UnitFlowNode]]:
        """Nodes of the current unit-flow query, or of ``filter`` (``GET /api/internal/UnitFlow/Nodes``)."""
        data = yield from self._flow_part("/api/internal/UnitFlow/Nodes", filter)
        return [UnitFlowNode.model_validate(n) for n in data or []]

    @operation
    def get_unit_flow_links(self, filter: FilterLike = None
                            ) -> Generator[Request, Any, list[UnitFlowLink]]:
        """Links of the current unit-flow query, or of ``filter`` (``GET /api/internal/UnitFlow/Links``)."""
        data = yield from self._flow_part("/api/internal/UnitFlow/Links", filter)
        return [UnitFlowLink.model_validate(n) for n in data or []]

    @operation
    def get_unit_flow_units(self, filter: FilterLike = None
                            ) -> Generator[Request, Any, list[UnitFlowUnit]]:
        """Unit moves of the current unit-flow query, or of ``filter`` (``GET /api/internal/UnitFlow/Units``)."""
        data = yield from self._flow_part("/api/internal/UnitFlow/Units", filter)
        return [UnitFlowUnit.model_validate(n) for n in data or []]

    @operation
    def get_unit_flow_serial_numbers(self, unit_ids: Iterable[int]
                                     ) -> Generator[Request, Any, list[UnitFlowSerialNumber]]:
        """The units behind unit-flow ids (``POST /api/internal/UnitFlow/SN``)."""
        data = yield Request("POST", "/api/internal/UnitFlow/SN", json=[int(i) for i in unit_ids],
                             headers=self._referer(), idempotent=True)
        return [UnitFlowSerialNumber.model_validate(u) for u in data or []]

    @operation
    def order_unit_flow_units(self, units: Iterable[UnitFlowUnit | dict[str, Any]]
                              ) -> Generator[Request, Any, list[UnitFlowUnit]]:
        """Unit moves in display order (``POST /api/internal/UnitFlow/UnitOrder``)."""
        body = [(u if isinstance(u, UnitFlowUnit) else UnitFlowUnit.model_validate(u)).to_wire() for u in units]
        data = yield Request("POST", "/api/internal/UnitFlow/UnitOrder", json=body, headers=self._referer(),
                             idempotent=True)
        return [UnitFlowUnit.model_validate(u) for u in data or []]

    def _step_filters(self, step_paths: str | Iterable[str] | None) -> str:
        """A step/sequence filter: WATS's XML filter as given, or step paths in WATS form."""
        if isinstance(step_paths, str) and step_paths.lstrip().startswith("<"):
            return step_paths
        return _paths(step_paths) or ""

    @operation
    def get_measurement_list(self, filter: FilterLike = None,
                             step_paths: str | Iterable[str] | None = None,
                             sequence_paths: str | Iterable[str] | None = None,
                             **fields: Any) -> Generator[Request, Any, list[MeasurementData]]:
        """Measured values of the given steps (``POST /api/internal/App/MeasurementList``, internal);
        paths as for :meth:`get_measurements`."""
        params = {"stepFilters": self._step_filters(step_paths), "sequenceFilters": self._step_filters(sequence_paths)}
        data = yield Request("POST", "/api/internal/App/MeasurementList", params=params,
                             json=build_filter(filter, **fields).to_wire(), headers=self._referer(), idempotent=True)
        return [MeasurementData.model_validate(row) for row in data or []]

    @operation
    def get_measurement_list_recent(self, days: int, step_paths: str | Iterable[str] | None = None,
                                    sequence_paths: str | Iterable[str] | None = None,
                                    product_group_ids: int | str | Iterable[int | str] | None = None,
                                    level_ids: int | str | Iterable[int | str] | None = None
                                    ) -> Generator[Request, Any, list[MeasurementData]]:
        """Measured values of the last ``days`` days (``GET /api/internal/App/MeasurementList``)."""
        params = {**_recent(days, product_group_ids, level_ids), "stepFilters": self._step_filters(step_paths),
                  "sequenceFilters": self._step_filters(sequence_paths)}
        data = yield Request("GET", "/api/internal/App/MeasurementList", params=params, headers=self._referer())
        return [MeasurementData.model_validate(row) for row in data or []]

    @operation
    def get_step_status_list(self, filter: FilterLike = None,
                             step_paths: str | Iterable[str] | None = None,
                             sequence_paths: str | Iterable[str] | None = None,
                             **fields: Any) -> Generator[Request, Any, list[StepStatus]]:
        """Each execution of the given steps with its status (``POST /api/internal/App/StepStatusList``)."""
        params = {"stepFilters": self._step_filters(step_paths), "sequenceFilters": self._step_filters(sequence_paths)}
        data = yield Request("POST", "/api/internal/App/StepStatusList", params=params,
                             json=build_filter(filter, **fields).to_wire(), headers=self._referer(), idempotent=True)
        return [StepStatus.model_validate(row) for row in data or []]

    @operation
    def get_step_status_list_recent(self, days: int, step_paths: str | Iterable[str] | None = None,
                                    sequence_paths: str | Iterable[str] | None = None,
                                    product_group_ids: int | str | Iterable[int | str] | None = None,
                                    level_ids: int | str | Iterable[int | str] | None = None
                                    ) -> Generator[Request, Any, list[StepStatus]]:
        """Step executions of the last ``days`` days (``GET /api/internal/App/StepStatusList``)."""
        params = {**_recent(days, product_group_ids, level_ids), "stepFilters": self._step_filters(step_paths),
                  "sequenceFilters": self._step_filters(sequence_paths)}
        data = yield Request("GET", "/api/internal/App/StepStatusList", params=params, headers=self._referer())
        return [StepStatus.model_validate(row) for row in data or []]

    @operation
    def get_alarm_logs(self, filter: FilterLike = None,
                       include_types: Iterable[int] | None = None, include_calculation: bool | None = None,
                       **fields: Any) -> Generator[Request, Any, list[AlarmLogEntry]]:
        """Alarm and notification log entries (``POST /api/internal/Trigger/GetAlarmAndNotificationLogs``,
        internal); ``include_types`` e.g. ``[1]`` for yield alarms, ``[2]`` for asset alarms."""
        params = {"includeTypes": None if include_types is None else ";".join(str(t) for t in include_types),
                  "includeCalculationString": include_calculation}
        data = yield Request("POST", "/api/internal/Trigger/GetAlarmAndNotificationLogs", params=params,
                             json=build_filter(filter, **fields).to_wire(), headers=self._referer(), idempotent=True)
        return [AlarmLogEntry.model_validate(row) for row in data or []]
