"""pywats-server: auth, routing, formats, app/process endpoints and the HTML page."""

from __future__ import annotations

import httpx
import msgpack
import pytest

from pywats_server.testing import ServerInfo

FORMATS = "application/json, application/x-msgpack"


def test_version_is_a_json_string(client: httpx.Client) -> None:
    r = client.get("/api/App/Version")
    assert r.status_code == 200
    assert r.json() == "2026.1.0-pywats-local"
    assert r.headers["X-WATS-Accept-Formats"] == FORMATS


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic wrong"}, {"Authorization": "Bearer dGVzdDp0ZXN0"}, {"Authorization": "Basic"}],
    ids=["none", "wrong-token", "wrong-scheme", "empty"],
)
def test_api_without_valid_token_is_401_with_message(wats_server: ServerInfo, headers: dict[str, str]) -> None:
    r = httpx.get(wats_server.base_url + "/api/App/Version", headers=headers)
    assert r.status_code == 401
    assert r.json()["Message"]
    assert r.headers["X-WATS-Accept-Formats"] == FORMATS


def test_post_report_without_token_is_401(wats_server: ServerInfo, make_uut) -> None:
    r = httpx.post(wats_server.base_url + "/api/Report/WSJF", json=make_uut())
    assert r.status_code == 401
    assert "Message" in r.json()


def test_basic_scheme_is_case_insensitive(wats_server: ServerInfo) -> None:
    r = httpx.get(wats_server.base_url + "/api/App/Version", headers={"Authorization": f"basic {wats_server.token}"})
    assert r.status_code == 200


