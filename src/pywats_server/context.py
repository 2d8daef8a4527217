"""What every request handler shares: configuration, storage, process catalog.

Route modules import :func:`get_context` from here (not from :mod:`.app`, which imports
the route modules), so the import graph has no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request

from .storage import Storage
from .storage.processes import ProcessCatalog, load_seed

__all__ = ["VERSION", "ServerConfig", "ServerContext", "get_context", "open_context"]

VERSION = "2026.1.0-pywats-local"


@dataclass
class ServerConfig:
    """Everything the app needs: database file, accepted tokens, added latency, seed file."""

    db_path: Path
    tokens: list[str]
    latency_ms: float = 0.0
    seed_file: Path | None = None
    synchronous: str = "NORMAL"


@dataclass
class ServerContext:
    """Per-app shared objects, reachable from handlers via :func:`get_context`."""

    config: ServerConfig
    storage: Storage
    processes: ProcessCatalog
    extra: dict[str, Any] = field(default_factory=dict)


def get_context(request: Request) -> ServerContext:
    """The :class:`ServerContext` of the app serving ``request``."""
    ctx: ServerContext = request.app.state.ctx
    return ctx


def open_context(config: ServerConfig) -> ServerContext:
    """Open the database (creating every table), load the seed and build the shared context."""
    storage = Storage(config.db_path, synchronous=config.synchronous)
    load_seed(storage, config.seed_file)
    return ServerContext(config=config, storage=storage, processes=ProcessCatalog(storage))
