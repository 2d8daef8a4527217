"""Client construction: base URL, token and env vars, headers, timeouts, lifecycle."""

from __future__ import annotations

import asyncio
import gc

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.core.settings import normalize_base_url
from pywats.exceptions import ConfigurationError, PyWATSError


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WATS_BASE_URL", "WATS_AUTH_TOKEN", "PYWATS_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "given",
    ["https://x.wats.com", "https://x.wats.com/", "https://x.wats.com/api", "https://x.wats.com/api/",
     " https://x.wats.com/API "],
)
def test_base_url_normalisation(given: str) -> None:
    assert normalize_base_url(given) == "https://x.wats.com"
    assert pyWATS(given, "t").base_url == "https://x.wats.com"


def test_base_url_keeps_a_path_prefix() -> None:
    assert normalize_base_url("https://host/wats/api/") == "https://host/wats"


def test_base_url_without_scheme_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="scheme"):
        pyWATS("x.wats.com", "t")


def test_missing_url_names_argument_and_env_var() -> None:
    with pytest.raises(ConfigurationError) as info:
        pyWATS(token="t")
    assert "base_url" in str(info.value) and "WATS_BASE_URL" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_token_names_argument_and_env_vars() -> None:
    with pytest.raises(ConfigurationError) as info:
        AsyncWATS("http://h")
    assert "token" in str(info.value) and "WATS_AUTH_TOKEN" in str(info.value) and "PYWATS_API_TOKEN" in str(info.value)


def test_env_vars_supply_url_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATS_BASE_URL", "http://envhost:8080/api")
    monkeypatch.setenv("PYWATS_API_TOKEN", "from-pywats-env")
    api = pyWATS()
    assert api.base_url == "http://envhost:8080"
    assert api.settings.token == "from-pywats-env"
    monkeypatch.setenv("WATS_AUTH_TOKEN", "from-wats-env")
    assert pyWATS().settings.token == "from-wats-env"  # WATS_AUTH_TOKEN first
    assert pyWATS(token="explicit").settings.token == "explicit"


def test_headers_sent_on_every_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json="2026.3.0")

    with pyWATS("http://h/api", "dXNlcjprZXk=", transport=httpx.MockTransport(handler), throttle=False) as api:
        assert api.app.get_version() == "2026.3.0"
        assert api.get_version() == "2026.3.0"
        assert api.test_connection() is True
    assert all(r.headers["authorization"] == "Basic dXNlcjprZXk=" for r in seen)
    assert all(r.headers["accept"] == "application/json" for r in seen)
    assert [str(r.url) for r in seen] == ["http://h/api/App/Version"] * 3


def test_timeouts_cover_every_phase() -> None:
    api = pyWATS("http://h", "t", timeout=7.5)
    timeout = api._executor.http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (7.5, 7.5, 7.5, 7.5)
    custom = httpx.Timeout(1.0, connect=2.0)
    assert AsyncWATS("http://h", "t", timeout=custom)._executor.http.timeout == custom
    with pytest.raises(ConfigurationError, match="timeout"):
        pyWATS("http://h", "t", timeout=0)


def test_http2_and_pool_settings() -> None:
    api = pyWATS("http://h", "t", max_connections=7)
    assert api.settings.http2 is True  # h2 is installed
    assert api.settings.max_connections == 7
    assert pyWATS("http://h", "t", http2=False).settings.http2 is False


def test_test_connection_false_on_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401)

    api = pyWATS("http://h", "t", transport=httpx.MockTransport(handler), throttle=False)
    assert api.test_connection() is False


def test_domains_are_created_lazily_and_once() -> None:
    api = pyWATS("http://h", "t")
    assert "report" not in api.__dict__
    report = api.report
    assert api.report is report and "report" in api.__dict__
    assert {"app", "process", "report"} <= set(dir(api))
    with pytest.raises(AttributeError):
        api.no_such_domain  # noqa: B018


def test_sync_close_and_use_after_close() -> None:
    api = pyWATS("http://h", "t", transport=httpx.MockTransport(lambda r: httpx.Response(200, json="v")))
    api.close()
    api.close()
    assert api.is_closed
    with pytest.raises(PyWATSError, match="closed"):
        api.app.get_version()


@pytest.mark.anyio
async def test_async_context_manager_and_close_forms() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json="v"))
    async with AsyncWATS("http://h", "t", transport=transport) as api:
        assert await api.app.get_version() == "v"
        assert await api.test_connection() is True
    assert api.is_closed
    other = AsyncWATS("http://h", "t", transport=transport)
    await other.close()  # close() works awaited
    assert other.is_closed
    third = AsyncWATS("http://h", "t", transport=transport)
    third.close()  # ... and not awaited: scheduled on the running loop
    await asyncio.sleep(0)
    assert third.is_closed
    with pytest.raises(PyWATSError, match="closed"):
        await third.app.get_version()


def test_async_close_without_a_loop_marks_closed() -> None:
    api = AsyncWATS("http://h", "t")
    api.close()
    assert api.is_closed
    del api
    gc.collect()


def test_repr_never_shows_the_token() -> None:
    api = pyWATS("http://h", "secret-token")
    assert "secret-token" not in repr(api)
    assert "secret-token" not in repr(api.report)
    assert "secret-token" not in repr(api.settings)
