"""``pywats-client gui``: open the desktop configurator (PySide6, extra ``client``)."""

from __future__ import annotations

import importlib.util
import os

import click

from pywats_client import paths
from pywats_client.cli._common import CliError, instance_option

__all__ = ["gui_cmd"]


@click.command("gui")
@instance_option
@click.pass_context
def gui_cmd(ctx: click.Context) -> None:
    """Open the desktop configurator: first setup, dashboard, converters, queue, log, settings."""
    if importlib.util.find_spec("PySide6") is None:
        raise CliError("the GUI needs PySide6, which this install lacks: pip install \"pywats-api[client]\"")
    instance_id = ctx.meta.get("pywats_instance_id") or os.environ.get(paths.INSTANCE_ENV) or None
    from pywats_client.gui import main as gui_main

    raise click.exceptions.Exit(gui_main([], instance_id=instance_id))
