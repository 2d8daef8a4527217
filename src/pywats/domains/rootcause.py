"""``api.rootcause``: RootCause tickets, their history and attachments.

Changes to a ticket go through ``PUT /api/RootCause/Ticket`` with the whole ticket; a
comment or a note about the change travels in the ticket's ``update`` and the server appends
it to ``history``. ``add_comment``, ``change_status`` and ``assign_ticket`` therefore fetch
the ticket first (GET) and then send it back changed (PUT).
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Generator, Iterable
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.rootcause import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    Ticket,
    TicketAttachment,
    TicketPriority,
    TicketStatus,
    TicketUpdate,
    TicketView,
    UpdateType,
)
from pywats.models.software import Setting

__all__ = ["RootCauseDomain", "multipart_file"]


def multipart_file(field: str, file_name: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body holding one file, and its Content-Type header value."""
    boundary = f"pywats-{uuid.uuid4().hex}"
    safe_name = file_name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{safe_name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    body = head + bytes(content) + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _tags(tags: dict[str, str] | Iterable[Setting] | None) -> list[Setting]:
    if tags is None:
        return []
    if isinstance(tags, dict):
        return [Setting(key=k, value=v) for k, v in tags.items()]
    return list(tags)


def _ticket_body(ticket: Ticket | dict[str, Any]) -> dict[str, Any]:
    if isinstance(ticket, dict):
        ticket = Ticket.model_validate(ticket)
    if not isinstance(ticket, Ticket):
        raise ValidationError("ticket must be a Ticket or a dict", field="ticket")
    body = ticket.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
    body.pop("history", None)  # the server owns the history; changes travel in ``update``
    return body


def _attachments(attachment_ids: Iterable[str | TicketAttachment] | None) -> list[TicketAttachment]:
    out = []
    for item in attachment_ids or []:
        out.append(item if isinstance(item, TicketAttachment) else TicketAttachment(attachment_id=str(item)))
    return out


class RootCauseDomain(Domain[ModeT]):
    """RootCause tickets: create, comment, change status, assign, list, archive, attachments."""

    @operation
    def get_ticket(self, ticket_id: str) -> Generator[Request, Any, Ticket]:
        """One ticket with its history (``GET /api/RootCause/Ticket?ticketId=``); ``NotFoundError`` when unknown."""
        data = yield Request("GET", "/api/RootCause/Ticket", params={"ticketId": str(ticket_id)})
        return Ticket.model_validate(data)

    @operation
    def create_ticket(
        self,
        subject: str | Ticket,
        comment: str | None = None,
        priority: TicketPriority | int = TicketPriority.MEDIUM,
        assignee: str | None = None,
        team: str | None = None,
        report_uuid: str | None = None,
        tags: dict[str, str] | Iterable[Setting] | None = None,
        attachment_ids: Iterable[str | TicketAttachment] | None = None,
    ) -> Generator[Request, Any, Ticket]:
        """Open a ticket (``POST /api/RootCause/Ticket``) and return it as stored.

        Args:
            subject: the ticket's title, or a complete :class:`Ticket` (other arguments ignored).
            comment: first history entry (the problem description).
            priority: :class:`TicketPriority` (default medium).
            assignee, team: who works on it.
            report_uuid: the report the ticket is about.
            tags: ``{key: value}`` or :class:`Setting` list.
            attachment_ids: uploaded attachments (see :meth:`upload_attachment`) for the first entry.
        """
        if isinstance(subject, Ticket):
            ticket = subject
        else:
            if not subject or not str(subject).strip():
                raise ValidationError("create_ticket: subject is empty", field="subject")
            ticket = Ticket(subject=subject, priority=TicketPriority(int(priority)), assignee=assignee, team=team,
                            report_uuid=report_uuid, tags=_tags(tags))
            atts = _attachments(attachment_ids)
            if comment or atts:
                ticket.update = TicketUpdate(content=comment, update_type=UpdateType.CONTENT, attachments=atts)
        data = yield Request("POST", "/api/RootCause/Ticket", json=_ticket_body(ticket))
        return Ticket.model_validate(data)

    @operation
    def update_ticket(
        self, ticket: Ticket | dict[str, Any], comment: str | None = None,
        update_type: UpdateType = UpdateType.PROPERTIES,
    ) -> Generator[Request, Any, Ticket]:
        """Send a changed ticket back (``PUT /api/RootCause/Ticket``); returns the stored ticket.

        ``comment`` (if given) becomes the ``update`` appended to the history with ``update_type``.
        """
        body = _ticket_body(ticket)
        if not body.get("ticketId"):
            raise ValidationError("update_ticket: the ticket has no ticketId", field="ticketId")
        if comment is not None:
            body["update"] = TicketUpdate(content=comment, update_type=update_type).to_wire()
        data = yield Request("PUT", "/api/RootCause/Ticket", json=body)
        return Ticket.model_validate(data)

    @operation
    def add_comment(
        self, ticket_id: str, content: str, attachment_ids: Iterable[str | TicketAttachment] | None = None
    ) -> Generator[Request, Any, Ticket]:
        """Add a comment (with optional uploaded attachments) to a ticket's history."""
        if not content and not attachment_ids:
            raise ValidationError("add_comment: content is empty", field="content")
        ticket = yield from steps(self.get_ticket, ticket_id)
        ticket.update = TicketUpdate(content=content, update_type=UpdateType.CONTENT,
                                     attachments=_attachments(attachment_ids))
        return (yield from steps(self.update_ticket, ticket))

    @operation
    def change_status(
        self, ticket_id: str, status: TicketStatus | int, comment: str | None = None
    ) -> Generator[Request, Any, Ticket]:
        """Set a ticket's status (use :meth:`archive_tickets` for Archived); the server logs the change."""
        new_status = TicketStatus(int(status))
        ticket = yield from steps(self.get_ticket, ticket_id)
        ticket.status = new_status
        if comment:
            ticket.update = TicketUpdate(content=comment, update_type=UpdateType.PROPERTIES)
        return (yield from steps(self.update_ticket, ticket))

    @operation
    def assign_ticket(
        self, ticket_id: str, assignee: str, comment: str | None = None
    ) -> Generator[Request, Any, Ticket]:
        """Assign a ticket to ``assignee``; the server logs the change."""
        ticket = yield from steps(self.get_ticket, ticket_id)
        ticket.assignee = assignee
        if comment:
            ticket.update = TicketUpdate(content=comment, update_type=UpdateType.PROPERTIES)
        return (yield from steps(self.update_ticket, ticket))

    @operation
    def get_tickets(
        self,
        status: TicketStatus | int = OPEN_STATUSES,
        view: TicketView | int = TicketView.ALL,
        search_string: str | None = None,
    ) -> Generator[Request, Any, list[Ticket]]:
        """Tickets whose status is in ``status`` (flags, OR them together) seen through ``view``
        (``GET /api/RootCause/Tickets``); ``search_string`` matches subject, number, tags and history."""
        data = yield Request(
            "GET",
            "/api/RootCause/Tickets",
            params={"status": int(status), "view": int(view), "searchString": search_string},
        )
        return [Ticket.model_validate(item) for item in (data or [])]

    @operation
    def get_open_tickets(self, view: TicketView | int = TicketView.ALL) -> Generator[Request, Any, list[Ticket]]:
        """Tickets that are Open, In progress or On hold."""
        return (yield from steps(self.get_tickets, OPEN_STATUSES, view))

    @operation
    def get_active_tickets(self, view: TicketView | int = TicketView.ALL) -> Generator[Request, Any, list[Ticket]]:
        """Tickets that are Open or In progress."""
        return (yield from steps(self.get_tickets, ACTIVE_STATUSES, view))

    @operation
    def archive_tickets(self, ticket_ids: Iterable[str]) -> Generator[Request, Any, None]:
        """Archive Solved tickets (``POST /api/RootCause/ArchiveTickets``); any other status is a
        ``ValidationError`` and nothing is archived."""
        ids = [str(t) for t in ticket_ids]
        if not ids:
            raise ValidationError("archive_tickets: no ticket ids given", field="ticket_ids")
        yield Request("POST", "/api/RootCause/ArchiveTickets", json=ids, expect="none")

    @operation
    def upload_attachment(
        self, file_name: str, content: bytes, content_type: str | None = None
    ) -> Generator[Request, Any, str]:
        """Upload a file (``POST /api/RootCause/Attachment``, multipart) and return its attachment id,
        to be referenced from a ticket update (``attachment_ids=`` of :meth:`add_comment`)."""
        if not file_name:
            raise ValidationError("upload_attachment: file_name is empty", field="file_name")
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise ValidationError("upload_attachment: content must be bytes", field="content")
        mime = content_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        body, ctype = multipart_file("file", file_name, bytes(content), mime)
        data = yield Request("POST", "/api/RootCause/Attachment", content=body, content_type=ctype)
        if isinstance(data, dict):
            data = data.get("attachmentId") or data.get("id")
        text = str(data or "").strip().strip('"')
        if not text:
            raise ValidationError("upload_attachment: the server returned no attachment id")
        return text

    @operation
    def get_attachment(self, attachment_id: str, file_name: str | None = None) -> Generator[Request, Any, bytes]:
        """An attachment's bytes (``GET /api/RootCause/Attachment``)."""
        data = yield Request("GET", "/api/RootCause/Attachment",
                             params={"attachmentId": str(attachment_id), "fileName": file_name}, expect="bytes")
        return data
