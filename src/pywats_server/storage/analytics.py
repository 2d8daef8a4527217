"""Statistics for ``/api/App/*`` computed from the stored reports.

Plain Python over the stored headers and WSJF bodies: correct and simple at local-server
scale. The only SQL here is a read of the ``reports`` table (joined with ``products`` for
the product name and group); everything else works on header dicts as produced by
:func:`pywats_server.storage.reports.header_from_row`.

Local-server stand-ins: a report's ``productGroup`` is its product's category name (``PUT
/api/Product`` ``productCategoryName``) and its ``level`` is its ``location``; ``swFilename``/
``swVersion`` are not stored, so filtering on them matches nothing.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InputError
from ..timefmt import format_utc_full, parse_wsjf_time
from .reports import header_from_row

__all__ = [
    "FilterError",
    "WatsFilter",
    "parse_filter",
    "load_reports",
    "uut_reports",
    "dynamic_yield",
    "top_failed",
    "measurements",
    "aggregate_measurements",
    "serial_number_history",
    "PATH_SEP",
]

PATH_SEP = "\u00b6"
MAX_MEASUREMENTS = 10000

_HEADER_COLUMNS = (
    "r.report_id, r.uuid, r.report_type, r.part_number, r.serial_number, r.revision, r.process_code,"
    " r.process_name, r.result, r.start_utc, r.start_utc_full, r.station_name, r.location, r.purpose,"
    " r.user_name, r.batch_number, r.comment, r.execution_time, r.fixture_id, r.test_socket_index,"
    " r.error_code, r.error_message, r.run, r.receive_count, r.referenced_uut, r.time_stamp, r.report_size,"
    " r.collections, p.name AS product_name, p.product_category_name AS product_group"
)

_TEXT_FIELDS = {
    # filter field -> header key
    "serialNumber": "serialNumber",
    "partNumber": "partNumber",
    "revision": "revision",
    "batchNumber": "batchNumber",
    "stationName": "stationName",
    "testOperation": "processName",
    "status": "result",
    "productGroup": "productGroup",
    "level": "level",
    "swFilename": "swFilename",
    "swVersion": "swVersion",
}
_INT_FIELDS = ("yield", "socket", "dateGrouping", "periodCount", "maxCount", "minCount", "topCount", "run")
_KNOWN = {
    *_TEXT_FIELDS, *_INT_FIELDS, "miscDescription", "miscValue", "dateFrom", "dateTo", "includeCurrentPeriod",
    "dimensions", "measurementPaths", "miscInfoDescription", "miscInfoString", "assetSerialNumber", "assetName",
}
_STATUS_LETTERS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated", "D": "Done"}


FilterError = InputError  # the one input-error type (errors.InputError); name kept for callers


@dataclass
class WatsFilter:
    """A parsed ``PublicWatsFilter``: wildcard matchers for text fields plus the numbers."""

    text: dict[str, Callable[[Any], bool]] = field(default_factory=dict)
    misc_description: Callable[[Any], bool] | None = None
    misc_value: Callable[[Any], bool] | None = None
    socket: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    date_grouping: int | None = None
    period_count: int | None = None
    max_count: int | None = None
    min_count: int | None = None
    top_count: int | None = None
    run: int | None = None
    dimensions: str | None = None
    raw: dict[str, str] = field(default_factory=dict)

    def matches(self, header: dict[str, Any]) -> bool:
        """True when the report header passes every given criterion except ``run``."""
        for key, test in self.text.items():
            if not test(header.get(key)):
                return False
        if self.socket is not None and header.get("testSocketIndex") != self.socket:
            return False
        if self.date_from is not None or self.date_to is not None:
            start = header["_start"]
            if self.date_from is not None and start < self.date_from:
                return False
            if self.date_to is not None and start > self.date_to:
                return False
        if self.misc_description is not None or self.misc_value is not None:
            misc = (header.get("miscInfo") or []) + (header.get("uurMiscInfo") or [])
            if not any((self.misc_description is None or self.misc_description(m.get("description")))
                       and (self.misc_value is None or self.misc_value(m.get("value"))) for m in misc):
                return False
        return True


def wildcard(pattern: str, field_name: str) -> Callable[[Any], bool]:
    """A case-insensitive matcher for a WATS wildcard text: ``;`` alternatives, ``%`` any text,
    ``_`` one character."""
    alternatives = [p.strip() for p in pattern.split(";") if p.strip()]
    if not alternatives:
        raise FilterError(f"{field_name}: empty value")
    regex = "|".join(
        "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in alt) for alt in alternatives
    )
    compiled = re.compile(f"(?:{regex})", re.IGNORECASE | re.DOTALL)

    def test(value: Any) -> bool:
        return value is not None and compiled.fullmatch(str(value)) is not None

    return test


def _int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise FilterError(f"{key}: must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FilterError(f"{key}: must be an integer, not {value!r}") from None


def _date(body: dict[str, Any], key: str) -> datetime | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    try:
        return parse_wsjf_time(str(value), require_offset=False).astimezone(timezone.utc)
    except ValueError as exc:
        raise FilterError(f"{key}: {exc}") from None


def parse_filter(body: Any) -> WatsFilter:
    """Parse a filter body (field names case-insensitive); :class:`FilterError` names a bad field."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise FilterError("body: must be a filter object")
    canon = {k.lower(): k for k in _KNOWN}
    data: dict[str, Any] = {}
    for key, value in body.items():
        real = canon.get(str(key).lower())
        if real is not None:
            data[real] = value
    out = WatsFilter()
    for fname, header_key in _TEXT_FIELDS.items():
        value = data.get(fname)
        if value is None or value == "":
            continue
        if fname == "status":
            value = ";".join(_STATUS_LETTERS.get(v.strip().upper(), v.strip()) for v in str(value).split(";"))
        if fname == "testOperation" and str(value).strip().isdigit():
            out.text["processCode"] = wildcard(str(value), fname)
            continue
        out.text[header_key] = wildcard(str(value), fname)
        out.raw[fname] = str(value)
    if data.get("miscDescription"):
        out.misc_description = wildcard(str(data["miscDescription"]), "miscDescription")
    if data.get("miscValue"):
        out.misc_value = wildcard(str(data["miscValue"]), "miscValue")
    out.socket = _int(data, "socket")
    out.date_from = _date(data, "dateFrom")
    out.date_to = _date(data, "dateTo")
    out.date_grouping = _int(data, "dateGrouping")
    if out.date_grouping is not None and not -1 <= out.date_grouping <= 5:
        raise FilterError("dateGrouping: must be -1 (none) … 5 (hour)")
    out.period_count = _int(data, "periodCount")
    out.max_count = _int(data, "maxCount")
    out.min_count = _int(data, "minCount")
    out.top_count = _int(data, "topCount")
    out.run = _int(data, "run")
    if out.run is not None and out.run not in (1, 2, 3, -1, -2):
        raise FilterError("run: must be 1, 2, 3, -1 (last) or -2 (all)")
    for key in ("maxCount", "topCount"):
        value = getattr(out, "max_count" if key == "maxCount" else "top_count")
        if value is not None and value < 0:
            raise FilterError(f"{key}: must not be negative")
    dims = data.get("dimensions")
    out.dimensions = str(dims) if dims else None
    return out


