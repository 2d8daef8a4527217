"""``api.product`` against the real local server (sync and async)."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS, pyWATS
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.app import ProductGroup
from pywats.models.product import Bom, BomComponent, Product, ProductRevision, ProductView


@pytest.fixture()
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


def _pn(prefix: str = "LIBP") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def test_create_get_update_product(clients: Clients) -> None:
    pn = _pn()
    created = clients.run(lambda api: api.product.create_product(pn, name="Widget", description="first"))
    assert isinstance(created, Product) and created.part_number == pn and created.product_id
    got = clients.run(lambda api: api.product.get_product(pn))
    assert got.product_id == created.product_id and got.name == "Widget" and got.is_active
    got.name = "Widget v2"
    got.product_category_name = "PCB"
    updated = clients.run(lambda api: api.product.update_product(got))
    assert updated.product_id == created.product_id and updated.name == "Widget v2"
    again = clients.run(lambda api: api.product.get_product(pn))
    assert again.name == "Widget v2" and again.product_category_name == "PCB"
    saved = clients.run(lambda api: api.product.save_product({"partNumber": pn, "description": "via dict"}))
    assert saved.product_id == created.product_id and saved.description == "via dict"


def test_missing_product_is_not_found(clients: Clients) -> None:
    pn = _pn("NOPE")
    with pytest.raises(NotFoundError) as info:
        clients.run(lambda api: api.product.get_product(pn))
    assert info.value.status_code == 404 and pn in str(info.value)
    assert clients.run(lambda api: api.product.find_product(pn)) is None
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.product.get_revision(pn, "A"))


def test_revisions(clients: Clients) -> None:
    pn = _pn()
    clients.run(lambda api: api.product.create_product(pn, name="Rev test"))
    rev = clients.run(lambda api: api.product.create_revision(pn, "B", name="Rev B"))
    assert isinstance(rev, ProductRevision) and rev.part_number == pn and rev.product_revision_id
    got = clients.run(lambda api: api.product.get_revision(pn, "B"))
    assert got.product_revision_id == rev.product_revision_id and got.name == "Rev B"
    got.description = "changed"
    upd = clients.run(lambda api: api.product.update_revision(got))
    assert upd.product_revision_id == rev.product_revision_id and upd.description == "changed"
    saved = clients.run(lambda api: api.product.save_revision({"PartNumber": pn, "revision": "C", "state": 0}))
    assert saved.revision == "C" and saved.state == 0 and saved.product_id == rev.product_id
    product = clients.run(lambda api: api.product.get_product(pn))
    assert [r.revision for r in product.revisions] == ["B", "C"]
    assert product.get_revision("B") is not None and product.get_revision("Z") is None
    with pytest.raises(ValidationError) as info:  # no such product: the server's 400 names the field
        clients.run(lambda api: api.product.create_revision(_pn("NOPE"), "A"))
    assert "productId" in str(info.value)


def test_query_products(clients: Clients) -> None:
    base = _pn("QRY")
    for suffix in ("1", "2", "3"):
        clients.run(lambda api, s=suffix: api.product.create_product(f"{base}-{s}", name=f"Q{s}"))
    found = clients.run(lambda api: api.product.query_products(filter=f"startswith(partNumber, '{base}')",
                                                               orderby="partNumber desc"))
    assert [p.part_number for p in found] == [f"{base}-3", f"{base}-2", f"{base}-1"]
    assert all(isinstance(p, ProductView) for p in found)
    top = clients.run(lambda api: api.product.query_products(filter=f"startswith(partNumber, '{base}')", top=2))
    assert len(top) == 2
    everything = clients.run(lambda api: api.product.get_products())
    assert {f"{base}-1", f"{base}-2", f"{base}-3"} <= {p.part_number for p in everything}
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.product.query_products(filter="partNumber eq"))


def test_product_groups(clients: Clients) -> None:
    groups = clients.run(lambda api: api.product.get_product_groups())
    assert groups and all(isinstance(g, ProductGroup) and g.product_group_name for g in groups)


def test_bom_round_trip(clients: Clients) -> None:
    pn = _pn("BOM")
    assert clients.run(lambda api: api.product.get_bom(pn, "A")) is None
    comps = [
        BomComponent(number="R-100", revision="1", quantity=2, description="Resistor", reference="R1;R2"),
        {"number": "C-200", "quantity": 0.5, "function_block": "PSU"},
    ]
    clients.run(lambda api: api.product.update_bom(pn, "A", comps, description="Main board"))
    bom = clients.run(lambda api: api.product.get_bom(pn, "A"))
    assert isinstance(bom, Bom) and bom.part_number == pn and bom.revision == "A"
    assert bom.description == "Main board"
    assert [(c.number, c.quantity, c.reference, c.function_block) for c in bom.components] == [
        ("R-100", 2, "R1;R2", None), ("C-200", 0.5, None, "PSU")]
    # uploading a BOM registers the product revision; a new upload replaces the BOM
    assert clients.run(lambda api: api.product.get_revision(pn, "A")).revision == "A"
    clients.run(lambda api: api.product.update_bom(pn, "A", [{"number": "X-1", "quantity": 1}]))
    assert [c.number for c in clients.run(lambda api: api.product.get_bom(pn, "A")).components] == ["X-1"]


def test_bad_bom_is_rejected_with_reason(wats_server: Any) -> None:
    with httpx.Client(base_url=wats_server.base_url, headers=wats_server.auth_headers) as http:
        r = http.put("/api/Product/BOM", content=b"<BOM Revision='A'/>",
                     headers={"Content-Type": "application/xml"})
        assert r.status_code == 400 and "Partnumber" in r.json()["Message"]
        r = http.put("/api/Product/BOM", content=b"<BOM", headers={"Content-Type": "application/xml"})
        assert r.status_code == 400 and "WSBF" in r.json()["Message"]
        assert http.get("/api/Product/BOM", params={"partNumber": "X"}).status_code == 400


def test_guide_manual_cache(wats_server: Any, make_uut: Any) -> None:
    api = pyWATS(base_url=wats_server.base_url, token=wats_server.token)
    try:
        api.report.submit_report(make_uut(pn="WIDGET-100"))  # the server registers products from reports

        @lru_cache(maxsize=100)
        def get_product_cached(api: Any, part_number: str) -> Any:
            return api.product.get_product(part_number)

        product1 = get_product_cached(api, "WIDGET-100")
        product2 = get_product_cached(api, "WIDGET-100")
        assert product1 is product2 and product1.part_number == "WIDGET-100"
        assert "A" in {r.revision for r in product1.revisions}
    finally:
        api.close()


@pytest.mark.anyio
async def test_async_product_calls(wats_server: Any) -> None:
    pn = _pn("ASYNC")
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        created = await api.product.create_product(pn, name="Async")
        assert (await api.product.get_product(pn)).product_id == created.product_id
        await api.product.create_revision(pn, "A")
        assert (await api.product.get_revision(pn, "A")).part_number == pn
        await api.product.update_bom(pn, "A", [BomComponent(number="N-1", quantity=3)])
        bom = await api.product.get_bom(pn, "A")
        assert bom is not None and bom.components[0].quantity == 3
        with pytest.raises(NotFoundError):
            await api.product.get_product(_pn("NOPE"))