def test_unknown_path_is_404_json(client: httpx.Client) -> None:
    for path in ("/api/NoSuch/Thing", "/nothing-here"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Message" in r.json()


def test_wrong_method_is_405_json(client: httpx.Client) -> None:
    r = client.delete("/api/App/Version")
    assert r.status_code == 405
    assert "Message" in r.json()


@pytest.mark.parametrize("path", ["/api/app/version", "/API/APP/VERSION", "/Api/App/vErSiOn"])
def test_paths_match_case_insensitively(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.json() == "2026.1.0-pywats-local"


def test_msgpack_response_when_preferred(client: httpx.Client) -> None:
    r = client.get("/api/App/Processes", headers={"Accept": "application/x-msgpack, application/json;q=0.5"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-msgpack")
    data = msgpack.unpackb(r.content, raw=False)
    assert {p["code"] for p in data} >= {10, 50, 90, 100, 150, 500, 510}


def test_json_wins_when_preferred_over_msgpack(client: httpx.Client) -> None:
    r = client.get("/api/App/Version", headers={"Accept": "application/json, application/x-msgpack;q=0.1"})
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == "2026.1.0-pywats-local"


def test_msgpack_request_and_response_for_report(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="MSGPACK-1")
    r = client.post(
        "/api/Report/WSJF", content=msgpack.packb(report, use_bin_type=True),
        headers={"Content-Type": "application/x-msgpack", "Accept": "application/x-msgpack"},
    )
    assert r.status_code == 200, r.content
    ack = msgpack.unpackb(r.content, raw=False)
    assert ack["ID"] == report["id"]
    back = client.get(f"/api/Report/Wsjf/{report['id']}").json()
    assert back["sn"] == "MSGPACK-1"
    assert back["root"]["steps"][0]["numericMeas"][0]["value"] == 3.31


def test_bad_msgpack_body_is_400(client: httpx.Client) -> None:
    r = client.post("/api/Report/WSJF", content=b"\xc1\xc1", headers={"Content-Type": "application/x-msgpack"})
    assert r.status_code == 400
    assert "MessagePack" in r.json()["Message"]


def test_bad_json_body_is_400(client: httpx.Client) -> None:
    r = client.post("/api/Report/WSJF", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert "JSON" in r.json()["Message"]


def test_processes_default_and_flags(client: httpx.Client) -> None:
    procs = client.get("/api/App/Processes").json()
    by_code = {p["code"]: p for p in procs}
    assert by_code[50]["name"] == "ICT"
    assert by_code[90]["name"] == "Burn-in"
    assert by_code[100]["name"] == "FCT"
    assert by_code[150]["name"] == "EOL"
    assert by_code[10]["name"] == "SW Debug"
    assert by_code[500]["name"] == "Repair" and by_code[500]["isRepairOperation"] is True
    assert by_code[510]["name"] == "RMA Repair"
    assert by_code[800]["isWipOperation"] is True
    for key in ("code", "name", "description", "isTestOperation", "isRepairOperation", "isWipOperation",
                "processIndex", "state"):
        assert key in by_code[100]
    tests = client.get("/api/App/Processes", params={"includeTestOperations": "true"}).json()
    assert {p["code"] for p in tests} == {10, 50, 90, 100, 150}
    repairs = client.get("/api/App/Processes", params={"includeRepairOperations": "true"}).json()
    assert {p["code"] for p in repairs} == {500, 510}
    bad = client.get("/api/App/Processes", params={"includeTestOperations": "maybe"})
    assert bad.status_code == 400 and "includeTestOperations" in bad.json()["Message"]


def test_internal_processes_are_pascal_case(client: httpx.Client) -> None:
    assert client.get("/api/internal/Process/GetProcesses").status_code == 401  # internal: Referer required
    procs = client.get("/api/internal/Process/GetProcesses", headers={"Referer": str(client.base_url)}).json()
    fct = next(p for p in procs if p["Code"] == 100)
    assert fct["Name"] == "FCT" and fct["IsTestOperation"] is True and fct["IsWIPOperation"] is False
    assert set(fct) >= {"Code", "ProcessID", "Name", "Description", "ProcessIndex", "State", "IsRepairOperation"}


def test_levels_and_product_groups(client: httpx.Client) -> None:
    levels = client.get("/api/App/Levels").json()
    assert levels and all({"levelId", "levelName"} <= set(x) for x in levels)
    groups = client.get("/api/App/ProductGroups").json()
    assert groups and all({"productGroupId", "productGroupName"} <= set(g) for g in groups)


def test_html_page_lists_reports_with_json_links(wats_server: ServerInfo, client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="HTML-PAGE-1")
    assert client.post("/api/Report/WSJF", json=report).status_code == 200
    page = httpx.get(wats_server.base_url + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "HTML-PAGE-1" in page.text
    link = f"/reports/{report['id']}.json"
    assert link in page.text
    doc = httpx.get(wats_server.base_url + link).json()
    assert doc["sn"] == "HTML-PAGE-1" and doc["processName"] == "FCT"


def test_msgpack_binary_attachment_bytes_are_stored_as_base64(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="MSGPACK-BIN")
    report["root"]["steps"][6]["attachment"]["data"] = b"\x00\x01binary"
    r = client.post("/api/Report/WSJF", content=msgpack.packb(report, use_bin_type=True),
                    headers={"Content-Type": "application/x-msgpack"})
    assert r.status_code == 200, r.text
    back = client.get(f"/api/Report/Wsjf/{report['id']}").json()
    assert back["root"]["steps"][6]["attachment"]["data"] == "AAFiaW5hcnk="
    raw = client.get("/api/Report/Attachment", params={"reportId": report["id"], "stepId": 8})
    assert raw.content == b"\x00\x01binary"


def test_fixture_contract(wats_server: ServerInfo) -> None:
    base_url, token = wats_server
    assert base_url.startswith("http://127.0.0.1:") and not base_url.endswith("/")
    assert token == "dGVzdDp0ZXN0"
    assert wats_server.db_path.exists()
    assert wats_server.process.is_running()
    assert wats_server.auth_headers == {"Authorization": f"Basic {token}"}
