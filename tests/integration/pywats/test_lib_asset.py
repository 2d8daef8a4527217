"""``api.asset`` against the real local server (sync and async)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.asset import Asset, AssetLog, AssetLogType, AssetState, AssetStatus, AssetType


@pytest.fixture()
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def _new_type(clients: Clients, **fields: Any) -> AssetType:
    return clients.run(lambda api: api.asset.create_asset_type(_uid("TYPE"), **fields))


def test_asset_types(clients: Clients) -> None:
    created = _new_type(clients, running_count_limit=100, calibration_interval=30)
    assert isinstance(created, AssetType) and created.type_id and created.running_count_limit == 100
    types = clients.run(lambda api: api.asset.get_asset_types())
    assert created.type_id in {t.type_id for t in types} and "Fixture" in {t.type_name for t in types}
    only = clients.run(lambda api: api.asset.get_asset_types(filter=f"typeName eq '{created.type_name}'"))
    assert [t.type_id for t in only] == [created.type_id]
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.asset.create_asset_type(""))


def test_create_get_update_list_assets(clients: Clients) -> None:
    typ = _new_type(clients)
    sn = _uid("FX")
    created = clients.run(lambda api: api.asset.create_asset(sn, typ.type_id, asset_name="Fixture 1",
                                                             location="Line 1"))
    assert isinstance(created, Asset) and created.asset_id and created.total_count == 0
    by_id = clients.run(lambda api: api.asset.get_asset(created.asset_id))
    by_sn = clients.run(lambda api: api.asset.get_asset(sn))
    assert by_id.serial_number == by_sn.serial_number == sn and by_sn.asset_name == "Fixture 1"
    by_sn.location = "Line 2"
    updated = clients.run(lambda api: api.asset.update_asset(by_sn))
    assert updated.asset_id == created.asset_id and updated.location == "Line 2"
    saved = clients.run(lambda api: api.asset.save_asset({"serialNumber": sn, "typeId": typ.type_id,
                                                          "assetName": "Renamed"}))
    assert saved.asset_id == created.asset_id and saved.asset_name == "Renamed" and saved.location == "Line 2"
    listed = clients.run(lambda api: api.asset.get_assets(filter=f"serialNumber eq '{sn}'"))
    assert [a.asset_id for a in listed] == [created.asset_id]
    some = clients.run(lambda api: api.asset.get_assets(top=1, skip=0, orderby="serialNumber"))
    assert len(some) == 1
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.get_asset(_uid("NOPE")))
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.asset.create_asset(_uid("FX"), str(uuid.uuid4())))


def test_state_counts_and_status(clients: Clients) -> None:
    typ = _new_type(clients, running_count_limit=10, total_count_limit=1000, warning_threshold=0.8,
                    alarm_threshold=1.0)
    sn = _uid("FX")
    clients.run(lambda api: api.asset.create_asset(sn, typ.type_id))
    clients.run(lambda api: api.asset.set_asset_state(sn, AssetState.IN_MAINTENANCE))
    assert clients.run(lambda api: api.asset.get_asset(sn)).state == AssetState.IN_MAINTENANCE
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.asset.set_asset_state(sn, 9))
    clients.run(lambda api: api.asset.increment_count(sn))
    clients.run(lambda api: api.asset.increment_count(sn, increment_by=6))
    asset = clients.run(lambda api: api.asset.get_asset(sn))
    assert (asset.running_count, asset.total_count) == (7, 7)
    status = clients.run(lambda api: api.asset.get_status(sn))
    assert isinstance(status, AssetStatus) and status.alarm_state == 0 and not status.is_in_warning
    clients.run(lambda api: api.asset.increment_count(sn, increment_by=1))
    assert clients.run(lambda api: api.asset.get_status(sn)).is_in_warning
    clients.run(lambda api: api.asset.increment_count(sn, increment_by=2))
    status = clients.run(lambda api: api.asset.get_status(sn))
    assert status.is_in_alarm and status.running_count == 10 and "running count" in status.messages[0]
    clients.run(lambda api: api.asset.reset_running_count(sn, comment="new pins"))
    asset = clients.run(lambda api: api.asset.get_asset(sn))
    assert (asset.running_count, asset.total_count) == (0, 10)
    assert clients.run(lambda api: api.asset.get_status(sn)).alarm_state == 0
    # counts survive an update through PUT /api/Asset
    asset.description = "kept counts"
    assert clients.run(lambda api: api.asset.update_asset(asset)).total_count == 10
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.increment_count(_uid("NOPE")))


def test_calibration_maintenance_and_log(clients: Clients) -> None:
    typ = _new_type(clients, calibration_interval=365, maintenance_interval=30)
    sn = _uid("DMM")
    clients.run(lambda api: api.asset.create_asset(sn, typ.type_id))
    when = datetime(2026, 1, 10, 8, 0, tzinfo=timezone.utc)
    clients.run(lambda api: api.asset.record_calibration(sn, date_time=when, comment="yearly cal"))
    asset = clients.run(lambda api: api.asset.get_asset(sn))
    assert asset.last_calibration_date == "2026-01-10T08:00:00Z"
    assert asset.next_calibration_date == "2027-01-10T08:00:00Z"
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    clients.run(lambda api: api.asset.record_maintenance(sn, date_time=long_ago, comment="cleaned"))
    status = clients.run(lambda api: api.asset.get_status(sn))
    assert status.is_in_alarm and any("maintenance overdue" in m for m in status.messages)
    clients.run(lambda api: api.asset.record_maintenance(sn))  # now
    assert not clients.run(lambda api: api.asset.get_status(sn)).is_in_alarm
    clients.run(lambda api: api.asset.set_asset_state(sn, AssetState.IN_OPERATION))
    log = clients.run(lambda api: api.asset.get_asset_log(serial_number=sn))
    assert all(isinstance(e, AssetLog) and e.serial_number == sn for e in log)
    assert [e.type for e in log] == [AssetLogType.REGISTER, AssetLogType.CALIBRATION, AssetLogType.MAINTENANCE,
                                     AssetLogType.MAINTENANCE, AssetLogType.STATE_CHANGE]
    assert log[1].comment == "yearly cal" and log[1].user == "test"
    latest = clients.run(lambda api: api.asset.get_asset_log(serial_number=sn, orderby="logId desc", top=1))
    assert [e.log_id for e in latest] == [log[-1].log_id]
    cal_only = clients.run(lambda api: api.asset.get_asset_log(filter="type eq 4", serial_number=sn))
    assert [e.comment for e in cal_only] == ["yearly cal"]


def test_child_assets(clients: Clients) -> None:
    typ = _new_type(clients)
    root, mid, leaf = _uid("ROOT"), _uid("MID"), _uid("LEAF")
    root_asset = clients.run(lambda api: api.asset.create_asset(root, typ.type_id))
    clients.run(lambda api: api.asset.create_asset(mid, typ.type_id, parent=root_asset.asset_id))
    clients.run(lambda api: api.asset.create_asset(leaf, typ.type_id, parent=mid))
    assert [a.serial_number for a in clients.run(lambda api: api.asset.get_child_assets(root, level=1))] == [mid]
    assert [a.serial_number for a in clients.run(lambda api: api.asset.get_child_assets(root))] == [mid, leaf]
    assert clients.run(lambda api: api.asset.get_child_assets(leaf)) == []
    clients.run(lambda api: api.asset.increment_count(root, increment_by=2, increment_children=True))
    assert clients.run(lambda api: api.asset.get_asset(leaf)).total_count == 2
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.asset.get_child_assets(_uid("NOPE")))


@pytest.mark.anyio
async def test_async_asset_calls(wats_server: Any) -> None:
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        typ = await api.asset.create_asset_type(_uid("TYPE"), running_count_limit=5)
        sn = _uid("ASYNC")
        await api.asset.create_asset(sn, typ.type_id)
        await api.asset.increment_count(sn, increment_by=5)
        assert (await api.asset.get_status(sn)).is_in_alarm
        await api.asset.record_calibration(sn, comment="async")
        assert [e.comment for e in await api.asset.get_asset_log(serial_number=sn)] == ["asset created", "async"]
        assert (await api.asset.get_asset(sn)).total_count == 5
