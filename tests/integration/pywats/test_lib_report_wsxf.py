"""``api.report.submit_wsxf`` / ``get_report_wsxf`` against the real local server, sync and async.

The server converts with :mod:`pywats.formats.wsxf`: a report sent as WSXF is stored exactly
as the codec reads it (its WSJF read back equals ``parse_wsxf`` of the document sent, plus
the ``processName`` the server adds), and the stored report read back as WSXF parses to that
same WSJF. A document that is not WSXF
answers 400 and stores nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import NotFoundError, ValidationError
from pywats.formats.wsxf import parse_wsxf, to_wsxf


@pytest.mark.parametrize("kind", ["uut", "uur"])
def test_wsxf_round_trip(clients: Clients, make_uut: Any, make_uur: Any, kind: str) -> None:
    doc = (make_uut if kind == "uut" else make_uur)(sn=f"WSXF-{uuid.uuid4().hex[:8]}")
    sent = to_wsxf(doc)
    [expected] = parse_wsxf(sent)
    result = clients.run(lambda api: api.report.submit_wsxf(sent))
    assert result.id == doc["id"]
    stored = clients.run(lambda api: api.report.get_report_wsjf(doc["id"]))
    # the server names the operation on every report it answers (as WATS does)
    assert isinstance(stored.get("processName"), str) and stored["processName"]
    assert stored == {**expected, "processName": stored["processName"]}
    text = clients.run(lambda api: api.report.get_report_wsxf(doc["id"], detail_level=7, include_indexes=False))
    assert parse_wsxf(text) == [stored]


def test_wsxf_rejects_what_is_not_wsxf(clients: Clients) -> None:
    with pytest.raises(ValidationError) as caught:
        clients.run(lambda api: api.report.submit_wsxf("<NotWsxf/>"))
    assert "WSXF" in str(caught.value)
    broken = '<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf"><Report type="UUT"'
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.report.submit_wsxf(broken))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.report.get_report_wsxf(str(uuid.uuid4())))
