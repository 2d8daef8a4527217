"""Helper for the library integration tests: run the same call on pyWATS and on AsyncWATS."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pywats import AsyncWATS, pyWATS


class Clients:
    """One client (sync or async) plus :meth:`run`, which awaits results on the async one."""

    def __init__(self, kind: str, base_url: str, token: str, **kwargs: Any) -> None:
        self.kind = kind
        self.loop = asyncio.new_event_loop() if kind == "async" else None
        self.api: Any = (AsyncWATS if kind == "async" else pyWATS)(base_url=base_url, token=token, **kwargs)

    def run(self, call: Callable[[Any], Any]) -> Any:
        """``call(api)``; an awaitable result is awaited on this client's own loop."""
        if self.loop is None:
            return call(self.api)

        async def go() -> Any:
            result = call(self.api)
            return await result if inspect.isawaitable(result) else result

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.api.aclose())
            self.loop.close()
        else:
            self.api.close()


@pytest.fixture(params=["sync", "async"])
def clients(request: pytest.FixtureRequest, wats_server: Any) -> Iterator[Clients]:
    """The same tests run once with ``pyWATS`` and once with ``AsyncWATS``."""
    c = Clients(request.param, wats_server.base_url, wats_server.token)
    yield c
    c.close()


