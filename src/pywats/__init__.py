"""pyWATS: a typed Python client for the WATS manufacturing test-data REST API.

``pyWATS`` is the synchronous client, ``AsyncWATS`` the asynchronous one; both expose the
same domains (``app``, ``report``, ``product``, ``production``, ``process``, ``asset``,
``software``, ``analytics``, ``rootcause``, ``scim``, ``system``, ``auth``, ``workflow``,
``export``, ``barcode``). Heavy modules are imported lazily so that
``import pywats`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats._lazy import lazy_exports
from pywats._version import __version__

if TYPE_CHECKING:
    from pywats.client import AsyncWATS, pyWATS
    from pywats.core.retry import RetryConfig
    from pywats.exceptions import (
        AuthenticationError,
        AuthorizationError,
        ConnectionError,
        NotFoundError,
        PyWATSError,
        RateLimitError,
        ServerError,
        TimeoutError,
        ValidationError,
    )

_LAZY: dict[str, str] = {
    "pyWATS": "pywats.client",
    "AsyncWATS": "pywats.client",
    "RetryConfig": "pywats.core.retry",
    "PyWATSError": "pywats.exceptions",
    "AuthenticationError": "pywats.exceptions",
    "AuthorizationError": "pywats.exceptions",
    "NotFoundError": "pywats.exceptions",
    "ValidationError": "pywats.exceptions",
    "RateLimitError": "pywats.exceptions",
    "ServerError": "pywats.exceptions",
    "ConnectionError": "pywats.exceptions",
    "TimeoutError": "pywats.exceptions",
}

__all__ = [
    "__version__",
    "pyWATS",
    "AsyncWATS",
    "RetryConfig",
    "PyWATSError",
    "AuthenticationError",
    "AuthorizationError",
    "NotFoundError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "ConnectionError",
    "TimeoutError",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
