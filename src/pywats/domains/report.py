"""``api.report``: submit WSJF reports, read them back, query headers, attachments.

Report submission (``POST /api/Report/WSJF``) is idempotent by the report GUID (a re-post
replaces the stored report), so it is marked idempotent and retried like a GET.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from collections.abc import Awaitable, Callable, Generator, Iterable
from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.report_header import ReportHeader, SubmitResult

if TYPE_CHECKING:
    from pywats.models.report.uur import UURReport
    from pywats.models.report.uut import UUTReport

__all__ = ["ReportDomain", "odata_quote", "odata_datetime", "build_header_filter", "MAX_PAGE_SIZE"]

MAX_PAGE_SIZE = 10000
"""Largest ``$top`` WATS accepts on ``/api/Report/Query/Header``."""


def odata_quote(value: str) -> str:
    """An OData string literal: ``O'Brien`` → ``'O''Brien'``."""
    return "'" + str(value).replace("'", "''") + "'"


def odata_datetime(value: datetime | date | str) -> str:
    """An OData date-time literal in UTC (``2026-01-31T23:59:59Z``, unquoted).

    Naive datetimes are taken as local time; a ``date`` means its midnight (local time);
    strings are passed through unchanged.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_HEADER_RESULTS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}
"""WSJF result letters → the words report headers carry."""


def _report_type_code(report_type: str) -> str:
    code = {"T": "T", "UUT": "T", "TEST": "T", "R": "R", "UUR": "R", "REPAIR": "R"}.get(str(report_type).upper())
    if code is None:
        raise ValidationError(f"report_type must be 'T' (UUT) or 'R' (UUR), got {report_type!r}", field="report_type")
    return code


def build_header_filter(
    serial_number: str | None = None,
    part_number: str | None = None,
    process_code: int | None = None,
    operation_type: str | int | None = None,
    start_from: datetime | date | str | None = None,
    start_to: datetime | date | str | None = None,
    report_type: str | None = None,
    revision: str | None = None,
    station_name: str | None = None,
    result: str | None = None,
) -> str | None:
    """An OData ``$filter`` for ``/api/Report/Query/Header`` from simple criteria (joined by ``and``).

    ``operation_type`` is a process name (``processName eq 'FCT'``) or a code (int).
    ``result`` is matched against the header's word (``Passed``, ``Failed``, ``Error``,
    ``Terminated``); the WSJF letters ``P``/``F``/``E``/``T`` are translated.
    """
    parts: list[str] = []

    def equals(field: str, text: str | None) -> None:
        if text is not None:
            parts.append(f"{field} eq {odata_quote(text)}")

    equals("serialNumber", serial_number)
    equals("partNumber", part_number)
    equals("revision", revision)
    if process_code is not None:
        parts.append(f"processCode eq {int(process_code)}")
    if isinstance(operation_type, int):
        parts.append(f"processCode eq {operation_type}")
    else:
        equals("processName", operation_type)
    equals("stationName", station_name)
    if result is not None:
        result = _HEADER_RESULTS.get(str(result).strip().upper(), result)
    equals("result", result)
    if start_from is not None:
        parts.append(f"start ge {odata_datetime(start_from)}")
    if start_to is not None:
        parts.append(f"start le {odata_datetime(start_to)}")
    if report_type is not None:
        parts.append(f"reportType eq {odata_quote(_report_type_code(report_type))}")
    return " and ".join(parts) or None


def _submit_result(data: Any, body: Any) -> SubmitResult:
    """The server's ``InsertReportResult`` (object, one-element list or bare id) as a model."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if isinstance(data, dict) and any(k in data for k in ("ID", "id", "Id")):
        return SubmitResult.model_validate(data)
    sent_id = body.get("id") if isinstance(body, dict) else None
    if isinstance(data, str) and data.strip():
        return SubmitResult(id=data.strip().strip('"'), uuid=sent_id)
    if sent_id is None:
        raise ValidationError("the server accepted the report but returned no id")
    return SubmitResult(id=str(sent_id), uuid=str(sent_id))


