"""Shared pytest fixtures: the real local WATS server in a subprocess.

* ``wats_server`` (session): one server for the whole run; unpacks as
  ``base_url, token = wats_server`` and has ``.db_path``, ``.process`` (a
  :class:`pywats_server.testing.RunningServer`) and ``.auth_headers``.
* ``fresh_server`` (function): a new server on an empty database for tests that need one.
* ``server_token``: the Basic token both fixtures accept (base64 of ``test:test``).
* ``anyio_backend``: "asyncio" for ``@pytest.mark.anyio`` tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_server.testing import DEFAULT_TEST_TOKEN, ServerInfo, start_server

_SRC = Path(__file__).resolve().parents[1] / "src"
if str(_SRC) not in sys.path:  # the package is installed editable; this only helps odd setups
    sys.path.insert(0, str(_SRC))


@pytest.fixture(scope="session")
def server_token() -> str:
    """The token the test servers accept, used as ``Authorization: Basic <token>``."""
    return DEFAULT_TEST_TOKEN


@pytest.fixture(scope="session")
def wats_server(tmp_path_factory: pytest.TempPathFactory, server_token: str) -> Iterator[ServerInfo]:
    """A real ``pywats-server`` shared by the whole test session."""
    db = tmp_path_factory.mktemp("wats_server") / "wats.db"
    with start_server(db, tokens=[server_token]) as srv:
        yield ServerInfo.of(srv)


@pytest.fixture()
def fresh_server(tmp_path: Path, server_token: str) -> Iterator[ServerInfo]:
    """A real ``pywats-server`` on an empty database, stopped after the test."""
    with start_server(tmp_path / "fresh.db", tokens=[server_token]) as srv:
        yield ServerInfo.of(srv)


@pytest.fixture()
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio."""
    return "asyncio"


_SERVER_DATA = Path(__file__).resolve().parent / "data" / "server"


@pytest.fixture()
def make_uut() -> object:
    """Factory for valid WSJF test reports: ``make_uut(sn="SN-1", **overrides) -> dict``.

    Starts from ``tests/data/server/sample-uut.json`` with a fresh report id; keyword
    arguments replace root keys (``sn``, ``pn``, ``processCode``, ``result``, ...).
    """
    import copy
    import json
    import uuid

    base = json.loads((_SERVER_DATA / "sample-uut.json").read_text(encoding="utf-8"))

    def make(**overrides: object) -> dict:
        doc = copy.deepcopy(base)
        doc["id"] = str(uuid.uuid4())
        doc.update(overrides)
        return doc

    return make


@pytest.fixture()
def make_uur() -> object:
    """Factory for valid WSJF repair reports (``tests/data/server/sample-uur.json``)."""
    import copy
    import json
    import uuid

    base = json.loads((_SERVER_DATA / "sample-uur.json").read_text(encoding="utf-8"))

    def make(**overrides: object) -> dict:
        doc = copy.deepcopy(base)
        doc["id"] = str(uuid.uuid4())
        doc.update(overrides)
        return doc

    return make
