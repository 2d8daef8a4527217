"""The app, process and report domains against a scripted mock server (no sockets)."""

from __future__ import annotations

import asyncio
import base64
import json

from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.domains.report import build_header_filter, odata_datetime, odata_quote
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models import process_codes
from pywats.models.process import Process
from pywats.models.report_header import ReportHeader, SubmitResult

PROCESSES = [
    {"code": 10, "name": "ICT", "description": "In-circuit", "isTestOperation": True, "isRepairOperation": False,
     "isWipOperation": False, "processIndex": 1, "state": 1},
    {"code": 20, "name": "FCT", "isTestOperation": True, "processIndex": 2, "state": 1},
    {"code": 500, "name": "Repair", "isRepairOperation": True, "processIndex": 9, "state": 1},
    {"code": 900, "name": "Packing", "isWipOperation": True, "state": 1},
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeWATS:
    """Routes requests to small handlers and records them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.headers: list[dict[str, Any]] = [
            {"uuid": f"r{i:05}", "serialNumber": "SN1", "processName": "FCT", "processCode": 20} for i in range(25)
        ]
        self.stored: dict[str, dict[str, Any]] = {}

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.url.path == path)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        if path == "/api/App/Version":
            return httpx.Response(200, json="2026.3.0")
        if path == "/api/App/Processes":
            return httpx.Response(200, json=PROCESSES)
        if path == "/api/App/Levels":
            return httpx.Response(200, json=[{"levelId": 1, "levelName": "Line 1"}])
        if path == "/api/App/ProductGroups":
            return httpx.Response(200, json=[{"productGroupId": 3, "productGroupName": "Widgets"}])
        if path == "/api/Report/Query/Header":
            top = int(query.get("$top", 10))
            skip = int(query.get("$skip", 0))
            return httpx.Response(200, json=self.headers[skip: skip + top])
        if path == "/api/Report/WSJF" and request.method == "POST":
            body = json.loads(request.content)
            self.stored[body["id"]] = body
            return httpx.Response(200, json={"ID": body["id"], "uuid": body["id"], "Report_ID": len(self.stored)})
        if path.startswith("/api/Report/Wsjf/"):
            rid = path.rsplit("/", 1)[1]
            if rid not in self.stored:
                return httpx.Response(404, json={"Message": f"report {rid} not found"})
            return httpx.Response(200, json=self.stored[rid])
        if path == "/api/Report/Attachment":
            return httpx.Response(200, content=b"\x00\x01file", headers={"Content-Type": "application/octet-stream"})
        if path.startswith("/api/Report/Attachments/"):
            return httpx.Response(200, content=b"PK\x03\x04zip", headers={"Content-Type": "application/zip"})
        return httpx.Response(404, json={"Message": "no route"})


@pytest.fixture
def fake() -> FakeWATS:
    return FakeWATS()


@pytest.fixture
def api(fake: FakeWATS) -> pyWATS:
    return pyWATS("http://wats.test", "tok", transport=httpx.MockTransport(fake), throttle=False)


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Replace prepare_for_submit/parse_report with stand-ins that record their calls."""
    import pywats.models.report as report_models
    from pywats.models.report import UnresolvedProcessError

    calls: list[Any] = []

    def prepare(report: Any) -> dict[str, Any]:
        calls.append(report)
        data = dict(report)
        name = data.pop("processName", None)
        if name is not None:
            code = process_codes.code_for(name)
            if code is None:
                raise UnresolvedProcessError(name)
            data["processCode"] = code
        return data

    monkeypatch.setattr(report_models, "prepare_for_submit", prepare, raising=False)
    monkeypatch.setattr(report_models, "parse_report", lambda data: ("parsed", data), raising=False)
    return calls


# -- app ------------------------------------------------------------------------------------


def test_app_domain(api: pyWATS, fake: FakeWATS) -> None:
    assert api.app.get_version() == "2026.3.0"
    processes = api.app.get_processes(include_inactive_processes=True)
    assert [p.name for p in processes] == ["ICT", "FCT", "Repair", "Packing"]
    assert parse_qs(fake.requests[-1].url.query.decode())["includeInactiveProcesses"] == ["true"]
    assert api.app.get_levels()[0].level_name == "Line 1"
    assert api.app.get_product_groups()[0].product_group_name == "Widgets"


# -- process ----------------------------------------------------------------------------------


def test_processes_are_typed_dumpable_and_cached(api: pyWATS, fake: FakeWATS) -> None:
    process_codes.clear()
    processes = api.process.get_processes()
    assert all(isinstance(p, Process) for p in processes)
    ict = processes[0]
    assert (ict.code, ict.name, ict.description, ict.is_test_operation, ict.process_index, ict.state) == (
        10, "ICT", "In-circuit", True, 1, 1)
    dumped = json.loads(json.dumps([p.model_dump() for p in processes]))
    assert dumped[0]["is_test_operation"] is True and dumped[0]["name"] == "ICT"
    assert processes[0].model_dump(by_alias=True)["isTestOperation"] is True
    assert process_codes.code_for("fct") == 20  # every fetch fills the name->code cache
    api.process.get_processes()
    api.process.get_process_by_name("FCT")
    assert fake.count("/api/App/Processes") == 1  # served from the 300 s cache
    api.process.get_processes(refresh=True)
    assert fake.count("/api/App/Processes") == 2


def test_process_cache_expires(api: pyWATS, fake: FakeWATS) -> None:
    clock = [0.0]
    api.state._clock = lambda: clock[0]
    api.process.get_processes()
    clock[0] = 299.0
    api.process.get_processes()
    assert fake.count("/api/App/Processes") == 1
    clock[0] = 301.0
    api.process.get_processes()
    assert fake.count("/api/App/Processes") == 2


def test_process_lookups(api: pyWATS) -> None:
    assert api.process.get_process_by_name("FCT").code == 20  # type: ignore[union-attr]
    assert api.process.get_process_by_name("repair").code == 500  # type: ignore[union-attr]
    assert api.process.get_process_by_name("nope") is None
    assert api.process.get_process_by_code(10).name == "ICT"  # type: ignore[union-attr]
    assert api.process.get_process_by_code(12345) is None
    assert [p.name for p in api.process.get_test_operations()] == ["ICT", "FCT"]
    assert [p.name for p in api.process.get_repair_operations()] == ["Repair"]
    assert [p.name for p in api.process.get_wip_operations()] == ["Packing"]


# -- report: queries ----------------------------------------------------------------------------


def test_odata_helpers() -> None:
    assert odata_quote("O'Brien") == "'O''Brien'"
    assert odata_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == "2026-01-02T03:04:05Z"
    assert odata_datetime("2026-01-01T00:00:00Z") == "2026-01-01T00:00:00Z"
    assert build_header_filter() is None
    assert build_header_filter(serial_number="A'1", part_number="P", operation_type="FCT", report_type="UUT",
                               start_from=datetime(2026, 1, 1, tzinfo=timezone.utc)) == (
        "serialNumber eq 'A''1' and partNumber eq 'P' and processName eq 'FCT' and "
        "start ge 2026-01-01T00:00:00Z and reportType eq 'T'")
    assert build_header_filter(operation_type=20, process_code=10) == "processCode eq 10 and processCode eq 20"
    with pytest.raises(ValidationError, match="report_type"):
        build_header_filter(report_type="X")


def test_get_reports_builds_the_query(api: pyWATS, fake: FakeWATS) -> None:
    headers = api.report.get_reports(serial_number="SN1", limit=5)
    assert len(headers) == 5
    assert all(isinstance(h, ReportHeader) for h in headers)
    assert headers[0].id == headers[0].uuid == "r00000"
    assert headers[0].operation_type == "FCT"
    query = parse_qs(fake.requests[-1].url.query.decode())
    assert query["$filter"] == ["serialNumber eq 'SN1'"]
    assert query["$top"] == ["5"] and query["$orderby"] == ["start desc"]
    assert "$skip" not in query


def test_get_reports_pages_until_a_short_page(api: pyWATS, fake: FakeWATS, monkeypatch: pytest.MonkeyPatch) -> None:
    import pywats.domains.report as report_domain

    monkeypatch.setattr(report_domain, "MAX_PAGE_SIZE", 10)
    headers = api.report.get_reports(part_number="P", limit=None)
    assert [h.id for h in headers] == [f"r{i:05}" for i in range(25)]
    skips = [parse_qs(r.url.query.decode()).get("$skip", ["0"])[0] for r in fake.requests]
    assert skips == ["0", "10", "20"]
    fake.requests.clear()
    assert len(api.report.get_reports(limit=15)) == 15
    assert [parse_qs(r.url.query.decode())["$top"][0] for r in fake.requests] == ["10", "5"]


def test_header_helpers(api: pyWATS, fake: FakeWATS) -> None:
    api.report.get_headers_by_serial("S'N", limit=2)
    assert parse_qs(fake.requests[-1].url.query.decode())["$filter"] == ["serialNumber eq 'S''N'"]
    api.report.get_headers_by_part_number("PN-1", report_type="R")
    assert parse_qs(fake.requests[-1].url.query.decode())["$filter"] == ["partNumber eq 'PN-1' and reportType eq 'R'"]
    api.report.get_headers_by_date_range("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert parse_qs(fake.requests[-1].url.query.decode())["$filter"] == [
        "start ge 2026-01-01T00:00:00Z and start le 2026-02-01T00:00:00Z"]
    page = api.report.query_headers(filter="partNumber eq 'X'", top=3, skip=1, orderby="start", expand=["subunits"])
    assert [h.id for h in page] == ["r00001", "r00002", "r00003"]
    query = parse_qs(fake.requests[-1].url.query.decode())
    assert query["$expand"] == ["subunits"] and query["$orderby"] == ["start"] and query["$skip"] == ["1"]


# -- report: submit and read ---------------------------------------------------------------------


def test_submit_report_resolves_an_unknown_process_name_once(api: pyWATS, fake: FakeWATS,
                                                             fake_models: list[Any]) -> None:
    process_codes.clear()
    result = api.report.submit_report({"id": "abc", "processName": "FCT"})
    assert isinstance(result, SubmitResult)
    assert (result.id, result.uuid, result.report_id) == ("abc", "abc", 1)
    assert str(result) == "abc"
    assert fake.count("/api/App/Processes") == 1
    assert fake.stored["abc"]["processCode"] == 20
    assert len(fake_models) == 2  # tried, processes fetched, tried again
    assert api.report.submit({"id": "def", "processName": "FCT"}).id == "def"
    assert fake.count("/api/App/Processes") == 1


def test_submit_report_unknown_process_raises_validation_error(api: pyWATS, fake: FakeWATS,
                                                               fake_models: list[Any]) -> None:
    with pytest.raises(ValidationError) as info:
        api.report.submit_report({"id": "x", "processName": "NoSuchProcess"})
    assert info.value.field == "processName"
    assert fake.count("/api/Report/WSJF") == 0


def test_get_report_parses_the_wsjf(api: pyWATS, fake: FakeWATS, fake_models: list[Any]) -> None:
    api.report.submit_report({"id": "r1", "processCode": 10})
    assert api.report.get_report("r1", detail_level=7) == ("parsed", {"id": "r1", "processCode": 10})
    query = parse_qs(fake.requests[-1].url.query.decode())
    assert query == {"detailLevel": ["7"], "includeAttachments": ["true"], "includeChartdata": ["true"]}
    with pytest.raises(NotFoundError):
        api.report.get_report("missing")


def test_submit_report_async_on_the_sync_client_is_awaitable(api: pyWATS, fake: FakeWATS,
                                                             fake_models: list[Any]) -> None:
    async def batch() -> list[SubmitResult]:
        return await asyncio.gather(*[api.report.submit_report_async({"id": f"a{i}", "processCode": 10})
                                      for i in range(5)])

    results = asyncio.run(batch())
    assert sorted(r.id for r in results) == [f"a{i}" for i in range(5)]
    assert set(fake.stored) == {f"a{i}" for i in range(5)}


@pytest.mark.anyio
async def test_async_client_report_domain(fake: FakeWATS, fake_models: list[Any]) -> None:
    async with AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(fake), throttle=False) as api:
        result = await api.report.submit_report_async({"id": "z1", "processCode": 10})
        assert result.id == "z1"
        assert (await api.report.submit_report({"id": "z2", "processCode": 10})).id == "z2"
        headers = await api.report.get_reports(serial_number="SN1", limit=3)
        assert len(headers) == 3
        assert await api.report.get_attachment("z1", step_id=2) == b"\x00\x01file"
        assert await api.report.get_all_attachments("z1") == b"PK\x03\x04zip"
        assert (await api.process.get_process_by_name("ICT")).code == 10  # type: ignore[union-attr]


