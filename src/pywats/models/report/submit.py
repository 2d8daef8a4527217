"""``prepare_for_submit``: turn any report form into a complete, checked WSJF dict.

This is the last step before ``POST /api/Report/WSJF``. It works on plain dicts with
hand-written checks (a 10,000-step report takes milliseconds) and never modifies its input:
the returned dict and its step tree are fresh copies (measurement dicts are shared unless a
missing status had to be filled in).

The result is a :class:`PreparedReport` (a ``dict``): ``submit_report`` sends an intact
one as it is, without a second validation pass; any change to its top-level keys drops the
mark (then it is validated again). :func:`mark_prepared` restores the mark on a dict read back
from storage that held a prepared report.

Defaults filled when absent:

* ``type``: ``R`` if there is a ``uur`` object, else ``T``;
* ``id``: a fresh uuid4;
* ``start``: now, local time with its UTC offset; a ``start`` without an offset is read as
  local time and re-emitted with the offset; ``startUTC`` from ``start``;

Timestamps (``start``, ``startUTC``, step ``start``, ``uur.confirmDate``/``finalizeDate``)
are read liberally (every form :func:`~pywats.models.report.timestamps.parse_timestamp`
accepts, e.g. ``2020-01-01T08:00:00.Z`` from Virinco's WSJF examples) and sent canonically:
a strict ISO-8601 text is kept as given, any other form is rewritten
(``2020-01-01T08:00:00.000Z``). A text without an offset is local time.
* ``machineName`` (also when empty): this computer's host name; ``location``: :data:`DEFAULT_LOCATION`
  (``"Unknown"``); ``purpose``: :data:`DEFAULT_PURPOSE` (``"Development"``: a report
  whose sender did not say it is production data is not counted as production);
  the station client fills all three from its configuration before this runs;
* ``processCode`` from ``processName`` through :mod:`pywats.models.process_codes` (for
  repairs also ``uur.processCode`` from ``uur.processName``);
* missing step ``id``s: the next free numbers, depth first (root 1 when none has one);
* missing statuses: measurement from its limits, step from its measurements
  (``D`` for a step without any), sequence from its children, ``result`` from the root
  (see :mod:`pywats.models.report.status` for the roll-up); UUR ``result`` ``P``;
* UUR: ``uur`` ``{}`` and the main sub-unit (``idx`` 0, ``partType`` ``Main``) if missing;
  UUT: ``uut`` ``{}``.

Peer-package (pyWATS 0.x) spellings that real WATS does not read are rewritten: step ``loop`` ``{i, n}`` becomes ``{idx, num}``; ``booleanMeas[].value`` and
``uur.active`` are dropped (a boolean ``value`` still decides a missing status).

Anything invalid raises :class:`pywats.exceptions.ValidationError` whose ``field`` is the
dotted path of the first offending field (``root.steps[3].numericMeas[0].lowLimit``).
"""

from __future__ import annotations

import math
import socket
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from pywats.exceptions import ValidationError
from pywats.models import process_codes
from pywats.models.report.limits import (
    DUAL_LIMIT_OPS,
    LOG,
    NON_FINITE_STRINGS,
    NUMERIC_OPS,
    SINGLE_LIMIT_OPS,
    STRING_OPS,
    default_comp_op,
    evaluate_numeric,
    evaluate_string,
    json_number,
)
from pywats.models.report.status import (
    LETTER_FOR_RANK,
    MEASUREMENT_STATUSES,
    RANK,
    REPORT_RESULTS,
    STEP_STATUSES,
)
from pywats.models.report.timestamps import (
    canonical_local,
    canonical_utc,
    format_local,
    format_utc,
    parse_timestamp,
    start_pair,
)

__all__ = [
    "PreparedReport",
    "is_prepared",
    "mark_prepared",
    "prepare_for_submit",
    "UnresolvedProcessError",
    "DEFAULT_LOCATION",
    "DEFAULT_PURPOSE",
    "default_machine_name",
    "MAX_TEXT",
]

DEFAULT_LOCATION = "Unknown"
"""``location`` sent when a report has none."""
DEFAULT_PURPOSE = "Development"
"""``purpose`` sent when a report has none."""
MAX_TEXT = 100
"""Maximum length of pn, sn, rev, machineName, location, purpose (server schema)."""

