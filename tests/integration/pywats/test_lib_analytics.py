"""``api.analytics`` against the real local server, sync and async: yield, report lists,
top failed steps, measurements and serial-number history computed from stored reports."""

from __future__ import annotations

import math
import statistics
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS
from pywats.exceptions import ValidationError
from pywats.models.analytics import (
    AggregatedMeasurement,
    DateGrouping,
    MeasurementData,
    RunFilter,
    TopFailedStep,
    WATSFilter,
    YieldData,
)
from pywats.models.report_header import ReportHeader

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def meas_step(step_id: int, name: str, value: float, low: float = 4.9, high: float = 5.1,
              caused: bool = False) -> dict[str, Any]:
    status = "P" if low <= value <= high else "F"
    step: dict[str, Any] = {
        "id": step_id, "stepType": "ET_NLT", "name": name, "group": "M", "status": status,
        "numericMeas": [{"status": status, "value": value, "unit": "V", "compOp": "GELE",
                         "lowLimit": low, "highLimit": high}],
    }
    if caused:
        step["causedUUTFailure"] = True
    return step


def uut(sn: str, pn: str, passed: bool, start: datetime, station: str = "ST-1", process: int = 100,
        volts: float | None = None, misc: str | None = None) -> dict[str, Any]:
    """A test report: Power/5V rail (value ``volts``) and Power/Channels (multi-measurement)."""
    volts = (5.0 if passed else 5.3) if volts is None else volts
    rail = meas_step(3, "5V rail", volts, caused=not passed)
    channels = {
        "id": 4, "stepType": "ET_MNLT", "name": "Channels", "group": "M", "status": "P",
        "numericMeas": [{"name": "CH1", "status": "P", "value": 1.0, "unit": "V", "compOp": "LOG"},
                        {"name": "CH2", "status": "P", "value": 2.0, "unit": "V", "compOp": "LOG"}],
    }
    doc: dict[str, Any] = {
        "type": "T", "id": str(uuid.uuid4()), "pn": pn, "sn": sn, "rev": "A", "processCode": process,
        "result": "P" if passed else "F", "machineName": station, "location": "Line 1", "purpose": "Production",
        "start": start.isoformat(), "uut": {"user": "alice", "batchSN": "B-1", "testSocketIndex": 0},
        "root": {"id": 1, "stepType": "SequenceCall", "name": "MainSequence Callback", "group": "M",
                 "status": "P" if passed else "F",
                 "steps": [{"id": 2, "stepType": "SequenceCall", "name": "Power", "group": "M",
                            "status": "P" if passed else "F", "steps": [rail, channels]}]},
    }
    if misc:
        doc["miscInfos"] = [{"description": "Firmware", "text": misc}]
    return doc


def uur(sn: str, pn: str, start: datetime) -> dict[str, Any]:
    return {
        "type": "R", "id": str(uuid.uuid4()), "pn": pn, "sn": sn, "rev": "A", "processCode": 500,
        "result": "P", "machineName": "REPAIR-1", "start": start.isoformat(),
        "uur": {"userCode": "bob", "processCode": 100},
    }


