"""``api.rootcause`` against the real local server, sync and async: every public method."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.rootcause import (
    ALL_STATUSES,
    Ticket,
    TicketPriority,
    TicketStatus,
    TicketView,
    UpdateType,
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_create_and_get_ticket(clients: Clients) -> None:
    subject = unique("Fixture FX-01 contacts worn")
    report = str(uuid.uuid4())
    ticket = clients.run(lambda api: api.rootcause.create_ticket(
        subject, comment="Yield dropped on FCT", priority=TicketPriority.HIGH, team="Test eng",
        report_uuid=report, tags={"line": "1"}))
    assert isinstance(ticket, Ticket) and ticket.ticket_id and ticket.ticket_number
    assert ticket.status is TicketStatus.OPEN and ticket.priority is TicketPriority.HIGH
    assert ticket.owner == "test" and ticket.report_uuid == report and ticket.team == "Test eng"
    assert [h.content for h in ticket.history] == ["Yield dropped on FCT"]
    assert ticket.history[0].update_user == "test" and ticket.history[0].update_utc is not None
    again = clients.run(lambda api: api.rootcause.get_ticket(ticket.ticket_id))
    assert again.subject == subject and again.tags[0].key == "line" and again.created_utc is not None
    other = clients.run(lambda api: api.rootcause.create_ticket(Ticket(subject=unique("model"))))
    assert other.ticket_number > ticket.ticket_number and other.history == []


def test_get_unknown_ticket(clients: Clients) -> None:
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.rootcause.get_ticket(str(uuid.uuid4())))


def test_create_needs_subject(clients: Clients) -> None:
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.rootcause.create_ticket(" "))
    with pytest.raises(ValidationError, match="subject"):
        clients.run(lambda api: api.rootcause.create_ticket(Ticket()))


def test_comment_status_assign_history(clients: Clients) -> None:
    t = clients.run(lambda api: api.rootcause.create_ticket(unique("T")))
    t = clients.run(lambda api: api.rootcause.add_comment(t.ticket_id, "Checked the fixture"))
    t = clients.run(lambda api: api.rootcause.change_status(t.ticket_id, TicketStatus.IN_PROGRESS))
    t = clients.run(lambda api: api.rootcause.assign_ticket(t.ticket_id, "bob", comment="bob owns FX"))
    assert t.status is TicketStatus.IN_PROGRESS and t.assignee == "bob"
    entries = [(h.update_type, h.content) for h in t.history]
    assert entries == [
        (UpdateType.CONTENT, "Checked the fixture"),
        (UpdateType.PROPERTIES, "Status changed from Open to In progress"),
        (UpdateType.PROPERTIES, "bob owns FX"),
        (UpdateType.PROPERTIES, "Assigned to bob"),
    ]
    assert len({h.update_id for h in t.history}) == 4


def test_update_ticket_fields(clients: Clients) -> None:
    t = clients.run(lambda api: api.rootcause.create_ticket(unique("T")))
    t.subject = "renamed " + t.subject
    t.progress = "Root cause found"
    t.priority = TicketPriority.LOW
    updated = clients.run(lambda api: api.rootcause.update_ticket(t, comment="see progress",
                                                                 update_type=UpdateType.PROGRESS))
    assert updated.subject.startswith("renamed ") and updated.progress == "Root cause found"
    assert updated.priority is TicketPriority.LOW
    assert [(h.update_type, h.content) for h in updated.history] == [
        (UpdateType.PROGRESS, "see progress"), (UpdateType.PROPERTIES, "Priority changed to Low")]
    partial = clients.run(lambda api: api.rootcause.update_ticket({"ticketId": t.ticket_id, "team": "QA"}))
    assert partial.team == "QA" and partial.priority is TicketPriority.LOW and partial.status is TicketStatus.OPEN
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.rootcause.update_ticket(Ticket(subject="no id")))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.rootcause.update_ticket({"ticketId": str(uuid.uuid4()), "team": "x"}))
    with pytest.raises(ValidationError, match="status"):
        clients.run(lambda api: api.rootcause.update_ticket({"ticketId": t.ticket_id, "status": 3}))


def test_get_tickets_status_view_search(clients: Clients) -> None:
    word = unique("needle")
    mine = clients.run(lambda api: api.rootcause.create_ticket(f"{word} mine"))
    clients.run(lambda api: api.rootcause.assign_ticket(mine.ticket_id, "test"))
    theirs = clients.run(lambda api: api.rootcause.create_ticket(f"{word} theirs", assignee="zoe"))
    foreign = clients.run(lambda api: api.rootcause.create_ticket(Ticket(subject=f"{word} foreign", owner="carl")))
    solved = clients.run(lambda api: api.rootcause.create_ticket(unique("other"), comment=f"about {word}"))
    clients.run(lambda api: api.rootcause.change_status(solved.ticket_id, TicketStatus.SOLVED))

    def ids(**kw: Any) -> set[str]:
        return {t.ticket_id for t in clients.run(lambda api: api.rootcause.get_tickets(search_string=word, **kw))}

    assert foreign.owner == "carl"
    assert ids() == {mine.ticket_id, theirs.ticket_id, foreign.ticket_id}
    assert ids(status=ALL_STATUSES) == {mine.ticket_id, theirs.ticket_id, foreign.ticket_id, solved.ticket_id}
    assert ids(status=TicketStatus.SOLVED) == {solved.ticket_id}
    assert ids(view=TicketView.ASSIGNED) == {mine.ticket_id}
    # following = owned by or assigned to the caller ("test"): not carl's ticket
    assert ids(view=TicketView.FOLLOWING) == {mine.ticket_id, theirs.ticket_id}
    assert ids(status=ALL_STATUSES, view=TicketView.FOLLOWING) == {mine.ticket_id, theirs.ticket_id,
                                                                    solved.ticket_id}
    open_ids = {t.ticket_id for t in clients.run(lambda api: api.rootcause.get_open_tickets())}
    active_ids = {t.ticket_id for t in clients.run(lambda api: api.rootcause.get_active_tickets())}
    assert {mine.ticket_id, theirs.ticket_id} <= open_ids and solved.ticket_id not in open_ids
    assert mine.ticket_id in active_ids
    with pytest.raises(ValidationError, match="view"):
        clients.run(lambda api: api.rootcause.get_tickets(view=7))


def test_archive_only_solved(clients: Clients) -> None:
    solved = clients.run(lambda api: api.rootcause.create_ticket(unique("T")))
    clients.run(lambda api: api.rootcause.change_status(solved.ticket_id, TicketStatus.SOLVED))
    still_open = clients.run(lambda api: api.rootcause.create_ticket(unique("T")))
    with pytest.raises(ValidationError, match="only Solved"):
        clients.run(lambda api: api.rootcause.archive_tickets([solved.ticket_id, still_open.ticket_id]))
    assert clients.run(lambda api: api.rootcause.get_ticket(solved.ticket_id)).status is TicketStatus.SOLVED
    clients.run(lambda api: api.rootcause.archive_tickets([solved.ticket_id]))
    archived = clients.run(lambda api: api.rootcause.get_ticket(solved.ticket_id))
    assert archived.status is TicketStatus.ARCHIVED
    assert archived.history[-1].content == "Status changed from Solved to Archived"
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.rootcause.change_status(still_open.ticket_id, TicketStatus.ARCHIVED))
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.rootcause.archive_tickets([]))


def test_attachments(clients: Clients) -> None:
    content = bytes(range(256)) + b"\r\n--tricky\r\n\r\n" + b"\x00" * 10
    aid = clients.run(lambda api: api.rootcause.upload_attachment('scope "1".png', content))
    assert uuid.UUID(aid)
    assert clients.run(lambda api: api.rootcause.get_attachment(aid)) == content
    t = clients.run(lambda api: api.rootcause.create_ticket(unique("T")))
    t = clients.run(lambda api: api.rootcause.add_comment(t.ticket_id, "scope shot", attachment_ids=[aid]))
    att = t.history[-1].attachments[0]
    assert att.attachment_id == aid and att.filename == 'scope "1".png'
    with pytest.raises(ValidationError, match="unknown attachment"):
        clients.run(lambda api: api.rootcause.add_comment(t.ticket_id, "x", attachment_ids=[str(uuid.uuid4())]))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.rootcause.get_attachment(str(uuid.uuid4())))


def test_routes_need_the_token(wats_server: Any) -> None:
    response = httpx.get(wats_server.base_url + "/api/RootCause/Tickets", params={"status": 1, "view": 2})
    assert response.status_code == 401


@pytest.mark.anyio
async def test_async_ticket_flow(wats_server: Any) -> None:
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        aid = await api.rootcause.upload_attachment("log.txt", b"log")
        t = await api.rootcause.create_ticket(unique("async"), comment="first", attachment_ids=[aid])
        t = await api.rootcause.change_status(t.ticket_id, TicketStatus.SOLVED, comment="fixed")
        await api.rootcause.archive_tickets([t.ticket_id])
        found = await api.rootcause.get_tickets(TicketStatus.ARCHIVED, search_string=t.subject)
        assert [x.ticket_id for x in found] == [t.ticket_id]
        assert await api.rootcause.get_attachment(aid) == b"log"
