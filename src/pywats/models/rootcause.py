"""RootCause ticket models."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, IntFlag

from pydantic import Field

from pywats.models.common import WATSModel
from pywats.models.software import Setting

__all__ = [
    "TicketStatus",
    "TicketPriority",
    "TicketView",
    "UpdateType",
    "TicketAttachment",
    "TicketUpdate",
    "Ticket",
    "OPEN_STATUSES",
    "ACTIVE_STATUSES",
    "ALL_STATUSES",
]


class TicketStatus(IntFlag):
    """Ticket status; the values are flags so several can be asked for at once in ``get_tickets``."""

    OPEN = 1
    IN_PROGRESS = 2
    ON_HOLD = 4
    SOLVED = 8
    CLOSED = 16
    ARCHIVED = 32


OPEN_STATUSES = TicketStatus.OPEN | TicketStatus.IN_PROGRESS | TicketStatus.ON_HOLD
"""Tickets not yet solved."""
ACTIVE_STATUSES = TicketStatus.OPEN | TicketStatus.IN_PROGRESS
"""Tickets being worked on."""
ALL_STATUSES = TicketStatus(63)
"""Every status, archived included."""


class TicketPriority(IntEnum):
    """Ticket priority."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2


class TicketView(IntEnum):
    """Which tickets ``get_tickets`` lists: assigned to me, followed by me (owned or assigned), all."""

    ASSIGNED = 0
    FOLLOWING = 1
    ALL = 2


class UpdateType(IntEnum):
    """Kind of a ticket update (history entry)."""

    CONTENT = 0
    PROGRESS = 1
    PROPERTIES = 2
    NOTIFICATION = 3


class TicketAttachment(WATSModel):
    """A file attached to a ticket update (upload it first with ``upload_attachment``)."""

    attachment_id: str
    filename: str | None = None


class TicketUpdate(WATSModel):
    """One entry of a ticket's history (a comment, progress note or property change)."""

    update_id: str | None = None
    update_utc: datetime | None = None
    update_user: str | None = None
    content: str | None = None
    update_type: UpdateType = UpdateType.CONTENT
    attachments: list[TicketAttachment] = Field(default_factory=list)


class Ticket(WATSModel):
    """A RootCause ticket. On create only ``subject`` is needed; the server assigns
    ``ticket_id``, ``ticket_number``, times and history. A new comment or change note travels
    in ``update`` and the server appends it to ``history``."""

    ticket_id: str | None = None
    ticket_number: int | None = None
    progress: str | None = None
    owner: str | None = None
    assignee: str | None = None
    subject: str | None = None
    status: TicketStatus = TicketStatus.OPEN
    priority: TicketPriority = TicketPriority.MEDIUM
    report_uuid: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    team: str | None = None
    origin: str | None = None
    tags: list[Setting] = Field(default_factory=list)
    history: list[TicketUpdate] = Field(default_factory=list)
    update: TicketUpdate | None = None
