"""Retry policy: attempts counted, only safe calls retried, backoff and Retry-After obeyed."""

from __future__ import annotations

import httpx
import pytest

from pywats import AsyncWATS, RetryConfig, pyWATS
from pywats.core.request import Request
from pywats.exceptions import ConfigurationError, ConnectionError, NotFoundError, RateLimitError, ServerError


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Script:
    """A mock server answering from a list of outcomes, counting calls."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, httpx.Response)
        return outcome


def ok() -> httpx.Response:
    return httpx.Response(200, json="1.0")


def make(script: Script, retry: RetryConfig | None = None) -> tuple[pyWATS, list[float]]:
    api = pyWATS("http://wats.test", "tok", transport=httpx.MockTransport(script), retry_config=retry, throttle=False)
    sleeps: list[float] = []
    api._executor.sleep = sleeps.append
    return api, sleeps


def test_defaults() -> None:
    config = RetryConfig()
    assert (config.max_attempts, config.base_delay, config.max_delay, config.jitter) == (3, 1.0, 30.0, True)
    assert set(config.retry_on) == {429, 500, 502, 503, 504}
    assert RetryConfig(max_attempts=5, base_delay=2.0).max_attempts == 5
    api = pyWATS("http://wats.test", "tok")
    assert api.retry_config == RetryConfig()
    api.close()


def test_invalid_config_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="max_attempts"):
        RetryConfig(max_attempts=0)


def test_backoff_is_exponential_and_capped() -> None:
    config = RetryConfig(base_delay=1.0, max_delay=5.0, jitter=False)
    assert [config.delay(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_stays_between_half_and_full_delay() -> None:
    low = RetryConfig(base_delay=4.0, random=lambda: 0.0)
    high = RetryConfig(base_delay=4.0, random=lambda: 0.999999)
    assert low.delay(1) == 2.0
    assert 3.99 < high.delay(1) <= 4.0


def test_transient_failures_are_retried_until_success() -> None:
    script = Script(httpx.Response(503), httpx.ConnectError("refused"), ok())
    api, sleeps = make(script, RetryConfig(max_attempts=3, base_delay=0.01, jitter=False))
    assert api.app.get_version() == "1.0"
    assert len(script.calls) == 3
    assert sleeps == [0.01, 0.02]


def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    script = Script(httpx.Response(502, text="bad gateway"))
    api, sleeps = make(script, RetryConfig(max_attempts=5, base_delay=0.001))
    with pytest.raises(ServerError) as info:
        api.app.get_version()
    assert info.value.status_code == 502
    assert len(script.calls) == 5
    assert len(sleeps) == 4


def test_retry_after_is_obeyed() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "0.25"}), ok())
    api, sleeps = make(script, RetryConfig(base_delay=9.0))
    assert api.app.get_version() == "1.0"
    assert sleeps == [0.25]


def test_retry_after_is_capped_by_max_delay() -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "3600"}), ok())
    api, sleeps = make(script, RetryConfig(max_delay=0.5))
    api.app.get_version()
    assert sleeps == [0.5]


def test_client_errors_are_not_retried() -> None:
    script = Script(httpx.Response(404))
    api, sleeps = make(script)
    with pytest.raises(NotFoundError):
        api.app.get_version()
    assert len(script.calls) == 1 and sleeps == []


def test_plain_post_is_not_retried() -> None:
    script = Script(httpx.Response(503))
    api, sleeps = make(script)
    with pytest.raises(ServerError):
        api._executor.send(Request("POST", "/api/Something", json={"a": 1}))
    assert len(script.calls) == 1 and sleeps == []


def test_post_marked_idempotent_is_retried() -> None:
    script = Script(httpx.ConnectError("down"), httpx.Response(200, json={"ID": "x"}))
    api, _sleeps = make(script, RetryConfig(base_delay=0.001))
    assert api._executor.send(Request("POST", "/api/Report/WSJF", json={"id": "x"}, idempotent=True)) == {"ID": "x"}
    assert len(script.calls) == 2
    assert script.calls[0].content == script.calls[1].content


def test_disabled_retry_tries_once() -> None:
    script = Script(httpx.ConnectError("down"))
    api, _sleeps = make(script, RetryConfig.disabled())
    with pytest.raises(ConnectionError):
        api.app.get_version()
    assert len(script.calls) == 1


def test_transport_errors_can_be_excluded() -> None:
    script = Script(httpx.ConnectError("down"))
    api, _ = make(script, RetryConfig(retry_on_transport_errors=False))
    with pytest.raises(ConnectionError):
        api.app.get_version()
    assert len(script.calls) == 1


@pytest.mark.anyio
async def test_async_retry_awaits_the_async_sleep() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "0.01"}), httpx.Response(500), ok())
    api = AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(script),
                    retry_config=RetryConfig(base_delay=0.02, jitter=False), throttle=False)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    api._executor.sleep = fake_sleep
    assert await api.app.get_version() == "1.0"
    assert slept == [0.01, 0.04]
    assert len(script.calls) == 3
    await api.aclose()


@pytest.mark.anyio
async def test_async_gives_up_with_rate_limit_error() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "0"}))
    api = AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(script),
                    retry_config=RetryConfig(max_attempts=2), throttle=False)
    with pytest.raises(RateLimitError):
        await api.app.get_version()
    assert len(script.calls) == 2
    await api.aclose()
