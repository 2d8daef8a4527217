"""``api.scim``, ``api.system``, ``api.auth``, ``api.workflow``, ``api.barcode``, ``api.export``
and ``api.app.get_common_user_settings`` against the real local server, sync and async."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.barcode import BarcodeIdentifier
from pywats.models.scim import ScimEmail, ScimName, ScimUser
from pywats.models.system import Client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_scim_user_lifecycle(clients: Clients) -> None:
    name = unique("ann")
    token = clients.run(lambda api: api.scim.get_token(30))
    _header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] - claims["iat"] == 30 * 86400 and signature

    user = ScimUser(user_name=name, name=ScimName(given_name="Ann", family_name="Lee"),
                    emails=[ScimEmail(value=f"{name}@example.com", primary=True)], external_id="ext-1")
    created = clients.run(lambda api: api.scim.create_user(user))
    assert created.id and created.user_name == name and created.active
    assert created.name is not None and created.name.formatted == "Ann Lee"
    assert clients.run(lambda api: api.scim.get_user(created.id)).user_name == name
    assert clients.run(lambda api: api.scim.get_user_by_name(name.upper())).id == created.id

    page = clients.run(lambda api: api.scim.get_users(filter=f'userName eq "{name}"'))
    assert page.total_results == 1 and page.resources[0].id == created.id
    one = clients.run(lambda api: api.scim.get_users(start_index=1, count=1))
    assert one.items_per_page == 1 and one.total_results >= 1

    settings = clients.run(lambda api: api.app.get_common_user_settings(name))
    assert settings.full_name == "Ann Lee" and settings.email == f"{name}@example.com"
    assert settings.levels and settings.product_groups

    renamed = clients.run(lambda api: api.scim.update_user(
        created.id, [{"op": "replace", "path": "displayName", "value": "Ann L."}]))
    assert renamed.display_name == "Ann L."
    inactive = clients.run(lambda api: api.scim.set_user_active(created.id, False))
    assert inactive.active is False
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.scim.update_user(created.id, [{"op": "add", "path": "active", "value": True}]))
    with pytest.raises(ValidationError):  # the user name is taken
        clients.run(lambda api: api.scim.create_user({"userName": name}))

    clients.run(lambda api: api.scim.delete_user(created.id))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.scim.get_user(created.id))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.app.get_common_user_settings(name))


def test_system_manager_clients_levels_and_status(clients: Clients, make_uut: Any) -> None:
    station = unique("ST")
    clients.run(lambda api: api.report.submit_report(make_uut(machineName=station, sn=unique("SN"))))
    found = clients.run(lambda api: api.system.get_clients())
    mine = [c for c in found if c.name == station]
    assert len(mine) == 1 and mine[0].report_count == 1 and mine[0].last_report
    client = clients.run(lambda api: api.system.get_client(name=station))
    assert client.client_id == mine[0].client_id
    assert clients.run(lambda api: api.system.get_client(identifier=station)).name == station
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.system.get_client(name=unique("nobody")))

    top, site = unique("Region"), unique("Site")
    leaf = clients.run(lambda api: api.system.create_levels([top, site]))
    assert clients.run(lambda api: api.system.get_level_id([top, site])) == leaf
    assert clients.run(lambda api: api.system.create_levels([top, site])) == leaf  # idempotent
    assert clients.run(lambda api: api.system.get_level_id([top, unique("missing")])) is None
    assert clients.run(lambda api: api.system.get_level_id([site])) is None  # a child is not a top level

    updated = clients.run(lambda api: api.system.update_client(
        Client(client_id=client.client_id, display_name="Line 7 tester", client_group_id=leaf), move_with_history=True))
    assert updated.display_name == "Line 7 tester" and updated.client_group_id == leaf
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.system.update_client({"displayName": "no id"}))

    log = clients.run(lambda api: api.system.get_client_log(station))
    assert "UUT" in log and "WIDGET" in log
    status = clients.run(lambda api: api.system.get_system_status())
    assert status.status == "OK" and status.version and (status.report_count or 0) >= 1


def test_auth_get_token_answers_a_token_the_server_accepts(clients: Clients, wats_server: Any) -> None:
    token = clients.run(lambda api: api.auth.get_token())
    named = clients.run(lambda api: api.auth.get_token("ci-runner", reset=False))
    assert token == named == wats_server.token
    answer = httpx.get(f"{wats_server.base_url}/api/App/Version", headers={"Authorization": f"Basic {token}"})
    assert answer.status_code == 200


def test_workflow_start_and_end_test(clients: Clients) -> None:
    sn, pn = unique("WF"), "WIDGET-100"
    assert clients.run(lambda api: api.workflow.start_test(sn, pn, operator_name="ann", station_name="ST-1")) is True
    assert clients.run(lambda api: api.workflow.start_test(sn, pn)) is False  # already running
    assert clients.run(lambda api: api.workflow.end_test(sn, pn, passed=False)) is True
    assert clients.run(lambda api: api.workflow.end_test(sn, pn)) is False  # nothing running
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.workflow.start_test(sn, pn, status=9))


def test_barcode_identifiers(clients: Clients) -> None:
    prefix = uuid.uuid4().hex[:6].upper()
    saved = clients.run(lambda api: api.barcode.save_identifier(BarcodeIdentifier(
        pattern=rf"{prefix}(?P<pn>[A-Z]+)-(\d+)/(?P<rev>\w)", serial_number="{2}", part_number="{pn}",
        revision="{rev}", process="FCT", order=1, description="test labels")))
    assert saved.id
    assert any(i.id == saved.id for i in clients.run(lambda api: api.barcode.get_identifiers()))
    found = clients.run(lambda api: api.barcode.identify(f"{prefix}WIDGET-0042/B"))
    assert (found.serial_number, found.part_number, found.revision, found.process) == ("0042", "WIDGET", "B", "FCT")
    default = clients.run(lambda api: api.barcode.identify("SN9/PN9/C/BATCH/ICT"))
    assert (default.serial_number, default.part_number, default.revision, default.batch_number, default.process) == (
        "SN9", "PN9", "C", "BATCH", "ICT")
    changed = clients.run(lambda api: api.barcode.save_identifier({**saved.to_wire(), "process": "EOL"}))
    assert changed.id == saved.id and changed.process == "EOL"
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.barcode.save_identifier({"pattern": "(unclosed"}))
    clients.run(lambda api: api.barcode.delete_identifier(saved.id))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.barcode.delete_identifier(saved.id))


def test_certificate_export_and_download(clients: Clients, make_uut: Any) -> None:
    sn = unique("CERT")
    doc = make_uut(sn=sn)
    clients.run(lambda api: api.report.submit_report(doc))
    pdf = clients.run(lambda api: api.report.get_certificate(doc["id"]))
    assert pdf.startswith(b"%PDF-") and sn.encode() in pdf and pdf.rstrip().endswith(b"%%EOF")

    job = clients.run(lambda api: api.export.export_certificates(serial_number=sn, header_data_only=False,
                                                                 as_individual_files=True))
    assert job.file_name and job.report_count == 1
    assert job.file_name in clients.run(lambda api: api.export.get_export_list())
    data = clients.run(lambda api: api.export.get_exported_file(job.file_name.rsplit(".", 1)[0]))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [f"{doc['id']}.pdf"]
        assert zf.read(zf.namelist()[0]).startswith(b"%PDF-")
    single = clients.run(lambda api: api.export.export_certificates({"serialNumber": sn}, header_data_only=True,
                                                                    as_individual_files=False))
    with zipfile.ZipFile(io.BytesIO(clients.run(lambda api: api.export.get_exported_file(single.file_name)))) as zf:
        assert zf.namelist() == ["Certificates.pdf"]
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.export.get_exported_file("no-such-export"))
