"""The one error type a client's bad input raises, anywhere in the server.

:class:`ApiError` is an answer: HTTP ``status`` with the WATS body ``{"Message": message}``;
the application maps it to that answer in one exception handler (:mod:`.app`).
:class:`InputError` is the same for storage and validation code: bad input from a client
(the message names the field), 400 unless a ``status`` says otherwise (404 unknown
reference, 409 conflicting state). Neither depends on the web framework.
"""

from __future__ import annotations

__all__ = ["ApiError", "InputError"]


class ApiError(Exception):
    """An error answer: HTTP ``status`` with body ``{"Message": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class InputError(ApiError, ValueError):
    """Bad client input: ``message`` names the field; answered ``status`` (default 400)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(status, message)
