"""pywats-server: WSJF submission, validation errors, idempotency, read-back, attachments."""

from __future__ import annotations

import base64
import io
import uuid
import zipfile

import httpx
import pytest


def _headers_for(client: httpx.Client, sn: str) -> list[dict]:
    r = client.get("/api/Report/Query/Header", params={"$filter": f"serialNumber eq '{sn}'", "$top": "100"})
    assert r.status_code == 200, r.text
    return r.json()


def test_submit_returns_insert_result(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="SUBMIT-1")
    r = client.post("/api/Report/WSJF", json=report)
    assert r.status_code == 200
    body = r.json()
    assert body["ID"] == report["id"] and body["uuid"] == report["id"]
    assert isinstance(body["Report_ID"], int) and body["Report_ID"] > 0


def test_double_post_is_stored_once_and_replaced(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="IDEMPOTENT-1", result="F")
    first = client.post("/api/Report/WSJF", json=report)
    report["result"] = "P"
    second = client.post("/api/Report/WSJF", json=report)
    assert first.status_code == second.status_code == 200
    assert first.json()["Report_ID"] == second.json()["Report_ID"]
    headers = _headers_for(client, "IDEMPOTENT-1")
    assert len(headers) == 1
    assert headers[0]["result"] == "Passed"  # the later submission replaced the first
    assert headers[0]["receiveCount"] == 2


def test_get_returns_raw_report_with_output_fields(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="READBACK-1")
    del report["startUTC"]
    report["extraUnknownProperty"] = {"kept": True}
    assert client.post("/api/Report/WSJF", json=report).status_code == 200
    back = client.get(f"/api/Report/Wsjf/{report['id']}").json()
    assert back["processName"] == "FCT"
    assert back["startUTC"] == "2026-01-15T09:30:00.000Z"
    assert back["extraUnknownProperty"] == {"kept": True}
    assert back["root"]["steps"][6]["attachment"]["data"] == "aGVsbG8gd29ybGQK"
    assert back["uut"]["user"] == "alice"


def test_get_without_attachments_and_detail_level_zero(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="DETAIL-1")
    client.post("/api/Report/WSJF", json=report)
    stripped = client.get(f"/api/Report/Wsjf/{report['id']}", params={"includeAttachments": "false"}).json()
    att = stripped["root"]["steps"][6]["attachment"]
    assert "data" not in att and att["name"] == "run.log"
    ident = client.get(f"/api/Report/Wsjf/{report['id']}", params={"detailLevel": "0"}).json()
    assert ident["sn"] == "DETAIL-1" and "root" not in ident


def test_get_unknown_report_is_404(client: httpx.Client) -> None:
    r = client.get(f"/api/Report/Wsjf/{uuid.uuid4()}")
    assert r.status_code == 404
    assert "Message" in r.json()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("pn"), "pn"),
        (lambda d: d.pop("sn"), "sn"),
        (lambda d: d.pop("rev"), "rev"),
        (lambda d: d.update(type="X"), "type"),
        (lambda d: d.update(id="not-a-guid"), "id"),
        (lambda d: d.update(result="Q"), "result"),
        (lambda d: d.update(processCode="FCT"), "processCode"),
        (lambda d: d.pop("machineName"), "machineName"),
        (lambda d: d.update(start="2026-01-15T10:30:00"), "start"),
        (lambda d: d.pop("root"), "root"),
        (lambda d: d["root"]["steps"][2].update(status="Z"), "root.steps[2].status"),
        (lambda d: d["root"]["steps"][1]["numericMeas"][0].update(status="X"), "root.steps[1].numericMeas[0].status"),
        (lambda d: d["root"]["steps"][1].update(numericMeas={"value": 1}), "root.steps[1].numericMeas"),
        (lambda d: d["root"]["steps"][0]["numericMeas"][0].update(value="abc"), "root.steps[0].numericMeas[0].value"),
        (lambda d: d["root"]["steps"][3].pop("stepType"), "root.steps[3].stepType"),
        (lambda d: d["root"]["steps"][6]["attachment"].update(data="@@@"), "root.steps[6].attachment.data"),
        (lambda d: d["subUnits"][0].pop("sn"), "subUnits[0].sn"),
        (lambda d: d["miscInfos"][0].pop("description"), "miscInfos[0].description"),
    ],
)
def test_malformed_report_is_400_naming_the_field(client: httpx.Client, make_uut, mutate, field: str) -> None:
    report = make_uut()
    mutate(report)
    r = client.post("/api/Report/WSJF", json=report)
    assert r.status_code == 400, r.text
    message = r.json()["Message"]
    assert message.startswith(field + ":"), message


