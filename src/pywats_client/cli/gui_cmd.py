"""``pywats-client gui``: open the desktop configurator (PySide6, extra ``client``).

Where no window can open — the headless install has no PySide6, or a Linux machine has no
display — ``gui`` asks for the server address and token in the terminal instead, so the
guide's re-authentication step (``python -m pywats_client gui``) works on every station.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import click

from pywats_client import paths
from pywats_client.cli._common import echo_err, instance_option

__all__ = ["gui_cmd", "window_possible"]


def window_possible() -> str | None:
    """None when a window can open here, else the reason it cannot."""
    if importlib.util.find_spec("PySide6") is None:
        return "PySide6 is not installed (pip install \"pywats-api[client]\")"
    if sys.platform in ("win32", "darwin"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    return "there is no display (DISPLAY/WAYLAND_DISPLAY not set)"


@click.command("gui")
@instance_option
@click.option("--terminal", is_flag=True, help="Ask for the server address and token in the terminal instead.")
@click.pass_context
def gui_cmd(ctx: click.Context, terminal: bool) -> None:
    """Open the desktop configurator: first setup, dashboard, converters, queue, log, settings
    (in the terminal where no window can open: server address and token)."""
    reason = None if terminal else window_possible()
    if terminal or reason is not None:
        if reason is not None:
            echo_err(f"no window: {reason}; asking in the terminal")
        from pywats_client.cli.instance_cmds import prompt_credentials

        prompt_credentials()
        return
    instance_id = ctx.meta.get("pywats_instance_id") or os.environ.get(paths.INSTANCE_ENV) or None
    from pywats_client.gui import main as gui_main

    raise click.exceptions.Exit(gui_main([], instance_id=instance_id))
