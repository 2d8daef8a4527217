"""WSJF timestamps: ``start`` is local time with its UTC offset, ``startUTC`` the same instant in UTC.

Example: ``start = "2026-01-15T10:30:00.000+01:00"``, ``startUTC = "2026-01-15T09:30:00.000Z"``.
.NET exports carry up to 7 fractional digits and ``Z``; :func:`parse_timestamp` reads all of
these on every supported Python version. A timestamp without an offset is taken as local
time of this machine.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse_timestamp", "format_local", "format_utc", "start_pair", "now_local"]

_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as local time.

    Raises:
        ValueError: ``text`` is not an ISO-8601 date-time.
    """
    match = _RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    year, month, day, hour, minute, second, frac, offset = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz: timezone | None
    if offset is None:
        tz = None
    elif offset in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    value = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz
    )
    return value.astimezone() if tz is None else value


def now_local() -> datetime:
    """The current time as an aware datetime in this machine's zone."""
    return datetime.now().astimezone()


def _aware(value: datetime) -> datetime:
    return value.astimezone() if value.tzinfo is None else value


def format_local(value: datetime) -> str:
    """Format as WSJF ``start``: milliseconds and the UTC offset (naive → local time)."""
    return _aware(value).isoformat(timespec="milliseconds")


def format_utc(value: datetime) -> str:
    """Format as WSJF ``startUTC``: the same instant in UTC with milliseconds and ``Z``."""
    return _aware(value).astimezone(timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def start_pair(start: datetime | str | None = None) -> tuple[str, str]:
    """Return ``(start, startUTC)`` strings for a datetime, a timestamp string or now.

    A string that already carries an offset is kept as given; one without an offset is
    read as local time and re-emitted with the local offset.
    """
    if start is None:
        value = now_local()
        return format_local(value), format_utc(value)
    if isinstance(start, str):
        value = parse_timestamp(start)
        text = start if _has_offset(start) else format_local(value)
        return text, format_utc(value)
    if isinstance(start, datetime):
        return format_local(start), format_utc(start)
    raise TypeError(f"start must be a datetime or an ISO-8601 string, not {type(start).__name__}")


def _has_offset(text: str) -> bool:
    match = _RE.match(text.strip())
    return bool(match and match.group(8))
