"""``api.report.submit_wsxf`` / ``get_report_wsxf`` against the real local server, sync and async.

The conversion is :mod:`pywats.formats.wsxf` (WSXF ↔ WSJF). Where the codec is installed the
report makes the whole round trip (WSXF in, stored, WSJF and WSXF out); a build without it
must answer 501 naming the missing codec, never store anything.
"""

from __future__ import annotations

import importlib
import uuid
from types import ModuleType
from typing import Any

import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import HTTPError, NotFoundError, ValidationError


def _codec() -> ModuleType | None:
    try:
        return importlib.import_module("pywats.formats.wsxf")
    except ImportError:
        return None


def _to_wsxf(codec: ModuleType, doc: dict[str, Any]) -> bytes:
    convert = getattr(codec, "wsjf_to_wsxf", None) or codec.to_wsxf
    out = convert(doc)
    return out if isinstance(out, bytes) else str(out).encode("utf-8")


def _from_wsxf(codec: ModuleType, xml: str) -> list[dict[str, Any]]:
    convert = getattr(codec, "wsxf_to_wsjf", None) or codec.parse_wsxf
    out = convert(xml.encode("utf-8"))
    return out if isinstance(out, list) else [out]


def test_wsxf_submit_and_read_back(clients: Clients, make_uut: Any) -> None:
    doc = make_uut(sn=f"WSXF-{uuid.uuid4().hex[:8]}")
    codec = _codec()
    if codec is None:
        minimal = b'<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf"><Report type="UUT"/></Reports>'
        with pytest.raises(HTTPError) as caught:
            clients.run(lambda api: api.report.submit_wsxf(minimal))
        assert caught.value.status_code == 501 and "pywats.formats.wsxf" in str(caught.value)
        clients.run(lambda api: api.report.submit_report(doc))
        with pytest.raises(HTTPError) as caught:
            clients.run(lambda api: api.report.get_report_wsxf(doc["id"]))
        assert caught.value.status_code == 501
        return
    result = clients.run(lambda api: api.report.submit_wsxf(_to_wsxf(codec, doc)))
    assert result.id == doc["id"]
    stored = clients.run(lambda api: api.report.get_report_wsjf(doc["id"]))
    assert (stored["sn"], stored["pn"], stored["result"]) == (doc["sn"], doc["pn"], doc["result"])
    text = clients.run(lambda api: api.report.get_report_wsxf(doc["id"], detail_level=7, include_indexes=False))
    [back] = _from_wsxf(codec, text)
    assert (back["id"], back["sn"], back["result"]) == (doc["id"], doc["sn"], doc["result"])
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.report.submit_wsxf("<NotWsxf/>"))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.report.get_report_wsxf(str(uuid.uuid4())))
