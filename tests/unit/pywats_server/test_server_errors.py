"""pywats-server error answers: one input-error type, 500 without exception text, safe names."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from pywats_server.app import ServerConfig, create_app, token_for
from pywats_server.errors import ApiError, InputError
from pywats_server.safe_names import safe_relative_path
from pywats_server.storage import products


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../evil.txt", "evil.txt"),
        ("/etc/passwd", "etc/passwd"),
        ("C:\\Windows\\x.dll", "Windows/x.dll"),
        ("\\\\server\\share\\f.bin", "server/share/f.bin"),
        ("a/./b/../c.txt", "a/b/c.txt"),
        ("ok name.txt", "ok name.txt"),
        ("tab\there", "tabhere"),
        ("..", ""),
        ("...", ""),
    ],
)
def test_safe_relative_path(name: str, safe: str) -> None:
    assert safe_relative_path(name) == safe


def test_input_error_is_an_api_error_with_status() -> None:
    err = InputError("partNumber: required", status=404)
    assert isinstance(err, ApiError) and isinstance(err, ValueError)
    assert (err.status, err.message) == (404, "partNumber: required")
    assert InputError("x").status == 400


def _calls(tmp_path: Path, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    """Send ``(method, path, httpx keyword arguments)`` to the app in-process (no socket)."""
    token = token_for("u", "p")
    app = create_app(ServerConfig(db_path=tmp_path / "e.db", tokens=[token]))

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://local",
                                     headers={"Authorization": f"Basic {token}"}) as client:
            return [await client.request(m, p, **kw) for m, p, kw in requests]

    return asyncio.run(run())


def test_unexpected_exception_is_500_without_its_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("secret internal detail /srv/db")

    monkeypatch.setattr(products, "get_product", broken)
    with caplog.at_level(logging.ERROR, logger="pywats_server"):
        [r] = _calls(tmp_path, ("GET", "/api/Product/PN-1", {}))
    assert r.status_code == 500
    assert r.json() == {"Message": "An error has occurred."}
    assert "secret internal detail" in caplog.text  # the detail goes to the server log only


def test_input_error_from_storage_is_answered_with_its_status(tmp_path: Path) -> None:
    [r] = _calls(tmp_path, ("PUT", "/api/Product", {"json": {"partNumber": ""}}))
    assert r.status_code == 400 and r.json()["Message"].startswith("partNumber")


def test_paths_match_ignoring_case_with_parameters_kept(tmp_path: Path) -> None:
    put, got, wrong_method, unknown = _calls(
        tmp_path,
        ("PUT", "/api/Product", {"json": {"partNumber": "Mixed-Case-PN", "name": "x"}}),
        ("GET", "/API/product/Mixed-Case-PN", {}),
        ("POST", "/api/product/query", {}),
        ("GET", "/api/product/nothing/here/at/all", {}),
    )
    assert put.status_code == 200, put.text
    assert got.status_code == 200 and got.json()["partNumber"] == "Mixed-Case-PN"
    assert wrong_method.status_code == 405
    assert unknown.status_code == 404
