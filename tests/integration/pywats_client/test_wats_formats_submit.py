"""The WATS standard formats end to end: converted by the built-in converters, submitted to the
real local server, read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywats import pyWATS
from pywats_client.converters import ContextData, convert_in_process

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
CONTEXT = ContextData(station_name="FORMATS", location="Lab", purpose="Production",
                      processes=[{"code": 100, "name": "FCT"}])


def _count_steps(step: dict[str, Any]) -> int:
    return 1 + sum(_count_steps(child) for child in step.get("steps") or ())


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("wsjf", "wsjf/liberal_times_uut.json"),
        ("wsjf", "wsjf/liberal_times_uur.json"),
        ("wsxf", "wsxf/uut_all_features.xml"),
        ("wsxf", "wsxf/uur_failures.xml"),
        ("wstf", "wstf/two_reports.txt"),
        ("wrml", "wrml/pending_uut.xml"),
        ("wrml", "wrml/pending_uur.xml"),
    ],
)
def test_converted_reports_are_accepted_and_read_back(spec: str, name: str, wats_server: Any) -> None:
    outcome = convert_in_process(spec, DATA / name, context=CONTEXT)
    assert outcome.ok, outcome.error
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        for report in outcome.reports:
            result = api.report.submit(report)
            assert result.id.lower() == report["id"].lower()
            stored = api.report.get_report_wsjf(report["id"])
            assert (stored["sn"], stored["pn"], stored["type"]) == (report["sn"], report["pn"], report["type"])
            assert stored["result"] == report["result"]
            if report.get("root") is not None:
                assert _count_steps(stored["root"]) == _count_steps(report["root"])


def test_wrml_backlog_sent_twice_is_stored_once(wats_server: Any) -> None:
    outcome = convert_in_process("wrml", DATA / "wrml" / "pending_uut.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        api.report.submit(report)
        api.report.submit(dict(report))
        headers = api.report.get_reports(serial_number="MTR-0815")
        assert sum(1 for h in headers if str(h.uuid).lower() == report["id"]) == 1
