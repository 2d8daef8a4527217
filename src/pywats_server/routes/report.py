"""``/api/Report/*``: submit WSJF, read WSJF, header queries (OData; by misc info), attachments;
submit and read WSXF (:mod:`..wsxf_codec`), the test certificate as PDF (:mod:`..certificate`)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..certificate import certificate_lines, render_pdf
from ..context import get_context
from ..safe_names import safe_relative_path
from ..odata_support import request_filter_sql, request_orderby, top_skip
from ..storage import reports as store
from ..validation import ReportFacts, validate_report
from ..wire import ApiError, decode_body, query_bool, query_int, query_value, respond
from ..wsxf_codec import report_to_wsxf, wsxf_to_reports

__all__ = ["routes", "EXPAND_NAMES", "shape_report"]

#: $expand names (lower-case) → header collection key.
EXPAND_NAMES = {
    "subunits": "subUnits",
    "miscinfo": "miscInfo",
    "assets": "assets",
    "attachments": "attachments",
    "uursubunits": "uurSubUnits",
    "uurmiscinfo": "uurMiscInfo",
    "uurattachments": "uurAttachments",
}
ORDERBY_FIELDS = ["start", "uuid", "serialNumber", "timestamp"]
#: Properties a $filter on /api/Report/Query/Header may name (ReportHeader,
#: plus the pyWATS 0.x spellings this server also emits and the expandable collections).
HEADER_FILTER_FIELDS = store.HEADER_SCHEMA.field_names()
_LARGE_BODY = 64 * 1024


def _bytes_to_base64(value: Any) -> Any:
    """MessagePack may carry binary attachment data as bytes; WSJF stores base64 text."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: _bytes_to_base64(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bytes_to_base64(v) for v in value]
    return value


def _parse_and_validate(raw: bytes, content_type: str, catalog: Any) -> tuple[dict[str, Any], ReportFacts, str]:
    doc = decode_body(raw, content_type)
    is_msgpack = "msgpack" in content_type.lower()
    if is_msgpack:
        doc = _bytes_to_base64(doc)
    facts = validate_report(doc, catalog)
    body_text = json.dumps(doc, ensure_ascii=False, default=str) if is_msgpack else raw.decode("utf-8")
    return doc, facts, body_text


async def submit_wsjf(request: Request) -> Response:
    """POST /api/Report/WSJF → ``{"ID", "uuid", "Report_ID"}``; 400 names the bad field.

    Idempotent by report id: a second submission of the same id replaces the stored report
    and answers the same ``Report_ID``. Committed before the answer is sent.
    """
    ctx = get_context(request)
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    if len(raw) > _LARGE_BODY:  # keep the event loop responsive while big reports are checked
        doc, facts, body_text = await anyio.to_thread.run_sync(_parse_and_validate, raw, ctype, ctx.processes)
    else:
        doc, facts, body_text = _parse_and_validate(raw, ctype, ctx.processes)
    report_id = await ctx.storage.write(store.store_report, doc, facts, body_text)
    return respond(request, {"ID": doc["id"], "uuid": facts.uuid, "Report_ID": report_id})


def _strip_step_tree(root: Any, *, attachments: bool, charts: bool) -> None:
    stack = [root]
    while stack:
        step = stack.pop()
        if not isinstance(step, dict):
            continue
        if not attachments and isinstance(step.get("attachment"), dict):
            step["attachment"] = {k: v for k, v in step["attachment"].items() if k != "data"}
        if not charts and "chart" in step:
            step.pop("chart", None)
        children = step.get("steps")
        if isinstance(children, list):
            stack.extend(children)


_IDENTITY_KEYS = (
    "type", "id", "pn", "sn", "rev", "processCode", "processName", "result", "machineName",
    "location", "purpose", "start", "startUTC",
)


def shape_report(
    doc: dict[str, Any], process_name: str, start_utc: str, *, detail_level: int | None,
    include_attachments: bool, include_chartdata: bool,
) -> dict[str, Any]:
    """Add output-only fields and apply ``detailLevel``/``includeAttachments``/``includeChartdata``.

    detailLevel 0 → identifying header fields only; 1–3 → full report without attachment
    data; 4–7 or absent → full report (attachment data unless ``includeAttachments=false``,
    charts unless ``includeChartdata=false``).
    """
    doc.setdefault("processName", process_name)
    if doc.get("processName") is None:
        doc["processName"] = process_name
    if not doc.get("startUTC"):
        doc["startUTC"] = start_utc
    if detail_level is not None and detail_level <= 0:
        return {k: doc.get(k) for k in _IDENTITY_KEYS}
    attachments = include_attachments and (detail_level is None or detail_level >= 4)
    if not attachments:
        for b in doc.get("binaryData") or []:
            if isinstance(b, dict):
                b.pop("data", None)
        for su in doc.get("subUnits") or []:
            for fl in (su.get("failures") or []) if isinstance(su, dict) else []:
                for a in (fl.get("attachments") or []) if isinstance(fl, dict) else []:
                    if isinstance(a, dict):
                        a.pop("data", None)
    if doc.get("root") is not None and (not attachments or not include_chartdata):
        _strip_step_tree(doc["root"], attachments=attachments, charts=include_chartdata)
    return doc


