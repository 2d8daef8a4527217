"""``${NAME}`` placeholders in configuration values (used by ``station_name``)."""

from __future__ import annotations

import os
import re
import socket

__all__ = ["UnknownPlaceholder", "expand_placeholders", "host_name"]

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class UnknownPlaceholder(ValueError):
    """A placeholder names neither a built-in nor a set environment variable."""


def host_name() -> str:
    """This machine's host name."""
    return socket.gethostname() or "localhost"


def expand_placeholders(value: str) -> str:
    """Replace ``${NAME}`` in ``value``.

    ``NAME`` is looked up in the environment first; ``HOSTNAME`` and ``COMPUTERNAME`` fall
    back to the machine's host name. Any other unset name raises :class:`UnknownPlaceholder`.
    """

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        env = os.environ.get(name)
        if env is not None:
            return env
        if name in ("HOSTNAME", "COMPUTERNAME"):
            return host_name()
        raise UnknownPlaceholder(
            f"unknown placeholder ${{{name}}}: it is not an environment variable "
            "(known without one: ${HOSTNAME}, ${COMPUTERNAME})"
        )

    return _PLACEHOLDER.sub(repl, value)
