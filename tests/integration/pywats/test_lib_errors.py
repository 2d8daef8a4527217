"""Errors from the real local server (and from no server) map to pywats.exceptions."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywats import AsyncWATS, RetryConfig, pyWATS
from pywats.exceptions import (
    AuthenticationError,
    ConnectionError,
    NotFoundError,
    TimeoutError,
    ValidationError,
)


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second server that adds 800 ms to every /api answer."""
    from pywats_server.testing import start_server

    with start_server(Path(tmp_path_factory.mktemp("slow")) / "slow.db", latency_ms=800) as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_wrong_token_is_authentication_error(wats_server: Any) -> None:
    with pyWATS(base_url=wats_server.base_url, token="d3Jvbmc6dG9rZW4=", retry_config=RetryConfig.disabled()) as api:
        with pytest.raises(AuthenticationError) as info:
            api.report.get_reports(serial_number="x")
        assert info.value.status_code == 401 and info.value.method == "GET"
        assert info.value.url is not None and info.value.url.startswith(wats_server.base_url + "/api/Report/Query/Header")
        assert api.test_connection() is False


def test_wrong_token_async(wats_server: Any) -> None:
    async def go() -> None:
        async with AsyncWATS(base_url=wats_server.base_url, token="bm9wZTpub3Bl") as api:
            with pytest.raises(AuthenticationError):
                await api.app.get_version()
            assert await api.test_connection() is False

    asyncio.run(go())


def test_submit_with_wrong_token_is_authentication_error(wats_server: Any) -> None:
    from pywats.tools import ReportBuilder

    b = ReportBuilder(part_number="WIDGET-100", serial_number="SN-AUTH")
    b.set_operation_type(100)
    b.add_step(name="x", status="Passed")
    with pyWATS(base_url=wats_server.base_url, token="bm9wZTpub3Bl") as api:
        with pytest.raises(AuthenticationError) as info:
            api.report.submit_report(b)
        assert info.value.method == "POST"


def test_read_timeout_is_timeout_error(slow_server: Any) -> None:
    with pyWATS(base_url=slow_server.url, token=slow_server.token, timeout=0.2,
                retry_config=RetryConfig.disabled()) as api:
        with pytest.raises(TimeoutError) as info:
            api.app.get_version()
        assert info.value.method == "GET" and info.value.url == slow_server.url + "/api/App/Version"
        assert info.value.status_code is None


def test_read_timeout_async_after_retries(slow_server: Any) -> None:
    async def go() -> None:
        async with AsyncWATS(base_url=slow_server.url, token=slow_server.token, timeout=0.2,
                             retry_config=RetryConfig(max_attempts=2, base_delay=0.01)) as api:
            with pytest.raises(TimeoutError):
                await api.process.get_processes()

    asyncio.run(go())


def test_slow_server_works_with_enough_timeout(slow_server: Any) -> None:
    with pyWATS(base_url=slow_server.url, token=slow_server.token, timeout=10) as api:
        assert api.app.get_version()


def test_nothing_listening_is_connection_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pyWATS(base_url=url, token="t", retry_config=RetryConfig.disabled()) as api:
        with pytest.raises(ConnectionError) as info:
            api.app.get_version()
        assert info.value.url == url + "/api/App/Version"
        assert api.test_connection() is False

    async def go() -> None:
        async with AsyncWATS(base_url=url, token="t", retry_config=RetryConfig(max_attempts=2, base_delay=0.01)) as api:
            with pytest.raises(ConnectionError):
                await api.report.get_all_attachments("x")

    asyncio.run(go())


def test_server_validation_and_not_found(wats_server: Any) -> None:
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        with pytest.raises(NotFoundError) as missing:
            api.report.get_report("00000000-0000-0000-0000-000000000000")
        assert missing.value.status_code == 404 and missing.value.message
        with pytest.raises(NotFoundError):
            api.report.get_attachment("00000000-0000-0000-0000-000000000000", step_id=1)
        from pywats.tools import ReportBuilder

        b = ReportBuilder(part_number="WIDGET-100", serial_number="SN-BAD-PROCESS")
        b.set_operation_type(987654)  # valid shape, but no such process on the server
        b.add_step(name="x", status="Passed")
        with pytest.raises(ValidationError) as invalid:
            api.report.submit_report(b)
        assert invalid.value.status_code == 400 and invalid.value.method == "POST"
        assert invalid.value.message and invalid.value.message != "HTTP 400"
