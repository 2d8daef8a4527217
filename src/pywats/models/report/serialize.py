"""Fast JSON encoding of WSJF dicts (``pydantic_core.to_json``, compact UTF-8)."""

from __future__ import annotations

from typing import Any

import pydantic_core

__all__ = ["dumps"]


def dumps(report: Any) -> bytes:
    """Encode a WSJF dict (or anything JSON-like) to compact UTF-8 JSON bytes.

    Non-finite floats become ``"NaN"``/``"Infinity"``/``"-Infinity"`` strings (the WSJF
    convention) instead of invalid JSON. Several times faster than ``json.dumps``.
    """
    return pydantic_core.to_json(report, inf_nan_mode="strings")
