"""``parse_report``: a WSJF mapping → ``UUTReport`` or ``UURReport``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic

from pywats.exceptions import ValidationError
from pywats.models.report.uur import UURReport
from pywats.models.report.uut import UUTReport

__all__ = ["parse_report", "loc_to_path"]


def loc_to_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a dotted WSJF path (``root.steps[3].name``)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"seq", "numeric", "passfail", "string", "action", "chart", "callexe", "popup", "generic"}:
            continue  # discriminator tags are not part of the document
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_report(data: Mapping[str, Any]) -> UUTReport | UURReport:
    """Parse a WSJF report: ``type "R"`` (or a ``uur`` object) → ``UURReport``, else ``UUTReport``.

    Raises:
        ValidationError: the data does not fit the model; ``field`` names the first bad field.
    """
    if not isinstance(data, Mapping):
        raise ValidationError("a WSJF report must be a JSON object", field="")
    kind = data.get("type")
    cls: type[UUTReport] | type[UURReport]
    if kind == "R" or (kind is None and data.get("uur") is not None):
        cls = UURReport
    elif kind in ("T", None):
        cls = UUTReport
    else:
        raise ValidationError(f"invalid report: type must be 'T' or 'R', not {kind!r}", field="type")
    try:
        return cls.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        path = loc_to_path(tuple(first["loc"]))
        raise ValidationError(f"invalid report: {path}: {first['msg']}", field=path) from None
