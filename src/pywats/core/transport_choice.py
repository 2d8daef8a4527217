"""Which transport carries ``AsyncWATS``'s requests (the decision only).

Kept apart from :mod:`pywats.core.transport` so that deciding imports nothing: aiohttp is
loaded only when it is chosen. ``docs/architecture-http.md`` gives the reasons.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pywats.core.settings import ClientSettings

__all__ = ["PROXY_VARIABLES", "proxy_from_environment", "uses_aiohttp_transport"]

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
"""The environment variables through which httpx picks up a proxy."""


def proxy_from_environment() -> bool:
    """True if the environment names a proxy."""
    return any(os.environ.get(name) for name in PROXY_VARIABLES)


def uses_aiohttp_transport(settings: ClientSettings) -> bool:
    """Whether the async client sends through aiohttp rather than httpx's own transport:
    yes unless ``http2=True`` was asked for or the environment names a proxy."""
    return not settings.http2_requested and not proxy_from_environment()
