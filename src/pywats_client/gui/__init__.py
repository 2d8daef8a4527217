"""The desktop configurator (``pywats-client gui``), built on PySide6 (extra ``client``).

First setup (server, token, station), daily monitoring (dashboard, queue, log) and
re-authentication. The GUI talks to a running service only through its local control API
(:mod:`pywats_client.service.control`) and edits the instance config files; it never imports
service internals. Importing this package does not import Qt: :func:`main` does.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, instance_id: str | None = None) -> int:
    """Run the configurator; returns the exit code.

    Raises:
        ImportError: PySide6 is not installed (install ``pywats-api[client]``).
    """
    from pywats_client.gui.app import run

    return run(list(argv or []), instance_id=instance_id)
