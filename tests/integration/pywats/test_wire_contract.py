"""Wire contract: the local server's header query behaves like WATS."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pywats_server.testing import start_server

#: ReportHeader fields of SPEC-PUB every header carries.
SPEC_HEADER_FIELDS = (
    "uuid serialNumber partNumber reportType start revision result batchNumber userName stationName location "
    "purpose measuresDeleted timeStamp processCode processName comment executionTime swFilename swVersion "
    "testSocketIndex fixtureId errorCode errorMessage run receiveCount reportSize causedUutFailure "
    "causedUutFailurePath passedInRun referencedUut"
).split()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, server_token: str) -> Iterator[httpx.Client]:
    """A server holding one test report."""
    base = json.loads((Path(__file__).resolve().parents[2] / "data" / "server" / "sample-uut.json").read_text())
    db = tmp_path_factory.mktemp("wire") / "w.db"
    with start_server(db, tokens=[server_token]) as srv, httpx.Client(
        base_url=srv.url, headers=srv.auth_headers, timeout=30
    ) as http:
        doc = copy.deepcopy(base)
        doc["id"] = str(uuid.uuid4())
        doc["sn"] = "O'Brien-1"
        r = http.post("/api/Report/WSJF", json=doc)
        assert r.status_code == 200, r.text
        yield http


def test_header_carries_every_spec_field(client: httpx.Client) -> None:
    r = client.get("/api/Report/Query/Header")
    assert r.status_code == 200, r.text
    (header,) = r.json()
    missing = [f for f in SPEC_HEADER_FIELDS if f not in header]
    assert missing == []
    assert header["start"].endswith("Z")


def test_filter_on_unknown_property_is_400_naming_it(client: httpx.Client) -> None:
    r = client.get("/api/Report/Query/Header", params={"$filter": "serialNumbr eq 'x'"})
    assert r.status_code == 400, r.text
    assert "serialNumbr" in r.json()["Message"]


def test_filter_on_known_properties_still_works(client: httpx.Client) -> None:
    for text in (
        "serialNumber eq 'O''Brien-1'",
        "processCode eq 100 and reportType eq 'T' and start ge 2020-01-01T00:00:00Z",
        "subUnits/any(s: s/partNumber ne 'nothing') or serialNumber eq 'O''Brien-1'",
        "causedUutFailure eq null",
    ):
        r = client.get("/api/Report/Query/Header", params={"$filter": text})
        assert r.status_code == 200, (text, r.text)
        assert len(r.json()) == 1, text
