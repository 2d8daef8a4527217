"""``/api/RootCause/*``: tickets (create, update with history, list, archive) and attachments."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import rootcause as store
from ..wire import ApiError, query_int, query_value, read_body, respond
from .software import request_user

__all__ = ["routes", "parse_multipart_file"]

_MAX_ATTACHMENT = 50 * 1024 * 1024




def _param(header: str, name: str) -> str | None:
    m = re.search(rf'{name}\*?="((?:[^"\\]|\\.)*)"', header, re.IGNORECASE) or re.search(
        rf"{name}=([^;\s]+)", header, re.IGNORECASE)
    if not m:
        return None
    return re.sub(r"\\(.)", r"\1", m.group(1))


def parse_multipart_file(body: bytes, content_type: str) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the first file part of a ``multipart/form-data`` body;
    :class:`ApiError` 400 when there is none."""
    boundary = _param(content_type, "boundary")
    if not boundary:
        raise ApiError(400, "Content-Type: multipart/form-data without a boundary.")
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        file_name = _param(disposition, "filename")
        if file_name is None:
            continue
        return file_name or "attachment", headers.get("content-type") or "application/octet-stream", data
    raise ApiError(400, "file: the multipart body holds no file part.")


async def get_ticket(request: Request) -> Response:
    """GET /api/RootCause/Ticket?ticketId= → Ticket (404 when unknown)."""
    tid = query_value(request, "ticketId")
    if not tid:
        raise ApiError(400, "Query parameter 'ticketId' is required.")
    doc = await get_context(request).storage.read(store.get_ticket, tid)
    if doc is None:
        raise ApiError(404, f"Ticket {tid} was not found.")
    return respond(request, doc)


async def create_ticket(request: Request) -> Response:
    """POST /api/RootCause/Ticket → the new Ticket (status Open unless given, owner = caller)."""
    body = await read_body(request)
    doc = await get_context(request).storage.write(store.create_ticket, body, request_user(request))
    return respond(request, doc)


async def update_ticket(request: Request) -> Response:
    """PUT /api/RootCause/Ticket → the Ticket after the change (``update`` appended to history)."""
    body = await read_body(request)
    doc = await get_context(request).storage.write(store.update_ticket, body, request_user(request))
    if doc is None:
        raise ApiError(404, f"Ticket {body.get('ticketId') if isinstance(body, dict) else ''} was not found.")
    return respond(request, doc)


async def list_tickets(request: Request) -> Response:
    """GET /api/RootCause/Tickets?status=&view=&searchString= → ``[Ticket]``."""
    status = query_int(request, "status")
    view = query_int(request, "view")
    if status is None or view is None:
        raise ApiError(400, "Query parameters 'status' and 'view' are required.")
    docs = await get_context(request).storage.read(
        store.list_tickets, status, view, query_value(request, "searchString"), request_user(request)
    )
    return respond(request, docs)


async def archive_tickets(request: Request) -> Response:
    """POST /api/RootCause/ArchiveTickets (body ``[ticketId]``) → the archived tickets; 400 unless all Solved."""
    body = await read_body(request)
    docs = await get_context(request).storage.write(store.archive_tickets, body, request_user(request))
    return respond(request, docs)


async def upload_attachment(request: Request) -> Response:
    """POST /api/RootCause/Attachment (multipart file; or a raw body with ``?fileName=``) → id string."""
    body = await request.body()
    if len(body) > _MAX_ATTACHMENT:
        raise ApiError(413, "The attachment is larger than 50 MB.")
    ctype = request.headers.get("content-type", "")
    if ctype.lower().startswith("multipart/"):
        name, mime, data = parse_multipart_file(body, ctype)
    else:
        name = query_value(request, "fileName") or ""
        if not name:
            raise ApiError(400, "file: send multipart/form-data with a file, or a raw body with ?fileName=.")
        mime, data = (ctype.split(";")[0].strip() or "application/octet-stream"), body
    aid = await get_context(request).storage.write(store.save_attachment, name, mime, data)
    return respond(request, aid)


async def get_attachment(request: Request) -> Response:
    """GET /api/RootCause/Attachment?attachmentId=&fileName= → the bytes."""
    aid = query_value(request, "attachmentId")
    if not aid:
        raise ApiError(400, "Query parameter 'attachmentId' is required.")
    found = await get_context(request).storage.read(store.get_attachment, aid)
    if found is None:
        raise ApiError(404, f"Attachment {aid} was not found.")
    name, mime, data = found
    name = (query_value(request, "fileName") or name).replace('"', "")
    return Response(data, media_type=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


routes = [
    Route("/api/RootCause/Ticket", get_ticket, methods=["GET"]),
    Route("/api/RootCause/Ticket", create_ticket, methods=["POST"]),
    Route("/api/RootCause/Ticket", update_ticket, methods=["PUT"]),
    Route("/api/RootCause/Tickets", list_tickets, methods=["GET"]),
    Route("/api/RootCause/ArchiveTickets", archive_tickets, methods=["POST"]),
    Route("/api/RootCause/Attachment", get_attachment, methods=["GET"]),
    Route("/api/RootCause/Attachment", upload_attachment, methods=["POST"]),
]
