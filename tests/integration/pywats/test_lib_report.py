"""``api.report`` against the real local server, sync and async: every public method."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import NotFoundError, ValidationError
from pywats.models import process_codes
from pywats.models.report_header import ReportHeader, SubmitResult
from pywats.tools import ReportBuilder


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def builder(serial: str, part: str = "WIDGET-100", operation: str | int = "FCT") -> ReportBuilder:
    b = ReportBuilder(part_number=part, serial_number=serial)
    b.set_operation_type(operation)
    b.add_step(name="Voltage", value=5.01, unit="V", limits=(4.95, 5.05))
    b.add_step(name="Power-On", status="Passed")
    return b


def test_submit_builder_dict_and_model(clients: Clients) -> None:
    from pywats.models.report import parse_report

    sn = unique("SN-SUB")
    b = builder(sn)
    result = clients.run(lambda api: api.report.submit_report(b))
    assert isinstance(result, SubmitResult)
    assert result.id == b.id and result.uuid == b.id
    as_dict = builder(sn).to_dict()
    assert clients.run(lambda api: api.report.submit(as_dict)).id == as_dict["id"]
    model = parse_report(builder(sn, operation="EOL").to_dict())
    clients.run(lambda api: api.report.submit_report(model))
    headers = clients.run(lambda api: api.report.get_reports(serial_number=sn))
    assert len(headers) == 3
    assert {h.operation_type for h in headers} == {"FCT", "EOL"}


def test_submit_is_idempotent_by_report_id(clients: Clients) -> None:
    sn = unique("SN-IDEM")
    report = builder(sn).to_dict()
    first = clients.run(lambda api: api.report.submit_report(report))
    second = clients.run(lambda api: api.report.submit_report(report))
    assert first.id == second.id == report["id"]
    assert [h.id for h in clients.run(lambda api: api.report.get_reports(serial_number=sn))] == [report["id"]]


def test_submit_report_async(clients: Clients) -> None:
    import asyncio

    serials = [unique("SN-ASYNC") for _ in range(4)]
    reports = [builder(s).to_dict() for s in serials]
    if clients.kind == "async":
        async def batch() -> list[SubmitResult]:
            return await asyncio.gather(*[clients.api.report.submit_report_async(r) for r in reports])

        results = clients.loop.run_until_complete(batch())  # type: ignore[union-attr]
    else:
        async def batch() -> list[SubmitResult]:
            return await asyncio.gather(*[clients.api.report.submit_report_async(r) for r in reports])

        results = asyncio.run(batch())
    assert [r.id for r in results] == [r["id"] for r in reports]
    for s in serials:
        assert len(clients.run(lambda api, s=s: api.report.get_reports(serial_number=s))) == 1


def test_process_name_resolved_by_fetching_processes(clients: Clients) -> None:
    process_codes.clear()
    sn = unique("SN-RESOLVE")
    report = builder(sn, operation="EOL").to_dict()
    assert "processCode" not in report and report["processName"] == "EOL"
    clients.run(lambda api: api.report.submit_report(report))
    assert process_codes.code_for("EOL") is not None
    assert clients.run(lambda api: api.report.get_reports(serial_number=sn))[0].operation_type == "EOL"


def test_invalid_report_is_rejected_before_sending(clients: Clients) -> None:
    with pytest.raises(ValidationError) as info:
        clients.run(lambda api: api.report.submit_report({"type": "T", "sn": "x"}))
    assert info.value.status_code is None and info.value.field
    with pytest.raises(ValidationError) as unknown:
        clients.run(lambda api: api.report.submit_report(builder(unique("SN-X"), operation="No Such Op").to_dict()))
    assert unknown.value.field == "processName"


def test_server_rejects_unknown_process_code(clients: Clients) -> None:
    with pytest.raises(ValidationError) as info:
        clients.run(lambda api: api.report.submit_report(builder(unique("SN-BADCODE"), operation=987654)))
    assert info.value.status_code == 400
    assert info.value.method == "POST" and info.value.url is not None and info.value.url.endswith("/api/Report/WSJF")
    assert info.value.message


def test_get_report(clients: Clients) -> None:
    b = builder(unique("SN-GET"))
    clients.run(lambda api: api.report.submit_report(b))
    report = clients.run(lambda api: api.report.get_report(b.id))
    wsjf = report.to_wsjf()
    assert wsjf["id"] == b.id and wsjf["sn"] == b.serial_number
    assert [s["name"] for s in wsjf["root"]["steps"]] == ["Voltage", "Power-On"]
    raw = clients.run(lambda api: api.report.get_report_wsjf(b.id, include_attachments=False, include_chartdata=False))
    assert raw["id"] == b.id
    light = clients.run(lambda api: api.report.get_report(b.id, detail_level=0))
    assert light.to_wsjf()["id"] == b.id
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.report.get_report(str(uuid.uuid4())))


def test_query_headers_raw_odata(clients: Clients) -> None:
    pn = unique("PN-Q")
    ids = [clients.run(lambda api: api.report.submit_report(builder(unique("SN-Q"), part=pn))).id for _ in range(3)]
    headers = clients.run(lambda api: api.report.query_headers(filter=f"partNumber eq '{pn}'", top=10))
    assert sorted(h.id for h in headers) == sorted(ids)
    assert all(isinstance(h, ReportHeader) and h.part_number == pn for h in headers)
    two = clients.run(lambda api: api.report.query_headers(filter=f"partNumber eq '{pn}'", top=2, skip=1,
                                                           orderby="start desc"))
    assert len(two) == 2
    expanded = clients.run(lambda api: api.report.query_headers(filter=f"partNumber eq '{pn}'", expand=["subunits"]))
    assert len(expanded) == 3


def test_get_reports_filters_and_paging(clients: Clients, monkeypatch: pytest.MonkeyPatch) -> None:
    import pywats.domains.report as report_domain

    pn = unique("PN-PAGE")
    sn = unique("SN-O'Quote")  # a quote in the value is escaped in the filter
    submitted = []
    for op in ("ICT", "FCT", "EOL", "FCT", "FCT"):
        submitted.append(clients.run(lambda api, op=op: api.report.submit_report(builder(sn, part=pn, operation=op))).id)
    everything = clients.run(lambda api: api.report.get_reports(serial_number=sn))
    assert sorted(h.id for h in everything) == sorted(submitted)
    assert all(h.serial_number == sn for h in everything)
    starts = [h.start for h in everything]
    assert starts == sorted(starts, reverse=True)  # newest first
    fct = clients.run(lambda api: api.report.get_reports(serial_number=sn, operation_type="FCT"))
    assert len(fct) == 3 and {h.operation_type for h in fct} == {"FCT"}
    code = fct[0].process_code
    assert len(clients.run(lambda api: api.report.get_reports(part_number=pn, process_code=code))) == 3
    assert len(clients.run(lambda api: api.report.get_reports(part_number=pn, report_type="T"))) == 5
    assert clients.run(lambda api: api.report.get_reports(part_number=pn, report_type="R")) == []
    assert len(clients.run(lambda api: api.report.get_reports(part_number=pn, limit=2))) == 2
    monkeypatch.setattr(report_domain, "MAX_PAGE_SIZE", 2)
    paged = clients.run(lambda api: api.report.get_reports(part_number=pn, limit=None))
    assert sorted(h.id for h in paged) == sorted(submitted)  # pages of 2, 2, 1
    now = datetime.now(timezone.utc)
    in_range = clients.run(lambda api: api.report.get_reports(part_number=pn, start_from=now - timedelta(hours=1),
                                                              start_to=now + timedelta(hours=1)))
    assert len(in_range) == 5
    assert clients.run(lambda api: api.report.get_reports(part_number=pn, start_to=now - timedelta(days=1))) == []


def test_header_helpers(clients: Clients) -> None:
    pn = unique("PN-H")
    sn = unique("SN-H")
    b = builder(sn, part=pn)
    clients.run(lambda api: api.report.submit_report(b))
    assert [h.id for h in clients.run(lambda api: api.report.get_headers_by_serial(sn))] == [b.id]
    assert [h.id for h in clients.run(lambda api: api.report.get_headers_by_part_number(pn))] == [b.id]
    now = datetime.now(timezone.utc)
    recent = clients.run(lambda api: api.report.get_headers_by_date_range(now - timedelta(minutes=10),
                                                                          now + timedelta(minutes=10), limit=None))
    assert b.id in {h.id for h in recent}


def test_attachments(clients: Clients) -> None:
    b = builder(unique("SN-ATT"))
    clients.run(lambda api: api.report.submit_report(b))
    photo = b"\xff\xd8\xff\xe0 photo bytes"
    result = clients.run(lambda api: api.report.post_attachment(uut_id=b.id, file_name="setup.jpg",
                                                                file_content=photo, description="Test setup photo"))
    assert result.id == b.id
    wsjf = clients.run(lambda api: api.report.get_report_wsjf(b.id))
    added = [s for s in wsjf["root"]["steps"] if s.get("attachment")]
    assert len(added) == 1 and added[0]["reportText"] == "Test setup photo"
    assert added[0]["attachment"]["contentType"] == "image/jpeg"
    assert [s["name"] for s in wsjf["root"]["steps"]][:2] == ["Voltage", "Power-On"]  # nothing lost
    step_ids = [s["id"] for s in wsjf["root"]["steps"]]
    assert len(set(step_ids)) == len(step_ids)
    assert clients.run(lambda api: api.report.get_attachment(b.id, step_id=added[0]["id"])) == photo
    clients.run(lambda api: api.report.post_attachment(uut_id=b.id, file_name="log.txt", file_content=b"log text"))
    archive = clients.run(lambda api: api.report.get_all_attachments(b.id))
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        contents = sorted(zf.read(name) for name in zf.namelist())
    assert contents == sorted([photo, b"log text"])
    assert len(clients.run(lambda api: api.report.get_reports(serial_number=b.serial_number))) == 1
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.report.post_attachment(uut_id=str(uuid.uuid4()), file_name="x", file_content=b"x"))


def test_msgpack_round_trip(wats_server: Any) -> None:
    from pywats import pyWATS

    with pyWATS(base_url=wats_server.base_url, token=wats_server.token, use_msgpack=True) as api:
        b = builder(unique("SN-MSGPACK"))
        for i in range(200):
            b.add_step(name=f"Step {i}", value=float(i), limits=(0, 1000))
        api.app.get_version()  # first call (JSON) learns that the server accepts MessagePack
        assert api._executor.msgpack_active
        assert api.report.submit_report(b).id == b.id
        stored = api.report.get_report(b.id).to_wsjf()
        assert len(stored["root"]["steps"]) == 202
