"""The service process keeps httpx's command-line tool (rich, pygments) out of memory."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from pywats_client.service.lean import skip_httpx_command_line
assert skip_httpx_command_line() is True
import httpx
assert "rich" not in sys.modules and "pygments" not in sys.modules, sorted(sys.modules)
client = httpx.Client()  # the library itself works
client.close()
assert skip_httpx_command_line() is False  # too late once httpx is imported: a no-op
print("ok")
"""


def test_httpx_without_its_command_line_tool() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_plain_httpx_import_would_load_rich_here() -> None:
    """The reason for the stand-in: with the client extras installed, httpx pulls in rich."""
    probe = "import sys, httpx; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
