"""pywats-server: OData header query end to end (filter, orderby, top/skip, expand, select)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pywats_server.testing import start_server


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory, server_token: str) -> Iterator[tuple[httpx.Client, list[dict]]]:
    """A server with 12 known reports (6 FCT, 4 ICT, 2 EOL) on an empty database."""
    import copy
    import json

    base = json.loads((Path(__file__).resolve().parents[2] / "data" / "server" / "sample-uut.json").read_text())
    db = tmp_path_factory.mktemp("query") / "q.db"
    with start_server(db, tokens=[server_token]) as srv, httpx.Client(
        base_url=srv.url, headers=srv.auth_headers, timeout=30
    ) as client:
        reports = []
        for i in range(12):
            doc = copy.deepcopy(base)
            doc["id"] = str(uuid.uuid4())
            doc["sn"] = f"Q-{i:03d}"
            doc["pn"] = "PN-A" if i % 2 == 0 else "PN-B"
            doc["processCode"] = [100, 50, 100, 150, 100, 50][i % 6]
            doc["result"] = "P" if i % 3 else "F"
            doc["start"] = f"2026-02-{i + 1:02d}T08:00:00+01:00"
            doc.pop("startUTC", None)
            doc["subUnits"] = [{"partType": "PCBA", "pn": f"PCB-{i % 3}", "rev": "A", "sn": f"PCB-SN-{i}"}]
            doc["miscInfos"] = [{"description": "Firmware", "text": f"1.{i % 2}"}]
            r = client.post("/api/Report/WSJF", json=doc)
            assert r.status_code == 200, r.text
            reports.append(doc)
        yield client, reports


def _q(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/api/Report/Query/Header", params=params)


def test_default_top_is_10_ordered_by_start_desc(populated) -> None:
    client, _ = populated
    rows = _q(client).json()
    assert len(rows) == 10
    starts = [r["start"] for r in rows]
    assert starts == sorted(starts, reverse=True)
    assert rows[0]["serialNumber"] == "Q-011"
    assert rows[0]["start"] == "2026-02-12T07:00:00Z"  # UTC, yyyy-MM-ddTHH:mm:ssZ


def test_header_fields(populated) -> None:
    client, reports = populated
    row = _q(client, **{"$filter": "serialNumber eq 'Q-000'"}).json()[0]
    assert row["uuid"] == reports[0]["id"]
    assert row["partNumber"] == "PN-A" and row["revision"] == "A" and row["reportType"] == "T"
    assert row["result"] == "Failed" and row["processCode"] == 100 and row["processName"] == "FCT"
    assert row["userName"] == row["operator"] == "alice"
    assert row["start"] == row["startUtc"]
    assert row["stationName"] == "FCT-STATION-01" and row["batchNumber"] == "BATCH-2026-001"
    assert isinstance(row["timeStamp"], int)
    assert "subUnits" not in row  # only with $expand


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("partNumber eq 'PN-A'", {f"Q-{i:03d}" for i in range(0, 12, 2)}),
        ("partNumber ne 'PN-A' and processCode eq 50", {"Q-001", "Q-005", "Q-007", "Q-011"}),
        ("processCode eq 150 or result eq 'Failed'", {"Q-000", "Q-003", "Q-006", "Q-009"}),
        ("serialNumber in ('Q-001', 'Q-002', 'nope')", {"Q-001", "Q-002"}),
        ("not (processCode eq 100) and processCode ne 50", {"Q-003", "Q-009"}),
        ("start ge 2026-02-10T00:00:00Z", {"Q-009", "Q-010", "Q-011"}),
        ("start lt 2026-02-02T00:00:00Z", {"Q-000"}),
        ("subUnits/any(s: s/partNumber eq 'PCB-2')", {"Q-002", "Q-005", "Q-008", "Q-011"}),
        ("miscInfo/any(m: m/value eq '1.0') and processCode eq 100", {"Q-000", "Q-002", "Q-004", "Q-006", "Q-008", "Q-010"}),
        ("startswith(serialNumber, 'Q-01')", {"Q-010", "Q-011"}),
    ],
)
def test_filters(populated, flt: str, expected: set[str]) -> None:
    client, _ = populated
    r = _q(client, **{"$filter": flt, "$top": "100"})
    assert r.status_code == 200, r.text
    assert {row["serialNumber"] for row in r.json()} == expected


def test_orderby_top_skip_paging(populated) -> None:
    client, _ = populated
    page1 = _q(client, **{"$orderby": "serialNumber asc", "$top": "5"}).json()
    page2 = _q(client, **{"$orderby": "serialNumber asc", "$top": "5", "$skip": "5"}).json()
    page3 = _q(client, **{"$orderby": "serialNumber asc", "$top": "5", "$skip": "10"}).json()
    sns = [r["serialNumber"] for r in page1 + page2 + page3]
    assert sns == [f"Q-{i:03d}" for i in range(12)]
    desc = _q(client, **{"$orderby": "timestamp desc", "$top": "3"}).json()
    assert [r["serialNumber"] for r in desc] == ["Q-011", "Q-010", "Q-009"]


def test_top_is_capped_at_10000(populated) -> None:
    client, _ = populated
    r = _q(client, **{"$top": "50000"})
    assert r.status_code == 200 and len(r.json()) == 12


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"$orderby": "partNumber"}, "$orderby"),
        ({"$orderby": "start sideways"}, "$orderby"),
        ({"$filter": "serialNumber eqq 'x'"}, "$filter"),
        ({"$filter": "processCode add 1 eq 2"}, "$filter"),
        ({"$top": "-1"}, "$top"),
        ({"$expand": "bogus"}, "$expand"),
    ],
)
def test_bad_query_options_are_400(populated, params: dict[str, str], word: str) -> None:
    client, _ = populated
    r = _q(client, **params)
    assert r.status_code == 400, r.text
    assert word in r.json()["Message"]


def test_expand_is_case_insensitive(populated) -> None:
    client, _ = populated
    row = _q(client, **{"$filter": "serialNumber eq 'Q-004'", "$expand": "SUBUNITS,miscinfo"}).json()[0]
    assert row["subUnits"] == [{"partType": "PCBA", "serialNumber": "PCB-SN-4", "partNumber": "PCB-1", "revision": "A"}]
    assert row["miscInfo"] == [{"description": "Firmware", "value": "1.0"}]
    assert "assets" not in row


def test_select_limits_fields(populated) -> None:
    client, _ = populated
    row = _q(client, **{"$filter": "serialNumber eq 'Q-004'", "$select": "uuid,serialNumber"}).json()[0]
    assert set(row) == {"uuid", "serialNumber"}


def test_report_type_query_parameter(populated) -> None:
    client, _ = populated
    assert len(_q(client, reportType="U", **{"$top": "100"}).json()) == 12
    assert _q(client, reportType="R").json() == []
