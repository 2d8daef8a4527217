"""The cookie jar of both clients: a standard ``http.cookiejar.CookieJar`` that skips its
parsing pass for answers that set no cookie.

httpx hands every answer to the client's jar (``CookieJar.extract_cookies``), and the
standard jar parses all headers of it even when none sets a cookie, which is nearly every
WATS answer. Cookies still matter: a load balancer in front of WATS may pin a client to one
server with an affinity cookie. This jar keeps them exactly as the standard one does; it only
looks for ``Set-Cookie``/``Set-Cookie2`` first. httpx takes it through its public ``cookies=``
argument (a ``CookieJar`` is used as the client's jar as it is).
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any

__all__ = ["AnswerCookieJar"]


class AnswerCookieJar(CookieJar):
    """A ``CookieJar`` that stores cookies only from answers that set some."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Store the cookies ``response`` sets (per the jar's policy); nothing to do without
        ``Set-Cookie``/``Set-Cookie2`` headers."""
        headers = response.info()
        if "Set-Cookie" in headers or "Set-Cookie2" in headers:
            super().extract_cookies(response, request)
