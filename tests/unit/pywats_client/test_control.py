"""Control API request handling (fed through a StreamReader, no sockets) and client helpers."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pywats_client.fileio import write_atomic
from pywats_client.service import control
from pywats_client.service.control import TOKEN_HEADER, ControlServer
from pywats_client.service.stats import ServiceStats, render_prometheus


async def _ask(server: ControlServer, raw: bytes) -> tuple[int, str, bytes]:
    reader = asyncio.StreamReader()
    reader.feed_data(raw)
    reader.feed_eof()
    return await server._one(reader)


def _server(tmp_path: Path) -> tuple[ControlServer, list[tuple[str, str, dict[str, Any]]]]:
    calls: list[tuple[str, str, dict[str, Any]]] = []

    async def handler(method: str, path: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
        calls.append((method, path, body))
        return 200, "application/json", b"{}"

    return ControlServer(tmp_path, 0, handler), calls


@pytest.mark.anyio
async def test_requests_need_the_secret(tmp_path: Path) -> None:
    srv, calls = _server(tmp_path)
    status, _, body = await _ask(srv, b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 401 and b"control token" in body
    status, _, _ = await _ask(srv, f"GET /status HTTP/1.1\r\n{TOKEN_HEADER}: wrong\r\n\r\n".encode())
    assert status == 401
    assert calls == []
    status, _, _ = await _ask(srv, f"GET /status?x=1 HTTP/1.1\r\n{TOKEN_HEADER}: {srv.secret}\r\n\r\n".encode())
    assert status == 200 and calls == [("GET", "/status", {"x": "1"})]  # query parameters join the body
    body_bytes = json.dumps({"id": "abc"}).encode()
    raw = (
        f"POST /retry HTTP/1.1\r\nAuthorization: Bearer {srv.secret}\r\nContent-Length: {len(body_bytes)}\r\n\r\n"
    ).encode() + body_bytes
    status, _, _ = await _ask(srv, raw)
    assert status == 200 and calls[-1] == ("POST", "/retry", {"id": "abc"})


@pytest.mark.anyio
async def test_bad_requests_are_rejected(tmp_path: Path) -> None:
    srv, calls = _server(tmp_path)
    with pytest.raises(Exception, match="incomplete"):
        await _ask(srv, b"GET /status HTTP/1.1\r\n")
    raw = f"POST /retry HTTP/1.1\r\n{TOKEN_HEADER}: {srv.secret}\r\nContent-Length: 5\r\n\r\n[1,2]".encode()
    with pytest.raises(Exception, match="JSON object"):
        await _ask(srv, raw)
    assert calls == []


def test_secret_and_runtime_files_are_private(tmp_path: Path) -> None:
    write_atomic(control.secret_file(tmp_path), "s3cret\n", private=True)
    assert control.secret_file(tmp_path).read_text() == "s3cret\n"
    if sys.platform != "win32":
        assert control.secret_file(tmp_path).stat().st_mode & 0o777 == 0o600


def test_client_reports_not_running(tmp_path: Path) -> None:
    target = SimpleNamespace(instance_dir=tmp_path / "nothing", instance_id="x")
    assert control.read_status(target) is None
    with pytest.raises(control.ControlError, match="not running"):
        control.request_retry(target, None)
    with pytest.raises(control.ControlError, match="not running"):
        control.request_reload(target)


def test_prometheus_text() -> None:
    stats = ServiceStats("line1", "0.1.0")
    stats.set_state("ONLINE")
    stats.stable_at("r1", 1.0)
    stats.acked("r1", 1.25)
    snap = stats.snapshot()
    snap["queue"] = {"pending": 2, "completed": 1}
    text = render_prometheus(snap, stats.latency_quantiles())
    assert "# TYPE pywats_uploads_total counter" in text
    assert 'pywats_uploads_total{instance="line1"} 1' in text
    assert 'pywats_queue_reports{instance="line1",state="pending"} 2' in text
    assert 'pywats_state{instance="line1",state="ONLINE"} 1' in text
    assert 'pywats_state{instance="line1",state="OFFLINE"} 0' in text
    assert 'pywats_stable_to_ack_seconds{instance="line1",quantile="0.99"} 0.250000' in text
    for line in text.splitlines():
        assert line.startswith("#") or line.split(" ")[-1].replace(".", "").isdigit()
