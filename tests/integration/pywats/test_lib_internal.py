"""Internal WATS operations behind pyWATS features (box-build templates, BOM lines, unit flow,
measurement and step-status lists, alarm logs, repair operations) against the real local
server, sync and async; and the server's refusal of internal calls without ``Referer``."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.product import BomComponent, Product, ProductRevision


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_internal_routes_require_referer(wats_server: Any) -> None:
    headers = {"Authorization": f"Basic {wats_server.token}"}
    for path in ("/api/internal/Process/GetRepairOperations", "/api/internal/UnitFlow/Nodes?filter="):
        answer = httpx.get(wats_server.base_url + path, headers=headers)
        assert answer.status_code == 401 and answer.json() == {"Message": "Authorization has been denied for this request."}
        ok = httpx.get(wats_server.base_url + path, headers={**headers, "Referer": wats_server.base_url})
        assert ok.status_code == 200


def _revision_id(clients: Clients, pn: str, rev: str) -> str:
    product = clients.run(lambda api: api.product.get_product(pn))
    rid = next(r.product_revision_id for r in product.revisions if r.revision == rev)
    assert rid
    return str(rid)


def test_box_build_template(clients: Clients) -> None:
    box, board, cable = unique("BOX"), unique("PCBA"), unique("CABLE")
    clients.run(lambda api: api.product.save_products([Product(part_number=p) for p in (box, board, cable)]))
    clients.run(lambda api: api.product.save_revisions([ProductRevision(part_number=p, revision="A")
                                                        for p in (box, board, cable)]))
    box_id, board_id, cable_id = (_revision_id(clients, p, "A") for p in (box, board, cable))

    board_rel = clients.run(lambda api: api.product.add_subunit(box_id, board_id, quantity=2, revision_mask="A,B%"))
    assert board_rel.product_revision_relation_id and board_rel.quantity == 2
    clients.run(lambda api: api.product.add_subunit(board_id, cable_id))
    tree = clients.run(lambda api: api.product.get_product_info(box, "A"))
    assert [(t.part_number, t.hlevel) for t in tree] == [(box, 0), (board, 1), (cable, 2)]
    assert tree[1].quantity == 2 and tree[1].revision_mask == "A,B%" and tree[1].parent_product_revision_id == box_id

    with pytest.raises(ValidationError):  # a cycle: the cable would contain the box
        clients.run(lambda api: api.product.add_subunit(cable_id, box_id))
    changed = clients.run(lambda api: api.product.update_subunit(
        {"ProductRevisionRelationId": board_rel.product_revision_relation_id, "Quantity": 3}))
    assert changed.quantity == 3 and changed.revision_mask == "A,B%"
    clients.run(lambda api: api.product.remove_subunit(str(board_rel.product_revision_relation_id)))
    assert [t.part_number for t in clients.run(lambda api: api.product.get_product_info(box, "A"))] == [box]
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.product.remove_subunit(str(board_rel.product_revision_relation_id)))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.product.get_product_info(box, "Z"))


def test_bom_lines(clients: Clients) -> None:
    pn = unique("BOM")
    assert clients.run(lambda api: api.product.get_bom_lines(pn, "A")) == []
    lines = [BomComponent(number="R1-10K", quantity=4, reference="R1;R2;R3;R4"), {"number": "U7", "revision": "B"}]
    saved = clients.run(lambda api: api.product.save_bom_lines(pn, "A", lines))
    assert [c.number for c in saved] == ["R1-10K", "U7"]
    read = clients.run(lambda api: api.product.get_bom_lines(pn, "A"))
    assert read[0].quantity == 4 and read[1].revision == "B"
    bom = clients.run(lambda api: api.product.get_bom(pn, "A"))  # the public BOM route sees the same lines
    assert bom is not None and [c.number for c in bom.components] == ["R1-10K", "U7"]


def test_unit_flow(clients: Clients, make_uut: Any, make_uur: Any) -> None:
    pn, sn = unique("FLOW"), unique("SN")
    first = make_uut(pn=pn, sn=sn, result="F", start="2026-02-01T08:00:00+00:00")
    repair = make_uur(pn=pn, sn=sn, start="2026-02-01T09:00:00+00:00")
    retest = make_uut(pn=pn, sn=sn, result="P", start="2026-02-01T10:00:00+00:00")
    other = make_uut(pn=pn, sn=unique("SN"), result="P", start="2026-02-01T08:30:00+00:00", machineName="ST-2")
    for doc in (first, repair, retest, other):
        clients.run(lambda api, d=doc: api.report.submit_report(d))

    flow = clients.run(lambda api: api.analytics.get_unit_flow(part_number=pn))
    names = {n.id: n.name for n in flow.nodes}
    assert names[0] == "Start" and len(flow.nodes) == 3  # Start, the test operation, Repair
    test_node = next(n for n in flow.nodes if n.process_code == first["processCode"])
    assert test_node.unit_count == 2 and test_node.passed_count == 2 and test_node.failed_count == 1
    moves = {(names[link.source], names[link.target]): link.unit_count for link in flow.links}
    assert moves[("Start", test_node.name)] == 2 and sum(moves.values()) == 4
    assert len(flow.units) == 4 and any(u.is_last_passed for u in flow.units)

    # the GET parts answer the caller's current query; or a filter given as JSON
    assert [n.id for n in clients.run(lambda api: api.analytics.get_unit_flow_nodes())] == [n.id for n in flow.nodes]
    assert len(clients.run(lambda api: api.analytics.get_unit_flow_links({"partNumber": pn}))) == len(flow.links)
    units = clients.run(lambda api: api.analytics.get_unit_flow_units({"partNumber": pn}))
    assert len(units) == 4
    serials = clients.run(lambda api: api.analytics.get_unit_flow_serial_numbers({u.unit_id for u in units}))
    assert {s.serial_number for s in serials} == {sn, other["sn"]}
    ordered = clients.run(lambda api: api.analytics.order_unit_flow_units(list(reversed(units))))
    assert [u.orders for u in ordered] == [[0], [1], [2], [3]] and ordered[0].source == 0

    by_station = clients.run(lambda api: api.analytics.split_unit_flow("stationName", part_number=pn))
    assert len([n for n in by_station.nodes if n.process_code == first["processCode"]]) == 2
    also = clients.run(lambda api: api.analytics.get_unit_flow(part_number=pn, split_by="stationName"))
    assert len(also.nodes) == len(by_station.nodes)
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.analytics.split_unit_flow("noSuchField", part_number=pn))


def test_measurement_and_step_status_lists(clients: Clients, make_uut: Any) -> None:
    pn = unique("LIST")
    for _ in range(2):
        clients.run(lambda api: api.report.submit_report(make_uut(pn=pn, sn=unique("SN"))))
    values = clients.run(lambda api: api.analytics.get_measurement_list(part_number=pn, step_paths=["5V rail"]))
    assert len(values) == 2 and all(v.value == 5.31 for v in values)
    xml_filter = '<StepFilters><Step path="3V3 rail"/></StepFilters>'
    assert len(clients.run(lambda api: api.analytics.get_measurement_list(part_number=pn, step_paths=xml_filter))) == 2
    recent = clients.run(lambda api: api.analytics.get_measurement_list_recent(36500, step_paths="5V rail"))
    assert {v.serial_number for v in values} <= {v.serial_number for v in recent}

    statuses = clients.run(lambda api: api.analytics.get_step_status_list(part_number=pn, step_paths="5V rail"))
    assert [s.status for s in statuses] == ["Failed", "Failed"] and statuses[0].step_path == "5V rail"
    every = clients.run(lambda api: api.analytics.get_step_status_list(part_number=pn))
    assert len(every) > len(statuses)
    recent_status = clients.run(lambda api: api.analytics.get_step_status_list_recent(36500, step_paths="5V rail"))
    assert {s.report_id for s in statuses} <= {s.report_id for s in recent_status}


def test_alarm_logs(clients: Clients, make_uut: Any) -> None:
    pn = unique("ALARM")
    for result in ("F", "F", "P"):
        clients.run(lambda api, r=result: api.report.submit_report(make_uut(pn=pn, sn=unique("SN"), result=r)))
    typ = clients.run(lambda api: api.asset.create_asset_type(unique("TYPE"), running_count_limit=2))
    fixture = unique("FX")
    clients.run(lambda api: api.asset.create_asset(fixture, typ.type_id))
    clients.run(lambda api: api.asset.increment_count(fixture, 3))

    yield_alarms = clients.run(lambda api: api.analytics.get_alarm_logs(part_number=pn, include_types=[1],
                                                                         include_calculation=True))
    assert [a.type for a in yield_alarms] == ["Yield"] and pn in (yield_alarms[0].message or "")
    assert yield_alarms[0].calculation and yield_alarms[0].is_alarm
    asset_alarms = clients.run(lambda api: api.analytics.get_alarm_logs(include_types=[2]))
    assert any(a.type == "Asset" and fixture in (a.name or "") and a.is_alarm for a in asset_alarms)


def test_repair_operations(clients: Clients, make_uur: Any) -> None:
    uur = make_uur(sn=unique("SN"))
    clients.run(lambda api: api.report.submit_report(uur))
    operations = clients.run(lambda api: api.process.get_repair_operation_details())
    repair = next(o for o in operations if o.code == uur["processCode"])
    assert any(c.name == "Component" and "Defect Component" in c.codes for c in repair.categories)
    assert clients.run(lambda api: api.process.get_repair_operation_detail(repair.code)).name == repair.name
    assert clients.run(lambda api: api.process.get_repair_operation_detail(str(repair.process_id))).code == repair.code
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.process.get_repair_operation_detail(99999))


def test_internal_routes_the_library_leaves_to_public_ones(wats_server: Any, make_uut: Any) -> None:
    """Internal TopFailed (GET/POST) and the GET alarm-log form answer like their counterparts."""
    headers = {"Authorization": f"Basic {wats_server.token}", "Referer": wats_server.base_url}
    pn = unique("ITF")
    doc = make_uut(pn=pn, sn=unique("SN"))
    assert httpx.post(f"{wats_server.base_url}/api/Report/WSJF", json=doc, headers=headers).status_code == 200
    posted = httpx.post(f"{wats_server.base_url}/api/internal/App/TopFailed", json={"partNumber": pn}, headers=headers)
    public = httpx.post(f"{wats_server.base_url}/api/App/TopFailed", json={"partNumber": pn}, headers=headers)
    assert posted.status_code == 200 and posted.json() == public.json() and posted.json()[0]["failCount"] == 1
    query = {"partNumber": pn, "processCode": doc["processCode"], "productGroupId": "", "levelId": "", "days": 36500,
             "count": 5}
    got = httpx.get(f"{wats_server.base_url}/api/internal/App/TopFailed", params=query, headers=headers)
    assert got.status_code == 200 and got.json() == public.json()
    logs = httpx.get(f"{wats_server.base_url}/api/internal/Trigger/GetAlarmAndNotificationLogs",
                     params={"topCount": 1000, "includeCalculationString": "true"}, headers=headers)
    assert logs.status_code == 200 and any(e["type"] == "Yield" and pn in e["message"] for e in logs.json())
