"""System-manager models: clients (test stations) and the server status."""

from __future__ import annotations

from pywats.models.common import WATSModel

__all__ = ["ClientType", "Client", "SystemStatus"]


class ClientType:
    """``type`` values of a client."""

    LOCAL_SERVER = 1
    MASTER_SERVER = 2
    CLIENT = 5
    WEB_CLIENT = 6


class Client(WATSModel):
    """A WATS client (station) as the system manager shows it. ``name`` and ``type`` are fixed;
    ``display_name``, ``location``, ``purpose`` and ``client_group_id`` (its level) can change."""

    client_id: int | None = None
    name: str | None = None
    identifier: str | None = None
    display_name: str | None = None
    location: str | None = None
    purpose: str | None = None
    type: int | None = None
    client_group_id: int | None = None
    report_count: int | None = None
    last_report: str | None = None
    pending_count: int | None = None


class SystemStatus(WATSModel):
    """``GET /api/SystemStatus``: overall state and counts (extra fields the server sends are kept)."""

    status: str | None = None
    version: str | None = None
    utc_now: str | None = None
    report_count: int | None = None
