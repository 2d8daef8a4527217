"""Guard: every public method of every ``pyWATS`` domain has a docstring and is called by
an integration test (tests/integration/**/*.py) against the local server."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pywats import pyWATS
from pywats.domains import DOMAINS

INTEGRATION = Path(__file__).resolve().parents[2] / "integration"


def _public_methods(domain: str) -> list[tuple[str, object]]:
    api = pyWATS(base_url="http://127.0.0.1:9", token="unused")
    try:
        cls = type(getattr(api, domain))
    finally:
        api.close()
    return [(n, m) for n, m in inspect.getmembers(cls) if not n.startswith("_") and callable(m)]


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_public_method_is_documented_and_tested_against_the_server(domain: str) -> None:
    calls = "\n".join(p.read_text(encoding="utf-8") for p in INTEGRATION.rglob("*.py"))
    methods = _public_methods(domain)
    assert methods, f"api.{domain} has no public methods?"
    undocumented = [n for n, m in methods if not (getattr(m, "__doc__", None) or "").strip()]
    untested = [n for n, _ in methods if not re.search(rf"\.{re.escape(n)}\(", calls)]
    assert not undocumented, f"api.{domain} methods without a docstring: {undocumented}"
    assert not untested, f"api.{domain} methods no integration test calls: {untested}"