def test_unknown_process_code_is_400(client: httpx.Client, make_uut) -> None:
    r = client.post("/api/Report/WSJF", json=make_uut(processCode=4242))
    assert r.status_code == 400
    assert "processCode" in r.json()["Message"] and "4242" in r.json()["Message"]


def test_process_name_must_match_case_sensitively(client: httpx.Client, make_uut) -> None:
    ok = client.post("/api/Report/WSJF", json=make_uut(processCode=90, processName="Burn-in"))
    assert ok.status_code == 200
    bad = client.post("/api/Report/WSJF", json=make_uut(processCode=90, processName="burn-in"))
    assert bad.status_code == 400 and bad.json()["Message"].startswith("processName:")


@pytest.mark.parametrize("result", ["D", "S", "U", "p", "Passed", "", 1, ["P"]])
def test_report_result_outside_pfet_is_400_listing_what_is_accepted(client: httpx.Client, make_uut, make_uur,
                                                                  result: object) -> None:
    # in WATS a report result (UUT and UUR) is P, F, E or T; D is a step status only
    for report in (make_uut(result=result), make_uur(result=result)):
        r = client.post("/api/Report/WSJF", json=report)
        assert r.status_code == 400, (report["type"], result, r.text)
        assert r.json()["Message"] == f"result: must be one of P, F, E, T, not {result!r}"


def test_report_results_p_f_e_t_are_accepted_for_uut_and_uur(client: httpx.Client, make_uut, make_uur) -> None:
    for result in "PFET":
        for report in (make_uut(result=result), make_uur(result=result)):
            assert client.post("/api/Report/WSJF", json=report).status_code == 200, (report["type"], result)


def test_non_object_body_is_400(client: httpx.Client) -> None:
    r = client.post("/api/Report/WSJF", json=[1, 2])
    assert r.status_code == 400


def test_unknown_product_is_registered(client: httpx.Client, make_uut) -> None:
    pn = f"NEW-PN-{uuid.uuid4().hex[:8]}"
    assert client.get(f"/api/Product/{pn}").status_code == 404
    assert client.post("/api/Report/WSJF", json=make_uut(pn=pn, rev="C")).status_code == 200
    product = client.get(f"/api/Product/{pn}").json()
    assert product["partNumber"] == pn
    assert [r["revision"] for r in product["revisions"]] == ["C"]
    assert client.get(f"/api/Product/{pn}/C").json()["revision"] == "C"


def test_repair_report_and_its_attachments(client: httpx.Client, make_uut, make_uur) -> None:
    uut = make_uut(sn="REPAIR-SN-1")
    client.post("/api/Report/WSJF", json=uut)
    att_id = str(uuid.uuid4())
    uur = make_uur(sn="REPAIR-SN-1")
    uur["uur"]["refUUT"] = uut["id"]
    uur["binaryData"][0]["id"] = att_id
    r = client.post("/api/Report/WSJF", json=uur)
    assert r.status_code == 200, r.text
    raw = client.get("/api/Report/Attachment", params={"reportId": uur["id"], "attachmentId": att_id})
    assert raw.status_code == 200
    assert raw.content == base64.b64decode(uur["binaryData"][0]["data"])
    assert raw.headers["content-type"].startswith("image/jpeg")
    headers = client.get(
        "/api/Report/Query/Header",
        params={"$filter": "serialNumber eq 'REPAIR-SN-1' and reportType eq 'R'", "$expand": "uurAttachments"},
    ).json()
    assert len(headers) == 1
    assert headers[0]["referencedUut"] == uut["id"]
    assert headers[0]["uurAttachments"] == [{"id": att_id, "filename": "photo.jpg"}]