def _max_step_id(step: Any) -> int:
    highest = 0
    stack = [step]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        step_id = node.get("id")
        if isinstance(step_id, int) and step_id > highest:
            highest = step_id
        stack.extend(node.get("steps") or [])
    return highest


class ReportDomain(Domain[ModeT]):
    """Report submission, retrieval, header queries and attachments."""

    # -- submission ---------------------------------------------------------------------

    def _prepare(self, report: Any) -> Generator[Request, Any, dict[str, Any]]:
        """Normalise ``report`` to a validated WSJF dict, fetching processes once if a
        process name cannot be resolved offline.

        Names are resolved against this client's server only (``process_codes.for_server``):
        another server's process list in the same process never supplies a code.
        """
        from pywats.models import process_codes
        from pywats.models.report import UnresolvedProcessError, is_prepared, prepare_for_submit

        if is_prepared(report):  # validated once already (e.g. by the station's converter worker)
            prepared: dict[str, Any] = report
            return prepared
        server = self.client.base_url
        try:
            with process_codes.for_server(server):
                return prepare_for_submit(report)
        except UnresolvedProcessError:
            pass
        yield from steps(self.client.process.get_processes, refresh=True)  # fills this server's table
        try:
            with process_codes.for_server(server):
                return prepare_for_submit(report)
        except UnresolvedProcessError as exc:
            name = getattr(exc, "process_name", None)
            raise ValidationError(
                f"unknown process {name!r}: the server has no process of that name", field="processName"
            ) from exc

    @operation
    def submit_report(self, report: Any) -> Generator[Request, Any, SubmitResult]:
        """Submit one report (``POST /api/Report/WSJF``) and return the server's :class:`SubmitResult`.

        ``report`` may be a WSJF dict, a report model or a ``ReportBuilder``; it is validated
        first (``ValidationError`` naming the field, no HTTP call) unless it is an intact
        ``PreparedReport`` (the result of ``prepare_for_submit``), which is sent as it is. A process given by name is
        resolved through the process list (fetched once if not known yet). Safe to retry: the
        report GUID makes a re-post replace, never duplicate, the stored report.
        """
        body = yield from self._prepare(report)
        data = yield Request("POST", "/api/Report/WSJF", json=body, idempotent=True)
        return _submit_result(data, body)

    submit = submit_report

    def submit_report_async(self, report: Any) -> Awaitable[SubmitResult]:
        """Awaitable form of :meth:`submit_report` on both clients.

        On ``AsyncWATS`` this is :meth:`submit_report`. On the sync ``pyWATS`` it returns a
        coroutine that runs the blocking submission in a worker thread
        (:func:`asyncio.to_thread`), so ``await asyncio.gather(*[api.report.submit_report_async(r)
        for r in reports])`` works with either client; no event loop is hidden in the sync client.
        """
        submit = self.submit_report  # the mode is known at run time only: narrow it here
        if self.is_async:
            return cast("Awaitable[SubmitResult]", submit(report))
        return asyncio.to_thread(cast("Callable[[Any], SubmitResult]", submit), report)

    # -- reading reports --------------------------------------------------------------------

    @operation
    def get_report_wsjf(
        self,
        report_id: str,
        detail_level: int | None = None,
        include_attachments: bool = True,
        include_chartdata: bool = True,
    ) -> Generator[Request, Any, dict[str, Any]]:
        """The stored report as a WSJF dict (``GET /api/Report/Wsjf/{id}``)."""
        data = yield Request(
            "GET",
            f"/api/Report/Wsjf/{quote(str(report_id), safe='')}",
            params={
                "detailLevel": detail_level,
                "includeAttachments": include_attachments,
                "includeChartdata": include_chartdata,
            },
        )
        if not isinstance(data, dict):
            raise ValidationError(f"report {report_id}: the server returned no WSJF object")
        return data

    @operation
    def get_report(
        self,
        report_id: str,
        detail_level: int | None = None,
        include_attachments: bool = True,
        include_chartdata: bool = True,
    ) -> Generator[Request, Any, UUTReport | UURReport]:
        """The stored report parsed into a report model (``pywats.models.report.parse_report``).

        Args:
            report_id: the report GUID.
            detail_level: 0 (identifying data) … 7 (full); ``None`` = server default (full).
            include_attachments: include attachment data (levels 4–7).
            include_chartdata: include chart data (level 6+).
        """
        from pywats.models.report import parse_report

        data = yield from steps(self.get_report_wsjf, report_id, detail_level, include_attachments, include_chartdata)
        return parse_report(data)

    # -- header queries -----------------------------------------------------------------------

    @operation
    def query_headers(
        self,
        filter: str | None = None,  # OData name
        top: int | None = None,
        skip: int | None = None,
        orderby: str | None = None,
        expand: str | Iterable[str] | None = None,
        select: str | Iterable[str] | None = None,
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """One page of report headers (``GET /api/Report/Query/Header``) with raw OData options.

        The server's defaults apply when omitted: ``$top`` 10, ``$orderby`` ``start desc``.
        ``top`` above 10000 (the most WATS returns in one page) or ``skip`` below 0 raises
        ``ValidationError`` without a call: use :meth:`get_reports` to page through more.
        """
        if top is not None and not 0 <= int(top) <= MAX_PAGE_SIZE:
            raise ValidationError(
                f"query_headers: top must be between 0 and {MAX_PAGE_SIZE} (WATS returns at most "
                f"{MAX_PAGE_SIZE} headers per call; use get_reports(limit=...) to page), got {top}",
                field="top",
            )
        if skip is not None and int(skip) < 0:
            raise ValidationError(f"query_headers: skip must be >= 0, got {skip}", field="skip")
        if expand is not None and not isinstance(expand, str):
            expand = ",".join(expand)
        if select is not None and not isinstance(select, str):
            select = ",".join(select)
        data = yield Request(
            "GET",
            "/api/Report/Query/Header",
            params={"$filter": filter, "$top": top, "$skip": skip, "$orderby": orderby, "$expand": expand,
                    "$select": select},
        )
        return [ReportHeader.model_validate(item) for item in (data or [])]

    @operation
    def get_reports(
        self,
        serial_number: str | None = None,
        part_number: str | None = None,
        process_code: int | None = None,
        operation_type: str | int | None = None,
        start_from: datetime | date | str | None = None,
        start_to: datetime | date | str | None = None,
        limit: int | None = 100,
        report_type: str | None = None,
        orderby: str = "start desc",
        expand: str | Iterable[str] | None = None,
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Report headers matching simple criteria, newest first, paged until ``limit``.

        Args:
            serial_number, part_number: exact matches.
            process_code: the operation's code; ``operation_type``: its name (e.g. ``"FCT"``) or code.
            start_from, start_to: start time range (inclusive); naive datetimes are local time.
            limit: the most headers to return (``None`` = all; pages of up to 10000 are fetched).
            report_type: ``"T"`` (UUT) or ``"R"`` (UUR); ``None`` = both.
            orderby: OData ``$orderby`` (``start``, ``uuid``, ``serialNumber``, ``timestamp``).
            expand: collections to expand (``subunits``, ``miscinfo``, ``attachments``, …).
        """
        odata_filter = build_header_filter(
            serial_number=serial_number,
            part_number=part_number,
            process_code=process_code,
            operation_type=operation_type,
            start_from=start_from,
            start_to=start_to,
            report_type=report_type,
        )
        if limit is not None and limit <= 0:
            return []
        headers: list[ReportHeader] = []
        skip = 0
        while True:
            page = MAX_PAGE_SIZE if limit is None else min(MAX_PAGE_SIZE, limit - len(headers))
            batch = yield from steps(self.query_headers, odata_filter, page, skip or None, orderby, expand)
            headers.extend(batch)
            if len(batch) < page or (limit is not None and len(headers) >= limit):
                break
            skip += len(batch)
        return headers if limit is None else headers[:limit]

    @operation
    def get_headers_by_serial(
        self, serial_number: str, limit: int | None = 100, report_type: str | None = None
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Headers of the reports of one serial number, newest first."""
        return (yield from steps(self.get_reports, serial_number=serial_number, limit=limit, report_type=report_type))

    @operation
    def get_headers_by_part_number(
        self, part_number: str, limit: int | None = 100, report_type: str | None = None
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Headers of the reports of one part number, newest first."""
        return (yield from steps(self.get_reports, part_number=part_number, limit=limit, report_type=report_type))

    @operation
    def get_headers_by_date_range(
        self,
        start_from: datetime | date | str,
        start_to: datetime | date | str | None = None,
        limit: int | None = 1000,
        report_type: str | None = None,
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Headers of reports started in ``[start_from, start_to]`` (``start_to`` default: now)."""
        return (
            yield from steps(
                self.get_reports, start_from=start_from, start_to=start_to, limit=limit, report_type=report_type
            )
        )

    # -- attachments ------------------------------------------------------------------------------

    @operation
    def get_attachment(
        self, report_id: str, attachment_id: str | None = None, step_id: int | None = None
    ) -> Generator[Request, Any, bytes]:
        """One attachment's bytes (``GET /api/Report/Attachment``).

        Give ``step_id`` for a UUT step attachment, or ``attachment_id`` for a UUR
        ``binaryData`` entry.
        """
        if (attachment_id is None) == (step_id is None):
            raise ValidationError("get_attachment: give exactly one of attachment_id or step_id",
                                  field="attachment_id/step_id")
        data = yield Request(
            "GET",
            "/api/Report/Attachment",
            params={"reportId": str(report_id), "attachmentId": attachment_id, "stepId": step_id},
            expect="bytes",
        )
        return data

    @operation
    def get_all_attachments(self, report_id: str) -> Generator[Request, Any, bytes]:
        """Every attachment of a report as one zip file (``GET /api/Report/Attachments/{id}``)."""
        data = yield Request("GET", f"/api/Report/Attachments/{quote(str(report_id), safe='')}", expect="bytes")
        return data

    @operation
    def post_attachment(
        self,
        uut_id: str,
        file_name: str,
        file_content: bytes,
        description: str | None = None,
        content_type: str | None = None,
    ) -> Generator[Request, Any, SubmitResult]:
        """Attach a file to a report already on the server.

        WATS has no endpoint that adds a file to a stored report: attachments
        travel inside the report. So this fetches the stored WSJF, adds the file and re-submits
        the report under the same id (a re-post replaces the stored report):

        - test report (UUT): a new ``Action`` step (status ``D`` = done) named after the file is
          appended under the root, with a new unique step ``id``, ``reportText`` = ``description``
          and ``attachment`` = ``{name, contentType, data (base64)}``; read it back with
          ``get_attachment(report_id, step_id=...)``.
        - repair report (UUR): a ``binaryData`` entry ``{id, name, contentType, data}`` is added.

        Costs two calls (GET + POST) and resends the whole report.
        """
        if not isinstance(file_content, (bytes, bytearray, memoryview)):
            raise ValidationError("post_attachment: file_content must be bytes", field="file_content")
        if not file_name:
            raise ValidationError("post_attachment: file_name is empty", field="file_name")
        mime = content_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        encoded = base64.b64encode(bytes(file_content)).decode("ascii")
        wsjf = yield from steps(self.get_report_wsjf, uut_id)
        if wsjf.get("type") == "R" or "root" not in wsjf:
            import uuid

            entry = {"id": str(uuid.uuid4()), "name": file_name, "contentType": mime, "data": encoded}
            wsjf["binaryData"] = [*(wsjf.get("binaryData") or []), entry]
        else:
            root = wsjf.get("root") or {}
            step: dict[str, Any] = {
                "id": _max_step_id(root) + 1,
                "stepType": "Action",
                "name": file_name[:100],
                "group": "M",
                "status": "D",
                "attachment": {"name": file_name, "contentType": mime, "data": encoded},
            }
            if description:
                step["reportText"] = description
            root["steps"] = [*(root.get("steps") or []), step]
            wsjf["root"] = root
        data = yield Request("POST", "/api/Report/WSJF", json=wsjf, idempotent=True)
        return _submit_result(data, wsjf)

    # -- header query by misc info --------------------------------------------------------------

    @operation
    def query_headers_by_misc_info(
        self,
        description: str,
        data: str | None = None,
        serial_number: str | None = None,
        process_code: int | None = None,
    ) -> Generator[Request, Any, list[ReportHeader]]:
        """Headers of the reports that carry a misc info entry (``GET /api/Report/Query/HeaderByMiscInfo``).

        Sends the parameters of the server specification (``description``, ``data``,
        ``serialNumber``, ``processCode``), not pyWATS 0.6's ``stringValue``.

        Args:
            description: the misc info's description (e.g. ``"Firmware build"``).
            data: its value (text, or a numeric value written as text); ``None`` = any value.
            serial_number: only reports of this serial number.
            process_code: only reports of this process (operation) code.

        Returns:
            One :class:`ReportHeader` per matching report (newest first on the local server)
            with ``uuid``, ``serial_number``, ``part_number``, ``start``, ``result``,
            ``process_code``, ``process_name``; ``misc_info`` holds all of the report's misc
            info entries as the server sends them (``miscData``: ``[{"description", "data"}]``).
        """
        if not description:
            raise ValidationError("query_headers_by_misc_info: description is empty", field="description")
        rows = yield Request(
            "GET",
            "/api/Report/Query/HeaderByMiscInfo",
            params={"description": description, "data": data, "serialNumber": serial_number,
                    "processCode": None if process_code is None else int(process_code)},
        )
        headers: list[ReportHeader] = []
        for item in rows or []:
            fields = dict(item)
            fields["miscInfo"] = fields.pop("miscData", None)
            headers.append(ReportHeader.model_validate(fields))
        return headers

    @operation
    def get_certificate(self, report_id: str) -> Generator[Request, Any, bytes]:
        """The report's test certificate, a PDF (``GET /api/Report/Certificate/{id}``)."""
        from urllib.parse import quote

        if not report_id:
            raise ValidationError("report_id is required", field="report_id")
        data = yield Request("GET", f"/api/Report/Certificate/{quote(str(report_id), safe='')}", expect="bytes")
        return bytes(data)

    @operation
    def submit_wsxf(self, document: bytes | str) -> Generator[Request, Any, SubmitResult]:
        """Submit a report given as WSXF XML (``POST /api/Report/WSXF``); the server converts
        and stores it as it stores WSJF. Safe to retry (the report GUID in the XML makes a
        re-post replace the stored report)."""
        data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
        if not data.strip():
            raise ValidationError("document is empty", field="document")
        answer = yield Request("POST", "/api/Report/WSXF", content=data, content_type="application/xml; charset=utf-8",
                               idempotent=True)
        return _submit_result(answer, None)

    @operation
    def get_report_wsxf(self, report_id: str, detail_level: int | None = None, include_attachments: bool = True,
                        include_chartdata: bool = True, include_indexes: bool | None = None
                        ) -> Generator[Request, Any, str]:
        """The stored report as WSXF XML text (``GET /api/Report/Wsxf/{id}``)."""
        text = yield Request(
            "GET", f"/api/Report/Wsxf/{quote(str(report_id), safe='')}",
            params={"detailLevel": detail_level, "includeAttachments": include_attachments,
                    "includeChartdata": include_chartdata, "includeIndexes": include_indexes},
            expect="text",
        )
        return str(text)
