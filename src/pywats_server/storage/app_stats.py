"""More ``/api/App/*`` statistics computed from the stored reports: volume/yield lists
(HighVolume, WorstYield, VolumeYield and their by-product-group forms), DynamicRepair,
RelatedRepairHistory, OeeAnalysis and TestStepAnalysis, plus the query-parameter forms of
TopFailed and UutReport (turned into filter bodies)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import timedelta
from typing import Any

from ..errors import InputError
from ..timefmt import now_utc
from .analytics import (
    _number,
    _pct,
    apply_run,
    dynamic_yield,
    iter_steps,
    load_reports,
    parse_filter,
    period_label,
    top_failed,
    uut_reports,
)

__all__ = [
    "yield_list", "query_filter", "top_failed_by_query", "uut_reports_by_query", "dynamic_repair",
    "related_repair_history", "oee_analysis", "test_step_analysis",
]

#: list name → (dimensions, sort key, descending)
_LISTS = {
    "HighVolume": ("partNumber;productName", "unitCount", True),
    "WorstYield": ("partNumber;productName", "fpy", False),
    "VolumeYield": ("partNumber;productName", "unitCount", True),
    "HighVolumeByProductGroup": ("productGroup", "unitCount", True),
    "WorstYieldByProductGroup": ("productGroup", "fpy", False),
}


def _names(conn: sqlite3.Connection, table: str, id_col: str, name_col: str, ids: str | None) -> str | None:
    if not ids:
        return None
    names = []
    for part in ids.split(";"):
        part = part.strip()
        if not part:
            continue
        row = conn.execute(f"SELECT {name_col} FROM {table} WHERE CAST({id_col} AS TEXT)=?", (part,)).fetchone()
        names.append(str(row[0]) if row else part)
    return ";".join(names) or None


def query_filter(conn: sqlite3.Connection, days: int | None, product_group_ids: str | None,
                 level_ids: str | None, **fields: Any) -> dict[str, Any]:
    """A filter body from the query-parameter forms: the last ``days`` days, product groups
    and levels by id (``;``-separated), plus other filter fields given."""
    body: dict[str, Any] = {k: v for k, v in fields.items() if v not in (None, "")}
    if days is not None:
        if days < 0:
            raise InputError("days: must not be negative")
        body["dateFrom"] = (now_utc() - timedelta(days=days)).isoformat()
    group = _names(conn, "product_groups", "product_group_id", "product_group_name", product_group_ids)
    level = _names(conn, "levels", "level_id", "level_name", level_ids)
    if group:
        body["productGroup"] = group
    if level:
        body["level"] = level
    return body


def yield_list(conn: sqlite3.Connection, body: Any, kind: str) -> list[dict[str, Any]]:
    """Yield rows per product (or product group) sorted by volume or by lowest first-pass yield;
    ``topCount`` keeps the first rows, ``minCount`` drops small groups."""
    dims, key, descending = _LISTS[kind]
    top = parse_filter(body).top_count  # rejects a body that is not a filter object
    data = dict(body or {})
    data = {k: v for k, v in data.items() if k.lower() not in ("topcount", "maxcount")}
    rows = dynamic_yield(conn, data, dims)
    sign = -1 if descending else 1
    rows.sort(key=lambda r: (r[key] is None, sign * (r[key] or 0)))
    return rows if top is None else rows[:top]


def top_failed_by_query(conn: sqlite3.Connection, part_number: str | None, process_code: str | None,
                        groups: str | None, levels: str | None, days: int | None, count: int | None) -> list[dict[str, Any]]:
    """GET TopFailed: the steps causing failures of ``part_number`` in operation ``process_code``."""
    body = query_filter(conn, days, groups, levels, partNumber=part_number, testOperation=process_code,
                        topCount=count)
    return top_failed(conn, body)


def uut_reports_by_query(conn: sqlite3.Connection, fields: dict[str, Any], groups: str | None,
                         levels: str | None) -> list[dict[str, Any]]:
    """GET UutReport: the newest 1000 test report headers matching the query fields."""
    return uut_reports(conn, query_filter(conn, None, groups, levels, **fields), "T")


_REPAIR_DIMENSIONS = {
    "partnumber": "partNumber", "revision": "revision", "productname": "productName",
    "productgroup": "productGroup", "unittype": "partNumber", "repairoperation": "processName",
    "stationname": "stationName", "level": "level", "location": "location", "operator": "userName",
    "batchnumber": "batchNumber",
}


def dynamic_repair(conn: sqlite3.Connection, body: Any, dimensions: str | None) -> list[dict[str, Any]]:
    """Repair statistics grouped by ``dimensions`` (partNumber, revision, productName,
    productGroup, unitType, repairOperation, stationName, level, operator, batchNumber,
    period, repairCode, repairCategory, componentRef): ``repairCount`` (repair reports),
    ``unitCount`` (units repaired) and ``failureCount`` (failures recorded)."""
    filt = parse_filter(body)
    names = [d.strip().split()[0] for d in (dimensions or filt.dimensions or "").split(";") if d.strip()]
    per_failure = {"repaircode", "repaircategory", "componentref"}
    for name in names:
        if name.lower() not in _REPAIR_DIMENSIONS and name.lower() not in per_failure | {"period"}:
            raise InputError(f"dimensions: unknown repair dimension {name!r}")
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for h in load_reports(conn, "R", with_body=True, filt=filt):
        failures = [f for sub in (h.get("_body") or {}).get("subUnits") or [] for f in sub.get("failures") or []]
        expanded = failures if any(n.lower() in per_failure for n in names) else [None]
        for failure in expanded or [None]:
            key = []
            for name in names:
                low = name.lower()
                if low == "period":
                    key.append(period_label(h["_start"], filt.date_grouping))
                elif low in per_failure:
                    field = {"repaircode": "code", "repaircategory": "category", "componentref": "comRef"}[low]
                    key.append((failure or {}).get(field))
                else:
                    key.append(h.get(_REPAIR_DIMENSIONS[low]))
            entry = groups.setdefault(tuple(key), [0, set(), 0])
            entry[0] += 1
            entry[1].add((h["serialNumber"].lower(), h["partNumber"].lower()))
            entry[2] += len(failures) if failure is None else 1
    rows = [{**dict(zip(names, key)), "repairCount": n, "unitCount": len(units), "failureCount": f}
            for key, (n, units, f) in groups.items()]
    rows.sort(key=lambda r: -r["repairCount"])
    return rows if filt.top_count is None else rows[:filt.top_count]


def related_repair_history(conn: sqlite3.Connection, part_number: str, revision: str,
                           repair_code: str | None, test_code: str | None) -> list[dict[str, Any]]:
    """Failures repaired on units of ``part_number`` / ``revision``: one row per failure with
    the repair report, its operation, the failed test operation and the failure's facts."""
    body: dict[str, Any] = {"partNumber": part_number, "revision": revision}
    if repair_code:
        body["testOperation"] = repair_code
    out = []
    for h in load_reports(conn, "R", with_body=True, filt=parse_filter(body)):
        doc = h.get("_body") or {}
        tested = (doc.get("uur") or {}).get("processCode")
        if test_code and str(tested) != str(test_code):
            continue
        for sub in doc.get("subUnits") or []:
            for failure in sub.get("failures") or []:
                out.append({
                    "reportId": h["uuid"], "serialNumber": h["serialNumber"], "partNumber": h["partNumber"],
                    "revision": h["revision"], "repairOperationCode": h["processCode"],
                    "repairOperation": h["processName"], "testOperationCode": tested,
                    "repairDate": h["start"], "subUnitPartNumber": sub.get("pn"), "subUnitSerialNumber": sub.get("sn"),
                    "failCategory": failure.get("category"), "failCode": failure.get("code"),
                    "componentReference": failure.get("comRef"), "comment": failure.get("comment"),
                })
    return out


