"""Shared CLI plumbing: error handling, the ``--instance-id`` option, loading the config."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pywats_client import paths
from pywats_client.config import ClientConfig, ConfigError

__all__ = [
    "CliError",
    "ClientGroup",
    "echo_err",
    "instance_option",
    "json_option",
    "load_config",
    "resolve_instance_id",
    "stdin_is_tty",
    "stdout_is_tty",
]

F = TypeVar("F", bound=Callable[..., Any])
DEBUG_ENV = "PYWATS_DEBUG"


class CliError(click.ClickException):
    """A failed command: one line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        """Print ``error: <message>`` to stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


def echo_err(text: str) -> None:
    """Print a line to stderr."""
    click.echo(text, err=True)


def _debug_enabled(ctx: click.Context | None) -> bool:
    if os.environ.get(DEBUG_ENV):
        return True
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("debug"))


class ClientGroup(click.Group):
    """A click group that turns every failure into one clear line (traceback with ``--debug``)."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command, mapping config errors and unexpected exceptions to exit 1."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader went away (`status | head`): not an error of this command
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except ConfigError as exc:
            if _debug_enabled(ctx):
                traceback.print_exc()
            raise CliError(str(exc)) from exc
        except KeyboardInterrupt:
            echo_err("interrupted")
            raise click.exceptions.Exit(130) from None
        except Exception as exc:
            if _debug_enabled(ctx):
                traceback.print_exc()
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise CliError(f"{type(exc).__name__}: {text}" if text else type(exc).__name__) from exc


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush into a closed pipe
    does not print a BrokenPipeError of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _store_instance(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            paths.validate_instance_id(value)
        except paths.InvalidInstanceId as exc:
            raise click.BadParameter(str(exc)) from None
        ctx.meta["pywats_instance_id"] = value
    return value


def instance_option(func: F) -> F:
    """Add ``--instance-id`` (also accepted before the sub-command and from PYWATS_INSTANCE_ID)."""
    return click.option(
        "--instance-id",
        "instance_id_opt",
        default=None,
        metavar="ID",
        expose_value=False,
        is_eager=True,
        callback=_store_instance,
        help="Client instance (default: $PYWATS_INSTANCE_ID, else the only configured one).",
    )(func)


def json_option(func: F) -> F:
    """Add ``--json`` (machine-readable output)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def resolve_instance_id(ctx: click.Context | None = None) -> str:
    """The instance a command works on: ``--instance-id`` (sub-command, then group), else
    ``PYWATS_INSTANCE_ID``, else the only configured instance, else "default" when none is
    configured; with several configured and none chosen, a :class:`CliError` names them."""
    ctx = ctx or click.get_current_context()
    value = ctx.meta.get("pywats_instance_id")
    try:
        return paths.select_instance(value)
    except paths.InstanceNotChosen as exc:
        raise CliError(str(exc)) from None


def load_config(ctx: click.Context | None = None, *, ignore_token_errors: bool = False) -> ClientConfig:
    """Load the selected instance's config file (a missing file is an error with a hint)."""
    return ClientConfig.load_for_instance(resolve_instance_id(ctx), ignore_token_errors=ignore_token_errors)


def stdin_is_tty() -> bool:
    """True when stdin is an interactive terminal."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def stdout_is_tty() -> bool:
    """True when stdout is an interactive terminal."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