_SEQUENCE_TYPES = frozenset({"SequenceCall", "WATS_SeqCall"})
_GROUPS = frozenset({"S", "M", "C", None})
_NUM_OPS_UPPER = {op: op for op in NUMERIC_OPS}
_STR_OPS_UPPER = {op: op for op in STRING_OPS}


class UnresolvedProcessError(ValidationError):
    """The report names its process only by ``processName`` and the name is not in the
    process cache. The caller fetches the server's processes (filling
    :mod:`pywats.models.process_codes`) and calls :func:`prepare_for_submit` again.

    Attributes:
        process_name: the name that could not be resolved.
    """

    def __init__(self, process_name: str, field: str = "processName") -> None:
        super().__init__(
            f"unknown process name {process_name!r}: no processCode known for it",
            field=field,
        )
        self.process_name = process_name


class PreparedReport(dict[str, Any]):
    """A WSJF dict returned by :func:`prepare_for_submit`: complete and validated.

    It is a plain ``dict`` to every reader (JSON, MessagePack, pickle). It stays marked as
    prepared until one of its top-level keys is set, deleted or updated; nested values are
    the caller's to leave alone (change them and call :func:`prepare_for_submit` again).
    """

    __slots__ = ("_intact",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intact = True

    @property
    def intact(self) -> bool:
        """True while no top-level key was changed since preparation."""
        return self._intact

    def __setitem__(self, key: str, value: Any) -> None:
        self._intact = False
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._intact = False
        super().__delitem__(key)

    def __ior__(self, other: Any) -> PreparedReport:  # type: ignore[override,misc]
        self._intact = False
        super().update(other)
        return self

    def pop(self, key: str, *default: Any) -> Any:
        """``dict.pop``; drops the prepared mark."""
        self._intact = False
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        """``dict.popitem``; drops the prepared mark."""
        self._intact = False
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``dict.setdefault``; drops the prepared mark."""
        self._intact = False
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``; drops the prepared mark."""
        self._intact = False
        super().update(*args, **kwargs)

    def clear(self) -> None:
        """``dict.clear``; drops the prepared mark."""
        self._intact = False
        super().clear()

    def __reduce__(self) -> Any:
        return (PreparedReport._restore, (dict(self), self._intact))

    @classmethod
    def _restore(cls, data: dict[str, Any], intact: bool) -> PreparedReport:
        """Rebuild a pickled report with its mark as it was."""
        report = cls(data)
        report._intact = intact
        return report


def is_prepared(report: Any) -> bool:
    """True for an intact :class:`PreparedReport` (``submit_report`` sends it as it is)."""
    return type(report) is PreparedReport and report.intact


def mark_prepared(data: Mapping[str, Any]) -> PreparedReport:
    """Mark ``data`` as prepared without checking it again.

    Only for a dict that is known to be the output of :func:`prepare_for_submit`, e.g. read
    back from a queue file that was written from a :class:`PreparedReport`.
    """
    return PreparedReport(data)


@lru_cache(maxsize=1)
def default_machine_name() -> str:
    """This computer's host name (the default ``machineName``), at most 100 characters."""
    try:
        name = socket.gethostname()
    except OSError:  # pragma: no cover - defensive
        name = ""
    return (name or "localhost")[:MAX_TEXT]


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(f"invalid report: {field}: {message}", field=field)


def _is_number(value: Any) -> bool:
    return (type(value) is float or type(value) is int) or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )


def _check_number(value: Any, field: str, *, allow_none: bool = True) -> Any:
    if value is None:
        if allow_none:
            return None
        raise _fail(field, "is required")
    if type(value) is float:
        return json_number(value)
    if type(value) is int or _is_number(value):
        return value
    if isinstance(value, str) and value in NON_FINITE_STRINGS:
        return value
    raise _fail(field, f"must be a number, not {type(value).__name__}")


def _check_int(value: Any, field: str, *, required: bool = False) -> None:
    if value is None:
        if required:
            raise _fail(field, "is required")
        return
    if type(value) is not int:
        raise _fail(field, f"must be an integer, not {value!r}")