# -- report: attachments --------------------------------------------------------------------------


def test_get_attachment_needs_exactly_one_id(api: pyWATS, fake: FakeWATS) -> None:
    with pytest.raises(ValidationError):
        api.report.get_attachment("r1")
    with pytest.raises(ValidationError):
        api.report.get_attachment("r1", attachment_id="a", step_id=1)
    assert fake.requests == []
    assert api.report.get_attachment("r1", attachment_id="att-1") == b"\x00\x01file"
    query = parse_qs(fake.requests[-1].url.query.decode())
    assert query == {"reportId": ["r1"], "attachmentId": ["att-1"]}


def test_post_attachment_resubmits_with_a_new_step(api: pyWATS, fake: FakeWATS) -> None:
    fake.stored["u1"] = {
        "id": "u1", "type": "T", "root": {"id": 1, "stepType": "SequenceCall", "steps": [
            {"id": 2, "name": "a", "stepType": "SequenceCall", "steps": [{"id": 7, "name": "deep"}]},
            {"id": 3, "name": "b"}]}}
    result = api.report.post_attachment(uut_id="u1", file_name="photo.jpg", file_content=b"\xff\xd8jpeg",
                                        description="Test setup photo")
    assert result.id == "u1"
    steps = fake.stored["u1"]["root"]["steps"]
    added = steps[-1]
    assert added["id"] == 8 and added["stepType"] == "Action" and added["status"] == "D"
    assert added["reportText"] == "Test setup photo"
    assert added["attachment"] == {"name": "photo.jpg", "contentType": "image/jpeg",
                                   "data": base64.b64encode(b"\xff\xd8jpeg").decode()}
    assert [r.method for r in fake.requests] == ["GET", "POST"]


def test_post_attachment_on_a_repair_report_adds_binary_data(api: pyWATS, fake: FakeWATS) -> None:
    fake.stored["r9"] = {"id": "r9", "type": "R", "uur": {}, "binaryData": []}
    api.report.post_attachment(uut_id="r9", file_name="log.txt", file_content=b"log", content_type="text/plain")
    entry = fake.stored["r9"]["binaryData"][0]
    assert entry["name"] == "log.txt" and entry["contentType"] == "text/plain"
    assert base64.b64decode(entry["data"]) == b"log" and entry["id"]


def test_post_attachment_rejects_non_bytes(api: pyWATS) -> None:
    with pytest.raises(ValidationError, match="bytes"):
        api.report.post_attachment(uut_id="u1", file_name="x", file_content="text")  # type: ignore[arg-type]


def test_submit_result_shapes() -> None:
    from pywats.domains.report import _submit_result

    assert _submit_result([{"ID": "a", "uuid": "a", "Report_ID": 5}], {}).report_id == 5
    assert _submit_result('"abc"', {"id": "abc"}).id == "abc"
    assert _submit_result(None, {"id": "x"}).id == "x"
    assert _submit_result({"id": "lower"}, {}).id == "lower"

