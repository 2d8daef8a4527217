"""pywats-server: station fields of a report as WATS requires them.

``machineName``, ``location`` and ``purpose`` are required fields; the reference does not
say they must be non-blank, so an empty ``location``/``purpose`` is stored, while a missing
one is a 400 naming it. ``machineName`` is the header's ``stationName`` and must not be blank.
"""

from __future__ import annotations


import httpx
import pytest


@pytest.mark.parametrize("field", ["machineName", "location", "purpose"])
def test_missing_station_field_is_400_naming_it(client: httpx.Client, make_uut, make_uur, field: str) -> None:
    for report in (make_uut(), make_uur()):
        report.pop(field, None)
        r = client.post("/api/Report/WSJF", json=report)
        assert r.status_code == 400, r.text
        assert r.json()["Message"].startswith(f"{field}: is required"), r.json()


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_machine_name_is_400(client: httpx.Client, make_uut, blank: str) -> None:
    r = client.post("/api/Report/WSJF", json=make_uut(machineName=blank))
    assert r.status_code == 400 and r.json()["Message"].startswith("machineName:"), r.text


def test_empty_location_and_purpose_are_stored_as_sent(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="REVIEW-BLANK-1", location="", purpose="")
    assert client.post("/api/Report/WSJF", json=report).status_code == 200
    r = client.get("/api/Report/Query/Header", params={"$filter": "serialNumber eq 'REVIEW-BLANK-1'"})
    (header,) = r.json()
    assert (header["location"], header["purpose"]) == ("", "")
