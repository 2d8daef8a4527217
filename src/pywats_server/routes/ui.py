"""A tiny HTML page at ``/`` (no auth; loopback tool) and ``/reports/{id}.json``."""

from __future__ import annotations

import json
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..context import VERSION, get_context
from ..storage import reports as store
from ..wire import ApiError
from .report import shape_report

__all__ = ["routes"]


async def index(request: Request) -> Response:
    """The latest 50 reports, each linking to its JSON."""
    ctx = get_context(request)
    rows = await ctx.storage.read(store.latest_reports, 50)
    lines = []
    for r in rows:
        lines.append(
            "<tr><td>{sn}</td><td>{pn}</td><td>{proc}</td><td>{res}</td><td>{start}</td>"
            '<td><a href="/reports/{uuid}.json">{uuid}</a></td></tr>'.format(
                sn=escape(r["serial_number"]), pn=escape(r["part_number"]),
                proc=escape(f"{r['process_name']} ({r['process_code']})"),
                res=escape(store.RESULT_WORDS.get(r["result"], r["result"])),
                start=escape(r["start_utc"]), uuid=escape(r["uuid"]),
            )
        )
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>pywats-server</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style></head><body>"
        f"<h1>pywats-server {escape(VERSION)}</h1><p>Latest {len(rows)} reports (newest first).</p>"
        "<table><tr><th>Serial</th><th>Part</th><th>Process</th><th>Result</th><th>Start (UTC)</th>"
        "<th>Report</th></tr>" + "".join(lines) + "</table></body></html>"
    )
    return HTMLResponse(html)


async def report_json(request: Request) -> Response:
    """GET /reports/{id}.json → the stored WSJF (pretty-printed)."""
    ctx = get_context(request)
    rid = request.path_params["id"]
    found = await ctx.storage.read(store.load_report_body, rid)
    if found is None:
        raise ApiError(404, f"Report {rid} was not found.")
    body, pname, start_utc = found
    doc = shape_report(json.loads(body), pname, start_utc, detail_level=None,
                       include_attachments=True, include_chartdata=True)
    return Response(json.dumps(doc, indent=2, ensure_ascii=False), media_type="application/json; charset=utf-8")


routes = [
    Route("/", index, methods=["GET"]),
    Route("/reports/{id}.json", report_json, methods=["GET"]),
]
