"""Wire contract (reference §4.1, §4.2, §6.2): the local server's header query behaves like WATS."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pywats_server.testing import start_server

#: ReportHeader fields of SPEC-PUB (reference §4.2) every header carries.
SPEC_HEADER_FIELDS = (
    "uuid serialNumber partNumber reportType start revision result batchNumber userName stationName location "
    "purpose measuresDeleted timeStamp processCode processName comment executionTime swFilename swVersion "
    "testSocketIndex fixtureId errorCode errorMessage run receiveCount reportSize causedUutFailure "
    "causedUutFailurePath passedInRun referencedUut"
).split()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, server_token: str) -> Iterator[httpx.Client]:
    """A server holding one test report."""
    base = json.loads((Path(__file__).resolve().parents[1] / "data" / "server" / "sample-uut.json").read_text())
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
