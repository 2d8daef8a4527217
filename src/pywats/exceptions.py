"""The pyWATS exception hierarchy.

Every error raised by the library derives from :class:`PyWATSError`. Errors that come
from an HTTP exchange name the method, the URL and the status code, so a log line is
enough to know which call failed and why::

    PyWATSError
    ├── ConfigurationError        bad or missing client settings (also a ValueError)
    ├── TransportError            no usable answer from the server
    │   ├── ConnectionError       connect/read/write failure
    │   └── TimeoutError          a timeout expired
    └── HTTPError                 the server answered with an error status
        ├── ValidationError       400/422, or a report rejected before sending
        ├── AuthenticationError   401
        ├── AuthorizationError    403
        ├── NotFoundError         404
        ├── ConflictError         409
        ├── RateLimitError        429 (``retry_after`` in seconds)
        └── ServerError           5xx
"""

from __future__ import annotations

__all__ = [
    "PyWATSError",
    "ConfigurationError",
    "TransportError",
    "ConnectionError",
    "TimeoutError",
    "HTTPError",
    "ValidationError",
    "AuthenticationError",
    "AuthorizationError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "error_for_status",
]


class PyWATSError(Exception):
    """Base class of every pyWATS error.

    Attributes:
        message: the human-readable reason (the server's message where there is one).
        method: HTTP method of the failed call, if any.
        url: full URL of the failed call, if any.
        status_code: HTTP status of the answer, if one arrived.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status_code = status_code

    def __str__(self) -> str:
        where = " ".join(part for part in (self.method, self.url) if part)
        if self.status_code is not None:
            where = f"{where} -> {self.status_code}" if where else str(self.status_code)
        return f"{self.message} ({where})" if where else self.message


class ConfigurationError(PyWATSError, ValueError):
    """A client setting is missing or invalid (for example no base URL or token)."""


class TransportError(PyWATSError):
    """The request got no usable answer: the server could not be reached or timed out."""


class ConnectionError(TransportError):  # deliberate, documented name
    """Connecting to, writing to or reading from the server failed."""


class TimeoutError(TransportError):  # deliberate, documented name
    """A connect, read, write or pool timeout expired."""


class HTTPError(PyWATSError):
    """The server answered with an error status.

    Attributes:
        response_text: the raw body of the error answer (truncated to 2000 characters).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
        response_text: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, status_code=status_code)
        self.response_text = response_text[:2000] if response_text else response_text


class ValidationError(HTTPError):
    """The request or report is invalid.

    Raised by the server (400/422, carrying its message) or by the client before any
    HTTP call, in which case ``status_code`` is ``None`` and ``field`` names the
    offending field (a dotted path such as ``root.steps[3].numericMeas[0].value``).
    """

    def __init__(self, message: str, *, field: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.field = field


class AuthenticationError(HTTPError):
    """401: the token is missing, wrong, expired or revoked."""


class AuthorizationError(HTTPError):
    """403: the token is valid but lacks the rights for this call."""


class NotFoundError(HTTPError):
    """404: the resource or the endpoint does not exist."""


class ConflictError(HTTPError):
    """409: the request conflicts with the server's state."""


class RateLimitError(HTTPError):
    """429: too many requests. ``retry_after`` holds the server's wait in seconds, if given."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(HTTPError):
    """5xx: the server failed to handle the request."""


_BY_STATUS: dict[int, type[HTTPError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: AuthorizationError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def error_for_status(status_code: int) -> type[HTTPError]:
    """Return the exception class that stands for an HTTP error status."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    return HTTPError
