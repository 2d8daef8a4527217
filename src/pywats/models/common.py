"""Base model shared by the pyWATS response models.

JSON names are camelCase (as WATS sends them) and are the field aliases; Python attribute
names are snake_case. Both spellings are accepted on input, unknown fields are kept
(``extra="allow"``), and ``model_dump()`` gives snake_case keys with JSON-safe values
(``model_dump(by_alias=True)`` gives the wire names).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["WATSModel"]


class WATSModel(BaseModel):
    """Base of the API models: camelCase aliases, snake_case attributes, extra fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        ser_json_inf_nan="constants",
    )

    def to_wire(self) -> dict[str, Any]:
        """The model as a JSON-ready dict with wire (camelCase) names, ``None`` fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
