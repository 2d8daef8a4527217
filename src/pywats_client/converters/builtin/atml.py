"""Built-in ATML converter (``"atml"``): IEEE 1636.1 TestResults as NI TestStand writes them.

Reads the 2007 (``http://www.ieee.org/ATML/2007/TestResults``), 2011
(``urn:IEEE-1636.1:2011:01:TestResults``) and 2013 namespaces (element names are matched
without their namespace), one ``TestResults`` per file or several in a
``TestResultsCollection`` (a TestStand batch report: one report per socket). The file is
parsed incrementally; finished steps are dropped from the XML tree as they are mapped.

The mapping (what goes where, what is dropped, the comparator table and the parameters) is
described in ``docs/converters-teststand.md``.
"""

from __future__ import annotations

import math
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any, ClassVar

from pywats_client.converters.builtin._teststand import (
    NUMERIC_COMP,
    TestStandFileConverter,
    STRING_COMP,
    XMLFormatError,
    apply_wats_uut,
    group_letter,
    iso,
    iter_elements,
    local_name,
    parse_float,
    parse_iso,
    split_sequence,
    status_letter,
    step_dict,
)
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import (
    STANDARD_PARAMETERS,
    ParameterSpec,
    StandardParameters,
    apply_header_defaults,
)
from pywats_client.converters.source import ConverterSource

__all__ = ["DEFAULT_REVISION", "ROOT_STEP_NAME", "ATMLConverter", "ATMLFormatError"]

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: Revision used when neither the file nor the ``revision`` parameter gives one.
DEFAULT_REVISION = "A"
#: Name of the root step when the file does not name the process-model step.
ROOT_STEP_NAME = "MainSequence Callback"
_STEP_NAME_RE = re.compile(r"SequenceCallStepName\s*=\s*'(.*)'")
_INTEGER_TYPES = ("integer", "int", "long", "short", "unsignedint", "ts_i32", "ts_i64", "ts_ui32", "ts_ui64")
_STEP_ELEMENTS = ("Test", "SessionAction")
_CONTAINERS = ("TestGroup", "ResultSet")

ATMLFormatError = XMLFormatError


# --------------------------------------------------------------------------------------
# small element helpers (the elements handed to them are finished and small)
def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local_name(child.tag) == name]


def _child(element: ET.Element | None, *path: str) -> ET.Element | None:
    node = element
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if local_name(c.tag) == name), None)
    return node


