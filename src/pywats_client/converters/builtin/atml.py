"""Built-in ATML converter (``"atml"``): IEEE 1636.1 TestResults XML.

Reads ``TestResults`` documents (namespace ``urn:IEEE-1636.1:2011:01:TestResults`` with
common types from ``urn:IEEE-1671:2010:Common``; element names are matched without
their namespace, so other schema versions with the same names work too). A file may hold
one ``TestResults`` or several inside a wrapper element; each becomes one report.

Mapping:

- ``UUT/SerialNumber`` → ``sn``; ``UUT/Definition/Identification/IdentificationNumbers/
  IdentificationNumber`` (``type="Part"``, else the first one) ``@number`` → ``pn``
  (fallback ``ModelName``); revision from ``Definition@version`` or an identification
  number of type ``Revision`` (default: the ``revision`` argument, else ``"A"``);
- ``Personnel/SystemOperator@ID`` (or ``@name``) → operator; ``TestStation/SerialNumber``
  → misc info "ATML Test Station";
- ``ResultSet@startDateTime`` → start, ``@endDateTime`` → execution time,
  ``ResultSet/Outcome@value`` → result (Passed/Failed/Errored/Aborted…);
- ``TestResults@uuid`` (when a GUID) → the report ``id``, so converting the same file
  twice replaces the report on the server instead of duplicating it;
- ``TestGroup`` → nested sequence; ``Test`` → step; ``SessionAction`` → action step;
- a Test's ``TestResult/TestData/Datum@value`` (``xsi:type`` double/integer/boolean/
  string) with ``TestLimits/Limits/(LimitPair|SingleLimit|Expected)`` → a numeric,
  pass/fail or string step (several numeric results → one multi-numeric step);
  comparators ``GE/LE/GT/LT/EQ/NE`` (pairs: ``AND`` → ``GELE``/``GTLT``…, ``OR`` →
  ``LTGT``/``LEGE``…); ``Outcome@value`` gives the status as recorded.

Options (``arguments``): ``operation`` / ``process_code`` (the report's operation),
``revision`` (default revision), ``encoding`` (rarely needed: XML declares its own).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any
from collections.abc import Iterator

from pywats_client.converters.base import FileConverter
from pywats_client.converters.builtin._common import parse_time
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["ATMLConverter", "ATMLFormatError", "OUTCOME_STATUS"]

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

#: ATML ``Outcome@value`` → WSJF step status.
OUTCOME_STATUS: dict[str, str] = {
    "passed": "P",
    "failed": "F",
    "aborted": "T",
    "terminated": "T",
    "errored": "E",
    "error": "E",
    "done": "D",
    "skipped": "S",
    "notstarted": "S",
    "notapplicable": "S",
    "userdefined": "D",
    "running": "E",
    "indeterminate": "D",
    "informational": "D",
}
_PAIR_AND = {("GE", "LE"): "GELE", ("GT", "LT"): "GTLT", ("GE", "LT"): "GELT", ("GT", "LE"): "GTLE"}
_PAIR_OR = {("LT", "GT"): "LTGT", ("LE", "GE"): "LEGE", ("LE", "GT"): "LEGT", ("LT", "GE"): "LTGE"}
_SINGLE = {"GE", "LE", "GT", "LT", "EQ", "NE"}


class ATMLFormatError(ValueError):
    """The XML is not a usable ATML TestResults document; the message names the element."""


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: ET.Element | None, *path: str) -> ET.Element | None:
    node = element
    for name in path:
        if node is None:
            return None
        node = next(_children(node, name), None)
    return node


def _descendants(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (node for node in element.iter() if _local(node.tag) == name)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _outcome(element: ET.Element, *names: str) -> str | None:
    for name in names or ("Outcome",):
        node = _child(element, name)
        if node is not None:
            value = (node.get("value") or "").strip()
            if value:
                return OUTCOME_STATUS.get(value.replace(" ", "").casefold(), "D")
    return None


def _label(element: ET.Element) -> str:
    name = element.get("name") or element.get("ID") or ""
    return f"{_local(element.tag)} {name!r}" if name else _local(element.tag)


class _Datum:
    """A decoded ``c:Datum``."""

    __slots__ = ("kind", "value", "unit")

    def __init__(self, kind: str, value: Any, unit: str | None) -> None:
        self.kind = kind  # "num" | "bool" | "str"
        self.value = value
        self.unit = unit


def _datum(node: ET.Element, where: str) -> _Datum:
    xsi = _local((node.get(_XSI_TYPE) or "").split(":")[-1]).casefold()
    raw = node.get("value")
    if raw is None:
        raw = _text(_child(node, "Value")) or _text(node)
    unit = node.get("standardUnit") or node.get("nonStandardUnit") or None
    if xsi in ("boolean", "bool"):
        text = raw.strip().casefold()
        if text not in ("true", "false", "1", "0"):
            raise ATMLFormatError(f"{where}: boolean Datum value {raw!r} is not true/false")
        return _Datum("bool", text in ("true", "1"), unit)
    if xsi == "string":
        return _Datum("str", raw, unit)
    try:
        number = float(raw)
    except ValueError:
        if xsi in ("double", "float", "integer", "int", "long", "short", "unsignedint", "decimal"):
            raise ATMLFormatError(f"{where}: Datum value {raw!r} is not a number ({xsi})") from None
        return _Datum("str", raw, unit)
    if xsi in ("integer", "int", "long", "short", "unsignedint") and number.is_integer():
        return _Datum("num", int(number), unit)
    return _Datum("num", number, unit)


def _limit_value(limit: ET.Element, where: str) -> Any:
    datum = _child(limit, "Datum")
    if datum is None:
        raise ATMLFormatError(f"{where}: limit without a Datum")
    return _datum(datum, where).value


def _limits(result: ET.Element, where: str) -> tuple[str | None, Any, Any]:
    """Return ``(comp_op, low, high)`` from a TestResult's limits (``(None, None, None)`` if none)."""
    limits = _child(result, "TestLimits", "Limits") or _child(result, "TestLimits")
    if limits is None:
        return None, None, None
    pair = next(_descendants(limits, "LimitPair"), None)
    if pair is not None:
        parts = [
            ((lim.get("comparator") or "").upper(), _limit_value(lim, where)) for lim in _children(pair, "Limit")
        ]
        if len(parts) != 2:
            raise ATMLFormatError(f"{where}: LimitPair needs two Limit elements, found {len(parts)}")
        operator = (pair.get("operator") or "AND").upper()
        table = _PAIR_OR if operator == "OR" else _PAIR_AND
        for first, second in (parts, parts[::-1]):
            op = table.get((first[0], second[0]))
            if op is not None:
                return op, first[1], second[1]
        raise ATMLFormatError(
            f"{where}: unsupported LimitPair {operator} {parts[0][0]}/{parts[1][0]}"
        )
    single = next(_descendants(limits, "SingleLimit"), None)
    if single is not None:
        comparator = (single.get("comparator") or "").upper()
        if comparator not in _SINGLE:
            raise ATMLFormatError(f"{where}: unsupported SingleLimit comparator {comparator!r}")
        return comparator, _limit_value(single, where), None
    expected = next(_descendants(limits, "Expected"), None)
    if expected is not None:
        comparator = (expected.get("comparator") or "EQ").upper()
        return comparator, _limit_value(expected, where), None
    return None, None, None


