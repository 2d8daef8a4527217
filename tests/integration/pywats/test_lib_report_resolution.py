"""A report converted offline names its operation; submit_report resolves it on the server."""

from __future__ import annotations

from typing import Any

from pywats import pyWATS
from pywats.models import process_codes
from pywats.tools import ReportBuilder


def test_report_with_only_process_name_is_resolved_at_submit(wats_server: Any) -> None:
    process_codes.clear()
    builder = ReportBuilder(part_number="WIDGET-100", serial_number="SN-RESOLVE-1")
    builder.set_operation_type("EOL")
    builder.add_step(name="Final check", status="Passed")
    data = builder.to_dict()
    assert "processCode" not in data and data["processName"] == "EOL"
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        api.report.submit_report(data)
        header = api.report.get_reports(serial_number="SN-RESOLVE-1")[0]
    assert (header.process_code, header.operation_type) == (150, "EOL")