def _find(element: ET.Element, name: str) -> ET.Element | None:
    return next((n for n in element.iter() if local_name(n.tag) == name), None)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _value_attr(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    value = element.get("value")
    return value if value is not None else (_text(element) or None)


def _ts_props(element: ET.Element) -> ET.Element | None:
    """The TestStand ``TSStepProperties`` of a step (in ``Extension``)."""
    ext = _child(element, "Extension")
    return _child(ext, "TSStepProperties") if ext is not None else None


def _outcome(element: ET.Element, *names: str) -> str | None:
    for name in names or ("Outcome",):
        node = _child(element, name)
        if node is not None:
            letter = status_letter(node.get("value"), node.get("qualifier"))
            if letter is not None:
                return letter
    return None


def _time(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _kind(datum: ET.Element) -> str:
    """Lower-case type of a ``Datum`` (``double``, ``ts_string`` → ``string``…)."""
    raw = local_name((datum.get(_XSI_TYPE) or "").split(":")[-1]).casefold()
    return raw[3:] if raw.startswith("ts_") and raw[3:] in ("string", "double", "boolean", "number") else raw


class _Datum:
    """A decoded ``c:Datum``: ``kind`` is ``num``, ``bool`` or ``str``."""

    __slots__ = ("kind", "unit", "value")

    def __init__(self, kind: str, value: Any, unit: str | None) -> None:
        self.kind = kind
        self.value = value
        self.unit = unit


def _datum(node: ET.Element, where: str) -> _Datum:
    kind = _kind(node)
    raw = node.get("value")
    if raw is None:
        value_node = _child(node, "Value")
        raw = (value_node.text or "") if value_node is not None else (node.text or "")
    unit = node.get("nonStandardUnit") or node.get("standardUnit") or None
    if kind in ("boolean", "bool"):
        text = raw.strip().casefold()
        if text not in ("true", "false", "1", "0"):
            raise XMLFormatError(f"{where}: boolean Datum value {raw!r} is not true/false")
        return _Datum("bool", text in ("true", "1"), unit)
    if kind == "string":
        return _Datum("str", raw, unit)  # a TS_string that looks like a number stays a string
    number = parse_float(raw)
    if number is None and "," in raw and "." not in raw and kind != "":
        number = parse_float(raw.replace(",", "."))  # TestStand's "localized decimal point" option
    if number is None and not raw.strip() and kind in ("double", "float", "number", "decimal", *_INTEGER_TYPES):
        return _Datum("num", math.nan, unit)  # a number TestStand did not measure
    if number is None:
        if kind in ("double", "float", "number", "decimal", *_INTEGER_TYPES):
            raise XMLFormatError(f"{where}: Datum value {raw!r} is not a number ({kind})")
        return _Datum("str", raw, unit)
    if kind in _INTEGER_TYPES and math.isfinite(number) and number.is_integer():
        return _Datum("num", int(number), unit)
    return _Datum("num", number, unit)


class _Limits:
    """Limits of one ``TestResult`` mapped to WSJF (``op`` ``None``: no limits given)."""

    __slots__ = ("high", "low", "op", "text")

    def __init__(self, op: str | None = None, low: Any = None, high: Any = None, text: str | None = None) -> None:
        self.op = op
        self.low = low
        self.high = high
        self.text = text


_PAIR_AND = {("GE", "LE"): "GELE", ("GT", "LT"): "GTLT", ("GE", "LT"): "GELT", ("GT", "LE"): "GTLE"}
_PAIR_OR = {("LT", "GT"): "LTGT", ("LE", "GE"): "LEGE", ("LE", "GT"): "LEGT", ("LT", "GE"): "LTGE"}


def _limit_datum(limit: ET.Element, where: str) -> _Datum | None:
    node = _child(limit, "Datum")
    return _datum(node, where) if node is not None else None


def _threshold_bounds(props: ET.Element | None) -> tuple[float, float] | None:
    """Real bounds of a nominal ± tolerance limit from ``TSLimitProperties``.

    ``ThresholdLow``/``ThresholdHigh`` hold the bounds themselves; otherwise
    ``ThresholdType`` (PERCENTAGE, PPM, DELTA) with ``RawLimits`` Nominal/Low/High gives
    them: nominal − low … nominal + high (low/high scaled by |nominal|/100 or /1e6).
    """
    if props is None:
        return None
    t_low = parse_float(_value_attr(_child(props, "ThresholdLow")))
    t_high = parse_float(_value_attr(_child(props, "ThresholdHigh")))
    if t_low is not None and t_high is not None:
        return t_low, t_high
    kind = _text(_child(props, "ThresholdType")).casefold()
    raw = _child(props, "RawLimits")
    if not kind or raw is None:
        return None
    nominal = parse_float(_value_attr(_child(raw, "Nominal")))
    low = parse_float(_value_attr(_child(raw, "Low")))
    high = parse_float(_value_attr(_child(raw, "High")))
    if nominal is None or low is None or high is None:
        return None
    if kind.startswith("percent"):
        scale = abs(nominal) / 100.0
    elif kind == "ppm":
        scale = abs(nominal) / 1e6
    elif kind == "delta":
        scale = 1.0
    else:
        return None
    return nominal - low * scale, nominal + high * scale


def _string_limit(limit: ET.Element, default: str, where: str, warn: list[str]) -> _Limits:
    """A string comparison (``Expected`` or ``SingleLimit``) as WSJF string operator and limit."""
    comparator = (limit.get("comparator") or default).upper()
    op = STRING_COMP.get(comparator)
    if op is None:
        warn.append(f"{where}: string comparator {comparator!r} has no WSJF operator; logged (LOG)")
        return _Limits("LOG")
    datum = _limit_datum(limit, where)
    return _Limits(op, text="" if datum is None else str(datum.value))


def _limits(result: ET.Element, is_string: bool, where: str, warn: list[str]) -> _Limits:
    limits = _child(result, "TestLimits", "Limits")
    if limits is None:
        return _Limits()
    props = _child(limits, "Extension", "TSLimitProperties")
    if props is None:
        props = _child(result, "Extension", "TSLimitProperties")
    if props is not None and (_value_attr(_child(props, "IsComparisonTypeLog")) or "").casefold() == "true":
        return _Limits("LOG")
    bounds = _threshold_bounds(props)
    pair = _child(limits, "LimitPair")
    if pair is not None:
        parts = []
        for lim in _children(pair, "Limit"):
            datum = _limit_datum(lim, where)
            parts.append(((lim.get("comparator") or "").upper(), datum.value if datum else None))
        operator = (pair.get("operator") or "AND").upper()
        table = _PAIR_OR if operator == "OR" else _PAIR_AND
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in parts)
        if len(parts) == 2 and (numeric or bounds is not None) and not is_string:
            for first, second in (parts, parts[::-1]):
                op = table.get((first[0], second[0]))
                if op is not None:
                    if bounds is not None:
                        return _Limits(op, bounds[0], bounds[1])
                    return _Limits(op, first[1], second[1])
        warn.append(f"{where}: LimitPair {operator} {'/'.join(p[0] for p in parts)} has no WSJF operator; logged (LOG)")
        return _Limits("LOG")
    single = _child(limits, "SingleLimit")
    if single is not None and is_string:
        return _string_limit(single, "", where, warn)
    if single is not None:
        comparator = (single.get("comparator") or "").upper()
        datum = _limit_datum(single, where)
        op = NUMERIC_COMP.get(comparator)
        if op is None or datum is None or datum.kind != "num":
            warn.append(f"{where}: SingleLimit comparator {comparator!r} has no WSJF operator; logged (LOG)")
            return _Limits("LOG")
        return _Limits(op, datum.value)
    expected = _child(limits, "Expected")
    if expected is not None and is_string:
        return _string_limit(expected, "EQ", where, warn)
    if expected is not None:
        comparator = (expected.get("comparator") or "EQ").upper()
        datum = _limit_datum(expected, where)
        if bounds is not None:
            return _Limits("GELE", bounds[0], bounds[1])
        op = NUMERIC_COMP.get(comparator)
        if op is None or datum is None or datum.kind != "num":
            warn.append(f"{where}: Expected comparator {comparator!r} has no WSJF operator; logged (LOG)")
            return _Limits("LOG")
        return _Limits(op, datum.value)
    return _Limits()


def _type_word(kind: str) -> str:
    if kind in ("boolean", "bool"):
        return "Boolean"
    if kind == "string":
        return "String"
    return "Number"


def _array(name: str, array: ET.Element) -> dict[str, Any]:
    """A ``c:IndexedArray`` as a WSJF additional-data array property."""
    kind = _kind(array)
    base = kind.removesuffix("array").removeprefix("ts_")
    indexes = []
    dims = 1
    for element in _children(array, "Element"):
        position = element.get("position") or ""
        numbers = [int(p) for p in re.findall(r"-?\d+", position)]
        dims = max(dims, len(numbers))
        raw = element.get("value")
        if raw is None:
            raw = _text(_child(element, "Value"))
        indexes.append({"text": position, "indexes": numbers,
                        "value": {"name": position, "type": _type_word(base), "value": raw}})
    return {"name": name, "type": "Array", "array": {"dimension": dims, "type": _type_word(base), "indexes": indexes}}


def _prop(name: str, holder: ET.Element) -> dict[str, Any]:
    """One WSJF additional-data property from an element holding a ``Datum``, a
    ``Collection`` or an ``IndexedArray``."""
    datum = _child(holder, "Datum")
    if datum is not None:
        raw = datum.get("value")
        if raw is None:
            value_node = _child(datum, "Value")
            raw = (value_node.text or "") if value_node is not None else ""
        return {"name": name, "type": _type_word(_kind(datum)), "value": raw}
    collection = _child(holder, "Collection")
    if collection is not None:
        return {"name": name, "type": "Obj", "props": _props_of(collection)}
    array = _child(holder, "IndexedArray")
    if array is not None:
        return _array(name, array)
    return {"name": name, "type": "String", "value": " ".join(t.strip() for t in holder.itertext() if t.strip())}


def _props_of(collection: ET.Element) -> list[dict[str, Any]]:
    """WSJF additional-data properties of a ``Collection``'s items."""
    return [_prop(item.get("name") or "", item) for item in _children(collection, "Item")]


_INDEXED = re.compile(r".*\[\d+\]$")
_WATS_UUT_KEYS = frozenset({"UUTPartNumber", "UUTPartRevisionNumber", "UUTOperationType", "UUT_Fixture_ID", "MiscUUTResult"})


def _plain_collection(collection: ET.Element) -> Any:
    """A ``Collection`` as plain data (dict by item name; a list when every item is
    named ``X[n]``, as TestStand writes array elements)."""
    items = _children(collection, "Item")
    if items and all(_INDEXED.match(item.get("name") or "") for item in items):
        return [_plain_item(item) for item in items]
    return {item.get("name") or "": _plain_item(item) for item in items}


def _plain_item(item: ET.Element) -> Any:
    datum = _child(item, "Datum")
    if datum is not None:
        try:
            return _datum(datum, item.get("name") or "").value
        except XMLFormatError:
            return None
    collection = _child(item, "Collection")
    return _plain_collection(collection) if collection is not None else None


def _apply_error(step: dict[str, Any], error: Any) -> None:
    """TestStand's step error (``Code``, ``Msg``, ``Occurred``) → ``errorCode``/``errorMessage``."""
    if not isinstance(error, dict):
        return
    code, message, occurred = error.get("Code"), error.get("Msg"), error.get("Occurred")
    if occurred is False or (occurred is None and not code and not message):
        return
    if isinstance(code, (int, float)) and not isinstance(code, bool) and math.isfinite(code):
        step["errorCode"] = int(code)
    if isinstance(message, str) and message.strip():
        step["errorMessage"] = message


def _wats_uut_fields(uut: ET.Element) -> dict[str, Any] | None:
    """The WATS add-on's UUT container, when the file carries one under ``UUT``."""
    for collection in uut.iter():
        if local_name(collection.tag) == "Collection" and any(
            (item.get("name") or "") in _WATS_UUT_KEYS for item in _children(collection, "Item")
        ):
            fields = _plain_collection(collection)
            return fields if isinstance(fields, dict) else None
    return None


def _additional(name: str, data: ET.Element) -> dict[str, Any] | None:
    """A TestStand additional result (``TestData`` or a ``Data`` item) as WSJF
    ``additionalResults`` entry; ``None`` when it holds nothing."""
    collection = _child(data, "Collection")
    if collection is not None:
        props = _props_of(collection)
        return {"name": name, "props": props} if props else None
    if len(data) == 0 and not (data.text or "").strip():
        return None
    return {"name": name, "props": [_prop(name, data)]}


def _meas_status(step_status: str | None, result_status: str | None) -> str | None:
    for letter in (result_status, step_status):
        if letter in ("P", "F", "S"):
            return letter
    return None  # evaluated from the limits when the report is validated


# --------------------------------------------------------------------------------------
class _Container:
    """A sequence (``ResultSet`` or ``TestGroup``) whose steps are being collected."""

    __slots__ = ("element", "steps")

    def __init__(self, element: ET.Element) -> None:
        self.element = element
        self.steps: list[dict[str, Any]] = []


class _Document:
    """State of one ``TestResults`` element while it is read."""

    __slots__ = ("by_id", "containers", "props", "root")

    def __init__(self) -> None:
        self.containers: list[_Container] = []
        #: steps by their ATML ``ID`` (for TestStand's critical failure stack)
        self.by_id: dict[str, dict[str, Any]] = {}
        self.root: dict[str, Any] | None = None
        self.props: ET.Element | None = None


class ATMLConverter(TestStandFileConverter):
    """Converts TestStand's ATML TestResults (IEEE 1636.1) into UUT reports (one per UUT)."""

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = tuple(
        spec for spec in STANDARD_PARAMETERS
        if spec.name in ("part_number", "revision", "operation_type", "operator", "station",
                         "location", "purpose", "sequence_name", "sequence_version")
    )

    @property
    def name(self) -> str:
        """Display name."""
        return "ATML Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.xml`` and ``*.atml``."""
        return ["*.xml", "*.atml"]


    # ----------------------------------------------------------------------------------
    def _read(
        self,
        source: ConverterSource,
        context: ConverterContext,
        params: StandardParameters,
        operation: int,
        warn: list[str],
    ) -> list[dict[str, Any]]:
        fname = source.name
        reports: list[dict[str, Any]] = []
        batch: dict[str, str] = {}
        doc: _Document | None = None
        count = 0

        def accept(root: ET.Element) -> bool:
            return local_name(root.tag) in ("TestResults", "TestResultsCollection")

        with open(source.path, "rb") as stream:
            for event, element, stack in iter_elements(
                stream, fname, accept, "an ATML TestResults document (IEEE 1636.1)"
            ):
                name = local_name(element.tag)
                if event == "start":
                    if name == "TestResults":
                        doc = _Document()
                        count += 1
                    elif doc is not None and name in _CONTAINERS and self._is_step_level(stack[:-1]):
                        doc.containers.append(_Container(element))
                    continue
                # ---- end events
                parent = stack[-1] if stack else None
                where = f"{fname} TestResults {count}" if count > 1 else fname
                if name == "TSBatchTable":
                    for key in ("batchSerialNumber", "operator", "stationID"):
                        if element.get(key):
                            batch[key] = element.get(key) or ""
                    if parent is not None:
                        parent.remove(element)
                    continue
                if doc is None:
                    continue
                if name in _STEP_ELEMENTS and doc.containers and parent is doc.containers[-1].element:
                    step = self._step(element, f"{where} {_label(element)}", warn)
                    doc.containers[-1].steps.append(step)
                    if element.get("ID"):
                        doc.by_id[element.get("ID") or ""] = step
                    parent.remove(element)
                elif name == "TestGroup" and doc.containers and doc.containers[-1].element is element:
                    container = doc.containers.pop()
                    step = self._sequence(element, container.steps, f"{where} {_label(element)}", warn)
                    if element.get("ID"):
                        doc.by_id.setdefault(element.get("ID") or "", step)
                    if doc.containers:
                        doc.containers[-1].steps.append(step)
                    else:  # a TestGroup outside any ResultSet: treat as the root
                        doc.root = step
                    if parent is not None:
                        parent.remove(element)
                elif name == "ResultSet" and doc.containers and doc.containers[-1].element is element:
                    container = doc.containers.pop()
                    doc.root = self._root(element, container.steps, where, warn)
                    for child in list(element):
                        if local_name(child.tag) not in ("Outcome", "Extension"):
                            element.remove(child)
                elif name in ("TestProgram", "TestDescription") and parent is not None:
                    parent.remove(element)  # configuration dumps: not report data
                elif name == "TSResultSetProperties":
                    doc.props = element
                elif name == "TestResults":
                    reports.append(self._report(element, doc, batch, where, context, params, operation))
                    doc = None
                    if parent is not None:
                        parent.remove(element)
                    else:
                        element.clear()
        if not reports:
            raise XMLFormatError(f"{fname}: the ATML document holds no TestResults element")
        return reports

    @staticmethod
    def _is_step_level(stack: list[ET.Element]) -> bool:
        """True when the parent on ``stack`` is a ``TestResults`` or a sequence."""
        return bool(stack) and local_name(stack[-1].tag) in ("TestResults", "ResultSet", "TestGroup")

    # ----------------------------------------------------------------------------------
    def _common(self, element: ET.Element, default_type: str, status: str | None) -> dict[str, Any]:
        props = _ts_props(element)
        step_type = _text(_child(props, "StepType")) if props is not None else ""
        group = group_letter(_text(_child(props, "StepGroup")) if props is not None else "")
        step = step_dict(element.get("name") or element.get("ID") or default_type, step_type or default_type,
                         status, group)
        start = _time(element.get("startDateTime"))
        if start is not None:
            step["start"] = iso(start)
        total = parse_float(_value_attr(_child(props, "TotalTime"))) if props is not None else None
        if total is None and start is not None:
            end = _time(element.get("endDateTime"))
            if end is not None:
                total = max(0.0, (end - start).total_seconds())
        if total is not None and math.isfinite(total):
            step["totTime"] = total
        guid = element.get("testReferenceID") or (_text(_child(props, "StepId")) if props is not None else "")
        if guid:
            step["tsGuid"] = guid
        if props is not None:
            if (_value_attr(_child(props, "StepCausedSequenceFailure")) or "").casefold() == "true":
                step["causedSeqFailure"] = True
            code = parse_float(_value_attr(_child(props, "ErrorCode")))
            message = _value_attr(_child(props, "ErrorMessage"))
            if code is not None or message:
                _apply_error(step, {"Code": code, "Msg": message})
            loop = _child(props, "LoopingProperties")
            if loop is not None:
                info: dict[str, int] = {}
                for key, tag in (("idx", "LoopIndex"), ("num", "NumLoops"), ("passed", "NumPassed"),
                                 ("failed", "NumFailed"), ("endingIndex", "EndingLoopIndex")):
                    number = parse_float(_value_attr(_child(loop, tag)))
                    if number is not None and math.isfinite(number):
                        info[key] = int(number)
                if info:
                    step["loop"] = info
        return step

    @staticmethod
    def _data_items(element: ET.Element) -> dict[str, ET.Element]:
        """``Data/Collection/Item`` of a step, by name."""
        collection = _child(element, "Data", "Collection")
        if collection is None:
            return {}
        return {item.get("name") or "": item for item in _children(collection, "Item")}

    def _apply_data(self, step: dict[str, Any], element: ET.Element, where: str) -> None:
        """``ReportText``, message popup and exit code from a step's ``Data`` collection."""
        for key, item in self._data_items(element).items():
            datum = _child(item, "Datum")
            if key == "Error" and datum is None and _child(item, "Collection") is not None:
                _apply_error(step, _plain_item(item))
                continue
            if datum is None:
                entry = _additional(key, item)
                if entry is not None:
                    step.setdefault("additionalResults", []).append(entry)
                continue
            value = _datum(datum, f"{where} Data {key!r}").value
            if key == "ReportText":
                if str(value).strip():
                    step["reportText"] = str(value)
            elif key == "ExitCode" and isinstance(value, (int, float)):
                step["callExe"] = {"exitCode": value}
            elif key == "Response":
                step.setdefault("messagePopup", {})["response"] = str(value)
            elif key == "ButtonHit" and isinstance(value, (int, float)) and math.isfinite(value):
                step.setdefault("messagePopup", {})["button"] = int(value)
            elif key == "SeqFileVersion":
                if str(value).strip():
                    step.setdefault("seqCall", {})["version"] = str(value)
            else:
                step.setdefault("additionalResults", []).append({"name": key, "props": [_prop(key, item)]})

    def _step(self, element: ET.Element, where: str, warn: list[str]) -> dict[str, Any]:
        kind = local_name(element.tag)
        if kind == "SessionAction":
            action_status = _outcome(element, "ActionOutcome", "Outcome") or "D"
            step = self._common(element, "Action", action_status)
            self._apply_data(step, element, where)
            return step
        status = _outcome(element)
        step = self._common(element, "Test", status)
        self._apply_data(step, element, where)
        caller = _STEP_NAME_RE.search(element.get("userDefinedType") or "")
        if caller and not element.get("name"):
            step["name"] = caller.group(1)[:100]
        self._measurements(step, _children(element, "TestResult"), status, where, warn,
                           pass_fail="SequenceCall" not in step["stepType"])
        if step["stepType"] == "Test":  # no ts:StepType: WATS' generic types by what was measured
            if "numericMeas" in step:
                step["stepType"] = "ET_MNLT" if len(step["numericMeas"]) > 1 else "ET_NLT"
            elif "stringMeas" in step:
                step["stepType"] = "ET_MSVT" if len(step["stringMeas"]) > 1 else "ET_SVT"
            elif "booleanMeas" in step:
                step["stepType"] = "ET_MPFT" if len(step["booleanMeas"]) > 1 else "ET_PFT"
        return step

    def _measurements(
        self,
        step: dict[str, Any],
        results: list[ET.Element],
        status: str | None,
        where: str,
        warn: list[str],
        *,
        pass_fail: bool,
    ) -> None:
        """Map a step's ``TestResult`` elements.

        Results with ``TestLimits`` are the step's measurements (when none has limits,
        every scalar result is); the other results are TestStand *additional results*
        and go to ``additionalResults``. ``ReportText`` results become the report text;
        WATS' multiple pass/fail and string steps (``Measurement`` collections) become
        measurement lists. ``pass_fail``: a P/F step without any measured value gets a
        pass/fail measurement (TestStand leaves the PassFail value out of ATML).
        """
        scalars: list[tuple[ET.Element, _Datum]] = []
        extra: list[dict[str, Any]] = []
        texts: list[str] = []
        for result in results:
            rname = result.get("name") or result.get("ID") or ""
            data = _child(result, "TestData")
            if data is None:
                continue
            datum_node = _child(data, "Datum")
            if datum_node is None:
                collection = _child(data, "Collection")
                if collection is not None and self._wats_multi(step, collection, status, where):
                    continue
                entry = _additional(rname, data)
                if entry is not None:
                    extra.append(entry)
                continue
            datum = _datum(datum_node, f"{where} TestResult {rname!r}")
            if rname == "ReportText" and datum.kind == "str":
                if datum.value.strip():
                    texts.append(datum.value)
                continue
            scalars.append((result, datum))
        if texts:
            step["reportText"] = "\n".join([step["reportText"], *texts] if step.get("reportText") else texts)
        limited = [(r, d) for r, d in scalars if _child(r, "TestLimits") is not None]
        measured = limited or scalars
        if measured:
            kind = measured[0][1].kind
            chosen = [(r, d) for r, d in measured if d.kind == kind]
            for result, datum in scalars:
                if not any(result is r for r, _ in chosen):
                    rname = result.get("name") or result.get("ID") or ""
                    data = _child(result, "TestData")
                    if data is not None:
                        extra.append({"name": rname, "props": [_prop(rname, data)]})
            self._measured(step, chosen, status, where, warn)
        elif pass_fail and status in ("P", "F") and not any(
            key in step for key in ("numericMeas", "stringMeas", "booleanMeas")
        ):
            step["booleanMeas"] = [{"status": status}]
        if extra:
            step.setdefault("additionalResults", []).extend(extra)

    def _measured(
        self, step: dict[str, Any], chosen: list[tuple[ET.Element, _Datum]], status: str | None, where: str,
        warn: list[str],
    ) -> None:
        kind = chosen[0][1].kind
        multi = len(chosen) > 1
        items: list[dict[str, Any]] = []
        for index, (result, datum) in enumerate(chosen):
            rname = result.get("name") or result.get("ID") or ""
            rstatus = _outcome(result)
            lim = _limits(result, datum.kind == "str", f"{where} TestResult {rname!r}", warn)
            item: dict[str, Any] = {}
            if multi:
                item["name"] = (rname or f"Measurement {index}")[:100]
            mstatus = _meas_status(status if not multi else None, rstatus)
            if multi and mstatus is None and status == "S":
                mstatus = "S"
            if datum.kind == "num":
                item["value"] = datum.value
                item["compOp"] = lim.op or "LOG"
                if lim.low is not None and item["compOp"] != "LOG":
                    item["lowLimit"] = lim.low
                if lim.high is not None and item["compOp"] != "LOG":
                    item["highLimit"] = lim.high
                if datum.unit:
                    item["unit"] = datum.unit
            elif datum.kind == "str":
                item["value"] = datum.value
                item["compOp"] = lim.op or "LOG"
                if lim.text is not None and item["compOp"] != "LOG":
                    item["limit"] = lim.text
            elif mstatus is None:
                mstatus = "P" if datum.value else "F"
            if mstatus is not None:
                item["status"] = mstatus
            items.append(item)
        key = {"num": "numericMeas", "str": "stringMeas", "bool": "booleanMeas"}[kind]
        step[key] = items

    @staticmethod
    def _wats_multi(step: dict[str, Any], collection: ET.Element, status: str | None, where: str) -> bool:
        """WATS' multiple pass/fail and string value steps (``ET_MPFT``/``ET_MSVT``) log a
        ``Measurement`` collection of ``Measurement[n]`` items (MeasName, Status, and
        PassFail or StringData/StringLimit/Comp). Map them; ``False`` if it is not one."""
        entries = []
        for item in _children(collection, "Item"):
            inner = _child(item, "Collection")
            if inner is None or not (item.get("name") or "").startswith("Measurement["):
                return False
            fields: dict[str, Any] = {}
            for field in _children(inner, "Item"):
                datum = _child(field, "Datum")
                if datum is not None:
                    fields[field.get("name") or ""] = _datum(datum, f"{where} {item.get('name')}").value
            if "MeasName" not in fields or "Status" not in fields:
                return False
            entries.append(fields)
        if not entries:
            return False
        strings = [e for e in entries if "StringData" in e]
        if strings and len(strings) == len(entries):
            meas = []
            for e in entries:
                op = STRING_COMP.get(str(e.get("Comp") or "LOG").replace(" ", "").upper())
                if op is None:  # WATS' own words
                    op = {"EQUAL": "CASESENSIT", "NOTEQUAL": "NE"}.get(str(e.get("Comp")).replace(" ", "").upper(), "LOG")
                m: dict[str, Any] = {"name": str(e["MeasName"])[:100], "value": str(e["StringData"]), "compOp": op}
                if op != "LOG":
                    m["limit"] = str(e.get("StringLimit") or "")
                letter = status_letter(str(e["Status"]))
                if letter in ("P", "F", "S"):
                    m["status"] = letter
                meas.append(m)
            step["stringMeas"] = meas
            return True
        if all("PassFail" in e or "StringData" not in e for e in entries):
            boolean = []
            for e in entries:
                letter = status_letter(str(e["Status"]))
                if letter not in ("P", "F", "S"):
                    letter = "P" if e.get("PassFail") is True else "F" if e.get("PassFail") is False else None
                if letter is None:
                    return False
                boolean.append({"name": str(e["MeasName"])[:100], "status": letter})
            step["booleanMeas"] = boolean
            return True
        return False

    def _sequence(
        self, element: ET.Element, steps: list[dict[str, Any]], where: str, warn: list[str]
    ) -> dict[str, Any]:
        status = _outcome(element)
        step = self._common(element, "SequenceCall", status)
        path, file_name, sequence = split_sequence(element.get("name"))
        caller = element.get("callerName")
        if not caller:
            match = _STEP_NAME_RE.search(element.get("userDefinedType") or "")
            caller = match.group(1) if match else ""
        step["name"] = (caller or sequence or file_name or "Sequence")[:100]
        call: dict[str, Any] = {}
        if path:
            call["path"] = path
        if file_name:
            call["name"] = file_name
        version = None
        own: list[ET.Element] = []
        for result in _children(element, "TestResult"):
            if (result.get("name") or result.get("ID")) == "SeqFileVersion":
                datum = _find(result, "Datum")
                if datum is not None:
                    version = _datum(datum, where).value
            else:
                own.append(result)
        if version not in (None, ""):
            call["version"] = str(version)
        if call:
            step["seqCall"] = call
        self._apply_data(step, element, where)
        # a test step that calls a sequence (Sequence adapter, post action) keeps its own
        # measurements next to the called steps
        self._measurements(step, own, status, where, warn, pass_fail=False)
        step["steps"] = steps
        return step

    def _root(
        self, result_set: ET.Element, steps: list[dict[str, Any]], where: str, warn: list[str]
    ) -> dict[str, Any]:
        name = (result_set.get("name") or "").strip()
        if len(steps) == 1 and "steps" in steps[0] and "#" not in name:
            # ATML 2.02: the ResultSet names the sequence file, its one TestGroup
            # ("File.seq#MainSequence") is the process model's MainSequence call
            path = str(steps[0].get("seqCall", {}).get("path", ""))
            if not name or path.casefold() == name.casefold():
                return steps[0]
        root = self._sequence(result_set, steps, where, warn)
        if not result_set.get("callerName"):
            root["name"] = ROOT_STEP_NAME
        if "SeqCall" not in root["stepType"] and "SequenceCall" not in root["stepType"]:
            root["stepType"] = "SequenceCall"
        return root

    # ----------------------------------------------------------------------------------
    def _report(
        self,
        doc_element: ET.Element,
        doc: _Document,
        batch: dict[str, str],
        where: str,
        context: ConverterContext,
        params: StandardParameters,
        operation: int,
    ) -> dict[str, Any]:
        uut = _child(doc_element, "UUT")
        if uut is None:
            raise XMLFormatError(f"{where}: no UUT element")
        serial = _text(_child(uut, "SerialNumber"))
        if not serial:
            raise XMLFormatError(f"{where}: UUT has no SerialNumber")
        part, revision = _identification(_child(uut, "Definition"))
        result_set = _child(doc_element, "ResultSet")
        if result_set is None or doc.root is None:
            raise XMLFormatError(f"{where}: no ResultSet element")
        report: dict[str, Any] = {"type": "T", "sn": serial, "processCode": operation}
        if part:
            report["pn"] = part
        if revision:
            report["rev"] = revision
        wats = _wats_uut_fields(uut)
        if wats is not None:
            apply_wats_uut(report, wats)
        try:
            report["id"] = str(uuid.UUID(doc_element.get("uuid") or ""))
        except ValueError:
            pass
        start = _time(result_set.get("startDateTime"))
        if start is not None:
            report["start"] = iso(start)
        elif (result_set.get("startDateTime") or "").strip():
            raise XMLFormatError(
                f"{where}: ResultSet startDateTime {result_set.get('startDateTime')!r} is not an ISO 8601 date-time"
            )
        outcome = _outcome(result_set)
        if outcome in ("P", "F", "E", "T"):
            report["result"] = outcome
        elif outcome in ("D", "S"):
            report["result"] = "P"
        if not report.get("pn") and not params.part_number:
            raise XMLFormatError(
                f"{where}: the file names no part number (UUT/Definition/Identification); "
                "set the converter parameter 'part_number'"
            )
        station = _text(_child(doc_element, "TestStation", "SerialNumber")) or batch.get("stationID", "")
        if station:
            report["machineName"] = station[:100]
        uut_info: dict[str, Any] = report.setdefault("uut", {})
        operator = _child(doc_element, "Personnel", "SystemOperator")
        user = (operator.get("ID") or operator.get("name") or "") if operator is not None else ""
        user = user or batch.get("operator", "")
        if user:
            uut_info["user"] = user
        total = None
        rs_props = _ts_props(result_set)
        if rs_props is not None:
            total = parse_float(_value_attr(_child(rs_props, "TotalTime")))
        if total is None and start is not None:
            end = _time(result_set.get("endDateTime"))
            if end is not None:
                total = max(0.0, (end - start).total_seconds())
        if total is not None and math.isfinite(total):
            uut_info["execTime"] = total
        props = doc.props
        if props is not None:
            socket = parse_float(_value_attr(_child(props, "TestSocketIndex")))
            if socket is not None and math.isfinite(socket) and socket >= 0:
                uut_info["testSocketIndex"] = int(socket)
            batch_sn = _value_attr(_child(props, "BatchSerialNumber"))
            if batch_sn and batch_sn.strip():
                uut_info["batchSN"] = batch_sn.strip()
            # the step whose failure failed the UUT (TestStand's critical failure stack)
            for entry in props.iter():
                if local_name(entry.tag) == "CriticalFailureStackEntry":
                    failed = doc.by_id.get(entry.get("resultID") or "")
                    if failed is not None:
                        failed["causedUUTFailure"] = True
        if "batchSN" not in uut_info and batch.get("batchSerialNumber"):
            uut_info["batchSN"] = batch["batchSerialNumber"]
        root = doc.root
        call = root.setdefault("seqCall", {})
        if params.sequence_version and not call.get("version"):
            call["version"] = params.sequence_version
        if not call:
            del root["seqCall"]
        for key in ("errorCode", "errorMessage"):  # the MainSequence's error is the UUT's error
            if key in root:
                report["uut"].setdefault(key, root[key])
        report["root"] = root
        apply_header_defaults(report, params, context)
        if not report.get("rev"):
            report["rev"] = DEFAULT_REVISION
        return report


def _label(element: ET.Element) -> str:
    name = element.get("name") or element.get("ID") or ""
    return f"{local_name(element.tag)} {name!r}" if name else local_name(element.tag)


def _identification(definition: ET.Element | None) -> tuple[str, str]:
    """``(part number, revision)`` from ``UUT/Definition`` (empty strings when absent)."""
    if definition is None:
        return "", ""
    revision = definition.get("version") or ""
    ident = _child(definition, "Identification")
    part = ""
    if ident is not None:
        numbers = [n for n in ident.iter() if local_name(n.tag) == "IdentificationNumber"]
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
            model = _text(_child(ident, "ModelName"))
            if model.casefold() not in ("", "unknown"):
                part = model
    return part.strip(), revision.strip()
