"""Every failure maps to a pywats.exceptions error naming method, URL and status."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.core.retry import RetryConfig
from pywats.exceptions import (
    AuthenticationError,
    AuthorizationError,
    ConflictError,
    ConnectionError,
    HTTPError,
    NotFoundError,
    PyWATSError,
    RateLimitError,
    ServerError,
    TimeoutError,
    ValidationError,
)

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sync_client(handler: Handler) -> pyWATS:
    return pyWATS("http://wats.test", "tok", transport=httpx.MockTransport(handler), retry_config=RetryConfig.disabled(),
                  throttle=False)


def answer(status: int, **kwargs: object) -> Handler:
    return lambda request: httpx.Response(status, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, AuthorizationError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, HTTPError),
    ],
)
def test_status_maps_to_exception(status: int, cls: type[HTTPError]) -> None:
    api = sync_client(answer(status, json={"Message": f"said {status}"}))
    with pytest.raises(cls) as info:
        api.app.get_version()
    error = info.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.method == "GET"
    assert error.url == "http://wats.test/api/App/Version"
    assert error.message == f"said {status}"
    assert "GET http://wats.test/api/App/Version" in str(error) and str(status) in str(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "lower"}, "lower"),
        ({"Message": "upper"}, "upper"),
        ({"error": "err"}, "err"),
        ({"errors": {"sn": ["is required"]}}, "sn: is required"),
        ({"detail": "det"}, "det"),
        ({"title": "ttl"}, "ttl"),
        ("a bare JSON string", "a bare JSON string"),
    ],
)
def test_validation_error_carries_server_message(body: object, expected: str) -> None:
    api = sync_client(answer(400, json=body))
    with pytest.raises(ValidationError) as info:
        api.app.get_version()
    assert info.value.message == expected


def test_plain_text_error_body_is_the_message() -> None:
    api = sync_client(answer(422, text="Report validation failed: pn is required"))
    with pytest.raises(ValidationError) as info:
        api.app.get_version()
    assert info.value.message == "Report validation failed: pn is required"
    assert info.value.response_text == "Report validation failed: pn is required"


def test_empty_error_body_still_names_the_status() -> None:
    api = sync_client(answer(500))
    with pytest.raises(ServerError) as info:
        api.app.get_version()
    assert info.value.message == "HTTP 500"


def test_rate_limit_carries_retry_after() -> None:
    api = sync_client(answer(429, headers={"Retry-After": "7"}, text="slow down"))
    with pytest.raises(RateLimitError) as info:
        api.app.get_version()
    assert info.value.retry_after == 7.0


def test_rate_limit_retry_after_as_http_date() -> None:
    api = sync_client(answer(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    with pytest.raises(RateLimitError) as info:
        api.app.get_version()
    assert info.value.retry_after == 0.0  # a date in the past means "now"


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectTimeout("t"), httpx.ReadTimeout("t"), httpx.WriteTimeout("t"), httpx.PoolTimeout("t")],
)
def test_timeouts_map_to_timeout_error(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(TimeoutError) as info:
        sync_client(handler).app.get_version()
    assert info.value.method == "GET"
    assert info.value.url == "http://wats.test/api/App/Version"
    assert info.value.status_code is None


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.WriteError("pipe"),
                                 httpx.RemoteProtocolError("eof")])
def test_transport_failures_map_to_connection_error(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(ConnectionError) as info:
        sync_client(handler).report.get_all_attachments("abc")
    assert info.value.url == "http://wats.test/api/Report/Attachments/abc"
    assert not isinstance(info.value, TimeoutError)


def test_connection_error_is_not_the_builtin() -> None:
    assert not issubclass(ConnectionError, OSError)
    assert issubclass(ConnectionError, PyWATSError)


@pytest.mark.anyio
async def test_async_client_maps_errors_the_same_way() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("Version"):
            return httpx.Response(401, json={"Message": "bad token"})
        raise httpx.ReadTimeout("slow")

    async with AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(handler),
                         retry_config=RetryConfig.disabled(), throttle=False) as api:
        with pytest.raises(AuthenticationError) as info:
            await api.app.get_version()
        assert info.value.status_code == 401 and info.value.message == "bad token"
        with pytest.raises(TimeoutError):
            await api.app.get_levels()


def test_error_url_includes_query() -> None:
    api = sync_client(answer(404, json={"Message": "no such report"}))
    with pytest.raises(NotFoundError) as info:
        api.report.get_attachment("r1", step_id=3)
    assert info.value.url is not None
    assert "reportId=r1" in info.value.url and "stepId=3" in info.value.url


def test_operation_can_catch_errors_thrown_into_it() -> None:
    from pywats.core.request import Request
    from pywats.domains._base import Domain, operation

    class Probe(Domain):
        @operation
        def exists(self):  # type: ignore[no-untyped-def]
            try:
                yield Request("GET", "/api/Thing")
            except NotFoundError:
                return False
            return True

    api = sync_client(answer(404))
    assert Probe(api, api._executor).exists() is False
