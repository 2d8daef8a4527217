"""``api.auth``: access tokens (``GET /api/Auth/GetToken``)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation

__all__ = ["AuthDomain"]


class AuthDomain(Domain[ModeT]):
    """Tokens for the ``Authorization: Basic <token>`` header."""

    @operation
    def get_token(self, identifier: str | None = None, reset: bool | None = None) -> Generator[Request, Any, str]:
        """An access token of the authenticated user (``GET /api/Auth/GetToken[/{identifier}]``).

        Args:
            identifier: names the token (one user can hold several); ``None`` = the default one.
            reset: ``True`` replaces the existing token (the old one stops working on real WATS).
        """
        path = "/api/Auth/GetToken" + (f"/{quote(identifier, safe='')}" if identifier else "")
        data = yield Request("GET", path, params={"reset": reset})
        if isinstance(data, dict):
            data = data.get("token") or data.get("Token") or data.get("access_token") or ""
        return str(data or "")
