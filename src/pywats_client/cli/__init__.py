"""The ``pywats-client`` command line (``python -m pywats_client``).

Commands: ``config init|show|set|reset|path``, ``instances``, ``gui``, ``test-connection``,
``service``, ``status``, ``queue list|retry|retry-all``, ``upload``, ``converter test|list|new``,
``install-service``, ``uninstall-service``, ``health``, ``demo``. Every command takes
``--instance-id`` (also before the command, and from ``PYWATS_INSTANCE_ID``); without one, a
command uses the only configured instance, or names them when there are several. Exit codes: 0 ok, 1 error,
2 usage. Errors are one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from pywats._version import __version__
from pywats_client.cli._common import ClientGroup, instance_option
from pywats_client.cli.config_cmds import config_group
from pywats_client.cli.gui_cmd import gui_cmd
from pywats_client.cli.deploy_cmds import health_cmd, install_service_cmd, uninstall_service_cmd
from pywats_client.cli.converter_cmds import converter_group
from pywats_client.cli.instance_cmds import instances_cmd
from pywats_client.cli.queue_cmds import queue_group
from pywats_client.cli.service_cmds import reload_cmd, service_cmd, status_cmd, test_connection_cmd
from pywats_client.cli.upload_cmd import upload_cmd

__all__ = ["cli", "main"]


@click.group(cls=ClientGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="pywats-client", message="%(prog)s %(version)s")
@instance_option
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """pyWATS station client: configuration, service, queue and uploads."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command(
    "demo",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def demo_cmd(args: tuple[str, ...]) -> None:
    """Run the end-to-end demo against a local server (see `demo --help`)."""
    from pywats_client.demo import main as demo_main

    raise click.exceptions.Exit(int(demo_main(list(args)) or 0))


cli.add_command(config_group)
cli.add_command(test_connection_cmd)
cli.add_command(service_cmd)
cli.add_command(reload_cmd)
cli.add_command(status_cmd)
cli.add_command(queue_group)
cli.add_command(upload_cmd)
cli.add_command(gui_cmd)
cli.add_command(install_service_cmd)
cli.add_command(uninstall_service_cmd)
cli.add_command(health_cmd)
cli.add_command(converter_group)
cli.add_command(instances_cmd)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code (0 ok, 1 error, 2 usage)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="pywats-client", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0
