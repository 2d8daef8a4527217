"""Glue between request query options and :mod:`pywats_server.odata` (filter/orderby parsing).

The parser itself lives in ``odata.py``; this module applies it to lists of records:
``$filter`` (case-insensitive field names), ``$orderby`` on allowed fields, ``$top`` and
``$skip`` with per-endpoint defaults, all failures as 400 with the parser's message.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from starlette.requests import Request

from .odata_sql import SqlSchema, SqlWhere
from .wire import ApiError, query_value

__all__ = ["compile_request_filter", "request_filter_sql", "request_orderby", "top_skip", "apply_query"]


def _msg(option: str, exc: Exception) -> str:
    text = str(exc)
    return text if text.startswith(option) else f"{option}: {text}"


def compile_request_filter(
    request: Request, fields: Collection[str] | None = None
) -> Callable[[Mapping[str, Any]], bool] | None:
    """The compiled ``$filter`` of the request (None when absent); 400 when it is invalid.

    With ``fields`` given, a property not among them is a 400 naming it (as an OData server
    answers for an unknown property) instead of matching nothing.
    """
    text = query_value(request, "$filter")
    if text is None or not text.strip():
        return None
    from . import odata

    try:
        pred = odata.compile_filter(text, fields=fields)
    except odata.ODataError as exc:
        raise ApiError(400, _msg("$filter", exc)) from None

    def run(record: Mapping[str, Any]) -> bool:
        try:
            return bool(pred(record))
        except odata.ODataError as exc:
            raise ApiError(400, _msg("$filter", exc)) from None

    return run


def request_filter_sql(request: Request, schema: SqlSchema) -> SqlWhere | None:
    """The request's ``$filter`` as a SQL condition on ``schema``'s table (None when absent);
    400 when it is invalid or uses what the SQL translation cannot express (the message
    names it), so no filter is ever evaluated by scanning rows in Python. Property names are
    checked against the schema unless it says ``unknown_is_null``."""
    text = query_value(request, "$filter")
    if text is None or not text.strip():
        return None
    from . import odata, odata_sql

    fields = None if schema.unknown_is_null else schema.field_names()
    try:
        return odata_sql.compile_where(odata.parse_filter(text, fields=fields), schema)
    except odata.ODataError as exc:
        raise ApiError(400, _msg("$filter", exc)) from None


def request_orderby(request: Request, allowed: Collection[str]) -> list[tuple[str, bool]] | None:
    """Parsed ``$orderby`` as (canonical field name, descending); None when absent; 400 if bad."""
    text = query_value(request, "$orderby")
    if text is None or not text.strip():
        return None
    from . import odata

    try:
        parsed = odata.parse_orderby(text, allowed)
    except odata.ODataError as exc:
        raise ApiError(400, _msg("$orderby", exc)) from None
    canon = {a.lower(): a for a in allowed}
    out = []
    for name, desc in parsed:
        if name.lower() not in canon:
            raise ApiError(400, f"$orderby: cannot order by {name!r}; allowed: {', '.join(allowed)}")
        out.append((canon[name.lower()], bool(desc)))
    return out


def _int_option(request: Request, name: str, default: int) -> int:
    text = query_value(request, name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name}: must be a non-negative integer, not {text!r}") from None
    if value < 0:
        raise ApiError(400, f"{name}: must be a non-negative integer, not {text!r}")
    return value


def top_skip(request: Request, default_top: int, max_top: int | None = None) -> tuple[int, int]:
    """``$top`` (default, capped at ``max_top``) and ``$skip`` (default 0)."""
    top = _int_option(request, "$top", default_top)
    if max_top is not None:
        top = min(top, max_top)
    return top, _int_option(request, "$skip", 0)


def apply_query(
    request: Request,
    records: Iterable[Mapping[str, Any]],
    *,
    default_top: int,
    allowed_orderby: Collection[str],
    default_order: list[tuple[str, bool]] | None = None,
    max_top: int | None = None,
    filtered: bool = False,
) -> list[Mapping[str, Any]]:
    """Filter, order, skip and take ``records`` per the request's OData options
    (``filtered``: the records were already selected by the ``$filter``, e.g. in SQL)."""
    pred = None if filtered else compile_request_filter(request)
    order = request_orderby(request, allowed_orderby) or default_order or []
    top, skip = top_skip(request, default_top, max_top)
    from .odata import sort_rows

    items = [r for r in records if pred is None or pred(r)]
    if order:
        items = list(sort_rows(items, order))
    return items[skip: skip + top]
