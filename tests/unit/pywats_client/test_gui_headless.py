"""The headless install never loads Qt: importing the station client's modules, the CLI and
the GUI package itself leaves PySide6 out of ``sys.modules``."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from pywats_client.cli import cli

_PROBE = """
import sys
import pywats_client, pywats_client.cli, pywats_client.config, pywats_client.converters
import pywats_client.queue, pywats_client.service, pywats_client.service.runner
import pywats_client.service.control, pywats_client.gui, pywats_client.cli.gui_cmd
from pywats_client.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(",".join(loaded) or "none")
"""


def test_station_client_imports_without_qt() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "none"


def test_gui_command_is_listed() -> None:
    result = CliRunner().invoke(cli, ["--help"], prog_name="pywats-client")
    assert result.exit_code == 0 and "gui" in result.output