def _check_text(data: Mapping[str, Any], key: str, path: str, *, required: bool, limit: int | None = MAX_TEXT) -> None:
    value = data.get(key)
    if value is None:
        if required:
            raise _fail(path + key, "is required")
        return
    if not isinstance(value, str):
        raise _fail(path + key, f"must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise _fail(path + key, "must not be empty")
    if limit is not None and len(value) > limit:
        raise _fail(path + key, f"is longer than {limit} characters")


def _check_time(value: Any, field: str, *, utc: bool = False) -> Any:
    """Check a timestamp and return it canonical (a canonical text is returned as given)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_utc(value) if utc else format_local(value)
    if not isinstance(value, str):
        raise _fail(field, "must be an ISO-8601 date-time string")
    try:
        return canonical_utc(value) if utc else canonical_local(value)
    except ValueError:
        raise _fail(field, f"is not an ISO-8601 date-time: {value!r}") from None


def _normalize(report: Any) -> dict[str, Any]:
    if isinstance(report, Mapping):
        return dict(report)
    to_dict = getattr(report, "to_dict", None)
    if callable(to_dict) and not hasattr(report, "to_wsjf"):
        return dict(to_dict())
    to_wsjf = getattr(report, "to_wsjf", None)
    if callable(to_wsjf):
        return dict(to_wsjf())
    raise TypeError(
        "report must be a WSJF dict, a UUTReport/UURReport or a ReportBuilder, "
        f"not {type(report).__name__}"
    )


def prepare_for_submit(report: Any) -> PreparedReport:
    """Return a complete, validated WSJF dict for ``report`` (see the module docstring).

    An intact :class:`PreparedReport` is returned as it is (it was validated already).

    Args:
        report: a WSJF mapping, a ``UUTReport``/``UURReport`` or a ``ReportBuilder``.

    Raises:
        UnresolvedProcessError: only ``processName`` is given and it is not in the cache.
        ValidationError: the report is invalid; ``field`` names the first bad field.
        TypeError: ``report`` is none of the accepted kinds.
    """
    if is_prepared(report):
        prepared: PreparedReport = report
        return prepared
    data = _normalize(report)

    kind = data.get("type")
    if kind is None:
        kind = "R" if data.get("uur") is not None else "T"
        data["type"] = kind
    if kind not in ("T", "R"):
        raise _fail("type", f"must be 'T' (test) or 'R' (repair), not {kind!r}")

    rid = data.get("id")
    if rid is None:
        data["id"] = str(uuid.uuid4())
    else:
        if isinstance(rid, uuid.UUID):
            data["id"] = str(rid)
        elif not isinstance(rid, str):
            raise _fail("id", "must be a GUID string")
        else:
            try:
                uuid.UUID(rid)
            except ValueError:
                raise _fail("id", f"is not a GUID: {rid!r}") from None

    for key in ("pn", "sn", "rev"):
        _check_text(data, key, "", required=True)

    _resolve_process(data)

    start = data.get("start")
    if start is None:
        given_utc = data.get("startUTC")
        if isinstance(given_utc, str):
            try:
                data["start"] = format_local(parse_timestamp(given_utc).astimezone())
            except ValueError:
                raise _fail("startUTC", f"is not an ISO-8601 date-time: {given_utc!r}") from None
        else:
            data["start"], utc = start_pair(given_utc if isinstance(given_utc, datetime) else None)
            data["startUTC"] = utc
    else:
        if isinstance(start, datetime):
            data["start"], utc = format_local(start), format_utc(start)
        elif isinstance(start, str):
            try:
                data["start"], utc = start_pair(start)
            except ValueError:
                raise _fail("start", f"is not an ISO-8601 date-time: {start!r}") from None
        else:
            raise _fail("start", "must be an ISO-8601 date-time string")
        if data.get("startUTC") is None:
            data["startUTC"] = utc
    data["startUTC"] = _check_time(data["startUTC"], "startUTC", utc=True)

    # empty text counts as missing: the server requires all three
    if data.get("machineName") in (None, ""):
        data["machineName"] = default_machine_name()
    if data.get("location") in (None, ""):
        data["location"] = DEFAULT_LOCATION
    if data.get("purpose") in (None, ""):
        data["purpose"] = DEFAULT_PURPOSE
    for key in ("machineName", "location", "purpose"):
        _check_text(data, key, "", required=False)

    _check_misc_infos(data)
    _check_assets(data)
    _check_binary_data(data.get("binaryData"), "binaryData")

    if kind == "T":
        uut = data.get("uut")
        if uut is None:
            data["uut"] = {}
        elif not isinstance(uut, Mapping):
            raise _fail("uut", "must be an object")
        else:
            _check_text(uut, "user", "uut.", required=False, limit=None)
            _check_text(uut, "comment", "uut.", required=False, limit=5000)
        _check_sub_units(data, repair=False)
        root = data.get("root")
        if root is None:
            raise _fail("root", "is required for a test report (type T)")
        if not isinstance(root, Mapping):
            raise _fail("root", "must be a step object")
        ids = _Ids()
        new_root, rank = _check_step(root, "root", ids)
        if ids.missing:
            _number_steps(new_root, ids)
        data["root"] = new_root
        result = data.get("result")
        if result is None:
            data["result"] = LETTER_FOR_RANK[rank]
    else:
        uur = data.get("uur")
        if uur is None:
            data["uur"] = uur = {}
        elif not isinstance(uur, Mapping):
            raise _fail("uur", "must be an object")
        if "active" in uur:
            # pyWATS 0.x emits uur.active; the server schema has no such field
            data["uur"] = uur = {k: v for k, v in uur.items() if k != "active"}
        if uur.get("processCode") is None and uur.get("processName") is not None:
            test_name = uur["processName"]
            if not isinstance(test_name, str):
                raise _fail("uur.processName", "must be a string")
            test_code = process_codes.code_for(test_name)
            if test_code is None:
                raise UnresolvedProcessError(test_name, "uur.processName")
            data["uur"] = uur = {**uur, "processCode": test_code}
        _check_int(uur.get("processCode"), "uur.processCode")
        _check_text(uur, "user", "uur.", required=False, limit=None)
        for key in ("confirmDate", "finalizeDate"):
            when = _check_time(uur.get(key), "uur." + key)
            if when != uur.get(key):
                data["uur"] = uur = {**uur, key: when}
        for key in ("refUUT", "parent"):
            ref = uur.get(key)
            if ref is not None:
                try:
                    uuid.UUID(str(ref))
                except ValueError:
                    raise _fail("uur." + key, f"is not a GUID: {ref!r}") from None
        _check_sub_units(data, repair=True)
        if data.get("result") is None:
            data["result"] = "P"
    result = data["result"]
    if not isinstance(result, str) or result not in REPORT_RESULTS:
        raise _fail("result", f"must be one of P, F, E, T, not {result!r}")
    return PreparedReport(data)


def _resolve_process(data: dict[str, Any]) -> None:
    code = data.get("processCode")
    name = data.get("processName")
    if code is None:
        if name is None:
            raise _fail("processCode", "is required (or a known processName)")
        if not isinstance(name, str) or not name.strip():
            raise _fail("processName", "must be a non-empty string")
        code = process_codes.code_for(name)
        if code is None:
            raise UnresolvedProcessError(name)
        data["processCode"] = code
        if name not in process_codes.known():
            # matched ignoring case: the server compares names case-sensitively
            del data["processName"]
        return
    if isinstance(code, str) and code.strip().isdigit():
        data["processCode"] = code = int(code)
    _check_int(code, "processCode")
    if name is not None and not isinstance(name, str):
        raise _fail("processName", "must be a string")


def _objects(items: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``("path[i].", entry)`` for each entry of the list ``items`` (nothing when None).

    Raises the error naming ``path`` when ``items`` is not a list, or ``path[i]`` when an
    entry is not an object.
    """
    if items is None:
        return
    if not isinstance(items, list):
        raise _fail(path, "must be a list")
    for i, item in enumerate(items):
        item_path = f"{path}[{i}]."
        if not isinstance(item, Mapping):
            raise _fail(item_path[:-1], "must be an object")
        yield item_path, item


def _check_misc_infos(data: dict[str, Any]) -> None:
    for path, item in _objects(data.get("miscInfos"), "miscInfos"):
        _check_text(item, "description", path, required=True, limit=None)
        text, numeric = item.get("text"), item.get("numeric")
        if text is None and numeric is None:
            raise _fail(path + "text", "is required when there is no numeric")
        if text is not None and not isinstance(text, str):
            raise _fail(path + "text", "must be a string")
        if numeric is not None and not _is_number(numeric):
            raise _fail(path + "numeric", "must be a number")


def _check_assets(data: dict[str, Any]) -> None:
    for path, item in _objects(data.get("assets"), "assets"):
        _check_text(item, "assetSN", path, required=True, limit=None)
        _check_number(item.get("usageCount"), path + "usageCount")


def _check_binary_data(items: Any, path: str) -> None:
    for p, item in _objects(items, path):
        _check_text(item, "name", p, required=False, limit=None)
        _check_text(item, "contentType", p, required=False, limit=None)
        _check_text(item, "data", p, required=True, limit=None)


def _check_sub_units(data: dict[str, Any], *, repair: bool) -> None:
    items = data.get("subUnits")
    if items is None:
        if not repair:
            return
        items = []
    if not isinstance(items, list):
        raise _fail("subUnits", "must be a list")
    items = list(items)
    if repair and not any(isinstance(s, Mapping) and s.get("idx") == 0 for s in items):
        main = {"partType": "Main", "pn": data["pn"], "rev": data["rev"], "sn": data["sn"], "idx": 0}
        items.insert(0, main)
    data["subUnits"] = items
    for path, item in _objects(items, "subUnits"):
        _check_text(item, "partType", path, required=True, limit=50)
        _check_text(item, "sn", path, required=True)
        _check_text(item, "pn", path, required=True)
        _check_text(item, "rev", path, required=False)
        _check_int(item.get("position"), path + "position")
        _check_int(item.get("idx"), path + "idx", required=repair)
        _check_int(item.get("parentIdx"), path + "parentIdx")
        _check_int(item.get("replacedIdx"), path + "replacedIdx")
        for fpath, failure in _objects(item.get("failures"), path + "failures"):
            for key in ("category", "code", "comment", "comRef", "funcBlock"):
                _check_text(failure, key, fpath, required=False, limit=None)
            _check_int(failure.get("refStepId"), fpath + "refStepId")
            _check_binary_data(failure.get("attachments"), fpath + "attachments")


def _numeric(meas: Any, path: str) -> tuple[Any, str]:
    if not isinstance(meas, Mapping):
        raise _fail(path, "must be an object")
    op = meas.get("compOp")
    low = meas.get("lowLimit")
    high = meas.get("highLimit")
    canonical: str | None
    if op is None:
        canonical = default_comp_op(low, high)
    else:
        canonical = _NUM_OPS_UPPER.get(op)
        if canonical is None:
            canonical = _NUM_OPS_UPPER.get(op.upper()) if isinstance(op, str) else None
            if canonical is None:
                raise _fail(path + ".compOp", f"unknown numeric compOp {op!r}")
    status = meas.get("status")
    value = meas.get("value")
    if value is None:
        if status is None:
            raise _fail(path + ".value", "is required (or a status such as 'S')")
    elif type(value) is not float and type(value) is not int:
        value = _check_number(value, path + ".value")
    elif type(value) is float and not math.isfinite(value):
        value = json_number(value)
    if canonical in SINGLE_LIMIT_OPS:
        if low is None:
            raise _fail(path + ".lowLimit", f"is required for compOp {canonical} (single-limit operators use lowLimit)")
        _check_number(low, path + ".lowLimit")
    elif canonical in DUAL_LIMIT_OPS:
        if low is None:
            raise _fail(path + ".lowLimit", f"is required for compOp {canonical}")
        if high is None:
            raise _fail(path + ".highLimit", f"is required for compOp {canonical}")
        _check_number(low, path + ".lowLimit")
        _check_number(high, path + ".highLimit")
    if status is None:
        status = "P" if canonical == LOG or evaluate_numeric(canonical, value, low, high) else "F"
        new = dict(meas)
        new["status"] = status
        if op is None:
            new["compOp"] = canonical
        if value is not meas.get("value"):
            new["value"] = value
        return new, status
    if not isinstance(status, str) or status not in MEASUREMENT_STATUSES:
        raise _fail(path + ".status", f"must be P, F or S, not {status!r}")
    if value is not meas.get("value") or op is None:
        new = dict(meas)
        new["value"] = value
        new["compOp"] = canonical
        return new, status
    return meas, status


def _string(meas: Any, path: str) -> tuple[Any, str]:
    if not isinstance(meas, Mapping):
        raise _fail(path, "must be an object")
    op = meas.get("compOp")
    limit = meas.get("limit")
    canonical: str | None
    if op is None:
        canonical = LOG if limit is None else "CASESENSIT"
    else:
        canonical = _STR_OPS_UPPER.get(op) or (_STR_OPS_UPPER.get(op.upper()) if isinstance(op, str) else None)
        if canonical is None:
            raise _fail(path + ".compOp", f"unknown string compOp {op!r}")
    value = meas.get("value")
    status = meas.get("status")
    if value is not None and not isinstance(value, str):
        raise _fail(path + ".value", "must be a string")
    if canonical != LOG:
        if limit is None:
            raise _fail(path + ".limit", f"is required for compOp {canonical}")
        if not isinstance(limit, str):
            raise _fail(path + ".limit", "must be a string")
    if status is None:
        if value is None:
            raise _fail(path + ".value", "is required (or a status such as 'S')")
        new = dict(meas)
        status = new["status"] = "P" if evaluate_string(canonical, value, limit) else "F"
        if op is None:
            new["compOp"] = canonical
        return new, status
    if not isinstance(status, str) or status not in MEASUREMENT_STATUSES:
        raise _fail(path + ".status", f"must be P, F or S, not {status!r}")
    return meas, status


def _boolean(meas: Any, path: str) -> tuple[Any, str]:
    if not isinstance(meas, Mapping):
        raise _fail(path, "must be an object")
    status = meas.get("status")
    if status is None:
        value = meas.get("value")
        if not isinstance(value, bool):
            raise _fail(path + ".status", "is required")
        status = "P" if value else "F"
    elif not isinstance(status, str) or status not in MEASUREMENT_STATUSES:
        raise _fail(path + ".status", f"must be P, F or S, not {status!r}")
    if "value" in meas or meas.get("status") is None:
        # the server schema has no booleanMeas ``value``: it only decides
        # a missing status and is not sent
        meas = {k: v for k, v in meas.items() if k != "value"}
        meas["status"] = status
    return meas, status


class _Ids:
    """Step-id book-keeping during the walk: highest id seen, whether any is missing."""

    __slots__ = ("highest", "missing", "seen")

    def __init__(self) -> None:
        self.highest = 0
        self.missing = False
        self.seen: set[int] = set()


def _number_steps(root: dict[str, Any], ids: _Ids) -> None:
    """Give every step without an ``id`` the next free number, depth first, parents first
    (the root gets 1 when no step has an id)."""
    next_id = ids.highest + 1
    stack = [root]
    while stack:
        node = stack.pop()
        if node.get("id") is None:
            node["id"] = next_id
            next_id += 1
        children = node.get("steps")
        if children:
            stack.extend(reversed(children))


def _quick_numeric(meas: Any) -> tuple[Any, str] | None:
    """``(meas, status)`` when ``meas`` is a complete numeric measurement that
    :func:`_numeric` would pass unchanged (plain dict, status, canonical compOp, finite plain
    numbers); ``None`` sends it through the full check."""
    if type(meas) is not dict:
        return None
    status = meas.get("status")
    if status not in MEASUREMENT_STATUSES:
        return None
    value: Any = meas.get("value")
    kind = type(value)
    if kind is float:
        if value - value != 0.0:  # NaN or infinity: the full check rewrites it
            return None
    elif kind is not int and value is not None:
        return None
    op = meas.get("compOp")
    if op in DUAL_LIMIT_OPS:
        low, high = meas.get("lowLimit"), meas.get("highLimit")
        if (type(low) is not float and type(low) is not int) or (type(high) is not float and type(high) is not int):
            return None
    elif op in SINGLE_LIMIT_OPS:
        low = meas.get("lowLimit")
        if type(low) is not float and type(low) is not int:
            return None
    elif op != LOG:
        return None
    return meas, status


def _quick_string(meas: Any) -> tuple[Any, str] | None:
    """Like :func:`_quick_numeric`, for a string measurement."""
    if type(meas) is not dict:
        return None
    status = meas.get("status")
    if status not in MEASUREMENT_STATUSES:
        return None
    value = meas.get("value")
    if value is not None and type(value) is not str:
        return None
    op = meas.get("compOp")
    if op != LOG and (op not in STRING_OPS or type(meas.get("limit")) is not str):
        return None
    return meas, status


def _quick_boolean(meas: Any) -> tuple[Any, str] | None:
    """Like :func:`_quick_numeric`, for a boolean measurement (no ``value`` key to drop)."""
    if type(meas) is not dict:
        return None
    status = meas.get("status")
    if status not in MEASUREMENT_STATUSES or "value" in meas:
        return None
    return meas, status


_MEAS_KINDS = (
    ("numericMeas", _quick_numeric, _numeric),
    ("stringMeas", _quick_string, _string),
    ("booleanMeas", _quick_boolean, _boolean),
)
_PathRef = Any
"""Where a step sits: ``"root"`` or ``(parent_ref, index)``; turned into text only for an error."""


def _step_path(ref: _PathRef) -> str:
    """The dotted path of a step reference (``root.steps[3].steps[0]``)."""
    parts = []
    while type(ref) is tuple:
        ref, index = ref
        parts.append(f".steps[{index}]")
    return str(ref) + "".join(reversed(parts))


def _check_step(step: Mapping[str, Any], ref: _PathRef, ids: _Ids) -> tuple[dict[str, Any], int]:
    """Validate one step (recursively); return a copy with missing statuses filled and its rank.

    Complete measurements (the usual case) pass through quick checks; anything else takes
    the full check, which fills, rewrites or names the bad field. Paths are built only
    for errors.
    """
    new = dict(step)
    get = new.get
    step_type = get("stepType")
    if not isinstance(step_type, str) or not step_type:
        raise _fail(_step_path(ref) + ".stepType", "is required (a string such as 'ET_NLT')")
    name = get("name")
    if name is not None and not isinstance(name, str):
        raise _fail(_step_path(ref) + ".name", "must be a string")
    group = get("group")
    if group is not None and (not isinstance(group, str) or group not in _GROUPS):
        raise _fail(_step_path(ref) + ".group", f"must be S, M or C, not {get('group')!r}")
    status = get("status")
    if status is not None and (not isinstance(status, str) or status not in STEP_STATUSES):
        raise _fail(_step_path(ref) + ".status", f"must be one of P, F, D, S, E, T, U, not {status!r}")
    if get("start") is not None:
        new["start"] = _check_time(new["start"], _step_path(ref) + ".start")
    sid = get("id")
    if sid is None:
        ids.missing = True
    elif type(sid) is not int:
        raise _fail(_step_path(ref) + ".id", "must be an integer")
    else:
        seen = ids.seen
        if sid in seen:
            raise _fail(_step_path(ref) + ".id", f"{sid} is used by another step (step ids must be unique)")
        seen.add(sid)
        if sid > ids.highest:
            ids.highest = sid

    worst = -1  # -1: no measurement/child seen
    for key, quick, full in _MEAS_KINDS:
        items = get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise _fail(f"{_step_path(ref)}.{key}", "must be a list")
        out = items.copy()
        for i, meas in enumerate(items):
            try:
                checked = quick(meas)
            except TypeError:  # an unhashable status or compOp: the full check names it
                checked = None
            if checked is None:
                checked = full(meas, f"{_step_path(ref)}.{key}[{i}]")
                out[i] = checked[0]
            if checked[1] == "F":
                worst = 1
            elif worst < 0:
                worst = 0
        new[key] = out

    children = get("steps")
    if children is not None:
        if not isinstance(children, list):
            raise _fail(_step_path(ref) + ".steps", "must be a list")
        out_steps: list[dict[str, Any]] = []
        append = out_steps.append
        for i, child in enumerate(children):
            if type(child) is not dict and not isinstance(child, Mapping):
                raise _fail(f"{_step_path(ref)}.steps[{i}]", "must be a step object")
            checked_child, rank = _check_step(child, (ref, i), ids)
            append(checked_child)
            if rank > worst:
                worst = rank
        new["steps"] = out_steps
        if worst < 0:
            worst = 0  # an empty sequence passes
    elif step_type in _SEQUENCE_TYPES:
        worst = 0

    loop = get("loop")
    if loop is not None:
        path = _step_path(ref)
        if not isinstance(loop, Mapping):
            raise _fail(path + ".loop", "must be an object")
        if "i" in loop or "n" in loop:
            # pyWATS 0.x spells the loop fields i/n; the server schema reads idx/num
            fixed = {k: v for k, v in loop.items() if k not in ("i", "n")}
            if fixed.get("idx") is None and loop.get("i") is not None:
                fixed["idx"] = loop["i"]
            if fixed.get("num") is None and loop.get("n") is not None:
                fixed["num"] = loop["n"]
            new["loop"] = loop = fixed
        for key in ("idx", "num", "endingIndex", "passed", "failed"):
            _check_int(loop.get(key), f"{path}.loop.{key}")
    attachment = get("attachment")
    if attachment is not None:
        path = _step_path(ref)
        if not isinstance(attachment, Mapping):
            raise _fail(path + ".attachment", "must be an object")
        _check_text(attachment, "name", path + ".attachment.", required=False, limit=None)
        _check_text(attachment, "data", path + ".attachment.", required=True, limit=None)

    if status is None:
        status = "D" if worst < 0 else LETTER_FOR_RANK[worst]
        new["status"] = status
    return new, RANK[status]
