"""Client settings: base URL and token resolution, httpx timeouts, limits and headers."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field

import httpx

from pywats._version import __version__
from pywats.core.retry import RetryConfig
from pywats.exceptions import ConfigurationError

__all__ = ["ClientSettings", "normalize_base_url", "resolve_settings", "TOKEN_ENV_VARS", "URL_ENV_VAR"]

TOKEN_ENV_VARS = ("WATS_AUTH_TOKEN", "PYWATS_API_TOKEN")
URL_ENV_VAR = "WATS_BASE_URL"
DEFAULT_MAX_CONNECTIONS = 100


def normalize_base_url(url: str) -> str:
    """Strip whitespace, trailing ``/`` and a trailing ``/api`` (``https://x/api/`` → ``https://x``)."""
    url = url.strip().rstrip("/")
    if url.lower().endswith("/api"):
        url = url[:-4].rstrip("/")
    if not url:
        raise ConfigurationError("base_url is empty")
    if "://" not in url:
        raise ConfigurationError(f"base_url {url!r} has no scheme: use e.g. 'https://{url}'")
    return url


def _http2_available() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class ClientSettings:
    """Everything a client needs to build its httpx client and run requests."""

    base_url: str
    token: str = field(repr=False)
    timeout: httpx.Timeout
    retry: RetryConfig
    use_msgpack: bool = False
    verify: bool | str | ssl.SSLContext = True
    http2: bool = False
    http2_requested: bool | None = None
    """The ``http2`` argument as given (``None``: not chosen; ``http2`` then says whether
    HTTP/2 may be offered because the ``h2`` package is installed)."""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    throttle: bool = True
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def limits(self) -> httpx.Limits:
        """Connection pool limits (every pooled connection may be kept alive)."""
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_connections,
            keepalive_expiry=30.0,
        )


def resolve_settings(
    base_url: str | None,
    token: str | None,
    *,
    timeout: float | httpx.Timeout | None,
    retry_config: RetryConfig | None,
    use_msgpack: bool,
    verify: bool | str | ssl.SSLContext,
    http2: bool | None,
    max_connections: int,
    throttle: bool,
) -> ClientSettings:
    """Build :class:`ClientSettings`, reading ``WATS_BASE_URL`` / ``WATS_AUTH_TOKEN`` /
    ``PYWATS_API_TOKEN`` for whatever was not given. Raises ConfigurationError naming the
    missing argument and its environment variable."""
    if base_url is None:
        base_url = os.environ.get(URL_ENV_VAR) or None
    if not base_url:
        raise ConfigurationError(f"no server URL: pass base_url=... or set the {URL_ENV_VAR} environment variable")
    if token is None:
        for name in TOKEN_ENV_VARS:
            token = os.environ.get(name) or None
            if token:
                break
    if not token:
        raise ConfigurationError(
            "no API token: pass token=... or set the WATS_AUTH_TOKEN (or PYWATS_API_TOKEN) environment variable"
        )
    token = token.strip()
    if token.lower().startswith("basic "):
        token = token[6:].strip()
    if timeout is None:
        timeout = 30.0
    if not isinstance(timeout, httpx.Timeout):
        if timeout <= 0:
            raise ConfigurationError(f"timeout must be > 0 seconds, got {timeout}")
        timeout = httpx.Timeout(float(timeout))
    if max_connections < 1:
        raise ConfigurationError(f"max_connections must be >= 1, got {max_connections}")
    headers = {
        "Authorization": f"Basic {token}",
        "Accept": "application/json",
        "User-Agent": f"pywats/{__version__}",
    }
    return ClientSettings(
        base_url=normalize_base_url(base_url),
        token=token,
        timeout=timeout,
        retry=retry_config if retry_config is not None else RetryConfig(),
        use_msgpack=use_msgpack,
        verify=verify,
        http2=_http2_available() if http2 is None else (http2 and _http2_available()),
        http2_requested=http2,
        max_connections=max_connections,
        throttle=throttle,
        headers=headers,
    )