# -- loading ---------------------------------------------------------------------------------


def _prefilter(filt: WatsFilter | None) -> tuple[list[str], list[Any]]:
    """SQL conditions that keep a superset of the reports ``filt`` matches (so fewer bodies are
    read): serial/part number patterns via ``LIKE`` (same ``%``/``_`` wildcards, ASCII
    case-insensitive, so only ASCII patterns are pushed down) and the date range."""
    where: list[str] = []
    params: list[Any] = []
    if filt is None:
        return where, params
    for fname, column in (("serialNumber", "r.serial_number"), ("partNumber", "r.part_number")):
        pattern = filt.raw.get(fname)
        if not pattern or not pattern.isascii():
            continue
        alternatives = [p.strip() for p in pattern.split(";") if p.strip()]
        where.append("(" + " OR ".join(f"{column} LIKE ?" for _ in alternatives) + ")")
        params.extend(alternatives)
    if filt.date_from is not None:
        where.append("r.start_utc_full >= ?")
        params.append(format_utc_full(filt.date_from))
    if filt.date_to is not None:
        where.append("r.start_utc_full <= ?")
        params.append(format_utc_full(filt.date_to + timedelta(milliseconds=1)))
    return where, params


def load_reports(
    conn: sqlite3.Connection, report_type: str | None, with_body: bool = False, filt: WatsFilter | None = None
) -> list[dict[str, Any]]:
    """Header dicts of the stored reports of ``report_type`` (``T``/``R``/None = both), oldest
    first, with ``productName``, ``productGroup``, ``level`` and ``_start`` (a datetime) added,
    and ``_body`` (the WSJF dict) when ``with_body``. With ``filt`` the matching reports (all
    criteria but ``run``) only."""
    cols = _HEADER_COLUMNS + (", r.body" if with_body else "")
    sql = f"SELECT {cols} FROM reports r LEFT JOIN products p ON p.part_number = r.part_number"
    where, params = _prefilter(filt)
    if report_type:
        where.append("r.report_type=?")
        params.append(report_type)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY r.start_utc_full, r.time_stamp"
    out = []
    for row in conn.execute(sql, params):
        header = header_from_row(row)
        header["productName"] = row["product_name"]
        header["productGroup"] = row["product_group"]
        header["level"] = row["location"]  # no station→level registry here: a report's level is its location
        header["_start"] = parse_wsjf_time(row["start_utc_full"]).astimezone(timezone.utc)
        if with_body:
            try:
                header["_body"] = json.loads(row["body"])
            except ValueError:
                header["_body"] = {}
        if filt is None or filt.matches(header):
            out.append(header)
    return out