def submit_all(clients: Clients, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        clients.run(lambda api, d=doc: api.report.submit_report(d))


@pytest.fixture()
def product(clients: Clients) -> dict[str, Any]:
    """A fresh part number with 4 units on FCT (code 100) and one on EOL:

    U1 passes first time on ST-1; U2 fails then passes (ST-1, then ST-2);
    U3 fails three times then passes (ST-2); U4 fails once and is not retested (ST-2);
    U1 also passes EOL. Starts are one hour apart from ``T0``, U4 a day later.
    """
    pn = unique("PN")
    sn = {k: unique(k) for k in ("U1", "U2", "U3", "U4")}
    h = timedelta(hours=1)
    docs = [
        uut(sn["U1"], pn, True, T0, "ST-1", volts=5.00, misc="fw-1"),
        uut(sn["U2"], pn, False, T0 + h, "ST-1", volts=5.30),
        uut(sn["U2"], pn, True, T0 + 2 * h, "ST-2", volts=5.02),
        uut(sn["U3"], pn, False, T0 + 3 * h, "ST-2", volts=5.25),
        uut(sn["U3"], pn, False, T0 + 4 * h, "ST-2", volts=5.20),
        uut(sn["U3"], pn, False, T0 + 5 * h, "ST-2", volts=5.15),
        uut(sn["U3"], pn, True, T0 + 6 * h, "ST-2", volts=4.98),
        uut(sn["U4"], pn, False, T0 + timedelta(days=1), "ST-2", volts=4.5),
        uut(sn["U1"], pn, True, T0 + 7 * h, "ST-3", process=150, volts=5.01),
    ]
    submit_all(clients, docs)
    return {"pn": pn, "sn": sn, "docs": docs}


def test_dynamic_yield_total_and_by_operation(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    rows = clients.run(lambda api: api.analytics.get_dynamic_yield(WATSFilter(part_number=pn, test_operation="FCT")))
    assert len(rows) == 1 and isinstance(rows[0], YieldData)
    row = rows[0]
    assert (row.unit_count, row.fp_count, row.sp_count, row.tp_count, row.lp_count) == (4, 1, 2, 2, 3)
    assert (row.fpy, row.spy, row.tpy, row.lpy) == (25.0, 50.0, 50.0, 75.0)
    assert row.part_number is None  # not a requested dimension
    by_op = clients.run(lambda api: api.analytics.get_yield_summary(part_number=pn))
    assert {(r.part_number, r.revision, r.test_operation, r.unit_count, r.fp_count) for r in by_op} == {
        (pn, "A", "FCT", 4, 1), (pn, "A", "EOL", 1, 1)}


def test_yield_by_station_period_and_sorting(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    stations = clients.run(lambda api: api.analytics.get_station_yield({"partNumber": pn, "testOperation": "100"}))
    # a unit belongs to the station of its first run
    assert [(r.station_name, r.unit_count, r.fp_count, r.lp_count) for r in stations] == [
        ("ST-1", 2, 1, 2), ("ST-2", 2, 0, 1)]
    desc = clients.run(lambda api: api.analytics.get_dynamic_yield(
        dimensions="stationName desc", part_number=pn, test_operation="FCT"))
    assert [r.station_name for r in desc] == ["ST-2", "ST-1"]
    days = clients.run(lambda api: api.analytics.get_dynamic_yield(
        WATSFilter(part_number=pn, test_operation="FCT", date_grouping=DateGrouping.DAY),
        dimensions=["period"]))
    assert [(r.period, r.unit_count) for r in days] == [("2026-03-02", 3), ("2026-03-03", 1)]
    newest = clients.run(lambda api: api.analytics.get_dynamic_yield(
        WATSFilter(part_number=pn, test_operation="FCT", period_count=1), dimensions=["period"]))
    assert [r.period for r in newest] == ["2026-03-03"]
    months = clients.run(lambda api: api.analytics.get_dynamic_yield(
        part_number=pn, test_operation="FCT", date_grouping=DateGrouping.MONTH, dimensions=["period"]))
    assert [(r.period, r.unit_count) for r in months] == [("2026-03", 4)]
    failing = clients.run(lambda api: api.analytics.get_dynamic_yield(
        part_number=pn, test_operation="FCT", dimensions=["stepPathCausedUutFailure"]))
    assert {(r.model_extra or {}).get("stepPathCausedUutFailure"): r.unit_count for r in failing} == {
        None: 1, "Power\u00b65V rail": 3}


def test_yield_filters_dates_wildcards_and_bad_input(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    first_day = clients.run(lambda api: api.analytics.get_dynamic_yield(
        part_number=pn, test_operation="FCT", date_from=T0, date_to=T0 + timedelta(hours=12)))
    assert first_day[0].unit_count == 3
    wild = clients.run(lambda api: api.analytics.get_dynamic_yield(
        part_number=pn[:-4] + "%", station_name="ST-1;ST-3", test_operation="FC_"))
    assert wild[0].unit_count == 2  # U1 and U2 (first runs on ST-1); ST-2 runs are filtered away
    none = clients.run(lambda api: api.analytics.get_dynamic_yield(part_number=unique("NOPE")))
    assert none == []
    with pytest.raises(ValidationError, match="dimension"):
        clients.run(lambda api: api.analytics.get_dynamic_yield(part_number=pn, dimensions=["colour"]))
    with pytest.raises(ValidationError, match="run"):
        clients.run(lambda api: api.analytics.get_dynamic_yield({"partNumber": pn, "run": 7}))


def test_uut_reports(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    headers = clients.run(lambda api: api.analytics.get_uut_reports(part_number=pn))
    assert len(headers) == 9 and all(isinstance(h, ReportHeader) for h in headers)
    starts = [h.start for h in headers]
    assert starts == sorted(starts, reverse=True)
    assert len(clients.run(lambda api: api.analytics.get_uut_reports(part_number=pn, top_count=2))) == 2
    failed = clients.run(lambda api: api.analytics.get_uut_reports(part_number=pn, status="Failed"))
    assert len(failed) == 5 and {h.result for h in failed} == {"Failed"}
    u3 = product["sn"]["U3"]
    last = clients.run(lambda api: api.analytics.get_uut_reports(serial_number=u3, run=RunFilter.LAST))
    assert [h.result for h in last] == ["Passed"]
    second = clients.run(lambda api: api.analytics.get_uut_reports(part_number=pn, run=RunFilter.SECOND))
    assert {h.serial_number for h in second} == {product["sn"]["U2"], u3}
    fw = clients.run(lambda api: api.analytics.get_uut_reports(
        part_number=pn, misc_description="firmware", misc_value="fw-%"))
    assert [h.serial_number for h in fw] == [product["sn"]["U1"]]


def test_uur_reports_and_serial_number_history(clients: Clients, product: dict[str, Any]) -> None:
    pn, u4 = product["pn"], product["sn"]["U4"]
    clients.run(lambda api: api.report.submit_report(uur(u4, pn, T0 + timedelta(days=2))))
    repairs = clients.run(lambda api: api.analytics.get_uur_reports(part_number=pn))
    assert [(h.serial_number, h.report_type) for h in repairs] == [(u4, "R")]
    history = clients.run(lambda api: api.analytics.get_serial_number_history(u4))
    assert [h.report_type for h in history] == ["T", "R"]
    both = clients.run(lambda api: api.analytics.get_serial_number_history(
        WATSFilter(serial_number=f"{u4};{product['sn']['U1']}")))
    assert len(both) == 4
    starts = [h.start for h in both]
    assert starts == sorted(starts)


def test_top_failed(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    top = clients.run(lambda api: api.analytics.get_top_failed(part_number=pn))
    assert len(top) == 1 and isinstance(top[0], TopFailedStep)
    step = top[0]
    assert (step.step_name, step.step_path, step.test_operation) == ("5V rail", "Power\u00b65V rail", "FCT")
    assert (step.fail_count, step.total_count, step.fail_percent) == (5, 8, 62.5)
    first_runs = clients.run(lambda api: api.analytics.get_top_failed(part_number=pn, run=RunFilter.FIRST))
    assert first_runs[0].fail_count == 3
    assert clients.run(lambda api: api.analytics.get_top_failed(part_number=pn, top_count=0)) == []


def test_measurements(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    values = clients.run(lambda api: api.analytics.get_measurements(
        WATSFilter(part_number=pn, test_operation="FCT"), "Power/5V rail"))
    assert all(isinstance(v, MeasurementData) for v in values)
    assert [v.value for v in values] == [4.5, 4.98, 5.15, 5.2, 5.25, 5.02, 5.3, 5.0]  # newest first
    assert {v.measurement_path for v in values} == {"Power\u00b65V rail"}
    assert values[0].status == "Failed" and values[0].low_limit == 4.9 and values[0].unit == "V"
    with_root = clients.run(lambda api: api.analytics.get_measurements(
        {"partNumber": pn}, ["MainSequence Callback/Power/5V rail"], max_count=3))
    assert len(with_root) == 3
    multi = clients.run(lambda api: api.analytics.get_measurements(
        {"partNumber": pn, "serialNumber": product["sn"]["U1"]}, "Power/Channels//CH2"))
    assert [(m.measurement_name, m.value) for m in multi] == [("CH2", 2.0), ("CH2", 2.0)]
    whole_step = clients.run(lambda api: api.analytics.get_measurements(
        {"partNumber": pn, "serialNumber": product["sn"]["U1"], "testOperation": "EOL"}, "Power/Channels"))
    assert [m.measurement_name for m in whole_step] == ["CH1", "CH2"]
    assert clients.run(lambda api: api.analytics.get_measurements({"partNumber": pn}, "Power/Nope")) == []


def test_aggregated_measurements(clients: Clients, product: dict[str, Any]) -> None:
    pn = product["pn"]
    rows = clients.run(lambda api: api.analytics.get_aggregated_measurements(
        WATSFilter(part_number=pn, test_operation="FCT"), ["Power/5V rail", "Power/Channels//CH1"]))
    assert all(isinstance(r, AggregatedMeasurement) for r in rows)
    by_path = {r.measurement_path: r for r in rows}
    rail = by_path["Power\u00b65V rail"]
    values = [5.0, 5.3, 5.02, 5.25, 5.2, 5.15, 4.98, 4.5]
    mean, sd = statistics.mean(values), statistics.stdev(values)
    assert rail.count == 8 and rail.fail_count == 5 and (rail.min, rail.max) == (4.5, 5.3)
    assert math.isclose(rail.avg, mean) and math.isclose(rail.stdev, sd)
    assert math.isclose(rail.cp, round(0.2 / (6 * sd), 4))
    assert math.isclose(rail.cpk, round(min(5.1 - mean, mean - 4.9) / (3 * sd), 4))
    ch1 = by_path["Power\u00b6Channels\u00b6\u00b6CH1"]
    assert ch1.count == 8 and ch1.cpk is None and ch1.stdev == 0.0


def test_filter_validation_on_the_client(clients: Clients) -> None:
    with pytest.raises(ValidationError, match="colour"):
        clients.run(lambda api: api.analytics.get_uut_reports(colour="red"))
    with pytest.raises(ValidationError, match="socket"):
        clients.run(lambda api: api.analytics.get_uut_reports(socket="left"))


def test_routes_need_the_token(wats_server: Any) -> None:
    response = httpx.post(wats_server.base_url + "/api/App/DynamicYield", json={})
    assert response.status_code == 401


@pytest.mark.anyio
async def test_async_yield_and_measurements(wats_server: Any) -> None:
    pn = unique("APN")
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        for i, passed in enumerate([True, False, True]):
            await api.report.submit_report(uut(f"{pn}-SN{i}", pn, passed, T0 + timedelta(minutes=i)))
        rows = await api.analytics.get_dynamic_yield(part_number=pn, dimensions="partNumber")
        assert [(r.part_number, r.unit_count, r.fp_count) for r in rows] == [(pn, 3, 2)]
        agg = await api.analytics.get_aggregated_measurements({"partNumber": pn}, "Power/5V rail")
        assert agg[0].count == 3 and agg[0].fail_count == 1
        assert len(await api.analytics.get_uut_reports(part_number=pn)) == 3


def test_product_name_group_and_level(clients: Clients, wats_server: Any) -> None:
    pn = unique("PN")
    response = httpx.put(wats_server.base_url + "/api/Product", headers=wats_server.auth_headers,
                         json={"partNumber": pn, "name": "Widget 9", "productCategoryName": "Boards"})
    assert response.status_code == 200, response.text
    submit_all(clients, [uut(unique("S"), pn, True, T0), uut(unique("S"), pn, False, T0)])
    rows = clients.run(lambda api: api.analytics.get_dynamic_yield(
        part_number=pn, dimensions=["productName", "productGroup", "level"]))
    assert [(r.product_name, r.product_group, (r.model_extra or {}).get("level"), r.unit_count, r.fpy)
            for r in rows] == [("Widget 9", "Boards", "Line 1", 2, 50.0)]
    grouped = clients.run(lambda api: api.analytics.get_uut_reports(product_group="Boards", part_number=pn,
                                                                    level="line%"))
    assert len(grouped) == 2
    assert clients.run(lambda api: api.analytics.get_uut_reports(product_group="Other", part_number=pn)) == []
    assert clients.run(lambda api: api.analytics.get_uut_reports(sw_version="1.0", part_number=pn)) == []
