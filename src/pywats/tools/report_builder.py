"""``ReportBuilder``: build a WSJF test (UUT) report from plain values, fast.

The builder writes plain dicts in WSJF shape as steps are added (no model objects on the
hot path), evaluates limits as it goes, numbers the steps, and rolls statuses up when
:meth:`ReportBuilder.to_dict` is called. :meth:`ReportBuilder.build` gives the validated
:class:`~pywats.models.report.UUTReport` model.

Example (from the integration guide)::

    builder = ReportBuilder(part_number="WIDGET-100", serial_number="SN-1")
    builder.set_operation_type("FCT")
    builder.add_step(name="3V3 rail", value=3.31, unit="V", limits=(3.2, 3.4))
    builder.add_step(name="Power-On Test", status="Passed")
    with builder.sequence("Power"):
        builder.add_step(name="Idle current", value=0.12, unit="A", limits=(None, 0.5))
    report = builder.to_dict()
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pywats.models import process_codes
from pywats.models.report.limits import (
    DUAL_LIMIT_OPS,
    LOG,
    SINGLE_LIMIT_OPS,
    default_comp_op,
    evaluate_numeric,
    evaluate_string,
    json_number,
    normalize_comp_op,
)
from pywats.models.report.status import LETTER_FOR_RANK, RANK, normalize_status
from pywats.models.report.timestamps import start_pair
from pywats.tools._header import (
    UnitIdentity,
    encode_attachment,
    misc_info_entry,
    parse_operation,
    subunit_entry,
)

if TYPE_CHECKING:
    from pywats.models.report.uut import UUTReport

__all__ = ["ReportBuilder", "SequenceBuilder", "DEFAULT_TEST_PROCESS_CODE", "ROOT_SEQUENCE_NAME"]

DEFAULT_TEST_PROCESS_CODE = 100
"""processCode used when neither ``process_code`` nor an operation type is given
(100 is WATS' conventional end-of-line/functional test operation)."""
ROOT_SEQUENCE_NAME = "MainSequence Callback"
"""Name of the root SequenceCall (the name TestStand/WATS use)."""

_STATUS_FAST: dict[Any, str] = {letter: letter for letter in RANK}
_GROUPS = frozenset("SMC")
_NUMBER_TYPES = (int, float)


def _status(value: Any, where: str) -> str:
    letter = _STATUS_FAST.get(value) if isinstance(value, str) else None
    if letter is not None:
        return letter
    try:
        return normalize_status(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


class _Seq:
    """Book-keeping for one SequenceCall node while building."""

    __slots__ = ("node", "steps", "children", "worst", "explicit")

    def __init__(self, node: dict[str, Any], explicit: str | None) -> None:
        self.node = node
        self.steps: list[dict[str, Any]] = node["steps"]
        self.children: list[_Seq] = []
        self.worst = 0
        self.explicit = explicit

    def finish(self) -> int:
        """Set this sequence's status from its children (or the explicit one); return its rank."""
        worst = self.worst
        for child in self.children:
            rank = child.finish()
            if rank > worst:
                worst = rank
        letter = self.explicit or LETTER_FOR_RANK[worst]
        self.node["status"] = letter
        return RANK[letter]


class _State:
    """State shared by a report builder and all its sequence builders."""

    __slots__ = ("next_id", "stack", "seq_file", "seq_version")

    def __init__(self, root: _Seq, seq_file: str, seq_version: str) -> None:
        self.next_id = 2
        self.stack: list[_Seq] = [root]
        self.seq_file = seq_file
        self.seq_version = seq_version


def _numeric_meas(
    where: str,
    value: Any,
    unit: str | None,
    low: Any,
    high: Any,
    comp_op: str | None,
    status: str | None,
    name: str | None = None,
) -> dict[str, Any]:
    """Build one ``numericMeas`` entry; status evaluated from the limits unless given."""
    if type(value) is not float and type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
            raise TypeError(f"{where}: value must be a number, not {type(value).__name__}")
        value = float(value)
    if comp_op is None:
        op = default_comp_op(low, high)
    else:
        try:
            op = normalize_comp_op(comp_op)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    meas: dict[str, Any] = {} if name is None else {"name": name}
    meas["status"] = "P"
    meas["value"] = json_number(value)
    if unit is not None:
        meas["unit"] = unit
    meas["compOp"] = op
    if op in DUAL_LIMIT_OPS:
        if low is None or high is None:
            raise ValueError(f"{where}: compOp {op} needs both a low and a high limit")
        meas["lowLimit"] = low
        meas["highLimit"] = high
    elif op in SINGLE_LIMIT_OPS:
        limit = low if low is not None else high
        if limit is None:
            raise ValueError(f"{where}: compOp {op} needs a limit")
        meas["lowLimit"] = limit
        low, high = limit, None
    if status is not None and status in "PFS":
        meas["status"] = status
    elif op != LOG and not evaluate_numeric(op, value, low, high):
        meas["status"] = "F"
    return meas


def _string_meas(
    where: str, value: Any, limit: Any, comp_op: str | None, status: str | None, name: str | None = None
) -> dict[str, Any]:
    if comp_op is None:
        op = LOG if limit is None else "CASESENSIT"
    else:
        try:
            op = normalize_comp_op(comp_op, string=True)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if op != LOG and limit is None:
        raise ValueError(f"{where}: compOp {op} needs an expected string (limits=(expected, None) or limit=)")
    meas: dict[str, Any] = {} if name is None else {"name": name}
    if status is not None and status in "PFS":
        meas["status"] = status
    else:
        meas["status"] = "P" if evaluate_string(op, value, limit) else "F"
    meas["value"] = value
    meas["compOp"] = op
    if limit is not None:
        meas["limit"] = str(limit)
    return meas


def _limits(limits: Any, low: Any, high: Any, where: str) -> tuple[Any, Any]:
    if limits is None:
        return low, high
    if isinstance(limits, (str, bytes)) or not isinstance(limits, Sequence):
        raise TypeError(f"{where}: limits must be a (low, high) pair")
    if len(limits) == 2:
        return limits[0], limits[1]
    if len(limits) == 1:
        return limits[0], None
    raise ValueError(f"{where}: limits must be a (low, high) pair, got {len(limits)} items")


def _loop(loop: Any, name: str) -> dict[str, Any]:
    if isinstance(loop, Mapping):
        idx, num = loop.get("idx"), loop.get("num")
    elif isinstance(loop, Sequence) and len(loop) == 2:
        idx, num = loop
    else:
        raise ValueError(f"step {name!r}: loop must be (idx, num)")
    for label, item in (("idx", idx), ("num", num)):
        if item is not None and type(item) is not int:
            raise TypeError(f"step {name!r}: loop {label} must be an int or None")
    return {"idx": idx, "num": num}


class _StepAdder:
    """Methods shared by :class:`ReportBuilder` and :class:`SequenceBuilder`."""

    _state: _State

    def _target(self) -> _Seq:  # pragma: no cover - overridden
        raise NotImplementedError

    def _append(self, seq: _Seq, step: dict[str, Any], status: str) -> None:
        seq.steps.append(step)
        rank = RANK[status]
        if rank > seq.worst:
            seq.worst = rank

    def _new_id(self) -> int:
        state = self._state
        sid = state.next_id
        state.next_id = sid + 1
        return sid

    def add_step(
        self,
        name: str,
        value: float | bool | str | None = None,
        unit: str | None = None,
        limits: tuple[Any, Any] | Sequence[Any] | None = None,
        status: str | bool | None = None,
        comp_op: str | None = None,
        *,
        limit: str | None = None,
        low_limit: float | None = None,
        high_limit: float | None = None,
        group: str = "M",
        report_text: str | None = None,
        tot_time: float | None = None,
        step_type: str | None = None,
        loop: tuple[int | None, int | None] | None = None,
    ) -> _StepAdder:
        """Add one test step and return the builder (for chaining).

        The kind of step follows from ``value``:

        * ``int``/``float`` → numeric limit step (``ET_NLT``). ``limits=(low, high)``, either
          may be None: both → ``GELE``, low only → ``GE``, high only → ``LE``, none → ``LOG``.
          ``comp_op`` overrides (single-limit operators take the one limit given as
          ``lowLimit``, as WSJF requires, LT/LE included).
        * ``bool`` → pass/fail step (``ET_PFT``): True passes, False fails.
        * ``str`` → string value step (``ET_SVT``): expected text from ``limits[0]`` or
          ``limit=``; compared case-sensitively unless ``comp_op`` says otherwise
          (``IGNORECASE``, ``NE``, ``LOG``).
        * ``None`` → an ``Action`` step carrying only ``status`` (default ``D``, Done).

        ``status`` (``"P"``, ``"Passed"``, ``"ok"``, ``"fail"``, …) overrides the evaluated
        status. ``group`` is ``S``/``M``/``C`` (Setup/Main/Cleanup). ``loop=(idx, num)``
        records a loop iteration as ``loop {idx, num}``.

        Raises:
            ValueError, TypeError: bad input; the message names the step.
        """
        seq = self._state.stack[-1] if type(self) is ReportBuilder else self._target()
        if type(name) is not str:
            raise TypeError(f"step name must be a string, not {type(name).__name__}")
        if status is not None:
            status = _STATUS_FAST.get(status) or _status(status, f"step {name!r}")
        if group != "M" and group not in _GROUPS:
            raise ValueError(f"step {name!r}: group must be 'S', 'M' or 'C', not {group!r}")
        state = self._state
        sid = state.next_id
        state.next_id = sid + 1
        if (
            (type(value) is float or type(value) is int)
            and comp_op is None
            and status is None
            and value - value == 0
        ):
            # hot path: finite number, limits inferred, status evaluated (inlined for speed)
            if limits is not None:
                if type(limits) is tuple and len(limits) == 2:
                    low, high = limits
                else:
                    low, high = _limits(limits, None, None, f"step {name!r}")
            else:
                low, high = low_limit, high_limit
            tl, th = type(low), type(high)
            if (tl is float or tl is int or low is None) and (th is float or th is int or high is None):
                if low is not None:
                    if high is not None:
                        letter = "P" if low <= value <= high else "F"
                        meas = {"status": letter, "value": value, "unit": unit, "compOp": "GELE",
                                "lowLimit": low, "highLimit": high}
                    else:
                        letter = "P" if value >= low else "F"
                        meas = {"status": letter, "value": value, "unit": unit, "compOp": "GE", "lowLimit": low}
                elif high is not None:
                    letter = "P" if value <= high else "F"
                    meas = {"status": letter, "value": value, "unit": unit, "compOp": "LE", "lowLimit": high}
                else:
                    letter = "P"
                    meas = {"status": "P", "value": value, "unit": unit, "compOp": LOG}
                if unit is None:
                    del meas["unit"]
            else:
                meas = _numeric_meas(f"step {name!r}", value, unit, low, high, None, None)
                letter = meas["status"]
            step: dict[str, Any] = {
                "id": sid,
                "stepType": step_type or "ET_NLT",
                "name": name,
                "group": group,
                "status": letter,
                "numericMeas": [meas],
            }
        elif value is None:
            letter = status or "D"
            step = {
                "id": sid,
                "stepType": step_type or "Action",
                "name": name,
                "group": group,
                "status": letter,
            }
        elif value is True or value is False:
            letter = status or ("P" if value else "F")
            step = {
                "id": sid,
                "stepType": step_type or "ET_PFT",
                "name": name,
                "group": group,
                "status": letter,
                "booleanMeas": [{"status": letter if letter in "PFS" else ("P" if value else "F")}],
            }
        elif isinstance(value, str):
            where = f"step {name!r}"
            low, _ = _limits(limits, limit, None, where)
            meas = _string_meas(where, value, low, comp_op, status)
            letter = status or meas["status"]
            step = {
                "id": sid,
                "stepType": step_type or "ET_SVT",
                "name": name,
                "group": group,
                "status": letter,
                "stringMeas": [meas],
            }
        else:
            where = f"step {name!r}"
            if limits is not None:
                low, high = _limits(limits, None, None, where)
            else:
                low, high = low_limit, high_limit
            meas = _numeric_meas(where, value, unit, low, high, comp_op, status)
            letter = status or meas["status"]
            step = {
                "id": sid,
                "stepType": step_type or "ET_NLT",
                "name": name,
                "group": group,
                "status": letter,
                "numericMeas": [meas],
            }
        if report_text is not None:
            step["reportText"] = report_text
        if tot_time is not None:
            step["totTime"] = tot_time
        if loop is not None:
            step["loop"] = _loop(loop, name)
        seq.steps.append(step)
        rank = RANK[letter]
        if rank > seq.worst:
            seq.worst = rank
        return self

    def add_multi_step(
        self,
        name: str,
        measurements: Iterable[Mapping[str, Any]],
        status: str | bool | None = None,
        *,
        group: str = "M",
        report_text: str | None = None,
        tot_time: float | None = None,
        step_type: str | None = None,
    ) -> _StepAdder:
        """Add a step with several named measurements of one kind.

        Each measurement is a mapping with ``name`` and ``value`` and optionally ``unit``,
        ``limits=(low, high)`` / ``low_limit`` / ``high_limit``, ``comp_op``, ``limit``
        (string), ``status``. All values numeric → ``ET_MNLT``; all bool → ``ET_MPFT``;
        all str → ``ET_MSVT``. The step fails if any measurement fails (unless ``status``
        is given).
        """
        where = f"step {name!r}"
        if status is not None:
            status = _status(status, where)
        if group not in _GROUPS:
            raise ValueError(f"{where}: group must be 'S', 'M' or 'C', not {group!r}")
        items = list(measurements)
        if not items:
            raise ValueError(f"{where}: a multi step needs at least one measurement")
        kind: str | None = None
        built: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            mwhere = f"{where} measurement [{index}]"
            if not isinstance(item, Mapping):
                raise TypeError(f"{mwhere}: must be a mapping with 'name' and 'value'")
            mname = item.get("name")
            if not isinstance(mname, str) or not mname:
                raise ValueError(f"{mwhere}: needs a non-empty 'name'")
            if mname in seen:
                raise ValueError(f"{mwhere}: duplicate measurement name {mname!r}")
            seen.add(mname)
            value = item.get("value")
            mstatus = item.get("status")
            if mstatus is not None:
                mstatus = _status(mstatus, mwhere)
            this = "bool" if isinstance(value, bool) else "str" if isinstance(value, str) else "num"
            if kind is None:
                kind = this
            elif kind != this:
                raise TypeError(f"{mwhere}: all measurements of a multi step must be of one kind")
            if this == "bool":
                letter = mstatus if mstatus in ("P", "F", "S") else ("P" if value else "F")
                built.append({"name": mname, "status": letter})
            elif this == "str":
                low, _ = _limits(item.get("limits"), item.get("limit"), None, mwhere)
                built.append(_string_meas(mwhere, value, low, item.get("comp_op"), mstatus, mname))
            else:
                low, high = _limits(
                    item.get("limits"), item.get("low_limit"), item.get("high_limit"), mwhere
                )
                built.append(
                    _numeric_meas(
                        mwhere, value, item.get("unit"), low, high, item.get("comp_op"), mstatus, mname
                    )
                )
        letter = status or ("F" if any(m["status"] == "F" for m in built) else "P")
        key, default_type = {
            "num": ("numericMeas", "ET_MNLT"),
            "bool": ("booleanMeas", "ET_MPFT"),
            "str": ("stringMeas", "ET_MSVT"),
        }[kind or "num"]
        step: dict[str, Any] = {
            "id": self._new_id(),
            "stepType": step_type or default_type,
            "name": name,
            "group": group,
            "status": letter,
            key: built,
        }
        if report_text is not None:
            step["reportText"] = report_text
        if tot_time is not None:
            step["totTime"] = tot_time
        self._append(self._target(), step, letter)
        return self

    def add_attachment(
        self,
        name: str,
        content: bytes,
        content_type: str | None = None,
        description: str | None = None,
        *,
        status: str | None = None,
    ) -> _StepAdder:
        """Attach a file: an ``Action`` step carrying ``attachment {name, contentType, data}``.

        ``data`` is ``content`` in base64; ``content_type`` is guessed from ``name`` when
        not given (``application/octet-stream`` if unknown); ``description`` becomes the
        step's ``reportText``. The step's status is ``D`` (Done) unless given.
        """
        attachment = encode_attachment(name, content, content_type)
        letter = _status(status, f"attachment {name!r}") if status is not None else "D"
        step: dict[str, Any] = {
            "id": self._new_id(),
            "stepType": "Action",
            "name": name,
            "group": "M",
            "status": letter,
        }
        if description is not None:
            step["reportText"] = description
        step["attachment"] = attachment
        self._append(self._target(), step, letter)
        return self

    def add_raw_step(self, step: Mapping[str, Any]) -> _StepAdder:
        """Append a step given as a WSJF dict (any ``stepType``, e.g. ``MessagePopup``, ``Chart``).

        It is copied; an ``id`` is assigned if missing and its ``status`` (default ``D``)
        takes part in the roll-up.
        """
        data = dict(step)
        if "id" not in data:
            data = {"id": self._new_id(), **data}
        letter = _status(data.get("status") or "D", f"step {data.get('name')!r}")
        data["status"] = letter
        self._append(self._target(), data, letter)
        return self

    def add_sequence(self, name: str, *, status: str | None = None, group: str = "M") -> SequenceBuilder:
        """Add a nested SequenceCall and return a builder for its steps.

        Its status rolls up from its steps unless ``status`` is given.
        """
        parent = self._target()
        explicit = _status(status, f"sequence {name!r}") if status is not None else None
        state = self._state
        node: dict[str, Any] = {
            "id": self._new_id(),
            "stepType": "SequenceCall",
            "name": name,
            "group": group,
            "status": "P",
            "seqCall": {"path": state.seq_file, "name": name, "version": state.seq_version},
            "steps": [],
        }
        seq = _Seq(node, explicit)
        parent.steps.append(node)
        parent.children.append(seq)
        return SequenceBuilder(state, seq)

    @contextmanager
    def sequence(self, name: str, *, status: str | None = None, group: str = "M") -> Iterator[SequenceBuilder]:
        """Context manager: steps added to the report builder inside the block go into a
        nested SequenceCall called ``name``::

            with builder.sequence("Power"):
                builder.add_step(name="3V3", value=3.3, limits=(3.2, 3.4))
        """
        sub = self.add_sequence(name, status=status, group=group)
        stack = self._state.stack
        stack.append(sub._seq)  # noqa: SLF001 - SequenceBuilder is defined in this module
        try:
            yield sub
        finally:
            stack.pop()


class SequenceBuilder(_StepAdder):
    """Adds steps to one nested SequenceCall (returned by ``add_sequence``/``sequence``)."""

    def __init__(self, state: _State, seq: _Seq) -> None:
        self._state = state
        self._seq = seq

    def _target(self) -> _Seq:
        return self._seq

    @property
    def name(self) -> str:
        """The sequence's name."""
        return str(self._seq.node["name"])


class ReportBuilder(_StepAdder, UnitIdentity):
    """Build a WSJF UUT (test) report.

    Args:
        part_number: ``pn``.
        serial_number: ``sn``.
        revision: ``rev`` (default ``"A"``).
        operator: ``uut.user``.
        station_name: ``machineName`` (left out when None: the station client fills it).
        location: ``location`` (left out when None).
        purpose: ``purpose`` (left out when None).
        process_code: ``processCode`` (int); see also :meth:`set_operation_type`.
            Default :data:`DEFAULT_TEST_PROCESS_CODE` when no operation type is set.
        start: start time (aware or naive-local datetime, or ISO string); default now.
        result: force the report ``result`` instead of rolling it up from the steps.
        process_name: operation name, as :meth:`set_operation_type` with a name.
        report_id: the report GUID (default: a fresh uuid4, fixed for this builder).
        comment, fixture_id, batch_serial_number, exec_time, test_socket_index,
        error_code, error_message: the matching ``uut`` fields.
        sequence_name: name of the root SequenceCall.
        sequence_file, sequence_version: ``seqCall.path`` / ``seqCall.version`` of sequences.
    """

    def __init__(
        self,
        part_number: str,
        serial_number: str,
        revision: str = "A",
        operator: str | None = None,
        station_name: str | None = None,
        location: str | None = None,
        purpose: str | None = None,
        process_code: int | None = None,
        start: datetime | str | None = None,
        *,
        result: str | None = None,
        process_name: str | None = None,
        report_id: str | uuid.UUID | None = None,
        comment: str | None = None,
        fixture_id: str | None = None,
        batch_serial_number: str | None = None,
        exec_time: float | None = None,
        test_socket_index: int | None = None,
        error_code: int | None = None,
        error_message: str | None = None,
        sequence_name: str = ROOT_SEQUENCE_NAME,
        sequence_file: str = "ReportBuilder.seq",
        sequence_version: str = "1.0.0",
    ) -> None:
        self._set_identity(
            part_number, serial_number, revision, operator, station_name, location, purpose, report_id
        )
        self._process_code: int | None = None
        self._process_name: str | None = None
        if process_code is not None:
            self.set_operation_type(process_code)
        elif process_name is not None:
            self.set_operation_type(process_name)
        self.start, self.start_utc = start_pair(start)
        self._result = _status(result, "result") if result is not None else None
        if self._result is not None and self._result not in "PFET":
            raise ValueError(f"result must be P, F, E or T, not {result!r}")
        self._uut: dict[str, Any] = {}
        for key, val in (
            ("comment", comment),
            ("execTime", exec_time),
            ("fixtureId", fixture_id),
            ("testSocketIndex", test_socket_index),
            ("batchSN", batch_serial_number),
            ("errorCode", error_code),
            ("errorMessage", error_message),
        ):
            if val is not None:
                self._uut[key] = val
        self._misc: list[dict[str, Any]] = []
        self._subunits: list[dict[str, Any]] = []
        self._assets: list[dict[str, Any]] = []
        root_node: dict[str, Any] = {
            "id": 1,
            "stepType": "SequenceCall",
            "name": sequence_name,
            "group": "M",
            "status": "P",
            "seqCall": {"path": sequence_file, "name": sequence_name, "version": sequence_version},
            "steps": [],
        }
        self._root = _Seq(root_node, None)
        self._state = _State(self._root, sequence_file, sequence_version)

    def _target(self) -> _Seq:
        return self._state.stack[-1]

    # -- header ---------------------------------------------------------------------------

    def set_operation_type(self, operation: int | str) -> ReportBuilder:
        """Set the operation (WATS process): an int code, a numeric string, or a name.

        A name is resolved through :func:`pywats.models.process_codes.code_for` (a cache the
        clients fill from the server's process list) when :meth:`to_dict` runs; if it is
        still unknown then, the dict carries ``processName`` without ``processCode`` and
        the submit path resolves it against the server.
        """
        self._process_code, self._process_name = parse_operation(operation, "operation type")
        return self

    @property
    def process_code(self) -> int | None:
        """The operation code if known now (resolving a name through the cache)."""
        if self._process_code is not None:
            return self._process_code
        if self._process_name is not None:
            return process_codes.code_for(self._process_name)
        return DEFAULT_TEST_PROCESS_CODE

    def add_misc_info(self, description: str, text: str | float) -> ReportBuilder:
        """Add a ``miscInfos`` entry (``text``; an int is sent as ``numeric``)."""
        if not isinstance(description, str) or not description:
            raise ValueError("misc info description must be a non-empty string")
        self._misc.append(misc_info_entry(description, text))
        return self

    def add_subunit(
        self,
        part_number: str,
        serial_number: str,
        revision: str | None = None,
        part_type: str | None = None,
        *,
        position: int | None = None,
    ) -> ReportBuilder:
        """Add a ``subUnits`` entry (``partType`` defaults to ``"Unknown"``; WSJF requires one)."""
        for label, text in (("part_number", part_number), ("serial_number", serial_number)):
            if not isinstance(text, str) or not text:
                raise ValueError(f"sub-unit {label} must be a non-empty string, got {text!r}")
        entry = subunit_entry(part_number, serial_number, revision, part_type)
        if position is not None:
            entry["position"] = position
        self._subunits.append(entry)
        return self

    add_sub_unit = add_subunit

    def add_asset(self, serial_number: str, usage_count: int | None = None) -> ReportBuilder:
        """Add an ``assets`` entry: ``{assetSN, usageCount}``."""
        entry: dict[str, Any] = {"assetSN": serial_number}
        if usage_count is not None:
            entry["usageCount"] = usage_count
        self._assets.append(entry)
        return self

    # -- output ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the WSJF dict that ``submit_report`` sends.

        Statuses of sequences are rolled up and the ``result`` computed on each call. The
        step tree in the returned dict is the builder's own (not copied, for speed): steps
        added afterwards appear in it too.
        """
        rank = self._root.finish()
        data = self._header(
            "T", self.process_code, self._process_name, self._result or LETTER_FOR_RANK[rank]
        )
        uut = dict(self._uut)
        if self.operator is not None:
            uut = {"user": self.operator, **uut}
        data["uut"] = uut
        if self._misc:
            data["miscInfos"] = [dict(m) for m in self._misc]
        if self._subunits:
            data["subUnits"] = [dict(s) for s in self._subunits]
        if self._assets:
            data["assets"] = [dict(a) for a in self._assets]
        data["root"] = self._root.node
        return data

    def build(self) -> UUTReport:
        """Return the report as a validated :class:`~pywats.models.report.UUTReport`."""
        from pywats.models.report import parse_report

        report = parse_report(self.to_dict())
        return report  # type: ignore[return-value]
