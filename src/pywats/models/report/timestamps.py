"""WSJF timestamps: ``start`` is local time with its UTC offset, ``startUTC`` the same instant in UTC.

Example: ``start = "2026-01-15T10:30:00.000+01:00"``, ``startUTC = "2026-01-15T09:30:00.000Z"``.

Read liberally: :func:`parse_timestamp` accepts every form WATS itself writes or accepts —
.NET's up to 7 fractional digits, a dot with no digits (``2020-01-01T08:00:00.Z``, in
Virinco's own WSJF examples), a comma as the fraction separator, a space or ``t`` between
date and time, no seconds, a date alone (midnight), an offset as ``Z``/``z``/``UTC``/``GMT``,
``+01:00``, ``+0100`` or ``+01``, with or without a space before it, and the Microsoft JSON
date of older .NET serialisers (``/Date(1577865600000+0100)/``). A timestamp without an
offset is taken as local time of this machine.

Write canonically: :func:`is_canonical` says whether a text already is strict ISO 8601
(``yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±HH:mm)``); :func:`canonical_local` /
:func:`canonical_utc` keep such a text as given (so reports exported by a WATS server
round-trip unchanged) and rewrite any other accepted form.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = [
    "parse_timestamp",
    "format_local",
    "format_utc",
    "start_pair",
    "now_local",
    "is_canonical",
    "canonical_local",
    "canonical_utc",
]

_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d*))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
# the Microsoft JSON date older .NET serialisers write, e.g. /Date(1577865600000+0100)/
_MS_DATE = re.compile(r"^\\?/Date\((-?\d+)([+-]\d{4})?\)\\?/$")
# strict ISO 8601 / RFC 3339 as the WSJF schema and .NET's round-trip format write it
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?(?:Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as local time.

    Raises:
        ValueError: ``text`` is not an ISO-8601 date-time.
    """
    match = _RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        ms_date = _MS_DATE.match(text.strip()) if isinstance(text, str) else None
        if ms_date is not None:
            return _from_ms_date(ms_date)
        raise ValueError(f"not an ISO-8601 date-time: {text!r}")
    year, month, day, hour, minute, second, frac, offset = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz: timezone | None
    if offset is None:
        tz = None
    elif offset.upper() in ("Z", "UTC", "GMT"):
        tz = timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"not an ISO-8601 date-time (UTC offset out of range): {text!r}")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=tz
        )
    except ValueError as exc:
        raise ValueError(f"not an ISO-8601 date-time ({exc}): {text!r}") from None
    return value.astimezone() if tz is None else value


def _from_ms_date(match: re.Match[str]) -> datetime:
    millis, offset = match.groups()
    instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=int(millis))
    if offset is None:
        return instant
    sign = -1 if offset[0] == "-" else 1
    zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    return instant.astimezone(zone)


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

    A string in canonical form (see :func:`is_canonical`) is kept as given; any other
    accepted form is re-emitted canonically (without an offset: read as local time and
    written with the local offset).
    """
    if start is None:
        value = now_local()
        return format_local(value), format_utc(value)
    if isinstance(start, str):
        value = parse_timestamp(start)
        return canonical_local(start), format_utc(value)
    if isinstance(start, datetime):
        return format_local(start), format_utc(start)
    raise TypeError(f"start must be a datetime or an ISO-8601 string, not {type(start).__name__}")


def is_canonical(text: str) -> bool:
    """``True`` if ``text`` is strict ISO 8601 with an offset: ``yyyy-MM-ddTHH:mm:ss[.f](Z|±HH:mm)``
    with 1 to 7 fraction digits (what the WSJF schema and a WATS server write)."""
    return isinstance(text, str) and _CANONICAL.match(text) is not None


def canonical_local(text: str) -> str:
    """``text`` as a canonical local timestamp (``start``): kept when canonical, else
    re-emitted with milliseconds and its offset (local offset when it had none).

    Raises:
        ValueError: ``text`` is not a date-time :func:`parse_timestamp` accepts.
    """
    if is_canonical(text):
        return text
    return format_local(parse_timestamp(text))


def canonical_utc(text: str) -> str:
    """``text`` as a canonical UTC timestamp (``startUTC``): kept when canonical and in UTC
    (``Z``), else the same instant re-emitted as ``yyyy-MM-ddTHH:mm:ss.fffZ``.

    Raises:
        ValueError: ``text`` is not a date-time :func:`parse_timestamp` accepts.
    """
    if is_canonical(text) and text.endswith("Z"):
        return text
    return format_utc(parse_timestamp(text))