async def get_wsjf(request: Request) -> Response:
    """GET /api/Report/Wsjf/{id} → the stored WSJF (404 when unknown)."""
    ctx = get_context(request)
    rid = request.path_params["id"]
    found = await ctx.storage.read(store.load_report_body, rid)
    if found is None:
        raise ApiError(404, f"Report {rid} was not found.")
    body, pname, start_utc = found
    doc = json.loads(body)
    shaped = shape_report(
        doc, pname, start_utc,
        detail_level=query_int(request, "detailLevel"),
        include_attachments=bool(query_bool(request, "includeAttachments", True)),
        include_chartdata=bool(query_bool(request, "includeChartdata", True)),
    )
    return respond(request, shaped)


def _expand_set(request: Request) -> set[str]:
    text = query_value(request, "$expand")
    out: set[str] = set()
    if not text:
        return out
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        key = EXPAND_NAMES.get(name.lower())
        if key is None:
            raise ApiError(400, f"$expand: unknown collection {name!r}; allowed: {', '.join(EXPAND_NAMES.values())}")
        out.add(key)
    return out


async def query_header(request: Request) -> Response:
    """GET /api/Report/Query/Header — OData $filter/$top/$skip/$orderby/$expand/$select.

    ``$top`` defaults to 10 (max 10000); ``$orderby`` only on start, uuid, serialNumber,
    timestamp (default ``start desc``). The optional ``reportType`` query (``U``/``T`` or
    ``R``, as pyWATS sends) restricts the report type.
    """
    ctx = get_context(request)
    where = request_filter_sql(request, store.HEADER_SCHEMA)
    order = request_orderby(request, ORDERBY_FIELDS) or [("start", True)]
    top, skip = top_skip(request, 10, 10000)
    expand = _expand_set(request)
    rtype_q = (query_value(request, "reportType") or "").strip().upper()
    rtype = {"U": "T", "T": "T", "R": "R", "": None}.get(rtype_q, "?")
    if rtype == "?":
        raise ApiError(400, f"reportType: must be U (or T) or R, not {rtype_q!r}")
    select_text = query_value(request, "$select")
    select = [s.strip() for s in select_text.split(",") if s.strip()] if select_text else None
    headers = await ctx.storage.read(store.query_headers, order, rtype, where, top, skip)
    out: list[dict[str, Any]] = []
    for header in headers:
        for key in EXPAND_NAMES.values():
            if key not in expand:
                header.pop(key, None)
        if select:
            folded = {k.lower(): k for k in header}
            picked = {}
            for s in select:
                real = folded.get(s.lower())
                if real is None:
                    raise ApiError(400, f"$select: unknown field {s!r}")
                picked[real] = header[real]
            for key in expand:
                picked[key] = header[key]
            header = picked
        out.append(header)
    return respond(request, out)


async def query_header_by_misc_info(request: Request) -> Response:
    """GET /api/Report/Query/HeaderByMiscInfo?description=&data=&serialNumber=&processCode=

    Reports carrying a misc info entry with that ``description`` (and/or ``data``), newest
    first, as ``[{miscData:[{description, data}], serialNumber, partNumber, start, result,
    uuid, processCode, processName}]``. ``description`` or ``data`` is required; matching is
    exact and case-insensitive (details in :func:`..storage.reports.query_by_misc_info`).
    ``$top`` (optional, pyWATS 0.6 sends it) limits the answer.
    """
    ctx = get_context(request)
    description = query_value(request, "description") or None
    data = query_value(request, "data") or None
    if description is None and data is None:
        raise ApiError(400, "description: query parameter is required (or data)")
    serial = query_value(request, "serialNumber") or None
    code = query_int(request, "processCode")
    top = query_int(request, "$top")
    if top is not None and top < 0:
        raise ApiError(400, f"$top: must not be negative, not {top}")
    found = await ctx.storage.read(store.query_by_misc_info, description, data, serial, code, top)
    return respond(request, found)


