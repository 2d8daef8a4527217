"""Timestamps: read every form WATS writes or accepts, send canonical ISO 8601."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pywats.models.report.timestamps import (
    canonical_local,
    canonical_utc,
    is_canonical,
    parse_timestamp,
)

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-01T08:00:00.Z", datetime(2020, 1, 1, 8, tzinfo=UTC)),  # Virinco's WSJF examples
        ("2020-01-01T08:00:00.7257865Z", datetime(2020, 1, 1, 8, 0, 0, 725786, tzinfo=UTC)),
        ("2020-01-01T08:00:00,5+01:00", datetime(2020, 1, 1, 8, 0, 0, 500000, tzinfo=timezone(timedelta(hours=1)))),
        ("2020-01-01 08:00:00 +0130", datetime(2020, 1, 1, 8, tzinfo=timezone(timedelta(hours=1, minutes=30)))),
        ("2020-01-01t08:00z", datetime(2020, 1, 1, 8, tzinfo=UTC)),
        ("2020-01-01T08:00:00 UTC", datetime(2020, 1, 1, 8, tzinfo=UTC)),
        ("2020-01-01T08:00:00-05", datetime(2020, 1, 1, 8, tzinfo=timezone(timedelta(hours=-5)))),
        ("2020-01-01Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("/Date(1577865600000)/", datetime(2020, 1, 1, 8, tzinfo=UTC)),
        ("/Date(1577865600000+0100)/", datetime(2020, 1, 1, 9, tzinfo=timezone(timedelta(hours=1)))),
    ],
)
def test_liberal_forms_parse(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["2020-13-01T00:00:00Z", "01/02/2020 08:00", "2020-01-01T08:00:00+25:00", "", "x"])
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO-8601 date-time"):
        parse_timestamp(text)


def test_canonical_text_is_kept_and_others_rewritten() -> None:
    for kept in ("2024-04-15T02:49:36.93+00:00", "2026-01-30T10:49:36.919Z", "2020-08-05T07:03:58.7257865Z"):
        assert is_canonical(kept)
        assert canonical_local(kept) == kept
    assert canonical_utc("2026-01-30T10:49:36.919Z") == "2026-01-30T10:49:36.919Z"
    assert not is_canonical("2020-01-01T08:00:00.Z")
    assert canonical_utc("2020-01-01T08:00:00.Z") == "2020-01-01T08:00:00.000Z"
    assert canonical_utc("2020-01-01T09:00:00+01:00") == "2020-01-01T08:00:00.000Z"
    assert canonical_local("2020-01-01 09:00:00,25+0100") == "2020-01-01T09:00:00.250+01:00"
    assert canonical_utc("/Date(1577865600000)/") == "2020-01-01T08:00:00.000Z"
    local = canonical_local("2020-06-01T09:00:00")  # no offset: this machine's zone
    assert is_canonical(local) and local.startswith("2020-06-01T09:00:00.000")
