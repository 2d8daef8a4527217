"""Every route of pywats-server answers malformed bodies and query options with a 4xx whose
message says what is wrong, never with a 500 (the app is called in-process, no socket)."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from pywats_server.app import ServerConfig, create_app, token_for
from pywats_server.routes import all_routes

BODIES = [b"[]", b'"x"', b"1", b"null", b"{}", b'{"a":[1,{"b":null}]}', b"\xff\xfe", b"{bad json",
          b'[{"partNumber":1}]', b'{"partNumber":[1],"serialNumber":{},"name":5,"id":[],"status":"x"}']
QUERIES = ["", "?$filter=x eq", "?$top=abc&$skip=x", "?$orderby=zzz&$filter=" + "(" * 40,
           "?serialNumber=&partNumber=&processCode=abc&count=x&date=notadate&status=x&level=99999999999999999999"]
PARAM = "00000000-0000-4000-8000-000000000001"


def test_no_malformed_request_is_a_500(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = token_for("u", "p")
    app = create_app(ServerConfig(db_path=tmp_path / "m.db", tokens=[token]))
    routes = [r for r in all_routes() if isinstance(r, Route)]
    assert len(routes) > 30

    async def run() -> list[str]:
        failures: list[str] = []
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://local",
                                     headers={"Authorization": f"Basic {token}",
                                              # internal routes answer 401 without a Referer
                                              "Referer": "http://local/"}) as client:
            for route in routes:
                path = re.sub(r"{[^}]+}", PARAM, route.path)
                for method in sorted((route.methods or set()) - {"HEAD"}):
                    for query in QUERIES:
                        sends = [(b, ct) for b in BODIES for ct in ("application/json", "application/x-msgpack")] \
                            if method in ("POST", "PUT") else [(b"", "")]
                        for body, ctype in sends:
                            headers = {"Content-Type": ctype} if ctype else {}
                            r = await client.request(method, path + query, content=body, headers=headers)
                            if r.status_code >= 500:
                                failures.append(f"{method} {path}{query} {body[:20]!r} {ctype}: {r.status_code}")
                            elif (
                                r.status_code >= 400
                                and "json" in r.headers.get("content-type", "")
                                and not str(r.json().get("Message", "")).strip()
                            ):
                                failures.append(f"{method} {path}{query}: {r.status_code} without a message")
        return failures

    with caplog.at_level(logging.CRITICAL, logger="pywats_server"):
        failures = asyncio.run(run())
    assert failures == []
