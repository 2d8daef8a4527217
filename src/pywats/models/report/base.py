"""Base class of every WSJF model: exact WSJF names as aliases, unknown fields kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["WSJFModel"]


class WSJFModel(BaseModel):
    """A WSJF object.

    Python attribute names are snake_case; the WSJF (camelCase) names are the aliases and
    both are accepted on input. Fields that are not modelled are kept as extras and
    written back unchanged, so a report survives a parse → serialise round trip.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        alias_generator=to_camel,
        ser_json_inf_nan="strings",
        validate_assignment=False,
    )

    def to_wsjf(self) -> dict[str, Any]:
        """Return a JSON-ready dict with WSJF names, holding only the fields that were set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