def oee_analysis(conn: sqlite3.Connection, body: Any, available_hours: list[float], target_output: int | None,
                 min_exec: int | None, max_exec: int | None) -> dict[str, Any]:
    """Overall equipment effectiveness of the matching test reports.

    Availability = test time / available time (``availableTime`` hours per weekday, Monday
    first, over the days the reports span); performance = output / target output (or 1 when
    no target); quality = passed / all units tested. OEE is their product. Values are
    percentages; execution times outside ``min``/``max`` (seconds) are left out.
    """
    if len(available_hours) != 7 or any(h < 0 or h > 24 for h in available_hours):
        raise InputError("availableTime: seven hour counts (0–24), Monday first, e.g. 24,24,24,24,24,24,24")
    headers = apply_run(load_reports(conn, "T", filt=parse_filter(body)), None)
    kept = []
    for h in headers:
        secs = _number(h.get("executionTime")) or 0.0
        if (min_exec is not None and secs < min_exec) or (max_exec is not None and secs > max_exec):
            continue
        kept.append((h, secs))
    days = sorted({h["_start"].date() for h, _ in kept})
    available = sum(available_hours[d.weekday()] for d in days) * 3600.0
    run_time = sum(secs for _, secs in kept)
    passed = sum(1 for h, _ in kept if h["result"] == "Passed")
    availability = min(1.0, run_time / available) if available else 0.0
    target = (target_output or 0) * len(days)
    performance = min(1.0, len(kept) / target) if target else 1.0
    quality = passed / len(kept) if kept else 0.0
    return {
        "reportCount": len(kept), "passedCount": passed, "days": len(days), "runTime": round(run_time, 3),
        "availableTime": available, "availability": round(100 * availability, 2),
        "performance": round(100 * performance, 2), "quality": round(100 * quality, 2),
        "oee": round(100 * availability * performance * quality, 2),
    }


