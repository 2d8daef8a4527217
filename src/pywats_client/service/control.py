"""The service's local control API (loopback only) and the client functions the CLI uses.

Server side: :class:`ControlServer`, a minimal HTTP/1.1 server on asyncio streams bound to
``127.0.0.1`` (never all interfaces). Every request must carry the instance's secret in the
``X-PyWATS-Control-Token`` header (or ``Authorization: Bearer <secret>``); the secret is a
random token written at start to ``<instance_dir>/control.secret`` (mode 0600). The port
(``control_port``, 0 = any free one) is written to ``<instance_dir>/control.json``.

Endpoints::

    GET  /status            JSON: state, queue counts, converters, last error, uptime, version
    GET  /metrics           Prometheus text format
    POST /retry             body {"id": "<guid>"} or {} (= every failed entry)
    POST /reload            re-read the config (new token clears AUTH_FAILED; converters rebuilt)
    GET  /queue             JSON {"entries": [...]}: queue entries (?state=failed&limit=200)
    GET  /uploads           JSON {"uploads": [...]}: the latest acknowledged reports (?limit=20)

Client side (no service internals needed): :func:`read_status`, :func:`request_retry`,
:func:`request_reload`, :func:`read_queue`, :func:`read_uploads`.
"""

from __future__ import annotations

import asyncio
import http.client
import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Protocol
from collections.abc import Awaitable, Callable

from pywats_client.fileio import write_atomic

__all__ = [
    "TOKEN_HEADER",
    "ControlError",
    "ControlServer",
    "read_queue",
    "ControlTarget",
    "read_status",
    "read_uploads",
    "request",
    "request_reload",
    "request_retry",
    "runtime_file",
    "secret_file",
]

log = logging.getLogger("pywats_client.service.control")

TOKEN_HEADER = "X-PyWATS-Control-Token"
HOST = "127.0.0.1"
_MAX_BODY = 1 << 20

Handler = Callable[[str, str, dict[str, Any]], Awaitable[tuple[int, str, bytes]]]


class ControlTarget(Protocol):
    """What the client functions need of an instance: a :class:`~pywats_client.config.ClientConfig`
    or anything with these two attributes (tests use a plain namespace)."""

    @property
    def instance_id(self) -> str: ...

    @property
    def instance_dir(self) -> Path: ...


class ControlError(RuntimeError):
    """The control API answered with an error or could not be reached."""


def secret_file(instance_dir: Path) -> Path:
    """``<instance_dir>/control.secret``."""
    return Path(instance_dir) / "control.secret"


def runtime_file(instance_dir: Path) -> Path:
    """``<instance_dir>/control.json`` (port and pid of the running service)."""
    return Path(instance_dir) / "control.json"


class ControlServer:
    """Serves the control API for one instance until :meth:`close`."""

    def __init__(self, instance_dir: Path, port: int, handler: Handler) -> None:
        self.instance_dir = Path(instance_dir)
        self.requested_port = int(port)
        self.handler = handler
        self.secret = secrets.token_urlsafe(32)
        self.port: int | None = None
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        """Write the secret, bind 127.0.0.1, write the runtime file; returns the port."""
        write_atomic(secret_file(self.instance_dir), self.secret + "\n", private=True)
        self._server = await asyncio.start_server(self._serve, HOST, self.requested_port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        write_atomic(
            runtime_file(self.instance_dir),
            json.dumps({"host": HOST, "port": self.port, "pid": os.getpid()}) + "\n",
            private=True,
        )
        return self.port

    async def close(self) -> None:
        """Stop listening and remove the runtime file."""
        if self._server is not None:
            self._server.close()
            try:
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            except (asyncio.TimeoutError, Exception):  # noqa: BLE001
                pass
        try:
            data = json.loads(runtime_file(self.instance_dir).read_text(encoding="utf-8"))
            if data.get("pid") == os.getpid():
                runtime_file(self.instance_dir).unlink()
        except (OSError, ValueError):
            pass

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, ctype, body = await asyncio.wait_for(self._one(reader), 10.0)
        except asyncio.TimeoutError:
            status, ctype, body = 408, "application/json", b'{"error": "request timeout"}'
        except _BadRequest as exc:
            status, ctype, body = 400, "application/json", json.dumps({"error": str(exc)}).encode()
        except Exception as exc:
            log.exception("control API error")
            status, ctype, body = 500, "application/json", json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()
        reason = http.client.responses.get(status, "")
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\nCache-Control: no-store\r\n\r\n"
        ).encode("latin-1")
        try:
            writer.write(head + body)
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader) -> tuple[int, str, bytes]:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise _BadRequest("header too large") from None
        except asyncio.IncompleteReadError:
            raise _BadRequest("incomplete request") from None
        lines = raw.decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            raise _BadRequest("bad request line") from None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length < 0 or length > _MAX_BODY:
            raise _BadRequest("bad content-length")
        body = await reader.readexactly(length) if length else b""
        token = headers.get(TOKEN_HEADER.lower(), "")
        auth = headers.get("authorization", "")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if not token or not hmac.compare_digest(token.encode(), self.secret.encode()):
            return 401, "application/json", b'{"error": "missing or wrong control token"}'
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            raise _BadRequest("body is not JSON") from None
        if not isinstance(payload, dict):
            raise _BadRequest("body must be a JSON object")
        path, _, query = target.partition("?")
        if query:  # query parameters (GET /queue?state=failed) join the body's keys
            from urllib.parse import parse_qsl

            payload = {**dict(parse_qsl(query)), **payload}
        return await self.handler(method.upper(), path, payload)


