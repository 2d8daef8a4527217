"""Fixtures of the local server's HTTP tests.

* ``client``: an authorised ``httpx.Client`` on the shared test server (``wats_server``).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pywats_server.testing import ServerInfo


@pytest.fixture()
def client(wats_server: ServerInfo) -> Iterator[httpx.Client]:
    """An authorised HTTP client on the shared test server."""
    with httpx.Client(base_url=wats_server.base_url, headers=wats_server.auth_headers, timeout=30) as c:
        yield c
