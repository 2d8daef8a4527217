"""Validation of submitted WSJF reports, and extraction of their header data.

:func:`validate_report` checks the fields the WATS REST API requires and
raises :class:`~pywats_server.wire.ApiError` (400) whose message starts with the path of
the offending field, e.g. ``root.steps[2].numericMeas[0].status: ...``. On success it
returns a :class:`ReportFacts` with the derived header columns and the decoded attachments.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .storage.processes import ProcessCatalog
from .timefmt import parse_wsjf_time
from .wire import ApiError

__all__ = ["ReportFacts", "Attachment", "validate_report"]

_GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$")
REPORT_RESULTS = ("P", "F", "E", "T")
"""Report ``result`` letters, UUT and UUR alike. ``D`` (Done) is a
step status only: pyWATS 0.x allowed it on a report, but the server schema has just these
four and real WATS may reject it, so this server refuses it."""
STEP_STATUSES = {"P", "F", "D", "S", "E", "T", "U"}
STEP_GROUPS = {"S", "M", "C"}
COMP_OPS = {
    "LOG", "EQ", "NE", "GT", "GE", "LT", "LE", "GTLT", "GELE", "GELT", "GTLE", "LTGT", "LEGE",
    "LEGT", "LTGE", "CASESENSIT", "IGNORECASE", "EQT",
}
_NONFINITE = {"nan", "infinity", "-infinity", "+infinity", "inf", "-inf"}


@dataclass
class Attachment:
    """One decoded attachment: a step ``attachment`` (UUT) or a ``binaryData`` entry (UUR)."""

    kind: str  # "step" or "binary"
    step_id: int | None
    attachment_id: str | None
    name: str
    content_type: str
    data: bytes


@dataclass
class ReportFacts:
    """Header data derived from a valid report."""

    uuid: str
    type: str
    pn: str
    sn: str
    rev: str
    process_code: int
    process_name: str
    result: str
    start: datetime
    machine_name: str
    location: str
    purpose: str
    attachments: list[Attachment] = field(default_factory=list)


def _fail(path: str, message: str) -> ApiError:
    return ApiError(400, f"{path}: {message}")


def _req_str(obj: dict[str, Any], key: str, path: str, *, max_len: int | None = 100, allow_empty: bool = False) -> str:
    if key not in obj or obj[key] is None:
        raise _fail(f"{path}{key}", "is required")
    value = obj[key]
    if not isinstance(value, str):
        raise _fail(f"{path}{key}", f"must be a string, not {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise _fail(f"{path}{key}", "must not be empty")
    if max_len is not None and len(value) > max_len:
        raise _fail(f"{path}{key}", f"is longer than {max_len} characters")
    return value


def _opt_type(obj: dict[str, Any], key: str, path: str, kinds: tuple[type, ...], what: str) -> Any:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise _fail(f"{path}{key}", f"must be {what}")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_number(value: Any, path: str) -> None:
    if value is None or type(value) is float or type(value) is int:  # the common case, fast
        return
    if isinstance(value, bool):
        raise _fail(path, "must be a number")
    if isinstance(value, (int, float)):
        return
    if isinstance(value, str) and value.strip().lower() in _NONFINITE:
        return
    raise _fail(path, f"must be a number, not {value!r}")


def _decode_b64(value: Any, path: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise _fail(path, "must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        try:
            return base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
        except (binascii.Error, ValueError):
            raise _fail(path, "is not valid base64") from None


def _check_list(obj: dict[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"{path}{key}", "must be an array")
    return value


def _check_obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    return value


_MEAS_KEYS = ("numericMeas", "stringMeas", "booleanMeas")
_NUMERIC_FIELDS = ("value", "lowLimit", "highLimit")
_STRING_FIELDS = ("value", "limit")


def _check_meas(step: dict[str, Any], spath: str) -> None:
    # Paths are only formatted when a check fails: this runs for every measurement.
    for key in _MEAS_KEYS:
        items = step.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise _fail(f"{spath}{key}", "must be an array")
        for i, m in enumerate(items):
            if not isinstance(m, dict):
                raise _fail(f"{spath}{key}[{i}]", "must be an object")
            status = m.get("status")
            if status is not None and status not in STEP_STATUSES:
                raise _fail(f"{spath}{key}[{i}].status", f"must be one of P, F, S, not {status!r}")
            comp = m.get("compOp")
            if comp is not None and (not isinstance(comp, str) or comp.upper() not in COMP_OPS):
                raise _fail(f"{spath}{key}[{i}].compOp", f"unknown comparison operator {comp!r}")
            if key == "numericMeas":
                for f in _NUMERIC_FIELDS:
                    v = m.get(f)
                    if v is not None and type(v) is not float and type(v) is not int:
                        _check_number(v, f"{spath}{key}[{i}].{f}")
            elif key == "stringMeas":
                for f in _STRING_FIELDS:
                    v = m.get(f)
                    if v is not None and not isinstance(v, str):
                        raise _fail(f"{spath}{key}[{i}].{f}", "must be a string")
            name = m.get("name")
            if name is not None and not isinstance(name, str):
                raise _fail(f"{spath}{key}[{i}].name", "must be a string")


def _check_steps(root: Any, attachments: list[Attachment]) -> None:
    stack: list[tuple[Any, str]] = [(root, "root")]
    while stack:
        step, path = stack.pop()
        _check_obj(step, path)
        spath = path + "."
        stype = step.get("stepType")
        if stype is None:
            raise _fail(f"{spath}stepType", "is required")
        if not isinstance(stype, str):
            raise _fail(f"{spath}stepType", "must be a string")
        status = step.get("status")
        if status is None:
            raise _fail(f"{spath}status", "is required")
        if status not in STEP_STATUSES:
            raise _fail(f"{spath}status", f"must be one of P, F, D, S, E, T, U, not {status!r}")
        group = step.get("group")
        if group is not None and group not in STEP_GROUPS:
            raise _fail(f"{spath}group", f"must be S, M or C, not {group!r}")
        sid = step.get("id")
        if sid is not None and not _is_int(sid):
            raise _fail(f"{spath}id", "must be an integer")
        name = step.get("name")
        if name is not None and not isinstance(name, str):
            raise _fail(f"{spath}name", "must be a string")
        tot = step.get("totTime")
        if tot is not None and type(tot) is not float and type(tot) is not int:
            _check_number(tot, f"{spath}totTime")
        if step.get("start") is not None:
            if not isinstance(step["start"], str):
                raise _fail(f"{spath}start", "must be a date-time string")
            try:
                parse_wsjf_time(step["start"], require_offset=False)
            except ValueError as exc:
                raise _fail(f"{spath}start", str(exc)) from None
        _check_meas(step, spath)
        att = step.get("attachment")
        if att is not None:
            apath = f"{spath}attachment"
            _check_obj(att, apath)
            data = _decode_b64(att.get("data"), f"{apath}.data")
            attachments.append(
                Attachment(
                    "step", sid, None, str(att.get("name") or f"step-{sid}"),
                    str(att.get("contentType") or "application/octet-stream"), data,
                )
            )
        children = _check_list(step, "steps", spath)
        for i in range(len(children) - 1, -1, -1):
            stack.append((children[i], f"{spath}steps[{i}]"))


def _check_binary(items: list[Any], path: str, attachments: list[Attachment]) -> None:
    for i, b in enumerate(items):
        bpath = f"{path}[{i}]"
        _check_obj(b, bpath)
        data = _decode_b64(b.get("data"), f"{bpath}.data")
        bid = b.get("id")
        if bid is not None and not isinstance(bid, str):
            raise _fail(f"{bpath}.id", "must be a GUID string")
        attachments.append(
            Attachment(
                "binary", None, bid, str(b.get("name") or f"attachment-{i}"),
                str(b.get("contentType") or "application/octet-stream"), data,
            )
        )


def validate_report(doc: Any, catalog: ProcessCatalog) -> ReportFacts:
    """Check a submitted WSJF report; return its header facts or raise ApiError(400)."""
    if not isinstance(doc, dict):
        raise ApiError(400, "report: the body must be one WSJF report object")
    rtype = doc.get("type")
    if rtype is None:
        raise _fail("type", "is required (T for a test report, R for a repair report)")
    if rtype not in ("T", "R"):
        raise _fail("type", f"must be T or R, not {rtype!r}")
    rid = doc.get("id")
    if rid is None:
        raise _fail("id", "is required (the report GUID)")
    if not isinstance(rid, str) or not _GUID_RE.match(rid):
        raise _fail("id", f"must be a GUID, not {rid!r}")
    pn = _req_str(doc, "pn", "")
    sn = _req_str(doc, "sn", "")
    rev = _req_str(doc, "rev", "")
    code = doc.get("processCode")
    if code is None:
        raise _fail("processCode", "is required")
    if not _is_int(code):
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        else:
            raise _fail("processCode", f"must be an integer, not {code!r}")
    process = catalog.get(code)
    if process is None:
        raise _fail("processCode", f"no process with code {code} exists on this server")
    pname = doc.get("processName")
    if pname is not None and pname != process.name:
        raise _fail(
            "processName",
            f"{pname!r} does not match the name of process {code} ({process.name!r}; names are case-sensitive)",
        )
    result = doc.get("result")
    if result is None:
        raise _fail("result", "is required")
    if result not in REPORT_RESULTS:
        raise _fail("result", f"must be one of {', '.join(REPORT_RESULTS)}, not {result!r}")
    machine = _req_str(doc, "machineName", "")
    location = _req_str(doc, "location", "", allow_empty=True)
    purpose = _req_str(doc, "purpose", "", allow_empty=True)
    start_text = doc.get("start")
    if start_text is None:
        raise _fail("start", "is required (local start time with UTC offset)")
    if not isinstance(start_text, str):
        raise _fail("start", "must be a date-time string")
    try:
        start = parse_wsjf_time(start_text)
    except ValueError as exc:
        raise _fail("start", str(exc)) from None
    if doc.get("startUTC") is not None:
        if not isinstance(doc["startUTC"], str):
            raise _fail("startUTC", "must be a date-time string")
        try:
            parse_wsjf_time(doc["startUTC"], require_offset=False)
        except ValueError as exc:
            raise _fail("startUTC", str(exc)) from None

    attachments: list[Attachment] = []
    for i, mi in enumerate(_check_list(doc, "miscInfos", "")):
        mpath = f"miscInfos[{i}]"
        _check_obj(mi, mpath)
        _req_str(mi, "description", mpath + ".", max_len=None)
        num = mi.get("numeric")
        if num is not None and not isinstance(num, (int, float)):
            raise _fail(f"{mpath}.numeric", "must be a number")
    sub_units = _check_list(doc, "subUnits", "")
    for i, su in enumerate(sub_units):
        spath = f"subUnits[{i}]."
        _check_obj(su, spath[:-1])
        _req_str(su, "sn", spath)
        _req_str(su, "pn", spath)
        for key in ("partType", "rev"):
            if su.get(key) is not None and not isinstance(su[key], str):
                raise _fail(f"{spath}{key}", "must be a string")
        for key in ("idx", "parentIdx", "replacedIdx", "position"):
            if su.get(key) is not None and not _is_int(su[key]):
                raise _fail(f"{spath}{key}", "must be an integer")
        for j, fl in enumerate(_check_list(su, "failures", spath)):
            fpath = f"{spath}failures[{j}]"
            _check_obj(fl, fpath)
            _check_binary(_check_list(fl, "attachments", fpath + "."), f"{fpath}.attachments", attachments)
    for i, a in enumerate(_check_list(doc, "assets", "")):
        _check_obj(a, f"assets[{i}]")
    _check_binary(_check_list(doc, "binaryData", ""), "binaryData", attachments)

    if rtype == "T":
        if doc.get("root") is None:
            raise _fail("root", "is required for a test report (type T)")
        if doc.get("uut") is not None:
            uut = _check_obj(doc["uut"], "uut")
            _opt_type(uut, "user", "uut.", (str,), "a string")
            _opt_type(uut, "comment", "uut.", (str,), "a string")
            _opt_type(uut, "testSocketIndex", "uut.", (int,), "an integer")
            _opt_type(uut, "errorCode", "uut.", (int,), "an integer")
            _check_number(uut.get("execTime"), "uut.execTime")
        _check_steps(doc["root"], attachments)
    else:
        if doc.get("uur") is None:
            raise _fail("uur", "is required for a repair report (type R)")
        uur = _check_obj(doc["uur"], "uur")
        ucode = uur.get("processCode")
        if ucode is not None:
            if not _is_int(ucode):
                raise _fail("uur.processCode", "must be an integer")
            if catalog.get(ucode) is None:
                raise _fail("uur.processCode", f"no process with code {ucode} exists on this server")
        ref = uur.get("refUUT")
        if ref is not None and (not isinstance(ref, str) or not _GUID_RE.match(ref)):
            raise _fail("uur.refUUT", "must be a GUID")
        if "subUnits" not in doc or doc["subUnits"] is None:
            raise _fail("subUnits", "is required for a repair report (type R)")
        if doc.get("root") is not None:
            _check_steps(doc["root"], attachments)

    return ReportFacts(
        uuid=rid.strip("{}").lower(), type=rtype, pn=pn, sn=sn, rev=rev, process_code=code,
        process_name=process.name, result=result, start=start, machine_name=machine,
        location=location, purpose=purpose, attachments=attachments,
    )