class _BadRequest(Exception):
    pass


# ---------------------------------------------------------------------- client side


def _endpoint(config: ControlTarget) -> tuple[int, str] | None:
    idir = Path(config.instance_dir)
    try:
        info = json.loads(runtime_file(idir).read_text(encoding="utf-8"))
        secret = secret_file(idir).read_text(encoding="utf-8").strip()
        return int(info["port"]), secret
    except (OSError, ValueError, KeyError, TypeError):
        return None


def request(
    config: ControlTarget, method: str, path: str, body: dict[str, Any] | None = None, *, timeout: float = 5.0
) -> tuple[int, bytes] | None:
    """Send one request to the instance's control API; None when no service is reachable."""
    ep = _endpoint(config)
    if ep is None:
        return None
    port, secret = ep
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {TOKEN_HEADER: secret}
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _json(config: ControlTarget, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    got = request(config, method, path, body)
    if got is None:
        raise ControlError(f"the service for instance {config.instance_id!r} is not running")
    status, raw = got
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"error": raw.decode("utf-8", "replace")}
    if status >= 400:
        raise ControlError(f"control API {method} {path}: {status}: {data.get('error', data)}")
    return data if isinstance(data, dict) else {"result": data}


def read_status(config: ControlTarget) -> dict[str, Any] | None:
    """The live status of the instance's service, or None when it is not running."""
    got = request(config, "GET", "/status", timeout=3.0)
    if got is None:
        return None
    status, raw = got
    if status != 200:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def request_retry(config: ControlTarget, report_id: str | None) -> dict[str, Any]:
    """Ask the running service to retry one failed entry (``report_id``) or all failed ones.

    Returns ``{"retried": n}``. Raises :class:`ControlError` when the service is not running.
    """
    return _json(config, "POST", "/retry", {"id": report_id} if report_id else {})


def request_reload(config: ControlTarget) -> dict[str, Any]:
    """Ask the running service to re-read its configuration; returns its new status."""
    return _json(config, "POST", "/reload", {})


def read_queue(config: ControlTarget, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Queue entries of the running service (``state``: pending, processing, failed,
    completed or None for all; at most ``limit``), each a JSON dict of a queue entry.

    Raises :class:`ControlError` when the service is not running.
    """
    query = f"limit={int(limit)}" + (f"&state={state}" if state else "")
    entries = _json(config, "GET", f"/queue?{query}").get("entries", [])
    return [e for e in entries if isinstance(e, dict)]


def read_uploads(config: ControlTarget, limit: int = 20) -> list[dict[str, Any]]:
    """The latest reports the server acknowledged, newest first: dicts with ``id``,
    ``serial_number``, ``part_number``, ``result``, ``uploaded_at`` (Unix time) and ``source``.

    Raises :class:`ControlError` when the service is not running.
    """
    uploads = _json(config, "GET", f"/uploads?limit={int(limit)}").get("uploads", [])
    return [u for u in uploads if isinstance(u, dict)]
