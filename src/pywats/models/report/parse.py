"""``parse_report``: a WSJF mapping → ``UUTReport`` or ``UURReport``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic

from pywats.exceptions import ValidationError
from pywats.models.report.uur import UURReport
from pywats.models.report.uut import UUTReport

__all__ = ["parse_report", "loc_to_path"]


def loc_to_path(loc: tuple[int | str, ...], data: Any = None) -> str:
    """Turn a pydantic error location into a dotted WSJF path (``root.steps[3].name``).

    When ``data`` (the validated input) is given, location parts that are not keys or
    indexes of the document (union member and discriminator tags) are left out.
    """
    out = ""
    node = data
    for part in loc:
        if data is not None:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                node = node[part]  # (two branches: each narrows the index type for the type checker)
            elif isinstance(part, str) and isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                continue
        if isinstance(part, int):
            out += f"[{part}]"
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
    cls: type[UUTReport | UURReport]
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
        path = loc_to_path(tuple(first["loc"]), data)
        raise ValidationError(f"invalid report: {path}: {first['msg']}", field=path) from None
