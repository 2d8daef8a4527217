"""Keep the long-running service process small: :func:`skip_httpx_command_line`.

``import httpx`` also imports httpx's own command-line tool whenever its optional
dependencies are installed — and ``rich``, ``pygments`` and ``click`` are (the station
client's CLI uses them). In a service that runs for months that is ~4.5 MB of resident
memory and ~60 modules for a tool it never runs. The service process therefore registers
a stand-in for ``httpx._main`` before httpx is first imported; the httpx library itself
is unchanged. Only the service entry point calls this, never the library.
"""

from __future__ import annotations

import sys
import types

__all__ = ["skip_httpx_command_line"]


def _no_cli() -> None:
    raise SystemExit("the httpx command-line tool is not available inside the pyWATS service")


def skip_httpx_command_line() -> bool:
    """Register the stand-in; False if httpx was already imported (then it changes nothing)."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return False
    stub = types.ModuleType("httpx._main")
    stub.__doc__ = "Stand-in registered by pywats_client.service.lean (the service never runs httpx's CLI)."
    stub.main = _no_cli  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stub
    return True