def _seconds(element: ET.Element) -> float | None:
    start, end = element.get("startDateTime"), element.get("endDateTime")
    if not start or not end:
        return None
    try:
        begin, finish = parse_time(start), parse_time(end)
    except ValueError:
        return None
    if begin is None or finish is None:
        return None
    return max(0.0, (finish - begin).total_seconds())


class ATMLConverter(FileConverter):
    """Converts IEEE 1636.1 ATML TestResults XML into UUT reports (one per TestResults)."""

    @property
    def name(self) -> str:
        """Display name."""
        return "ATML Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.xml`` and ``*.atml``."""
        return ["*.xml", "*.atml"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return one report per ``TestResults`` element of ``source``."""
        encoding = context.arguments.get("encoding")
        try:
            if encoding:
                root = ET.fromstring(source.read_text(encoding))
            else:
                root = ET.fromstring(source.read_bytes())
        except ET.ParseError as exc:
            line, column = exc.position
            detail = str(exc).split(":", 1)[0]
            return ConverterResult.failure(
                f"{source.name}: invalid XML at line {line}, column {column + 1}: {detail}"
            )
        documents = [root] if _local(root.tag) == "TestResults" else list(_descendants(root, "TestResults"))
        if not documents:
            return ConverterResult.failure(
                f"{source.name}: no ATML TestResults element (root element is {_local(root.tag)!r})"
            )
        try:
            reports = [self._report(doc, source.name, index, len(documents), context) for index, doc in
                       enumerate(documents, start=1)]
        except ATMLFormatError as exc:
            message = str(exc)
        else:
            return ConverterResult.success(reports if len(reports) > 1 else reports[0])
        return ConverterResult.failure(message)  # outside the except: no exception prefix

    # ----------------------------------------------------------------------------------
    def _report(
        self, doc: ET.Element, fname: str, index: int, count: int, context: ConverterContext
    ) -> dict[str, Any]:
        from pywats.tools import ReportBuilder

        where = f"{fname} TestResults {index}" if count > 1 else fname
        args = context.arguments
        uut = _child(doc, "UUT")
        if uut is None:
            raise ATMLFormatError(f"{where}: no UUT element")
        serial = _text(_child(uut, "SerialNumber"))
        if not serial:
            raise ATMLFormatError(f"{where}: UUT has no SerialNumber")
        definition = _child(uut, "Definition")
        part, revision = self._identification(definition)
        if not part:
            raise ATMLFormatError(
                f"{where}: UUT has no part number (Definition/Identification/IdentificationNumbers/"
                "IdentificationNumber@number or ModelName)"
            )
        operator_node = _child(doc, "Personnel", "SystemOperator")
        operator = None
        if operator_node is not None:
            operator = operator_node.get("ID") or operator_node.get("name") or None
        result_set = _child(doc, "ResultSet")
        if result_set is None:
            raise ATMLFormatError(f"{where}: no ResultSet element")
        start: datetime | None = None
        if result_set.get("startDateTime"):
            try:
                start = parse_time(result_set.get("startDateTime") or "")
            except ValueError:
                start = None
            if start is None:
                raise ATMLFormatError(
                    f"{where}: ResultSet startDateTime {result_set.get('startDateTime')!r} is not a date/time"
                )
        outcome = _outcome(result_set)
        report_id = None
        try:
            report_id = str(uuid.UUID(doc.get("uuid") or ""))
        except ValueError:
            report_id = None
        builder = ReportBuilder(
            report_id=report_id,
            part_number=part,
            serial_number=serial,
            revision=revision or str(args.get("revision") or "A"),
            operator=operator,
            station_name=context.station_name or None,
            location=context.location or None,
            purpose=context.purpose or None,
            start=start,
            result=outcome if outcome in ("P", "F", "E", "T") else None,
            exec_time=_seconds(result_set),
            sequence_name=result_set.get("name") or "MainSequence Callback",
        )
        operation = args.get("operation") or args.get("process_code")
        if operation not in (None, ""):
            code = context.process_code(str(operation))
            builder.set_operation_type(code if code is not None else str(operation))
        station = _text(_child(doc, "TestStation", "SerialNumber"))
        if station:
            builder.add_misc_info("ATML Test Station", station[:100])
        self._walk(result_set, builder, where)
        return builder.to_dict()

    @staticmethod
    def _identification(definition: ET.Element | None) -> tuple[str, str]:
        if definition is None:
            return "", ""
        revision = definition.get("version") or ""
        ident = _child(definition, "Identification")
        part = ""
        if ident is not None:
            numbers = list(_descendants(ident, "IdentificationNumber"))
            for node in numbers:
                kind = (node.get("type") or "").casefold()
                if kind.startswith("rev") and not revision:
                    revision = node.get("number") or ""
                if kind in ("part", "partnumber", "part number") and not part:
                    part = node.get("number") or ""
            if not part:
                for node in numbers:
                    if not (node.get("type") or "").casefold().startswith("rev") and node.get("number"):
                        part = node.get("number") or ""
                        break
            if not part:
                part = _text(_child(ident, "ModelName"))
        return part.strip(), revision.strip()

    def _walk(self, container: ET.Element, target: Any, where: str) -> None:
        for node in container:
            kind = _local(node.tag)
            if kind == "TestGroup":
                status = _outcome(node)
                sequence = target.add_sequence(node.get("name") or node.get("ID") or "TestGroup", status=status)
                self._walk(node, sequence, where)
            elif kind == "Test":
                self._test(node, target, f"{where} {_label(node)}")
            elif kind == "SessionAction":
                status = _outcome(node, "ActionOutcome", "Outcome") or "D"
                target.add_step(
                    name=node.get("name") or node.get("ID") or "SessionAction",
                    value=None,
                    status=status,
                    tot_time=_seconds(node),
                )

    def _test(self, test: ET.Element, target: Any, where: str) -> None:
        name = test.get("name") or test.get("ID") or "Test"
        status = _outcome(test)
        tot_time = _seconds(test)
        results = []
        for result in _children(test, "TestResult"):
            rwhere = f"{where} {_label(result)}"
            datum_node = _child(result, "TestData", "Datum")
            if datum_node is None:
                continue
            datum = _datum(datum_node, rwhere)
            comp_op, low, high = _limits(result, rwhere)
            results.append((result, datum, comp_op, low, high, _outcome(result), rwhere))
        try:
            if not results:
                if status in ("P", "F"):
                    target.add_step(name=name, value=status == "P", status=status, tot_time=tot_time)
                else:
                    target.add_step(name=name, value=None, status=status or "D", tot_time=tot_time)
                return
            if len(results) == 1:
                _result, datum, comp_op, low, high, rstatus, _rw = results[0]
                target.add_step(
                    name=name,
                    value=datum.value,
                    unit=datum.unit if datum.kind == "num" else None,
                    limits=(low, high) if comp_op else None,
                    comp_op=self._comp_op(datum, comp_op),
                    status=status or rstatus,
                    tot_time=tot_time,
                )
                return
            kinds = {r[1].kind for r in results}
            if len(kinds) > 1:
                # mixed kinds cannot share one WSJF step: one sequence with a step per result
                sequence = target.add_sequence(name, status=status)
                for result, datum, comp_op, low, high, rstatus, _rw in results:
                    sequence.add_step(
                        name=result.get("name") or result.get("ID") or name,
                        value=datum.value,
                        unit=datum.unit if datum.kind == "num" else None,
                        limits=(low, high) if comp_op else None,
                        comp_op=self._comp_op(datum, comp_op),
                        status=rstatus,
                    )
                return
            measurements = []
            for position, (result, datum, comp_op, low, high, rstatus, _rw) in enumerate(results, start=1):
                item: dict[str, Any] = {
                    "name": result.get("name") or result.get("ID") or f"{name} {position}",
                    "value": datum.value,
                }
                if datum.kind == "num":
                    if datum.unit:
                        item["unit"] = datum.unit
                    if comp_op:
                        item["limits"] = (low, high)
                if datum.kind == "str" and comp_op:
                    item["limit"] = low
                op = self._comp_op(datum, comp_op)
                if op:
                    item["comp_op"] = op
                if rstatus:
                    item["status"] = rstatus
                measurements.append(item)
            target.add_multi_step(name=name, measurements=measurements, status=status, tot_time=tot_time)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ATMLFormatError):
                raise
            raise ATMLFormatError(f"{where}: {exc}") from exc

    @staticmethod
    def _comp_op(datum: _Datum, comp_op: str | None) -> str | None:
        if comp_op is None:
            return None
        if datum.kind == "str":
            return {"EQ": "CASESENSIT", "NE": "NE"}.get(comp_op, comp_op)
        if datum.kind == "bool":
            return None
        return comp_op
