"""RootCause models, request bodies and the multipart encoding (no network)."""

from __future__ import annotations

from pywats.domains.rootcause import _ticket_body, multipart_file
from pywats.models.rootcause import (
    ACTIVE_STATUSES,
    ALL_STATUSES,
    OPEN_STATUSES,
    Ticket,
    TicketPriority,
    TicketStatus,
    TicketUpdate,
    UpdateType,
)
from pywats_server.routes.rootcause import parse_multipart_file


def test_ticket_from_wire() -> None:
    t = Ticket.model_validate({
        "ticketId": "t1", "ticketNumber": 4, "status": 8, "priority": 2, "subject": "s",
        "createdUtc": "2026-01-01T00:00:00.000Z", "tags": [{"key": "a", "value": "b"}],
        "history": [{"updateId": "u", "updateUtc": "2026-01-01T00:00:00Z", "updateUser": "x", "content": "c",
                     "updateType": 2, "attachments": [{"attachmentId": "a1", "filename": "f.png"}]}],
        "update": None,
    })
    assert t.status is TicketStatus.SOLVED and t.priority is TicketPriority.HIGH
    assert t.history[0].update_type is UpdateType.PROPERTIES and t.history[0].attachments[0].filename == "f.png"


def test_status_flag_sets() -> None:
    assert int(OPEN_STATUSES) == 7 and int(ACTIVE_STATUSES) == 3 and int(ALL_STATUSES) == 63
    assert TicketStatus.ON_HOLD in OPEN_STATUSES and TicketStatus.SOLVED not in OPEN_STATUSES


def test_ticket_body_sends_only_what_was_set_and_never_history() -> None:
    fetched = Ticket.model_validate({"ticketId": "t1", "status": 2, "subject": "s", "history": [{"content": "x"}]})
    fetched.assignee = "bob"
    body = _ticket_body(fetched)
    assert body == {"ticketId": "t1", "status": 2, "subject": "s", "assignee": "bob"}
    partial = _ticket_body({"ticketId": "t1", "team": "QA"})
    assert partial == {"ticketId": "t1", "team": "QA"}  # no default status that would reopen the ticket
    new = Ticket(subject="n", update=TicketUpdate(content="c"))
    assert _ticket_body(new) == {"subject": "n", "update": {"content": "c"}}


def test_multipart_round_trip_through_the_server_parser() -> None:
    data = bytes(range(256)) * 3 + b"\r\n--\r\n"
    body, ctype = multipart_file("file", 'a "quoted" name.bin', data, "application/octet-stream")
    assert ctype.startswith("multipart/form-data; boundary=")
    name, mime, parsed = parse_multipart_file(body, ctype)
    assert (name, mime, parsed) == ('a "quoted" name.bin', "application/octet-stream", data)


def test_multipart_without_file_part_is_rejected() -> None:
    import pytest

    from pywats_server.wire import ApiError

    body = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nvalue\r\n--b--\r\n'
    with pytest.raises(ApiError) as info:
        parse_multipart_file(body, "multipart/form-data; boundary=b")
    assert info.value.status == 400
    with pytest.raises(ApiError):
        parse_multipart_file(body, "multipart/form-data")