def test_repair_report_requires_uur_and_subunits(client: httpx.Client, make_uur) -> None:
    r = make_uur()
    del r["uur"]
    assert client.post("/api/Report/WSJF", json=r).json()["Message"].startswith("uur:")
    r = make_uur()
    del r["subUnits"]
    assert client.post("/api/Report/WSJF", json=r).json()["Message"].startswith("subUnits:")
    r = make_uur()
    r["uur"]["processCode"] = 777
    assert client.post("/api/Report/WSJF", json=r).json()["Message"].startswith("uur.processCode:")


def test_step_attachment_and_zip_of_all(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="ATTACH-1")
    report["root"]["steps"][5]["attachment"] = {"name": "run.log", "contentType": "text/plain",
                                                 "data": base64.b64encode(b"second").decode()}
    assert client.post("/api/Report/WSJF", json=report).status_code == 200
    one = client.get("/api/Report/Attachment", params={"reportId": report["id"], "stepId": 8})
    assert one.status_code == 200 and one.content == b"hello world\n"
    assert one.headers["content-type"].startswith("text/plain")
    missing = client.get("/api/Report/Attachment", params={"reportId": report["id"], "stepId": 99})
    assert missing.status_code == 404
    z = client.get(f"/api/Report/Attachments/{report['id']}")
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        contents = {n: zf.read(n) for n in zf.namelist()}
    assert sorted(contents.values()) == [b"hello world\n", b"second"]
    assert len(contents) == 2
    assert client.get(f"/api/Report/Attachments/{uuid.uuid4()}").status_code == 404


def test_attachment_needs_an_id(client: httpx.Client) -> None:
    r = client.get("/api/Report/Attachment", params={"reportId": str(uuid.uuid4())})
    assert r.status_code == 400


def test_chart_data_can_be_left_out(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="CHART-1")
    report["root"]["steps"].append({
        "id": 9, "stepType": "WATS_XYGMNLT", "name": "Sweep", "status": "P",
        "chart": {"chartType": "Line", "label": "sweep", "series": [
            {"dataType": "XYG", "name": "s", "xdata": "0;1;2", "ydata": "0;1;1"}]},
    })
    assert client.post("/api/Report/WSJF", json=report).status_code == 200
    full = client.get(f"/api/Report/Wsjf/{report['id']}").json()
    assert full["root"]["steps"][-1]["chart"]["series"][0]["ydata"] == "0;1;1"
    lean = client.get(f"/api/Report/Wsjf/{report['id']}", params={"includeChartdata": "false"}).json()
    assert "chart" not in lean["root"]["steps"][-1]
    mid = client.get(f"/api/Report/Wsjf/{report['id']}", params={"detailLevel": "2"}).json()
    assert "data" not in mid["root"]["steps"][6]["attachment"] and "chart" in mid["root"]["steps"][-1]


@pytest.mark.parametrize(
    ("start", "start_utc"),
    [
        ("2020-01-01T09:00:00.+01:00", "2020-01-01T08:00:00.Z"),  # Virinco's own WSJF examples
        ("2020-01-01T09:00:00,5+0100", "2020-01-01 08:00:00.5 UTC"),
    ],
)
def test_timestamps_are_read_as_liberally_as_wats_reads_them(
    client: httpx.Client, make_uut, start: str, start_utc: str
) -> None:
    doc = make_uut(sn=f"SN-TIME-{uuid.uuid4().hex[:6]}", start=start, startUTC=start_utc)
    r = client.post("/api/Report/WSJF", json=doc)
    assert r.status_code == 200, r.text
    stored = client.get(f"/api/Report/Wsjf/{doc['id']}").json()
    assert stored["sn"] == doc["sn"]
