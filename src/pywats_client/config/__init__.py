"""Station client configuration: one JSON file per instance in the client home.

``from pywats_client.config import ClientConfig`` is the public entry point; see
:mod:`pywats_client.paths` for where files live.
"""

from __future__ import annotations

from pywats_client.config.conflicts import InstanceConflict, find_instance_conflicts, instance_conflicts
from pywats_client.config.errors import ConfigError
from pywats_client.config.models import TOKEN_ENV, ClientConfig, ConverterConfig, mask_token

__all__ = [
    "TOKEN_ENV",
    "ClientConfig",
    "ConfigError",
    "ConverterConfig",
    "InstanceConflict",
    "find_instance_conflicts",
    "instance_conflicts",
    "mask_token",
]
