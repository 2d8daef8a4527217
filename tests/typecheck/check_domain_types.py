"""Static checks (run by mypy from ``tests/unit/pywats/test_typing.py``; never imported by pytest):
the domain methods of ``pyWATS`` return their real types, those of ``AsyncWATS`` coroutines
of the same types, and ``steps`` hands back the operation's result type.

Every ``assert_type`` below is an error for mypy if the type it sees differs.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from typing import Any

from typing_extensions import assert_type

from pywats import AsyncWATS, pyWATS
from pywats.core.request import Request
from pywats.domains._base import AsyncMode, Domain, ModeT, SyncMode, operation, steps
from pywats.domains.product import ProductDomain
from pywats.models.process import Process
from pywats.models.product import Bom, Product, ProductRevision, ProductView
from pywats.models.report.uur import UURReport
from pywats.models.report.uut import UUTReport
from pywats.models.report_header import ReportHeader, SubmitResult


def sync_client(api: pyWATS) -> None:
    assert_type(api.product, ProductDomain[SyncMode])
    assert_type(api.app.get_version(), str)
    assert_type(api.product.get_product("PN-1"), Product)
    assert_type(api.product.find_product("PN-1"), Product | None)
    assert_type(api.product.query_products(top=5), list[ProductView])
    assert_type(api.product.get_revision("PN-1", "A"), ProductRevision)
    assert_type(api.product.get_bom("PN-1", "A"), Bom | None)
    assert_type(api.process.get_processes(), list[Process])
    assert_type(api.process.get_process_by_code(100), Process | None)
    assert_type(api.report.submit_report({}), SubmitResult)
    assert_type(api.report.submit({}), SubmitResult)
    assert_type(api.report.get_report("guid"), UUTReport | UURReport)
    assert_type(api.report.get_report_wsjf("guid"), dict[str, Any])
    assert_type(api.report.get_all_attachments("guid"), bytes)
    assert_type(api.report.query_headers(), list[ReportHeader])
    assert_type(api.get_version(), str)


async def async_client(api: AsyncWATS) -> None:
    assert_type(api.product, ProductDomain[AsyncMode])
    pending = assert_type(api.product.get_product("PN-1"), Coroutine[Any, Any, Product])
    pending.close()
    assert_type(await api.product.get_product("PN-1"), Product)
    assert_type(await api.product.find_product("PN-1"), Product | None)
    assert_type(await api.process.get_processes(), list[Process])
    assert_type(await api.report.submit_report({}), SubmitResult)
    assert_type(await api.report.submit_report_async({}), SubmitResult)
    assert_type(await api.report.get_report("guid"), UUTReport | UURReport)
    assert_type(await api.get_version(), str)


class WidgetDomain(Domain[ModeT]):
    """A domain written by a user: the same typing applies to it."""

    @operation
    def count(self, name: str, *, exact: bool = False) -> Generator[Request, Any, int]:
        data = yield Request("GET", "/api/Widget", params={"name": name, "exact": exact})
        return int(data)

    @operation
    def twice(self, name: str) -> Generator[Request, Any, int]:
        first = yield from steps(self.count, name)
        assert_type(first, int)
        return 2 * first


def user_domains(sync_widgets: WidgetDomain[SyncMode], async_widgets: WidgetDomain[AsyncMode]) -> None:
    assert_type(sync_widgets.count("x", exact=True), int)
    assert_type(sync_widgets.twice("x"), int)
    pending_count = assert_type(async_widgets.count("x"), Coroutine[Any, Any, int])
    pending_count.close()
    sync_widgets.count(1)  # type: ignore[arg-type]  # the parameters are checked too
    sync_widgets.count("x", exact="yes")  # type: ignore[arg-type]


def service_seams(api: pyWATS, async_api: AsyncWATS) -> None:
    """Both clients are what process sync takes (a Protocol, not ``Any``)."""
    from pywats_client.service.process_sync import ProcessSyncClient, ProcessSyncService

    sync_side: ProcessSyncClient = api
    async_side: ProcessSyncClient = async_api
    ProcessSyncService(sync_side)
    ProcessSyncService(async_side)