def _attachment_response(row: Any) -> Response:
    name = (safe_relative_path(str(row["name"])).rpartition("/")[2] or "attachment").replace('"', "")
    return Response(
        bytes(row["data"]),
        media_type=row["content_type"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def get_attachment(request: Request) -> Response:
    """GET /api/Report/Attachment?reportId=&attachmentId= (UUR) or &stepId= (UUT) → raw bytes."""
    ctx = get_context(request)
    report_id = query_value(request, "reportId")
    attachment_id = query_value(request, "attachmentId")
    step_id = query_int(request, "stepId")
    if not attachment_id and step_id is None:
        raise ApiError(400, "attachmentId or stepId: one of them is required")
    if step_id is not None and not attachment_id and not report_id:
        raise ApiError(400, "reportId: is required")
    rid = report_id.strip("{}").lower() if report_id else None
    row = await ctx.storage.read(store.get_attachment, rid, attachment_id, step_id)
    if row is None:
        raise ApiError(404, "The attachment was not found.")
    return _attachment_response(row)


async def get_all_attachments(request: Request) -> Response:
    """GET /api/Report/Attachments/{id} → zip of every attachment of the report.

    Entry names are the stored names reduced to safe relative paths (no ``..``, no
    absolute path, no drive letter), so unpacking the zip never writes outside its folder."""
    ctx = get_context(request)
    rid = request.path_params["id"].strip("{}").lower()
    found = await ctx.storage.read(store.load_report_body, rid)
    if found is None:
        raise ApiError(404, f"Report {rid} was not found.")
    rows = await ctx.storage.read(store.list_attachments, rid)
    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for row in rows:
            name = safe_relative_path(str(row["name"])) or "attachment"
            base, n = name, 1
            while name in used:
                n += 1
                stem, dot, ext = base.rpartition(".")
                name = f"{stem} ({n}).{ext}" if dot else f"{base} ({n})"
            used.add(name)
            zf.writestr(name, bytes(row["data"]))
    return Response(
        buf.getvalue(), media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{rid}.zip"'},
    )


async def submit_wsxf(request: Request) -> Response:
    """POST /api/Report/WSXF (b: WSXF XML) → ``{"ID", "uuid", "Report_ID"}`` (a list when the
    document holds several reports); each report is checked and stored as a WSJF submission is."""
    ctx = get_context(request)
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "The request body is empty.")
    reports = await anyio.to_thread.run_sync(wsxf_to_reports, raw)
    answers = []
    for i, doc in enumerate(reports):
        try:
            facts = validate_report(doc, ctx.processes)
        except ApiError as exc:
            raise ApiError(exc.status, f"Report[{i + 1}]: {exc.message}" if len(reports) > 1 else exc.message) from None
        report_id = await ctx.storage.write(store.store_report, doc, facts, json.dumps(doc, ensure_ascii=False))
        answers.append({"ID": doc["id"], "uuid": facts.uuid, "Report_ID": report_id})
    return respond(request, answers[0] if len(answers) == 1 else answers)


async def get_wsxf(request: Request) -> Response:
    """GET /api/Report/Wsxf/{id} → the stored report as WSXF XML (same detail options as Wsjf;
    ``includeIndexes`` is accepted, the XML carries no indexes)."""
    rid = request.path_params["id"]
    found = await get_context(request).storage.read(store.load_report_body, rid)
    if found is None:
        raise ApiError(404, f"Report {rid} was not found.")
    query_bool(request, "includeIndexes")
    shaped = shape_report(json.loads(found[0]), found[1], found[2], detail_level=query_int(request, "detailLevel"),
                          include_attachments=bool(query_bool(request, "includeAttachments", True)),
                          include_chartdata=bool(query_bool(request, "includeChartdata", True)))
    return Response(report_to_wsxf(shaped), media_type="application/xml; charset=utf-8")


async def get_certificate(request: Request) -> Response:
    """GET /api/Report/Certificate/{id} → the report's test certificate (PDF)."""
    rid = request.path_params["id"].strip("{}").lower()
    found = await get_context(request).storage.read(store.load_report_body, rid)
    if found is None:
        raise ApiError(404, f"Report {rid} was not found.")
    doc = json.loads(found[0])
    doc.setdefault("processName", found[1])
    return Response(render_pdf([certificate_lines(doc)]), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{rid}.pdf"'})


routes = [
    Route("/api/Report/Certificate/{id}", get_certificate, methods=["GET"]),
    Route("/api/Report/WSJF", submit_wsjf, methods=["POST"]),
    Route("/api/Report/Wsjf/{id}", get_wsjf, methods=["GET"]),
    Route("/api/Report/WSXF", submit_wsxf, methods=["POST"]),
    Route("/api/Report/Wsxf/{id}", get_wsxf, methods=["GET"]),
    Route("/api/Report/Query/Header", query_header, methods=["GET"]),
    Route("/api/Report/Query/HeaderByMiscInfo", query_header_by_misc_info, methods=["GET"]),
    Route("/api/Report/Attachment", get_attachment, methods=["GET"]),
    Route("/api/Report/Attachments/{id}", get_all_attachments, methods=["GET"]),
]
