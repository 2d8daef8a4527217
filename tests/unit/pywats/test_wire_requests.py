"""Wire contract: what the library puts on the wire for plain calls."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pywats import pyWATS
from pywats.exceptions import ValidationError


class _Recorder:
    def __init__(self, advertise_msgpack: bool = False) -> None:
        self.requests: list[httpx.Request] = []
        self.advertise = advertise_msgpack

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {"X-WATS-Accept-Formats": "application/json, application/x-msgpack"} if self.advertise else {}
        if request.url.path.endswith("/WSJF"):
            return httpx.Response(200, json={"ID": "x", "uuid": "x", "Report_ID": 1}, headers=headers)
        return httpx.Response(200, json=[], headers=headers)


@pytest.fixture()
def recorder() -> _Recorder:
    return _Recorder()


@pytest.fixture()
def api(recorder: _Recorder) -> Iterator[pyWATS]:
    client = pyWATS("https://example.invalid/api/", "dXNlcjprZXk=", transport=httpx.MockTransport(recorder),
                    throttle=False)
    try:
        yield client
    finally:
        client.close()


def test_query_headers_top_above_10000_is_refused_without_a_call(api: pyWATS, recorder: _Recorder) -> None:
    with pytest.raises(ValidationError) as info:
        api.report.query_headers(top=10001)
    assert info.value.field == "top"
    assert "10000" in str(info.value)
    with pytest.raises(ValidationError):
        api.report.query_headers(skip=-1)
    assert recorder.requests == []


def test_query_headers_top_10000_is_sent(api: pyWATS, recorder: _Recorder) -> None:
    api.report.query_headers(filter="serialNumber eq 'O''B'", top=10000, skip=5, orderby="start desc")
    (req,) = recorder.requests
    assert req.url.path == "/api/Report/Query/Header"
    assert req.url.params["$top"] == "10000"
    assert req.url.params["$skip"] == "5"
    assert req.url.params["$filter"] == "serialNumber eq 'O''B'"


def test_authorization_is_the_token_verbatim_and_json_accepted(api: pyWATS, recorder: _Recorder) -> None:
    api.report.query_headers()
    (req,) = recorder.requests
    assert req.headers["Authorization"] == "Basic dXNlcjprZXk="
    assert req.headers["Accept"] == "application/json"


def test_no_msgpack_to_a_server_that_did_not_advertise_it(recorder: _Recorder) -> None:
    with pyWATS("https://example.invalid", "dG9r", transport=httpx.MockTransport(recorder), throttle=False,
                use_msgpack=True) as api:
        api.report.query_headers()
        api.report.submit_report({"pn": "P", "sn": "S", "rev": "A", "processCode": 100,
                                  "root": {"stepType": "SequenceCall", "name": "M"}})
    post = recorder.requests[-1]
    assert post.headers["Content-Type"] == "application/json"
    assert "msgpack" not in post.headers.get("Accept", "")
    assert post.content.startswith(b"{")


def test_header_filter_result_uses_header_words() -> None:
    from pywats.domains.report import build_header_filter

    assert build_header_filter(result="F") == "result eq 'Failed'"
    assert build_header_filter(result="p") == "result eq 'Passed'"
    assert build_header_filter(result="Terminated") == "result eq 'Terminated'"
