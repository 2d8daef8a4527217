"""``api.production``: units, phases, verification, box build and serial numbers.

Serial numbers come from server-side pools, one per serial-number type.
:meth:`ProductionDomain.take_serial_numbers` takes from a named type;
:meth:`ProductionDomain.allocate_serial_numbers` (the integration guide's call) takes from
the type whose format is ``<prefix>{index}``, creating it on servers that allow that (the
local pyWATS server's ``PUT /api/Production/SerialNumbers/Types`` extension). Every take is
one server-side transaction, so no number is ever handed out twice, whatever the number of
processes and stations taking at the same time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Generator, Iterable, Mapping
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import HTTPError, NotFoundError, ValidationError
from pywats.models.production import (
    ChildUnitCheck,
    SerialNumberType,
    Unit,
    UnitPhase,
    UnitsSaveResult,
    UnitVerification,
    ProductionBatch,
    SerialNumberEntry,
    UnitChange,
)

__all__ = [
    "ProductionDomain",
    "SerialNumberTypeNotConfiguredError",
    "parse_serial_numbers",
    "serial_number_format",
    "PHASES_CACHE_TTL_SECONDS",
]

PHASES_CACHE_TTL_SECONDS = 300.0
_PHASES_KEY = "production:phases"


class SerialNumberTypeNotConfiguredError(NotFoundError):
    """No serial-number type with the wanted format exists and the server cannot create one.

    Attributes:
        type_name: the serial-number type to configure in WATS.
        format: the number format that type must have (``<prefix>{index}``).
    """

    def __init__(self, message: str, *, type_name: str, format: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.type_name = type_name
        self.format = format


def serial_number_format(prefix: str) -> str:
    """The serial-number type format for numbers ``<prefix><index>``: ``"WGT-"`` → ``"WGT-{index}"``."""
    return f"{prefix}{{index}}"


def parse_serial_numbers(payload: Any) -> list[str]:
    """Serial numbers from a Take answer: XML ``<SN id="..."/>`` elements, CSV text or a JSON list.

    Raises:
        ValidationError: the payload is none of those.
    """
    if payload is None:
        return []
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8-sig")
    if isinstance(payload, list):
        out: list[str] = []
        for item in payload:
            if isinstance(item, Mapping):
                value = item.get("id") or item.get("serialNumber") or item.get("SN")
                if value is None:
                    raise ValidationError(f"serial-number entry without id: {item!r}", field="SN")
                out.append(str(value))
            else:
                out.append(str(item))
        return out
    if isinstance(payload, Mapping):
        for key in ("serialNumbers", "SerialNumbers", "sn", "SN"):
            if key in payload:
                return parse_serial_numbers(payload[key])
        raise ValidationError(f"unexpected serial-number answer: {str(payload)[:200]}", field="SerialNumbers")
    text = str(payload).lstrip("\ufeff").strip()
    if not text:
        return []
    if text.startswith("<"):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ValidationError(f"serial-number answer is not valid XML: {exc}", field="SerialNumbers") from None
        return [el.attrib["id"] for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "SN" and "id" in el.attrib]
    if text[0] in "[{":
        try:
            return parse_serial_numbers(json.loads(text))
        except ValueError:
            pass
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if rows and rows[0][0].strip().lower() in ("sn", "id", "serialnumber", "serial number"):
        rows = rows[1:]
    return [row[0].strip() for row in rows]


def _unit_body(unit: Unit | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(unit, Unit):
        return unit.to_wire()
    if isinstance(unit, Mapping):
        return Unit.model_validate(dict(unit)).to_wire()
    raise ValidationError(f"unit must be a Unit or a dict, not {type(unit).__name__}", field="unit")


def _segment(value: str, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    return quote(value, safe="")


class ProductionDomain(Domain[ModeT]):
    """Production units and phases, unit verification, box-build assembly and serial numbers."""

    phases_cache_ttl: float = PHASES_CACHE_TTL_SECONDS

    # -- units ------------------------------------------------------------------------

    @operation
    def get_unit(self, serial_number: str, part_number: str) -> Generator[Request, Any, Unit]:
        """The unit ``serial_number``/``part_number`` with sub-units, product and revision.

        Raises:
            NotFoundError: the server knows no such unit.
        """
        path = f"/api/Production/Unit/{_segment(serial_number, 'serial_number')}/{_segment(part_number, 'part_number')}"
        data = yield Request("GET", path)
        return Unit.model_validate(data)

    @operation
    def find_unit(self, serial_number: str, part_number: str) -> Generator[Request, Any, Unit | None]:
        """Like :meth:`get_unit` but ``None`` when the unit does not exist."""
        try:
            return (yield from steps(self.get_unit, serial_number, part_number))
        except NotFoundError:
            return None

    @operation
    def create_units(self, units: Iterable[Unit | Mapping[str, Any]]) -> Generator[Request, Any, UnitsSaveResult]:
        """Add or update units by serial + part number (``PUT /api/Production/Units``).

        Raises:
            ValidationError: the server reported errors (units without errors are stored).
        """
        body = [_unit_body(u) for u in units]
        data = yield Request("PUT", "/api/Production/Units", json=body)
        result = UnitsSaveResult.model_validate(data or {})
        if not result.ok:
            raise ValidationError(
                f"PUT /api/Production/Units: {result.error_count} of {len(body)} units rejected: {result.errors}",
                field="units",
            )
        return result

    @operation
    def update_unit(self, unit: Unit | Mapping[str, Any]) -> Generator[Request, Any, UnitsSaveResult]:
        """Update one unit (``PUT /api/Production/Units`` with a one-element list)."""
        return (yield from steps(self.create_units, [unit]))

    # -- phases -----------------------------------------------------------------------

    @operation
    def get_phases(self, refresh: bool = False) -> Generator[Request, Any, list[UnitPhase]]:
        """All unit phases (``GET /api/internal/Mes/GetUnitPhases``), cached per client for 300 s."""
        if not refresh:
            cached = self.client.state.cache_get(_PHASES_KEY, self.phases_cache_ttl)
            if cached is not None:
                return list(cached)
        data = yield Request(
            "GET", "/api/internal/Mes/GetUnitPhases", headers={"Referer": self.client.base_url}
        )
        phases = [UnitPhase.model_validate(item) for item in data or []]
        self.client.state.cache_set(_PHASES_KEY, phases)
        return list(phases)

    @operation
    def get_phase_id(self, phase: int | str) -> Generator[Request, Any, int]:
        """The ``UnitPhaseId`` of a phase given by id, code (``"Finalized"``) or name (case-insensitive).

        Raises:
            ValidationError: no such phase.
        """
        if isinstance(phase, int) and not isinstance(phase, bool):
            return phase
        text = str(phase).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        phases = yield from steps(self.get_phases)
        folded = text.casefold()
        for p in phases:
            if folded in {(p.code or "").casefold(), (p.name or "").casefold()}:
                return p.unit_phase_id
        known = ", ".join(p.code or p.name or str(p.unit_phase_id) for p in phases)
        raise ValidationError(f"unknown unit phase {phase!r}; known phases: {known}", field="phase")

    @operation
    def set_unit_phase(
        self, serial_number: str, part_number: str, phase: int | str, comment: str | None = None
    ) -> Generator[Request, Any, None]:
        """Set a unit's phase (``PUT /api/Production/SetUnitPhase``); ``phase`` is an id or a name."""
        phase_id = yield from steps(self.get_phase_id, phase)
        params = {"serialNumber": serial_number, "partNumber": part_number, "phase": phase_id, "comment": comment}
        yield Request("PUT", "/api/Production/SetUnitPhase", params=params, expect="none")
        return None

    # -- verification -----------------------------------------------------------------

    @operation
    def verify_unit(
        self, serial_number: str, part_number: str | None = None, revision: str | None = None
    ) -> Generator[Request, Any, UnitVerification]:
        """The unit's verification grade and per-process results (``GET /api/Production/UnitVerification``)."""
        params = {"serialNumber": serial_number, "partNumber": part_number, "revision": revision}
        data = yield Request("GET", "/api/Production/UnitVerification", params=params)
        return UnitVerification.model_validate(data or {})

    @operation
    def is_unit_passing(
        self, serial_number: str, part_number: str | None = None
    ) -> Generator[Request, Any, bool]:
        """True when every process the unit went through passed on its last run."""
        result = yield from steps(self.verify_unit, serial_number, part_number)
        return result.is_passing

    # -- box build --------------------------------------------------------------------

    @operation
    def add_child_unit(
        self,
        parent_serial: str,
        parent_part: str,
        child_serial: str,
        child_part: str,
        check_part_number: str = "",
        check_revision: str = "",
    ) -> Generator[Request, Any, None]:
        """Attach a child unit to a parent unit (``POST /api/Production/AddChildUnit``).

        ``check_part_number``/``check_revision`` left blank means "use the box build".
        """
        params = {
            "parentSerialNumber": parent_serial, "parentPartNumber": parent_part,
            "childSerialNumber": child_serial, "childPartNumber": child_part,
            "checkPartNumber": check_part_number, "checkRevision": check_revision,
        }
        yield Request("POST", "/api/Production/AddChildUnit", params=params, expect="none")
        return None

    @operation
    def remove_child_unit(
        self, parent_serial: str, parent_part: str, child_serial: str, child_part: str
    ) -> Generator[Request, Any, None]:
        """Detach a child unit from its parent (``POST /api/Production/RemoveChildUnit``)."""
        params = {
            "parentSerialNumber": parent_serial, "parentPartNumber": parent_part,
            "childSerialNumber": child_serial, "childPartNumber": child_part,
        }
        yield Request("POST", "/api/Production/RemoveChildUnit", params=params, expect="none")
        return None

    @operation
    def check_child_units(self, parent_serial: str, parent_part: str) -> Generator[Request, Any, ChildUnitCheck]:
        """Check a parent's child units (``GET /api/Production/CheckChildUnits``)."""
        params = {"parentSerialNumber": parent_serial, "parentPartNumber": parent_part}
        data = yield Request("GET", "/api/Production/CheckChildUnits", params=params)
        if not isinstance(data, Mapping):
            data = {"ok": bool(data), "value": data}
        return ChildUnitCheck.model_validate(data)

    # -- serial numbers ---------------------------------------------------------------

    @operation
    def get_serial_number_types(self) -> Generator[Request, Any, list[SerialNumberType]]:
        """All serial-number types (``GET /api/Production/SerialNumbers/Types``)."""
        data = yield Request("GET", "/api/Production/SerialNumbers/Types")
        return [SerialNumberType.model_validate(item) for item in data or []]

    @operation
    def create_serial_number_type(
        self,
        name: str,
        format: str,
        start_index: int = 1,
        description: str = "",
        end_index: int | None = None,
    ) -> Generator[Request, Any, SerialNumberType]:
        """Create a serial-number type if it is missing (local pyWATS server extension).

        ``PUT /api/Production/SerialNumbers/Types``: numbers are ``format`` with ``{index}``
        replaced by a counter from ``start_index``. An existing type is returned unchanged.
        Real WATS configures types in its web UI and answers 404/405 here.
        """
        body: dict[str, Any] = {"name": name, "format": format, "startIndex": start_index, "description": description}
        if end_index is not None:
            body["endIndex"] = end_index
        data = yield Request("PUT", "/api/Production/SerialNumbers/Types", json=body)
        return SerialNumberType.model_validate(data)

    @operation
    def take_serial_numbers(
        self,
        serial_number_type: str,
        quantity: int,
        ref_sn: str | None = None,
        ref_pn: str | None = None,
        station_name: str | None = None,
        only_in_sequence: bool = False,
    ) -> Generator[Request, Any, list[str]]:
        """Take ``quantity`` free numbers of a type (``POST /api/Production/SerialNumbers/Take``).

        The server takes all remaining numbers when fewer are left (``only_in_sequence=True``
        makes it fail instead of leaving gaps). Never retried: a lost answer must not make a
        second take.

        Raises:
            NotFoundError: unknown serial-number type.
            ValidationError: bad quantity.
            ConflictError: no free numbers left, or (``only_in_sequence``) not enough
                numbers in sequence; nothing is taken then.
        """
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise ValidationError(f"quantity must be a positive integer, not {quantity!r}", field="quantity")
        params = {
            "serialNumberType": serial_number_type, "quantity": quantity, "refSN": ref_sn, "refPN": ref_pn,
            "stationName": station_name, "onlyInSequence": only_in_sequence or None, "format": "XML",
        }
        text = yield Request("POST", "/api/Production/SerialNumbers/Take", params=params, expect="text")
        return parse_serial_numbers(text)

    @operation
    def allocate_serial_numbers(
        self,
        product_name: str | None = None,
        product_revision: str | None = None,
        quantity: int = 1,
        prefix: str = "",
        start_index: int = 1,
        *,
        station_name: str | None = None,
        create_type: bool = True,
    ) -> Generator[Request, Any, list[str]]:
        """Allocate ``quantity`` serial numbers ``<prefix><index>`` from the server's pool.

        Takes from the serial-number type whose format is ``<prefix>{index}`` (see
        :func:`serial_number_format`). If there is none and ``create_type`` is true, asks the
        server to create it (named like its format) with its counter at ``start_index``;
        ``start_index`` has no effect on an existing pool, which simply continues. The
        product name is recorded as the numbers' reference part number (``refPN``);
        ``product_revision`` is accepted for the guide's call but not sent, because WATS
        records no revision with a taken serial number.

        Raises:
            SerialNumberTypeNotConfiguredError: no such type and the server cannot create one
                (real WATS: configure the type named in the message in the WATS web UI).
        """
        fmt = serial_number_format(prefix)
        types = yield from steps(self.get_serial_number_types)
        chosen = next((t for t in types if t.format == fmt), None) or next((t for t in types if t.name == fmt), None)
        type_name = chosen.name if chosen is not None else fmt
        if chosen is None:
            hint = (
                f"no serial-number type with format {fmt!r} on the server; configure a serial-number type "
                f"named {fmt!r} (format {fmt!r}, first index {start_index}) in WATS "
                "(Control Panel > Production Management > Serial numbers)"
            )
            if not create_type:
                raise SerialNumberTypeNotConfiguredError(hint, type_name=fmt, format=fmt)
            try:
                created = yield from steps(
                    self.create_serial_number_type, fmt, fmt, start_index,
                    f"pyWATS allocate_serial_numbers pool for prefix {prefix!r}",
                )
            except HTTPError as exc:
                if exc.status_code in (404, 405, 501):
                    raise SerialNumberTypeNotConfiguredError(
                        hint + "; this server cannot create it", type_name=fmt, format=fmt,
                        method=exc.method, url=exc.url, status_code=exc.status_code,
                    ) from exc
                raise
            type_name = created.name
        return (yield from steps(
            self.take_serial_numbers, type_name, quantity, ref_pn=product_name, station_name=station_name
        ))

    # -- unit change feed, batches, process -------------------------------------------------

    @operation
    def get_unit_changes(self, max_count: int = 100) -> Generator[Request, Any, list[UnitChange]]:
        """Units whose parent, part number, revision or phase changed, oldest first
        (``GET /api/Production/Units/Changes``); delete each with :meth:`delete_unit_change`."""
        data = yield Request("GET", "/api/Production/Units/Changes", params={"maxCount": max_count})
        return [UnitChange.model_validate(c) for c in data or []]

    @operation
    def delete_unit_change(self, change_id: int) -> Generator[Request, Any, None]:
        """Forget a handled unit change (``DELETE /api/Production/Units/Changes/{id}``)."""
        yield Request("DELETE", f"/api/Production/Units/Changes/{int(change_id)}", expect="none")

    @operation
    def save_batches(self, batches: Iterable[ProductionBatch | Mapping[str, Any]]
                     ) -> Generator[Request, Any, list[ProductionBatch]]:
        """Add or update production batches (``PUT /api/Production/Batches``)."""
        body = [(b if isinstance(b, ProductionBatch) else ProductionBatch.model_validate(dict(b))).to_wire()
                for b in batches]
        data = yield Request("PUT", "/api/Production/Batches", json=body)
        return [ProductionBatch.model_validate(b) for b in data] if isinstance(data, list) else \
            [ProductionBatch.model_validate(b) for b in body]

    @operation
    def set_unit_process(self, serial_number: str, part_number: str, process_name: str
                         ) -> Generator[Request, Any, None]:
        """Set the unit's current process (``PUT /api/Production/SetUnitProcess``)."""
        params = {"serialNumber": serial_number, "partNumber": part_number, "processName": process_name}
        yield Request("PUT", "/api/Production/SetUnitProcess", params=params, expect="none")

    # -- serial-number lists ----------------------------------------------------------------

    @operation
    def export_serial_numbers(self, serial_number_type: str, format: str = "CSV",
                              start_address: str | None = None, end_address: str | None = None,
                              start_date: str | None = None, end_date: str | None = None
                              ) -> Generator[Request, Any, str]:
        """The serial numbers of a type as an XML or CSV file's text (``GET /api/Production/SerialNumbers``)."""
        params = {"serialNumberType": serial_number_type, "format": format.upper(), "startAddress": start_address,
                  "endAddress": end_address, "startDate": start_date, "endDate": end_date}
        text = yield Request("GET", "/api/Production/SerialNumbers", params=params, expect="text")
        return str(text)

    @operation
    def upload_serial_numbers(self, serial_number_type: str, content: bytes | str, format: str = "CSV",
                              file_name: str | None = None) -> Generator[Request, Any, Any]:
        """Upload an XML or CSV file of serial numbers to a type (``PUT /api/Production/SerialNumbers``,
        multipart form data); the server's answer."""
        from pywats.domains.rootcause import multipart_file

        fmt = format.upper()
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        ctype = "text/csv" if fmt == "CSV" else "application/xml"
        body, content_type = multipart_file("file", file_name or f"serialnumbers.{fmt.lower()}", data, ctype)
        return (yield Request("PUT", "/api/Production/SerialNumbers",
                              params={"serialNumberType": serial_number_type, "format": fmt},
                              content=body, content_type=content_type))

    @operation
    def get_serial_numbers_by_range(self, serial_number_type: str, start_address: str, end_address: str,
                                    start_date: str | None = None, end_date: str | None = None
                                    ) -> Generator[Request, Any, list[SerialNumberEntry]]:
        """Serial numbers of a type between two addresses (``GET /api/Production/SerialNumbers/ByRange``)."""
        params = {"serialNumberType": serial_number_type, "startAddress": start_address, "endAddress": end_address,
                  "startDate": start_date, "endDate": end_date}
        data = yield Request("GET", "/api/Production/SerialNumbers/ByRange", params=params)
        return [SerialNumberEntry.model_validate(e) for e in data or []]

    @operation
    def get_serial_numbers_by_reference(self, serial_number_type: str, ref_sn: str | None = None,
                                        ref_pn: str | None = None, start_date: str | None = None,
                                        end_date: str | None = None
                                        ) -> Generator[Request, Any, list[SerialNumberEntry]]:
        """Taken serial numbers by reference serial and/or part number
        (``GET /api/Production/SerialNumbers/ByReference``)."""
        if not ref_sn and not ref_pn:
            raise ValidationError("give ref_sn or ref_pn", field="refSN")
        params = {"serialNumberType": serial_number_type, "refSN": ref_sn, "refPN": ref_pn,
                  "startDate": start_date, "endDate": end_date}
        data = yield Request("GET", "/api/Production/SerialNumbers/ByReference", params=params)
        return [SerialNumberEntry.model_validate(e) for e in data or []]
