"""``api.system``: the system manager (clients and level hierarchy) and the server status."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation
from pywats.exceptions import ValidationError
from pywats.models.system import Client, SystemStatus

__all__ = ["SystemDomain"]


def _hierarchy(levels: Iterable[str]) -> list[str]:
    names = [str(n) for n in ([levels] if isinstance(levels, str) else levels)]
    if not names or not all(n.strip() for n in names):
        raise ValidationError("hierarchy must be a non-empty list of level names", field="hierarchy")
    return names


class SystemDomain(Domain[ModeT]):
    """Clients (stations), levels and the server's status."""

    @operation
    def get_clients(self) -> Generator[Request, Any, list[Client]]:
        """Every client with status figures (``GET /api/SystemManager/Clients``)."""
        data = yield Request("GET", "/api/SystemManager/Clients")
        return [Client.model_validate(c) for c in data or []]

    @operation
    def get_client(self, name: str | None = None, identifier: str | None = None) -> Generator[Request, Any, Client]:
        """One client by ``name`` or ``identifier`` (MAC address) (``GET /api/SystemManager/Client``)."""
        if not name and not identifier:
            raise ValidationError("give the client's name or identifier", field="name")
        data = yield Request("GET", "/api/SystemManager/Client", params={"name": name, "identifier": identifier})
        return Client.model_validate(data)

    @operation
    def update_client(self, client: Client | Mapping[str, Any], move_with_history: bool | None = None
                      ) -> Generator[Request, Any, Client]:
        """Change a client's display name, location, purpose or level (``PUT /api/SystemManager/Client``);
        ``client_id`` is required. ``move_with_history`` moves its history with a new level."""
        model = client if isinstance(client, Client) else Client.model_validate(dict(client))
        if model.client_id is None:
            raise ValidationError("client_id is required to update a client", field="clientId")
        body = {k: v for k, v in model.to_wire().items()
                if k in ("clientId", "name", "displayName", "location", "purpose", "type", "clientGroupId")}
        data = yield Request("PUT", "/api/SystemManager/Client", params={"moveWithHistory": move_with_history},
                             json=body)
        return Client.model_validate(data) if isinstance(data, dict) else model

    @operation
    def get_client_log(self, identifier: str) -> Generator[Request, Any, str]:
        """The most recent log of a client (``GET /api/SystemManager/ClientLog/{identifier}``)."""
        if not identifier:
            raise ValidationError("identifier is required", field="identifier")
        data = yield Request("GET", f"/api/SystemManager/ClientLog/{quote(identifier, safe='')}")
        return data if isinstance(data, str) else "" if data is None else str(data)

    @operation
    def get_level_id(self, hierarchy: Iterable[str]) -> Generator[Request, Any, int | None]:
        """The id of the leaf level of ``hierarchy`` (top level first), or None when it does not
        exist (``GET /api/SystemManager/Level``)."""
        names = _hierarchy(hierarchy)
        data = yield Request("GET", "/api/SystemManager/Level", params={"hierarchy": names})
        return None if data is None else int(data)

    @operation
    def create_levels(self, hierarchy: Iterable[str]) -> Generator[Request, Any, int]:
        """Create the missing levels of ``hierarchy`` (top level first); the leaf level's id
        (``POST /api/SystemManager/Level``)."""
        data = yield Request("POST", "/api/SystemManager/Level", json=_hierarchy(hierarchy))
        return int(data)

    @operation
    def get_system_status(self) -> Generator[Request, Any, SystemStatus]:
        """The server's status (``GET /api/SystemStatus``)."""
        data = yield Request("GET", "/api/SystemStatus")
        return SystemStatus.model_validate(data if isinstance(data, dict) else {"status": data})