def public(header: dict[str, Any]) -> dict[str, Any]:
    """The header without the private ``_`` keys."""
    return {k: v for k, v in header.items() if not k.startswith("_")}


def _unit_runs(headers: list[dict[str, Any]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Reports grouped per unit and operation, each list in start order (run 1 first)."""
    runs: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for h in headers:
        runs[(h["serialNumber"].lower(), h["partNumber"].lower(), h["processCode"])].append(h)
    return runs


def apply_run(headers: list[dict[str, Any]], run: int | None) -> list[dict[str, Any]]:
    """Keep run ``run`` (1–3), the last run (-1) or all (-2/None) of each unit in each operation,
    counted in start order among ``headers``."""
    if run is None or run == -2:
        return headers
    keep: set[int] = set()
    for reports in _unit_runs(headers).values():
        if run == -1:
            keep.add(id(reports[-1]))
        elif len(reports) >= run:
            keep.add(id(reports[run - 1]))
    return [h for h in headers if id(h) in keep]


def _newest(headers: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    ordered = sorted(headers, key=lambda h: (h["_start"], h["timeStamp"]), reverse=True)
    return ordered[:count]


def uut_reports(conn: sqlite3.Connection, body: Any, report_type: str) -> list[dict[str, Any]]:
    """Headers of the newest matching reports of ``report_type`` (``topCount``, default 1000)."""
    filt = parse_filter(body)
    headers = load_reports(conn, report_type, filt=filt)
    headers = apply_run(headers, filt.run)
    top = 1000 if filt.top_count is None else filt.top_count
    return [public(h) for h in _newest(headers, top)]


def serial_number_history(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Every test and repair report of the matching units, oldest first (``topCount``, default 1000)."""
    filt = parse_filter(body)
    matching = load_reports(conn, None, filt=filt)
    units = {(h["serialNumber"].lower(), h["partNumber"].lower()) for h in matching}
    serials = sorted({sn for sn, _ in units})
    narrow = None
    if 0 < len(serials) <= 500 and not any(";" in sn for sn in serials):
        narrow = WatsFilter(raw={"serialNumber": ";".join(serials)})  # SQL pre-selection only
    history = [h for h in (load_reports(conn, None, filt=narrow) if units else [])
               if (h["serialNumber"].lower(), h["partNumber"].lower()) in units]
    top = 1000 if filt.top_count is None else filt.top_count
    return [public(h) for h in history[:top]]


# -- yield ------------------------------------------------------------------------------------

_DIMENSIONS: dict[str, str | None] = {
    # dimension (lower case) -> header key; None = computed
    "partnumber": "partNumber",
    "revision": "revision",
    "productname": "productName",
    "productgroup": "productGroup",
    "stationname": "stationName",
    "location": "location",
    "purpose": "purpose",
    "testoperation": "processName",
    "processcode": "processCode",
    "swfilename": "swFilename",
    "swversion": "swVersion",
    "level": "level",
    "batchnumber": "batchNumber",
    "operator": "userName",
    "fixtureid": "fixtureId",
    "socketindex": "testSocketIndex",
    "errorcode": "errorCode",
    "period": None,
    "stepcauseduutfailure": None,
    "steppathcauseduutfailure": None,
}
_DIMENSION_NAMES = {
    "partnumber": "partNumber", "revision": "revision", "productname": "productName",
    "productgroup": "productGroup", "stationname": "stationName", "location": "location", "purpose": "purpose",
    "testoperation": "testOperation", "processcode": "processCode", "swfilename": "swFilename",
    "swversion": "swVersion", "level": "level", "batchnumber": "batchNumber", "operator": "operator",
    "fixtureid": "fixtureId", "socketindex": "socketIndex", "errorcode": "errorCode", "period": "period",
    "stepcauseduutfailure": "stepCausedUutFailure", "steppathcauseduutfailure": "stepPathCausedUutFailure",
}
YIELD_KEYS = ("partNumber", "revision", "productName", "productGroup", "stationName", "testOperation", "period")


def parse_dimensions(text: str | None) -> list[tuple[str, bool | None]]:
    """``"partNumber;period desc"`` → [(canonical name, descending or None)]; 400 for unknown names."""
    out: list[tuple[str, bool | None]] = []
    for part in (text or "").split(";"):
        bits = part.split()
        if not bits:
            continue
        name = bits[0]
        if name.lower() not in _DIMENSION_NAMES:
            raise FilterError(f"dimensions: unknown or unsupported dimension {name!r}; supported: "
                              f"{', '.join(_DIMENSION_NAMES.values())}")
        direction: bool | None = None
        if len(bits) > 1:
            word = bits[1].lower()
            if word not in ("asc", "desc") or len(bits) > 2:
                raise FilterError(f"dimensions: {part.strip()!r}: only 'asc' or 'desc' may follow a name")
            direction = word == "desc"
        out.append((_DIMENSION_NAMES[name.lower()], direction))
    return out


def period_label(start: datetime, grouping: int | None) -> str | None:
    """The period a UTC start time falls in (``dateGrouping``; default day)."""
    g = 4 if grouping is None else grouping
    if g == -1:
        return None
    if g == 0:
        return f"{start.year}"
    if g == 1:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if g == 2:
        return start.strftime("%Y-%m")
    if g == 3:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if g == 4:
        return start.strftime("%Y-%m-%d")
    return start.strftime("%Y-%m-%dT%H")


def _failure_step(body: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(step name, step path, step type) of the step that caused the unit to fail: the first
    step flagged ``causedUUTFailure``, else the deepest first failed step."""
    flagged: tuple[str, str, str | None] | None = None
    first_failed: tuple[str, str, str | None] | None = None
    for step, path in iter_steps(body):
        if step.get("causedUUTFailure") is True and flagged is None:
            flagged = (str(step.get("name")), path, step.get("stepType"))
        if step.get("status") == "F" and first_failed is None and not _has_failed_child(step):
            first_failed = (str(step.get("name")), path, step.get("stepType"))
    return flagged or first_failed


def _has_failed_child(step: dict[str, Any]) -> bool:
    return any(isinstance(c, dict) and c.get("status") == "F" for c in step.get("steps") or [])


def iter_steps(body: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Every step below the root sequence in report order, with its path (names joined by ``¶``,
    the root itself not included)."""
    root = body.get("root")
    if not isinstance(root, dict):
        return
    stack: list[tuple[dict[str, Any], str]] = [
        (c, str(c.get("name", ""))) for c in reversed(root.get("steps") or []) if isinstance(c, dict)
    ]
    while stack:
        step, path = stack.pop()
        yield step, path
        children = [c for c in step.get("steps") or [] if isinstance(c, dict)]
        stack.extend((c, f"{path}{PATH_SEP}{c.get('name', '')}") for c in reversed(children))


def _pct(count: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * count / total, 2)


def dynamic_yield(conn: sqlite3.Connection, body: Any, dimensions: str | None) -> list[dict[str, Any]]:
    """Yield rows grouped by ``dimensions`` (query) or the filter's ``dimensions``.

    Units are (serial number, part number, operation); their runs are their matching test
    reports in start order. A unit counts as first-pass when run 1 passed, second-pass when
    run 1 or 2 passed, third-pass when one of runs 1–3 passed, last-pass when its last run
    passed. A unit's dimension values come from its first run (``period`` from its start).
    """
    filt = parse_filter(body)
    dims = parse_dimensions(dimensions or filt.dimensions)
    names = [d for d, _ in dims]
    need_body = any(n in ("stepCausedUutFailure", "stepPathCausedUutFailure") for n in names)
    headers = load_reports(conn, "T", with_body=need_body, filt=filt)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for runs in _unit_runs(headers).values():
        first = runs[0]
        failure = _failure_step(first.get("_body") or {}) if need_body and first["result"] != "Passed" else None
        values = []
        for name in names:
            if name == "period":
                values.append(period_label(first["_start"], filt.date_grouping))
            elif name == "stepCausedUutFailure":
                values.append(failure[0] if failure else None)
            elif name == "stepPathCausedUutFailure":
                values.append(failure[1] if failure else None)
            else:
                values.append(first.get(_DIMENSIONS[name.lower()] or ""))
        passed = [r["result"] == "Passed" for r in runs]
        counts = groups.setdefault(tuple(values), [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += passed[0]
        counts[2] += any(passed[:2])
        counts[3] += any(passed[:3])
        counts[4] += passed[-1]
    if "period" in names and filt.period_count:
        idx = names.index("period")
        periods = sorted({k[idx] for k in groups if k[idx] is not None}, reverse=True)[: filt.period_count]
        groups = {k: v for k, v in groups.items() if k[idx] in set(periods)}
    rows = []
    for key, (units, fp, sp, tp, lp) in groups.items():
        if filt.min_count is not None and units < filt.min_count:
            continue
        row: dict[str, Any] = {k: None for k in YIELD_KEYS}
        row.update(zip(names, key))
        row.update({"unitCount": units, "fpCount": fp, "spCount": sp, "tpCount": tp, "lpCount": lp,
                    "fpy": _pct(fp, units), "spy": _pct(sp, units), "tpy": _pct(tp, units), "lpy": _pct(lp, units)})
        rows.append(row)
    for name, desc in reversed(dims):
        rows.sort(key=_dimension_key(name), reverse=bool(desc))
    limit = filt.top_count if filt.top_count is not None else filt.max_count
    return rows if limit is None else rows[:limit]


# -- failures and measurements ------------------------------------------------------------------


def top_failed(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Steps that caused failed test reports, most frequent first (``topCount``, default 10).

    ``failCount``: matching failed reports whose failure this step caused; ``totalCount``: matching
    reports of the same product revision and operation.
    """
    filt = parse_filter(body)
    headers = apply_run(load_reports(conn, "T", with_body=True, filt=filt), filt.run)
    totals: dict[tuple[Any, ...], int] = defaultdict(int)
    fails: dict[tuple[Any, ...], list[Any]] = {}
    for h in headers:
        group = (h["partNumber"], h["revision"], h["processName"])
        totals[group] += 1
        if h["result"] != "Failed":
            continue
        failure = _failure_step(h.get("_body") or {})
        if failure is None:
            continue
        entry = fails.setdefault((*group, failure[1]), [failure[0], failure[2], 0])
        entry[2] += 1
    rows = []
    for (pn, rev, op, path), (name, stype, count) in fails.items():
        total = totals[(pn, rev, op)]
        rows.append({"partNumber": pn, "revision": rev, "testOperation": op, "stepName": name, "stepPath": path,
                     "stepType": stype, "failCount": count, "totalCount": total, "failPercent": _pct(count, total)})
    rows.sort(key=lambda r: (-r["failCount"], r["partNumber"], r["stepPath"]))
    top = 10 if filt.top_count is None else filt.top_count
    return rows[:top]


def _path_matchers(paths: str | None) -> list[Callable[[str], bool]] | None:
    if paths is None or not paths.strip():
        return None
    out = [wildcard(p.strip(), "measurementPaths") for p in paths.split(";") if p.strip()]
    return out or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _report_measurements(h: dict[str, Any], matchers: list[Callable[[str], bool]] | None) -> Iterator[dict[str, Any]]:
    body = h.get("_body") or {}
    root_name = str((body.get("root") or {}).get("name", ""))
    for step, path in iter_steps(body):
        meas = step.get("numericMeas")
        if not isinstance(meas, list):
            continue
        multi = len(meas) > 1 or any(isinstance(m, dict) and m.get("name") for m in meas)
        for m in meas:
            if not isinstance(m, dict):
                continue
            mname = m.get("name") if multi else None
            full = f"{path}{PATH_SEP}{PATH_SEP}{mname}" if mname else path
            if matchers is not None:
                candidates = [path, full, f"{root_name}{PATH_SEP}{path}", f"{root_name}{PATH_SEP}{full}"]
                if not any(test(c) for test in matchers for c in candidates):
                    continue
            yield {
                "reportId": h["uuid"], "serialNumber": h["serialNumber"], "partNumber": h["partNumber"],
                "revision": h["revision"], "start": h["start"], "stationName": h["stationName"],
                "testOperation": h["processName"], "measurementPath": full, "stepName": step.get("name"),
                "measurementName": mname, "value": _number(m.get("value")), "unit": m.get("unit"),
                "status": _STATUS_LETTERS.get(str(m.get("status")), m.get("status")), "compOp": m.get("compOp"),
                "lowLimit": _number(m.get("lowLimit")), "highLimit": _number(m.get("highLimit")),
            }


def measurements(conn: sqlite3.Connection, body: Any, paths: str | None) -> list[dict[str, Any]]:
    """Numeric measurements of the steps matching ``paths`` (``;``-separated, ``¶`` between
    step names, ``¶¶`` before a measurement name, wildcards allowed; none = every numeric
    step), newest report first, at most ``maxCount`` (default and maximum 10000)."""
    filt = parse_filter(body)
    matchers = _path_matchers(paths)
    headers = apply_run(load_reports(conn, "T", with_body=True, filt=filt), filt.run)
    limit = min(MAX_MEASUREMENTS, filt.max_count if filt.max_count is not None else MAX_MEASUREMENTS)
    out: list[dict[str, Any]] = []
    for h in _newest(headers, len(headers)):
        for row in _report_measurements(h, matchers):
            if len(out) >= limit:
                return out
            out.append(row)
    return out


def aggregate_measurements(conn: sqlite3.Connection, body: Any, paths: str | None) -> list[dict[str, Any]]:
    """Per measurement path: count, fail count, min, max, avg, sample stdev and — when both
    limits are known (the newest values') — Cp and Cpk."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in measurements(conn, body, paths):
        groups[row["measurementPath"]].append(row)
    out = []
    for path, rows in sorted(groups.items()):
        values = [r["value"] for r in rows if r["value"] is not None]
        n = len(values)
        avg = sum(values) / n if n else None
        stdev = math.sqrt(sum((v - avg) ** 2 for v in values) / (n - 1)) if n > 1 and avg is not None else None
        low, high = rows[0]["lowLimit"], rows[0]["highLimit"]
        cp = cpk = None
        if low is not None and high is not None and stdev and avg is not None:
            cp = round((high - low) / (6 * stdev), 4)
            cpk = round(min(high - avg, avg - low) / (3 * stdev), 4)
        out.append({
            "measurementPath": path, "unit": rows[0]["unit"], "count": n,
            "failCount": sum(1 for r in rows if r["status"] == "Failed"),
            "min": min(values) if values else None, "max": max(values) if values else None,
            "avg": avg, "stdev": stdev, "lowLimit": low, "highLimit": high, "cp": cp, "cpk": cpk,
        })
    return out


def _dimension_key(name: str) -> Callable[[dict[str, Any]], tuple[bool, str]]:
    """Sort key for one yield dimension: missing values first, then by text."""
    return lambda r: (r[name] is not None, str(r[name]) if r[name] is not None else "")
