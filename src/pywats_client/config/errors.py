"""The configuration error type."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError"]


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid.

    ``str(error)`` is ready to show to a user: it names the file and the key, e.g.
    ``config_production.json: converters[0].post_action: must be one of move, delete, keep
    (got 'archive')``. Several problems are listed one per line.
    """

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key
