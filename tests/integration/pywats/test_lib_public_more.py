"""The public operations added to ``api.analytics``, ``api.product``, ``api.production`` and
``api.asset`` (volume/yield lists, repair and step statistics, OEE, vendors, product-group
filters, bulk products, unit change feed, batches, serial-number lists, asset messages)
against the real local server, sync and async."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.product import Product, ProductRevision


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _submit_units(clients: Clients, make_uut: Any, pn: str, results: list[str]) -> list[dict[str, Any]]:
    docs = [make_uut(pn=pn, sn=unique("SN"), result=r) for r in results]
    for doc in docs:
        clients.run(lambda api, d=doc: api.report.submit_report(d))
    return docs


def test_volume_and_yield_lists(clients: Clients, make_uut: Any) -> None:
    good, bad = unique("GOOD"), unique("BAD")
    _submit_units(clients, make_uut, good, ["P", "P", "P"])
    _submit_units(clients, make_uut, bad, ["F", "P"])
    both = f"{good};{bad}"
    high = clients.run(lambda api: api.analytics.get_high_volume(part_number=both))
    assert [r.part_number for r in high] == [good, bad] and high[0].unit_count == 3
    worst = clients.run(lambda api: api.analytics.get_worst_yield(part_number=both))
    assert [r.part_number for r in worst] == [bad, good] and worst[0].fpy == 50.0
    volume = clients.run(lambda api: api.analytics.get_volume_yield({"partNumber": both, "topCount": 1}))
    assert [r.part_number for r in volume] == [good]
    by_group = clients.run(lambda api: api.analytics.get_high_volume_by_product_group(part_number=both))
    assert sum(r.unit_count for r in by_group) == 5
    worst_group = clients.run(lambda api: api.analytics.get_worst_yield_by_product_group(part_number=both))
    assert sum(r.unit_count for r in worst_group) == 5
    # query-parameter forms: the last N days (report dates are in 2026), by product group / level ids
    recent = clients.run(lambda api: api.analytics.get_high_volume_recent(36500))
    assert {good, bad} <= {r.part_number for r in recent}
    assert clients.run(lambda api: api.analytics.get_worst_yield_recent(36500, level_ids=[9999])) == []
    assert clients.run(lambda api: api.analytics.get_volume_yield_recent(36500, product_group_ids=9999)) == []


def test_top_failed_and_uut_reports_by_query(clients: Clients, make_uut: Any) -> None:
    pn = unique("TF")
    docs = _submit_units(clients, make_uut, pn, ["F", "F"])
    steps = clients.run(lambda api: api.analytics.get_top_failed_recent(pn, docs[0]["processCode"], days=36500, count=5))
    assert steps and steps[0].fail_count == 2 and steps[0].part_number == pn
    headers = clients.run(lambda api: api.analytics.get_uut_reports_by_query(part_number=pn, status="Failed"))
    assert {h.uuid for h in headers} == {d["id"] for d in docs}


def test_repair_statistics_and_related_history(clients: Clients, make_uut: Any, make_uur: Any) -> None:
    pn = unique("REP")
    uut = make_uut(pn=pn, sn=unique("SN"), rev="A")
    clients.run(lambda api: api.report.submit_report(uut))
    uur = make_uur(pn=pn, sn=uut["sn"], rev="A")
    uur["subUnits"][0].update(pn=pn, sn=uut["sn"])
    clients.run(lambda api: api.report.submit_report(uur))
    rows = clients.run(lambda api: api.analytics.get_dynamic_repair(part_number=pn, dimensions=["partNumber", "repairCode"]))
    assert len(rows) == 1 and rows[0].repair_count == 1 and rows[0].unit_count == 1
    assert rows[0].model_dump()["repairCode"] == "Defect Component"
    history = clients.run(lambda api: api.analytics.get_related_repair_history(pn, "A"))
    assert [(h.serial_number, h.component_reference) for h in history] == [(uut["sn"], "U7")]
    assert clients.run(lambda api: api.analytics.get_related_repair_history(pn, "A", test_operation_code=999)) == []
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.analytics.get_dynamic_repair(dimensions="noSuchDimension"))


def test_oee_and_step_analysis(clients: Clients, make_uut: Any) -> None:
    pn = unique("OEE")
    _submit_units(clients, make_uut, pn, ["P", "F"])
    oee = clients.run(lambda api: api.analytics.get_oee_analysis(part_number=pn, target_output=4))
    assert oee.report_count == 2 and oee.quality == 50.0 and oee.performance == 50.0
    assert oee.oee is not None and 0 <= oee.oee <= 100
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.analytics.get_oee_analysis(part_number=pn, available_time=[24, 24]))
    steps = clients.run(lambda api: api.analytics.get_test_step_analysis(part_number=pn))
    assert steps and all(s.step_count == 2 for s in steps)
    assert sum(s.step_caused_uut_failed for s in steps) >= 1 and any(s.step_failed_count == 2 for s in steps)
    measured = [s for s in steps if s.measure_count]
    assert measured and all(s.min is not None and s.max is not None and s.min <= s.avg <= s.max for s in measured)


def test_vendors_group_filters_and_bulk_products(clients: Clients) -> None:
    vendor = unique("Vendor")
    clients.run(lambda api: api.product.add_vendors([vendor, vendor]))
    assert vendor in {v.vendor_name for v in clients.run(lambda api: api.product.get_vendors())}
    clients.run(lambda api: api.product.delete_vendors([vendor]))
    assert vendor not in {v.vendor_name for v in clients.run(lambda api: api.product.get_vendors())}

    pn = unique("ERP")
    products = clients.run(lambda api: api.product.save_products([Product(part_number=pn, name="ERP product")]))
    assert products[0].part_number == pn and products[0].product_id
    revisions = clients.run(lambda api: api.product.save_revisions([ProductRevision(part_number=pn, revision="B")]))
    assert revisions[0].revision == "B"
    assert [r.revision for r in clients.run(lambda api: api.product.get_product(pn)).revisions] == ["B"]

    groups = clients.run(lambda api: api.app.get_product_groups())
    group = groups[0].product_group_name
    added = clients.run(lambda api: api.product.add_product_group_filter(group, pn[:7] + "%"))
    assert added.product_group_name == group and added.exclude is False
    member = clients.run(lambda api: api.product.get_product_groups_for_product(pn, "B"))
    assert group in {g.product_group_name for g in member}
    clients.run(lambda api: api.product.add_product_group_filter(group, pn, exclude=True))
    assert group not in {g.product_group_name for g in clients.run(lambda api: api.product.get_product_groups_for_product(pn))}
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.product.add_product_group_filter(unique("nogroup"), pn))


def test_unit_change_feed_batches_and_process(clients: Clients) -> None:
    for change in clients.run(lambda api: api.production.get_unit_changes(1000)):  # start from an empty feed
        clients.run(lambda api, c=change: api.production.delete_unit_change(c.id))
    parent, child, pn = unique("P"), unique("C"), unique("UNIT")
    clients.run(lambda api: api.production.create_units([{"serialNumber": parent, "partNumber": pn, "revision": "A"},
                                                         {"serialNumber": child, "partNumber": pn, "revision": "A"}]))
    clients.run(lambda api: api.production.update_unit({"serialNumber": child, "partNumber": pn,
                                                        "parentSerialNumber": parent}))
    changes = clients.run(lambda api: api.production.get_unit_changes(10))
    mine = [c for c in changes if c.unit_serial_number == child]
    assert mine and mine[-1].new_parent_serial_number == parent and mine[-1].new_part_number == pn
    clients.run(lambda api: api.production.delete_unit_change(mine[-1].id))
    assert mine[-1].id not in {c.id for c in clients.run(lambda api: api.production.get_unit_changes(1000))}
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.delete_unit_change(mine[-1].id))

    batch = unique("BATCH")
    saved = clients.run(lambda api: api.production.save_batches([{"batchNumber": batch, "batchSize": 25}]))
    assert [(b.batch_number, b.batch_size) for b in saved] == [(batch, 25)]
    clients.run(lambda api: api.production.set_unit_process(child, pn, "ICT"))
    unit = clients.run(lambda api: api.production.get_unit(child, pn))
    assert str(unit.model_dump().get("process_code")) not in ("None", "")
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.set_unit_process(unique("none"), pn, "ICT"))


def test_serial_number_lists_and_upload(clients: Clients) -> None:
    type_name = unique("MAC")
    clients.run(lambda api: api.production.create_serial_number_type(type_name, "AA{index:04}", start_index=1))
    taken = clients.run(lambda api: api.production.take_serial_numbers(type_name, 3, ref_sn="REF-1", ref_pn="PN-1"))
    assert taken == ["AA0001", "AA0002", "AA0003"]
    added = clients.run(lambda api: api.production.upload_serial_numbers(type_name, "AA0100\r\nAA0101\r\n"))
    assert added == {"addedCount": 2}
    xml = '<SerialNumbers><SN id="AA0102"/></SerialNumbers>'
    assert clients.run(lambda api: api.production.upload_serial_numbers(type_name, xml, format="XML")) == {"addedCount": 1}
    csv_text = clients.run(lambda api: api.production.export_serial_numbers(type_name))
    assert csv_text.split() == ["AA0001", "AA0002", "AA0003", "AA0100", "AA0101", "AA0102"]
    xml_text = clients.run(lambda api: api.production.export_serial_numbers(type_name, "XML", start_address="AA0100"))
    assert xml_text.count("<SN ") == 3
    ranged = clients.run(lambda api: api.production.get_serial_numbers_by_range(type_name, "AA0002", "AA0100"))
    assert [(e.serial_number, e.taken) for e in ranged] == [("AA0002", True), ("AA0003", True), ("AA0100", False)]
    by_ref = clients.run(lambda api: api.production.get_serial_numbers_by_reference(type_name, ref_sn="REF-1"))
    assert [e.serial_number for e in by_ref] == taken and by_ref[0].ref_pn == "PN-1"
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.get_serial_numbers_by_range(unique("none"), "A", "B"))


def test_asset_message_goes_to_the_log(clients: Clients) -> None:
    typ = clients.run(lambda api: api.asset.create_asset_type(unique("TYPE")))
    sn = unique("FX")
    clients.run(lambda api: api.asset.create_asset(sn, typ.type_id))
    clients.run(lambda api: api.asset.post_message(sn, "Cleaned the pogo pins"))
    log = clients.run(lambda api: api.asset.get_asset_log(serial_number=sn))
    assert any(e.comment == "Cleaned the pogo pins" and e.type == 0 for e in log)
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.post_message(unique("none"), "x"))


def test_delete_asset_moves_children_to_its_parent(clients: Clients) -> None:
    typ = clients.run(lambda api: api.asset.create_asset_type(unique("TYPE")))
    top, middle, leaf = unique("TOP"), unique("MID"), unique("LEAF")
    clients.run(lambda api: api.asset.create_asset(top, typ.type_id))
    clients.run(lambda api: api.asset.create_asset(middle, typ.type_id, parent=top))
    clients.run(lambda api: api.asset.create_asset(leaf, typ.type_id, parent=middle))
    clients.run(lambda api: api.asset.delete_asset(middle))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.get_asset(middle))
    assert clients.run(lambda api: api.asset.get_asset(leaf)).parent_serial_number == top
    assert clients.run(lambda api: api.asset.get_asset_log(serial_number=middle)) == []
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.delete_asset(middle))


def test_wats_25_3_asset_counts_and_external_service(clients: Clients) -> None:
    typ = clients.run(lambda api: api.asset.create_asset_type(unique("TYPE"), calibration_interval=30))
    sn = unique("FX")
    clients.run(lambda api: api.asset.create_asset(sn, typ.type_id))
    clients.run(lambda api: api.asset.set_total_count(sn, 500))
    clients.run(lambda api: api.asset.set_running_count(sn, 20))
    asset = clients.run(lambda api: api.asset.get_asset(sn))
    assert (asset.total_count, asset.running_count) == (500, 20)
    clients.run(lambda api: api.asset.record_external_calibration(sn, "2026-01-10T08:00:00Z", "2026-07-10T08:00:00Z",
                                                                  comment="by the lab"))
    clients.run(lambda api: api.asset.record_external_maintenance(sn, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"))
    asset = clients.run(lambda api: api.asset.get_asset(sn))
    assert str(asset.last_calibration_date).startswith("2026-01-10") and str(asset.next_calibration_date).startswith("2026-07-10")
    assert str(asset.next_maintenance_date).startswith("2026-03-01")
    log = clients.run(lambda api: api.asset.get_asset_log(serial_number=sn))
    assert {e.type for e in log} >= {4, 5, 7} and any(e.comment == "by the lab" for e in log)
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.asset.set_running_count(sn, -1))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.set_total_count(unique("none"), 1))


def test_asset_message_read_liberally(clients: Clients, wats_server: Any) -> None:
    import httpx

    typ = clients.run(lambda api: api.asset.create_asset_type(unique("TYPE")))
    asset = clients.run(lambda api: api.asset.create_asset(unique("FX"), typ.type_id))
    answer = httpx.post(f"{wats_server.base_url}/api/Asset/Message", headers={"Authorization": f"Basic {wats_server.token}"},
                        json={"assetId": asset.asset_id, "comment": "from an older client", "user": "ann"})
    assert answer.status_code == 204
    log = clients.run(lambda api: api.asset.get_asset_log(serial_number=asset.serial_number))
    assert any(e.comment == "from an older client" and e.user == "ann" for e in log)
