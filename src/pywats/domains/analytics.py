"""``api.analytics``: yield, failures, measurements and report lists (reference §2.8).

Every method takes a :class:`~pywats.models.analytics.WATSFilter` (or a dict with the wire
or Python names, or ``None``) plus keyword overrides of its fields, e.g.
``api.analytics.get_dynamic_yield(part_number="WIDGET-100", dimensions=["stationName"])``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.analytics import (
    MEASUREMENT_PATH_SEPARATOR,
    AggregatedMeasurement,
    MeasurementData,
    TopFailedStep,
    WATSFilter,
    YieldData,
)
from pywats.models.report_header import ReportHeader

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
