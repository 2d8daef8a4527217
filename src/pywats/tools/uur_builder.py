"""``UURBuilder``: build a WSJF repair (UUR) report.

A repair report names the repaired unit (``pn``/``sn``/``rev``), the repair operation
(top-level ``processCode``, default 500), the test operation in which the failure was
found (``uur.processCode``), optionally the failed test report (``uur.refUUT``), and a
sub-unit tree whose entry ``idx 0`` is the unit itself; failures hang off sub-units::

    uur = UURBuilder.for_uut(failed_report, operator="bob")
    uur.add_failure(category="Component", code="Defect Component", component_ref="U7",
                    comment="5V rail high", ref_step_id=3)
    uur.add_attachment("photo.jpg", jpeg_bytes)
    data = uur.to_dict()
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pywats.models import process_codes
from pywats.models.report.status import normalize_status
from pywats.models.report.timestamps import format_utc, start_pair
from pywats.tools._header import (
    UnitIdentity,
    encode_attachment,
    misc_info_entry,
    parse_operation,
    subunit_entry,
)

if TYPE_CHECKING:
    from pywats.models.report.uur import UURReport

__all__ = ["UURBuilder", "DEFAULT_REPAIR_PROCESS_CODE"]

DEFAULT_REPAIR_PROCESS_CODE = 500
"""Repair operation used when none is given (WATS' conventional "Repair" code)."""


class UURBuilder(UnitIdentity):
    """Build a WSJF UUR (repair) report as a plain dict.

    Args:
        part_number, serial_number, revision: the repaired unit.
        operator: ``uur.user``.
        station_name, location, purpose: ``machineName``/``location``/``purpose`` (left out
            when None; the station client or the submit path fills them).
        process_code: the repair operation (int or name; default 500).
        test_operation: the test operation in which the failure was found (``uur.processCode``).
        ref_uut: id of the failed UUT report.
        start: repair start (datetime or ISO string; default now).
        result: report result, ``P`` unless given (a repair is normally completed).
        comment: ``uur.comment``.
        report_id: the GUID (default a fresh uuid4, fixed for this builder).
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
        process_code: int | str | None = None,
        test_operation: int | str | None = None,
        ref_uut: str | uuid.UUID | None = None,
        start: datetime | str | None = None,
        *,
        result: str = "P",
        comment: str | None = None,
        report_id: str | uuid.UUID | None = None,
    ) -> None:
        self._set_identity(
            part_number, serial_number, revision, operator, station_name, location, purpose, report_id
        )
        self._code, self._name = parse_operation(
            process_code if process_code is not None else DEFAULT_REPAIR_PROCESS_CODE, "process_code"
        )
        self._test_code: int | None = None
        self._test_name: str | None = None
        if test_operation is not None:
            self._test_code, self._test_name = parse_operation(test_operation, "test_operation")
        self.ref_uut = str(ref_uut) if ref_uut is not None else None
        self.start, self.start_utc = start_pair(start)
        letter = normalize_status(result)
        if letter not in "PFET":
            raise ValueError(f"result must be P, F, E or T, not {result!r}")
        self.result = letter
        self.comment = comment
        self._uur_extra: dict[str, Any] = {}
        self._misc: list[dict[str, Any]] = []
        self._binary: list[dict[str, Any]] = []
        self._units: list[dict[str, Any]] = [
            {"partType": "Main", "pn": part_number, "rev": revision, "sn": serial_number, "idx": 0}
        ]

    @classmethod
    def for_uut(cls, uut: Mapping[str, Any] | Any, **kwargs: Any) -> UURBuilder:
        """Start a repair of the unit of a test report (a WSJF dict, a ``UUTReport`` or a
        ``ReportBuilder``): copies pn/sn/rev, ``refUUT`` and the test operation."""
        data: Mapping[str, Any]
        if isinstance(uut, Mapping):
            data = uut
        elif hasattr(uut, "to_wsjf"):
            data = uut.to_wsjf()
        elif hasattr(uut, "to_dict"):
            data = uut.to_dict()
        else:
            raise TypeError("uut must be a WSJF dict, a UUTReport or a ReportBuilder")
        kwargs.setdefault("revision", data.get("rev") or "A")
        kwargs.setdefault("ref_uut", data.get("id"))
        test_op = data.get("processCode")
        if test_op is None:
            test_op = data.get("processName")
        if test_op is not None:
            kwargs.setdefault("test_operation", test_op)
        return cls(part_number=data["pn"], serial_number=data["sn"], **kwargs)

    def set_operation_type(self, operation: int | str) -> UURBuilder:
        """Set the repair operation (int code or name, resolved like ``ReportBuilder``)."""
        self._code, self._name = parse_operation(operation, "operation type")
        return self

    def set_test_operation(self, operation: int | str) -> UURBuilder:
        """Set ``uur.processCode``: the test operation in which the failure was found."""
        self._test_code, self._test_name = parse_operation(operation, "test operation")
        return self

    def set_dates(self, confirm: datetime | None = None, finalize: datetime | None = None) -> UURBuilder:
        """Set ``uur.confirmDate`` / ``uur.finalizeDate``."""
        if confirm is not None:
            self._uur_extra["confirmDate"] = format_utc(confirm)
        if finalize is not None:
            self._uur_extra["finalizeDate"] = format_utc(finalize)
        return self

    def add_subunit(
        self,
        part_number: str,
        serial_number: str,
        revision: str | None = None,
        part_type: str | None = None,
        *,
        parent_idx: int = 0,
        replaced_idx: int | None = None,
    ) -> int:
        """Add a sub-unit below ``parent_idx`` (0 = the main unit); return its ``idx``.

        ``replaced_idx`` marks it as the replacement of an earlier sub-unit.
        """
        if not any(u["idx"] == parent_idx for u in self._units):
            raise ValueError(f"no sub-unit with idx {parent_idx}")
        idx = max(u["idx"] for u in self._units) + 1
        entry = subunit_entry(part_number, serial_number, revision, part_type)
        entry["idx"] = idx
        entry["parentIdx"] = parent_idx
        if replaced_idx is not None:
            entry["replacedIdx"] = replaced_idx
        self._units.append(entry)
        return idx

    def add_failure(
        self,
        category: str,
        code: str,
        *,
        component_ref: str | None = None,
        comment: str | None = None,
        ref_step_id: int | None = None,
        function_block: str | None = None,
        sub_unit_idx: int = 0,
        attachments: list[tuple[str, bytes]] | None = None,
    ) -> UURBuilder:
        """Add a failure (``category``/``code`` as configured for the repair operation) to a sub-unit."""
        for unit in self._units:
            if unit["idx"] == sub_unit_idx:
                break
        else:
            raise ValueError(f"no sub-unit with idx {sub_unit_idx}")
        failure: dict[str, Any] = {"category": category, "code": code}
        if component_ref is not None:
            failure["comRef"] = component_ref
        if comment is not None:
            failure["comment"] = comment
        if ref_step_id is not None:
            failure["refStepId"] = ref_step_id
        if function_block is not None:
            failure["funcBlock"] = function_block
        if attachments:
            failure["attachments"] = [encode_attachment(n, c, None) for n, c in attachments]
        unit.setdefault("failures", []).append(failure)
        return self

    def add_misc_info(self, description: str, text: str | int) -> UURBuilder:
        """Add a ``miscInfos`` entry (for repairs the description must be configured on the server)."""
        self._misc.append(misc_info_entry(description, text))
        return self

    def add_attachment(self, name: str, content: bytes, content_type: str | None = None) -> UURBuilder:
        """Attach a file to the repair (``binaryData``)."""
        self._binary.append(encode_attachment(name, content, content_type))
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return the WSJF repair report dict (type ``R``)."""
        code = self._code if self._code is not None else process_codes.code_for(self._name or "")
        data = self._header("R", code, self._name, self.result)
        uur: dict[str, Any] = {}
        if self.operator is not None:
            uur["user"] = self.operator
        if self.comment is not None:
            uur["comment"] = self.comment
        test_code = self._test_code
        if test_code is None and self._test_name is not None:
            test_code = process_codes.code_for(self._test_name)
            if test_code is None:
                uur["processName"] = self._test_name
        if test_code is not None:
            uur["processCode"] = test_code
        if self.ref_uut is not None:
            uur["refUUT"] = self.ref_uut
        uur.update(self._uur_extra)
        data["uur"] = uur
        if self._misc:
            data["miscInfos"] = [dict(m) for m in self._misc]
        data["subUnits"] = [
            {**u, "failures": [dict(f) for f in u["failures"]]} if "failures" in u else dict(u)
            for u in self._units
        ]
        if self._binary:
            data["binaryData"] = [dict(b) for b in self._binary]
        return data

    def build(self) -> UURReport:
        """Return the report as a validated :class:`~pywats.models.report.UURReport`."""
        from pywats.models.report import parse_report

        return parse_report(self.to_dict())  # type: ignore[return-value]
