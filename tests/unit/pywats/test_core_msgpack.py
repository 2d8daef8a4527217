"""MessagePack is negotiated: JSON until the server advertises it, never to a JSON-only server."""

from __future__ import annotations

import json

import httpx
import msgpack
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.core import codec
from pywats.core.request import Request

FORMATS = {"X-WATS-Accept-Formats": "application/json, application/x-msgpack"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Server:
    """Echoes the decoded body back, in msgpack when the client accepts it."""

    def __init__(self, advertise: bool) -> None:
        self.advertise = advertise
        self.seen: list[tuple[str | None, str | None, object]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        ctype = request.headers.get("content-type")
        accept = request.headers.get("accept")
        body: object = None
        if request.content:
            if ctype == codec.MSGPACK:
                assert self.advertise, "msgpack sent to a server that never advertised it"
                body = msgpack.unpackb(request.content, raw=False)
            else:
                body = json.loads(request.content)
        self.seen.append((ctype, accept, body))
        headers = dict(FORMATS) if self.advertise else {}
        if self.advertise and accept and codec.MSGPACK in accept:
            headers["Content-Type"] = codec.MSGPACK
            return httpx.Response(200, content=msgpack.packb({"echo": body}), headers=headers)
        return httpx.Response(200, json={"echo": body}, headers=headers)


def post(api: pyWATS, payload: object) -> object:
    return api._executor.send(Request("POST", "/api/Echo", json=payload))


def test_first_request_json_then_msgpack() -> None:
    server = Server(advertise=True)
    api = pyWATS("http://wats.test", "tok", use_msgpack=True, throttle=False, transport=httpx.MockTransport(server))
    assert post(api, {"n": 1}) == {"echo": {"n": 1}}
    assert post(api, {"n": 2, "data": [1.5, "x", None]}) == {"echo": {"n": 2, "data": [1.5, "x", None]}}
    first, second = server.seen
    assert first[0] == codec.JSON and first[1] == "application/json"
    assert second[0] == codec.MSGPACK
    assert second[1] is not None and codec.MSGPACK in second[1] and codec.JSON in second[1]
    assert api._executor.msgpack_active


def test_json_only_server_never_gets_msgpack() -> None:
    server = Server(advertise=False)
    api = pyWATS("http://wats.test", "tok", use_msgpack=True, throttle=False, transport=httpx.MockTransport(server))
    for i in range(3):
        assert post(api, {"i": i}) == {"echo": {"i": i}}
    assert all(ctype == codec.JSON and accept == "application/json" for ctype, accept, _ in server.seen)
    assert not api._executor.msgpack_active


def test_without_use_msgpack_json_even_if_advertised() -> None:
    server = Server(advertise=True)
    api = pyWATS("http://wats.test", "tok", throttle=False, transport=httpx.MockTransport(server))
    post(api, {"a": 1})
    post(api, {"a": 2})
    assert [s[0] for s in server.seen] == [codec.JSON, codec.JSON]


def test_get_learns_formats_before_the_first_post() -> None:
    server = Server(advertise=True)
    api = pyWATS("http://wats.test", "tok", use_msgpack=True, throttle=False, transport=httpx.MockTransport(server))
    api._executor.send(Request("GET", "/api/App/Version"))
    post(api, {"x": 1})
    assert server.seen[1][0] == codec.MSGPACK


def test_msgpack_encodes_datetimes_like_json() -> None:
    from datetime import datetime, timezone

    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert msgpack.unpackb(codec.encode_msgpack({"t": when}), raw=False) == {"t": "2026-01-02T03:04:05Z"}
    assert json.loads(codec.encode_json({"t": when})) == {"t": "2026-01-02T03:04:05Z"}


def test_decode_by_content_type() -> None:
    assert codec.decode(msgpack.packb([1, 2]), "application/x-msgpack") == [1, 2]
    assert codec.decode(b'{"a": 1}', "application/json; charset=utf-8") == {"a": 1}
    assert codec.decode(b"", "application/json") is None
    assert codec.decode(b"not json", "text/plain") == "not json"
    assert codec.parse_formats("application/json, application/x-msgpack;q=0.9") == {codec.JSON, codec.MSGPACK}


@pytest.mark.anyio
async def test_async_negotiates_the_same_way() -> None:
    server = Server(advertise=True)
    api = AsyncWATS("http://wats.test", "tok", use_msgpack=True, throttle=False, transport=httpx.MockTransport(server))
    await api._executor.send(Request("POST", "/api/Echo", json=[1]))
    assert await api._executor.send(Request("POST", "/api/Echo", json=[2])) == {"echo": [2]}
    assert [s[0] for s in server.seen] == [codec.JSON, codec.MSGPACK]
    await api.aclose()


def test_a_changed_formats_header_is_followed() -> None:
    """The header is parsed again whenever its value changes: a server that stops listing
    MessagePack gets JSON from the next request on, and MessagePack again once it lists it."""
    listed = ["application/json, application/x-msgpack"]
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("content-type"))
        return httpx.Response(200, json={}, headers={codec.FORMATS_HEADER: listed[0]})

    api = pyWATS("http://wats.test", "tok", use_msgpack=True, throttle=False, transport=httpx.MockTransport(handler))
    post(api, {"n": 1})
    post(api, {"n": 2})
    listed[0] = "application/json"
    post(api, {"n": 3})
    post(api, {"n": 4})
    listed[0] = "application/x-msgpack; q=1, application/json"
    post(api, {"n": 5})
    post(api, {"n": 6})
    assert sent == [codec.JSON, codec.MSGPACK, codec.MSGPACK, codec.JSON, codec.JSON, codec.MSGPACK]
