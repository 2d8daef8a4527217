"""Parsing and formatting of WSJF timestamps (ISO-8601 with offset, up to 7 fraction digits)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["parse_wsjf_time", "format_header_time", "format_utc_full", "now_utc"]

# read liberally, as WATS does: a fraction separator with no digits ("08:00:00.Z", in
# Virinco's own WSJF examples), a comma, "t" or several spaces before the time, UTC/GMT
_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d*))?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)


def parse_wsjf_time(text: str, *, require_offset: bool = True) -> datetime:
    """Parse a WSJF date-time; raises ValueError with a reason when it is not one.

    Accepts ``2026-01-30T22:01:41.4707353+01:00`` (.NET's 7 fraction digits), ``...Z``,
    ``...00.Z`` (a separator without digits, as in Virinco's WSJF examples), ``UTC``/``GMT``
    and ``+0100``. Without an offset the text is rejected unless ``require_offset`` is False (then
    it is read as UTC).
    """
    m = _TIME_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not an ISO-8601 date-time")
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    frac = m.group(7) or ""
    micro = int((frac + "000000")[:6]) if frac else 0
    off = m.group(8)
    if off is None:
        if require_offset:
            raise ValueError(f"{text!r} has no UTC offset (e.g. +01:00 or Z)")
        tz = timezone.utc
    elif off.upper() in ("Z", "UTC", "GMT"):
        tz = timezone.utc
    else:
        sign = -1 if off[0] == "-" else 1
        digits = off[1:].replace(":", "")
        hours = int(digits[:2])
        minutes = int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"{text!r} has an invalid UTC offset")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date-time: {exc}") from None


def format_header_time(dt: datetime) -> str:
    """UTC ``yyyy-MM-ddTHH:mm:ssZ`` as in report headers."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_utc_full(dt: datetime) -> str:
    """UTC with milliseconds, ``yyyy-MM-ddTHH:mm:ss.fffZ`` (the derived ``startUTC``)."""
    u = dt.astimezone(timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


def now_utc() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)
