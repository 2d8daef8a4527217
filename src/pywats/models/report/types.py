"""Annotated field types shared by the report models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from pywats.models.report.timestamps import format_local, format_utc, parse_timestamp

__all__ = ["Timestamp", "UTCTimestamp", "Number", "NumberOrText"]


def _local(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, str):
        parse_timestamp(value)  # raises ValueError on garbage; the text is kept as given
    return value


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, str):
        parse_timestamp(value)
    return value


Timestamp = Annotated[str, BeforeValidator(_local)]
"""An ISO-8601 date-time kept as the text given (a datetime becomes local time + offset)."""
UTCTimestamp = Annotated[str, BeforeValidator(_utc)]
"""An ISO-8601 date-time kept as given (a datetime becomes UTC with ``Z``)."""
Number = int | float
"""A JSON number; ints stay ints and floats stay floats."""
NumberOrText = int | float | str
"""A JSON number, or ``"NaN"``/``"Infinity"``/``"-Infinity"`` for non-finite values."""
