"""Helpers shared by the built-in converters."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

__all__ = ["STATUS_WORDS", "parse_number", "parse_status", "parse_time", "evaluate_limits"]

#: Status words (case-insensitive) → WSJF status letter.
STATUS_WORDS: dict[str, str] = {
    "p": "P", "pass": "P", "passed": "P", "ok": "P", "success": "P", "true": "P", "1": "P", "good": "P",
    "f": "F", "fail": "F", "failed": "F", "failure": "F", "ng": "F", "false": "F", "0": "F", "bad": "F",
    "s": "S", "skip": "S", "skipped": "S",
    "d": "D", "done": "D", "complete": "D", "completed": "D",
    "e": "E", "err": "E", "error": "E", "errored": "E",
    "t": "T", "term": "T", "terminated": "T", "abort": "T", "aborted": "T",
}


def parse_status(text: str) -> str | None:
    """Return the WSJF status letter for a status word, or ``None`` if unknown."""
    return STATUS_WORDS.get(text.strip().casefold())


def parse_number(text: str, decimal_separator: str = ".") -> float | None:
    """Parse ``text`` as a float; ``None`` if it is not a (finite or inf/nan) number."""
    value = text.strip()
    if not value:
        return None
    if decimal_separator == "," and "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None


def evaluate_limits(value: float, low: float | None, high: float | None) -> str:
    """``P``/``F`` for ``low <= value <= high`` (missing limits are open)."""
    if math.isnan(value):
        return "F"
    if low is not None and value < low:
        return "F"
    if high is not None and value > high:
        return "F"
    return "P"


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y%m%d%H%M%S",
)


def parse_time(text: str, fmt: str | None = None) -> datetime | None:
    """Parse a timestamp (ISO 8601 or a common station format); naive → local time zone."""
    value = text.strip()
    if not value:
        return None
    parsed: datetime | None = None
    if fmt:
        parsed = datetime.strptime(value, fmt)
    else:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            for candidate in _TIME_FORMATS:
                try:
                    parsed = datetime.strptime(value, candidate)
                    break
                except ValueError:
                    continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed


def as_text(value: Any) -> str:
    """``str(value)`` with ``None`` as the empty string."""
    return "" if value is None else str(value)