_STEP_STATUS_COUNTS = {"P": "stepPassedCount", "D": "stepDoneCount", "S": "stepSkippedCount", "F": "stepFailedCount",
                       "E": "stepErrorCount", "T": "stepTerminatedCount"}


def test_step_analysis(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Per step path of the matching test reports: how often it ran, passed, failed, was
    skipped or errored, and the numeric measurement statistics (min, max, average)."""
    filt = parse_filter(body)
    stats: dict[tuple[str, str, str], dict[str, Any]] = {}
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for h in apply_run(load_reports(conn, "T", with_body=True, filt=filt), filt.run):
        for step, path in iter_steps(h.get("_body") or {}):
            key = (h["partNumber"], h["processName"], path)
            row = stats.setdefault(key, {
                "partNumber": h["partNumber"], "testOperation": h["processName"], "stepName": step.get("name"),
                "stepPath": path, "stepType": step.get("stepType"), "stepGroup": step.get("group"), "stepCount": 0,
                "stepPassedCount": 0, "stepDoneCount": 0, "stepSkippedCount": 0, "stepFailedCount": 0,
                "stepErrorCount": 0, "stepTerminatedCount": 0, "stepOtherCount": 0, "stepCausedUutFailed": 0,
            })
            row["stepCount"] += 1
            status = step.get("status")
            row[_STEP_STATUS_COUNTS.get(str(status), "stepOtherCount")] += 1
            if step.get("causedUUTFailure") is True:
                row["stepCausedUutFailed"] += 1
            for meas in step.get("numericMeas") or []:
                number = _number(meas.get("value"))
                if number is not None:
                    values[key].append(number)
    out = []
    for key, row in stats.items():
        nums = values.get(key) or []
        row.update({"measureCount": len(nums), "min": min(nums) if nums else None, "max": max(nums) if nums else None,
                    "avg": round(sum(nums) / len(nums), 6) if nums else None,
                    "stepFailedPercent": _pct(row["stepFailedCount"], row["stepCount"])})
        out.append(row)
    return out
