"""Case-insensitive paths (ASP.NET matches routes ignoring case) with Starlette's public API.

:class:`CaseInsensitivePaths` is an ASGI middleware placed before the router: it finds the
first route whose path template matches the request path ignoring case (preferring one
that accepts the request's method) and hands the router the path spelled as that template
spells it, with the parameter values exactly as sent. The router then matches normally.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["CaseInsensitivePaths"]

_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?}")


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    literals: tuple[str, ...]
    methods: frozenset[str] | None


def _template(route: Route) -> _Template:
    regex = ""
    literals: list[str] = []
    pos = 0
    for m in _PARAM.finditer(route.path):
        literal = route.path[pos:m.start()]
        literals.append(literal)
        regex += re.escape(literal) + ("(.*)" if m.group(2) == "path" else "([^/]+)")
        pos = m.end()
    literals.append(route.path[pos:])
    regex += re.escape(route.path[pos:])
    methods = frozenset(route.methods) if route.methods else None
    return _Template(re.compile(regex, re.IGNORECASE), tuple(literals), methods)


class CaseInsensitivePaths:
    """Rewrite ``scope["path"]`` to the canonical spelling of the route it matches ignoring case."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.templates = [_template(r) for r in routes if isinstance(r, Route)]

    def canonical(self, path: str, method: str) -> str:
        """``path`` spelled as the first matching route template spells it (else unchanged)."""
        fallback: str | None = None
        for t in self.templates:
            m = t.pattern.fullmatch(path)
            if m is None:
                continue
            spelled = t.literals[0] + "".join(v + lit for v, lit in zip(m.groups(), t.literals[1:]))
            if t.methods is None or method in t.methods:
                return spelled
            if fallback is None:
                fallback = spelled
        return path if fallback is None else fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            spelled = self.canonical(path, scope["method"])
            if spelled != path:
                scope = {**scope, "path": spelled}
        await self.app(scope, receive, send)
