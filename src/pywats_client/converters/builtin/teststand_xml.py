"""Built-in converter ``"teststand-xml"``: NI TestStand's own XML report.

TestStand's XML report (``<Reports>`` with one ``<Report>`` per UUT) stores the UUT, the
station, the start date/time and the result tree as ``<Prop Name Type Flags>`` elements:
each step result is a ``Prop Type='TEResult'`` with ``Status``, ``ReportText``, ``Error``,
the measurement props (``Numeric``/``Limits``/``Comp``/``Units``, ``PassFail``, ``String``,
``Measurement`` arrays) and a ``TS`` object (step name, type, group, id, times, and for a
sequence call ``SequenceCall.ResultList``). The file is parsed incrementally: every
finished step result is mapped and dropped from the XML tree.

The mapping, what is dropped, the comparator table and the parameters are described in
``docs/converters-teststand.md``.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
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

__all__ = ["DEFAULT_REVISION", "TestStandXMLConverter"]

#: Revision used when neither the file nor the ``revision`` parameter gives one.
DEFAULT_REVISION = "A"
_ID_NAMESPACE = uuid.UUID("5b0f3c2e-6a7d-4f1e-9c58-2d4b7e9a1f36")
_RELATIVE_START = "_relStart"  # private key: TS.StartTime (engine seconds) until the root is known
#: ``Report``: TestStand's XML report (in ``<Reports>``); ``TSReport``: the same Prop tree as
#: the WATS TestStand add-on writes it, with ``ReportInfo`` key/value header entries.
_REPORT_ELEMENTS = ("Report", "TSReport")


def _props(element: ET.Element) -> dict[str, ET.Element]:
    """Direct ``Prop`` children by ``Name``."""
    return {p.get("Name") or "": p for p in element if local_name(p.tag) == "Prop"}


def _value_text(prop: ET.Element | None) -> str | None:
    if prop is None:
        return None
    node = next((c for c in prop if local_name(c.tag) == "Value"), None)
    if node is None:
        return None
    return node.text or ""


def _number(prop: ET.Element | None) -> float | None:
    """A ``Number`` prop's value; TestStand's "use localized decimal point" report option
    writes a decimal comma (``3,29``), read too (the report never groups thousands)."""
    text = _value_text(prop)
    number = parse_float(text)
    if number is None and text and "," in text and "." not in text:
        number = parse_float(text.replace(",", "."))
    return number


def _text(prop: ET.Element | None) -> str:
    return (_value_text(prop) or "").strip()


def _boolean(prop: ET.Element | None) -> bool | None:
    text = _text(prop).casefold()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return None


def _path(element: ET.Element | None, *names: str) -> ET.Element | None:
    node = element
    for name in names:
        if node is None:
            return None
        node = _props(node).get(name)
    return node


#: Result properties the converter maps itself; every other property of a step result is a
#: TestStand *additional result* and goes to ``additionalResults``.
_KNOWN_RESULT_PROPS = frozenset({
    "Error", "Status", "ReportText", "Common", "TS", "Numeric", "PassFail", "String", "Limits", "Comp",
    "Units", "RawLimits", "Measurement", "ExitCode", "Response", "ButtonHit", "ThresholdType", "Nominal",
})


def _flags(prop: ET.Element) -> int | None:
    text = (prop.get("Flags") or "").strip()
    try:
        return int(text, 0) if text else None
    except ValueError:
        return None


def _wsjf_prop(prop: ET.Element) -> dict[str, Any]:
    """A TestStand ``Prop`` as a WSJF additional-data property (name, type, flags, value,
    sub-properties of an ``Obj``, elements of an ``Array``)."""
    out: dict[str, Any] = {"name": prop.get("Name") or "", "type": prop.get("Type") or "String"}
    flags = _flags(prop)
    if flags is not None:
        out["flags"] = flags
    kind = out["type"]
    if kind == "Obj" or kind == "TEResult":
        out["props"] = [_wsjf_prop(p) for p in prop if local_name(p.tag) == "Prop"]
    elif kind == "Array":
        indexes = []
        dims = 1
        element_type = prop.get("ElementType") or ""
        for value in prop:
            if local_name(value.tag) != "Value":
                continue
            position = value.get("ID") or ""
            numbers = [int(n) for n in position.strip("[]").split("][") if n.strip().lstrip("-").isdigit()]
            if not numbers:
                numbers = [int(n) for n in position.strip("[]").split(",") if n.strip().lstrip("-").isdigit()]
            dims = max(dims, len(numbers))
            inner = next((c for c in value if local_name(c.tag) == "Prop"), None)
            item = _wsjf_prop(inner) if inner is not None else {"type": element_type or "String", "value": value.text or ""}
            item["name"] = position
            indexes.append({"text": position, "indexes": numbers, "value": item})
        out["array"] = {"dimension": dims, "type": element_type, "indexes": indexes}
    else:
        text = _value_text(prop)
        if text is not None:
            out["value"] = text
    return out


def _plain(prop: ET.Element) -> Any:
    """A ``Prop`` as plain data: numbers, booleans, text; dicts for objects, lists for arrays."""
    kind = prop.get("Type") or ""
    if kind in ("Obj", "TEResult"):
        return _plain_obj(prop)
    if kind == "Array":
        items = []
        for value in prop:
            if local_name(value.tag) != "Value":
                continue
            inner = next((c for c in value if local_name(c.tag) == "Prop"), None)
            items.append(_plain(inner) if inner is not None else (value.text or ""))
        return items
    if kind == "Number":
        return _number(prop)
    if kind == "Boolean":
        return _boolean(prop)
    return _value_text(prop) or ""


def _plain_obj(prop: ET.Element) -> dict[str, Any]:
    return {p.get("Name") or "": _plain(p) for p in prop if local_name(p.tag) == "Prop"}


def _threshold(limits: ET.Element | None, raw: ET.Element | None, kind: str) -> tuple[float, float] | None:
    """Real bounds of a nominal ± tolerance (``EQT``) limit, or ``None``."""
    for source in (limits, raw):
        low = _number(_path(source, "ThresholdLow"))
        high = _number(_path(source, "ThresholdHigh"))
        if low is not None and high is not None:
            return low, high
    nominal = _number(_path(limits, "Nominal"))
    if nominal is None:
        nominal = _number(_path(raw, "Nominal"))
    low = _number(_path(raw, "Low"))
    high = _number(_path(raw, "High"))
    if nominal is None or low is None or high is None:
        return None
    word = kind.casefold()
    if word.startswith("percent"):
        scale = abs(nominal) / 100.0
    elif word == "ppm":
        scale = abs(nominal) / 1e6
    elif word == "delta":
        scale = 1.0
    else:
        return None
    return nominal - low * scale, nominal + high * scale


class TestStandXMLConverter(TestStandFileConverter):
    """Converts TestStand XML reports (``<Reports>``/``<Report>``/``Prop``) into UUT reports."""

    __test__ = False  # not a pytest test class despite the name

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = tuple(
        spec for spec in STANDARD_PARAMETERS
        if spec.name in ("part_number", "revision", "operation_type", "operator", "station",
                         "location", "purpose", "sequence_name", "sequence_version")
    )

    @property
    def name(self) -> str:
        """Display name."""
        return "TestStand XML Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.xml``."""
        return ["*.xml"]


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
        done: dict[ET.Element, dict[str, Any]] = {}
        ids: dict[str, dict[str, Any]] = {}  # steps by TS.Id, for the critical failure stack
        header: dict[str, ET.Element] = {}
        info: dict[str, str] = {}  # ReportInfo key/value pairs of a TSReport
        root_step: dict[str, Any] | None = None
        index = 0

        def accept(root: ET.Element) -> bool:
            return local_name(root.tag) in _REPORT_ELEMENTS or local_name(root.tag) == "Reports"

        with open(source.path, "rb") as stream:
            for event, element, stack in iter_elements(stream, fname, accept, "a TestStand XML report (<Reports>)"):
                name = local_name(element.tag)
                if event == "start":
                    if name in _REPORT_ELEMENTS:
                        header = {}
                        info = {}
                        root_step = None
                        done.clear()
                        index += 1
                    continue
                parent = stack[-1] if stack else None
                where = f"{fname} Report {index}" if index > 1 else fname
                if name == "ReportInfo" and parent is not None and local_name(parent.tag) == "TSReport":
                    info[element.get("key") or ""] = element.get("value") or ""
                elif name == "Prop" and parent is not None and local_name(parent.tag) in _REPORT_ELEMENTS:
                    prop_name = element.get("Name") or ""
                    if element.get("Type") == "TEResult":
                        root_step = self._step(element, done, ids, f"{where} root result", warn)
                        parent.remove(element)
                    elif prop_name in ("UUT", "StationInfo", "StartTime", "StartDate"):
                        header[prop_name] = element
                    else:
                        parent.remove(element)  # ReportOptions and the like: not report data
                elif name == "Prop" and element.get("Type") == "TEResult":
                    done[element] = self._step(element, done, ids, f"{where} step", warn)
                    element.clear()
                elif name in _REPORT_ELEMENTS:
                    report_type = (element.get("Type") or "UUT").casefold()
                    if report_type == "uut" or "UUT" in header:
                        if root_step is None:  # step results not included in the report
                            root_step = step_dict("MainSequence Callback", "SequenceCall", None, "M")
                            root_step["steps"] = []
                        reports.append(
                            self._report(element, header, info, root_step, ids, where, context, params, operation)
                        )
                    if parent is not None:
                        parent.remove(element)
                    header = {}
                    root_step = None
                    done.clear()
                    ids.clear()
        if not reports:
            raise XMLFormatError(f"{fname}: the TestStand XML report holds no UUT <Report>")
        return reports

    # ----------------------------------------------------------------------------------
    def _step(
        self,
        result: ET.Element,
        done: dict[ET.Element, dict[str, Any]],
        ids: dict[str, dict[str, Any]],
        where: str,
        warn: list[str],
    ) -> dict[str, Any]:
        props = _props(result)
        ts = props.get("TS")
        tsp = _props(ts) if ts is not None else {}
        name = _text(tsp.get("StepName")) or "Step"
        where = f"{where} {name!r}"
        status = status_letter(_text(props.get("Status")))
        step_type = _text(tsp.get("StepType"))
        call = tsp.get("SequenceCall")
        step = step_dict(name, step_type or ("SequenceCall" if call is not None else "Action"), status,
                         group_letter(_text(tsp.get("StepGroup"))))
        guid = _text(tsp.get("StepId"))
        if guid:
            step["tsGuid"] = guid
        result_id = _number(tsp.get("Id"))
        if result_id is not None and math.isfinite(result_id):
            ids.setdefault(str(int(result_id)), step)
        total = _number(tsp.get("TotalTime"))
        if total is not None and math.isfinite(total):
            step["totTime"] = total
        start = _number(tsp.get("StartTime"))
        if start is not None and math.isfinite(start):
            step[_RELATIVE_START] = start
        loop: dict[str, int] = {}
        for key, tag in (("idx", "LoopIndex"), ("num", "NumLoops"), ("passed", "NumPassed"),
                         ("failed", "NumFailed"), ("endingIndex", "EndingLoopIndex")):
            number = _number(tsp.get(tag))
            if number is not None and math.isfinite(number):
                loop[key] = int(number)
        if loop:
            step["loop"] = loop
        exe = _number(tsp.get("InteractiveExeNum"))
        if exe is not None and math.isfinite(exe) and exe >= 0:
            step["interactiveExeNum"] = int(exe)
        text = _value_text(props.get("ReportText"))
        if text and text.strip():
            step["reportText"] = text
        error = props.get("Error")
        if error is not None:
            eprops = _props(error)
            occurred = _boolean(eprops.get("Occurred"))
            code = _number(eprops.get("Code"))
            msg = _text(eprops.get("Msg"))
            if occurred or (occurred is None and code not in (None, 0.0)):
                if code is not None and math.isfinite(code):
                    step["errorCode"] = int(code)
                if msg:
                    step["errorMessage"] = msg
        if call is not None:
            self._sequence_call(step, call, done)
        self._measurements(step, props, status, where, warn)
        exit_code = _number(props.get("ExitCode"))
        if exit_code is not None and math.isfinite(exit_code):
            step["callExe"] = {"exitCode": exit_code}
        response = props.get("Response")
        button = _number(props.get("ButtonHit"))
        extra = []
        for key, prop in props.items():
            if key and key not in _KNOWN_RESULT_PROPS:
                mapped = _wsjf_prop(prop)
                extra.append({"name": key, "props": mapped.get("props", [mapped])})
        if extra:
            step["additionalResults"] = extra
        if response is not None or button is not None:
            popup: dict[str, Any] = {}
            if response is not None:
                popup["response"] = _value_text(response) or ""
            if button is not None and math.isfinite(button):
                popup["button"] = int(button)
            step["messagePopup"] = popup
        return step

    @staticmethod
    def _sequence_call(step: dict[str, Any], call: ET.Element, done: dict[ET.Element, dict[str, Any]]) -> None:
        cprops = _props(call)
        children: list[dict[str, Any]] = []
        result_list = cprops.get("ResultList")
        if result_list is not None:
            for value in result_list:
                if local_name(value.tag) != "Value":
                    continue
                for child in value:
                    child_step = done.pop(child, None)
                    if child_step is not None:
                        children.append(child_step)
        step["steps"] = children
        path, file_name, _ = split_sequence(_text(cprops.get("SequenceFile")))
        seq: dict[str, Any] = {}
        if path:
            seq["path"] = path
        if file_name:
            seq["name"] = file_name
        version = _text(cprops.get("SequenceFileVersion"))
        if version:
            seq["version"] = version
        if seq:
            step["seqCall"] = seq

    def _measurements(
        self, step: dict[str, Any], props: dict[str, ET.Element], status: str | None, where: str, warn: list[str]
    ) -> None:
        own = status if status in ("P", "F", "S") else None
        multi = props.get("Measurement")
        if multi is not None and multi.get("Type") == "Array":
            kinds: dict[str, list[dict[str, Any]]] = {"numericMeas": [], "stringMeas": [], "booleanMeas": []}
            for position, value in enumerate(v for v in multi if local_name(v.tag) == "Value"):
                element = next((c for c in value if local_name(c.tag) == "Prop"), None)
                if element is None:
                    continue
                mp = _props(element)
                label = (_text(mp.get("MeasName")) or element.get("Name") or f"Measurement {position}")[:100]
                mwhere = f"{where} measurement {label!r}"
                mstatus = status_letter(_text(mp.get("Status")))
                if mstatus not in ("P", "F", "S"):
                    mstatus = "S" if own == "S" else None
                if "StringData" in mp or ("String" in mp and "Data" not in mp):
                    # WATS' multiple string value test (ET_MSVT)
                    sitem = self._string(mp, mp.get("StringData") or mp.get("String"),
                                         mp.get("StringLimit") or _path(mp.get("Limits"), "String"), mwhere, warn)
                    sitem["name"] = label
                    if mstatus is not None:
                        sitem["status"] = mstatus
                    kinds["stringMeas"].append(sitem)
                elif "Data" not in mp and ("PassFail" in mp or mstatus is not None):
                    # WATS' multiple pass/fail test (ET_MPFT)
                    passed = _boolean(mp.get("PassFail"))
                    letter = mstatus or ("P" if passed else "F" if passed is not None else None)
                    if letter is not None:
                        kinds["booleanMeas"].append({"name": label, "status": letter})
                else:
                    item = self._numeric(mp, mp.get("Data"), mwhere, warn)
                    item["name"] = label
                    if mstatus is not None:
                        item["status"] = mstatus
                    kinds["numericMeas"].append(item)
            found = False
            for key, items in kinds.items():
                if items:
                    step[key] = items
                    found = True
            if found:
                return
        numeric = props.get("Numeric")
        if numeric is not None:
            item = self._numeric(props, numeric, where, warn)
            if own is not None:
                item["status"] = own
            step["numericMeas"] = [item]
            return
        string = props.get("String")
        if string is not None and string.get("Type") == "String":
            sitem = self._string(props, string, _path(props.get("Limits"), "String"), where, warn)
            if own is not None:
                sitem["status"] = own
            step["stringMeas"] = [sitem]
            return
        passfail = _boolean(props.get("PassFail"))
        if passfail is not None:
            step["booleanMeas"] = [{"status": own or ("P" if passfail else "F")}]

    @staticmethod
    def _string(
        mp: dict[str, ET.Element], data: ET.Element | None, limit: ET.Element | None, where: str, warn: list[str]
    ) -> dict[str, Any]:
        measured = _value_text(data) or ""
        comp = _text(mp.get("Comp")).upper().replace(" ", "")
        op = STRING_COMP.get(comp) or {"EQUAL": "CASESENSIT", "NOTEQUAL": "NE", "": "LOG"}.get(comp)
        if op is None:
            warn.append(f"{where}: string comparison {comp!r} has no WSJF operator; logged (LOG)")
            op = "LOG"
        item: dict[str, Any] = {"value": measured, "compOp": op}
        if op != "LOG":
            item["limit"] = _value_text(limit) or ""
        return item

    @staticmethod
    def _numeric(mp: dict[str, ET.Element], data: ET.Element | None, where: str, warn: list[str]) -> dict[str, Any]:
        value = _number(data)
        comp = _text(mp.get("Comp")).upper() or "LOG"
        limits = mp.get("Limits")
        low = _number(_path(limits, "Low"))
        high = _number(_path(limits, "High"))
        item: dict[str, Any] = {"value": value if value is not None else math.nan}
        if comp == "EQT":
            kind = _text(mp.get("ThresholdType")) or _text(_path(limits, "ThresholdType"))
            bounds = _threshold(limits, mp.get("RawLimits"), kind)
            if bounds is None and low is not None and high is not None:
                bounds = (low, high)
            if bounds is None:
                warn.append(f"{where}: EQT limit without usable bounds; logged (LOG)")
                item["compOp"] = "LOG"
            else:
                item.update({"compOp": "GELE", "lowLimit": bounds[0], "highLimit": bounds[1]})
        else:
            op = NUMERIC_COMP.get(comp)
            if op is None:
                warn.append(f"{where}: comparison {comp!r} has no WSJF operator; logged (LOG)")
                op = "LOG"
            item["compOp"] = op
            if op != "LOG":
                if low is None:
                    warn.append(f"{where}: comparison {op} without a Low limit; logged (LOG)")
                    item["compOp"] = "LOG"
                else:
                    item["lowLimit"] = low
                    if len(op) == 4:
                        if high is None:
                            warn.append(f"{where}: comparison {op} without a High limit; logged (LOG)")
                            item["compOp"] = "LOG"
                            del item["lowLimit"]
                        else:
                            item["highLimit"] = high
        unit = _text(mp.get("Units"))
        if unit:
            item["unit"] = unit
        return item

    # ----------------------------------------------------------------------------------
    def _report(
        self,
        report_el: ET.Element,
        header: dict[str, ET.Element],
        info_entries: dict[str, str],
        root: dict[str, Any],
        ids: dict[str, dict[str, Any]],
        where: str,
        context: ConverterContext,
        params: StandardParameters,
        operation: int,
    ) -> dict[str, Any]:
        uut = header.get("UUT")
        uprops = _props(uut) if uut is not None else {}
        serial = _text(uprops.get("SerialNumber")) or info_entries.get("SN", "").strip()
        if not serial:
            raise XMLFormatError(f"{where}: the UUT has no SerialNumber")
        report: dict[str, Any] = {"type": "T", "sn": serial, "processCode": operation}
        part = _text(uprops.get("PartNumber")) or info_entries.get("PN", "").strip()
        if part:
            report["pn"] = part
        revision = info_entries.get("Rev", "").strip()
        if revision:
            report["rev"] = revision
        pcode = parse_float(info_entries.get("PCode"))
        if pcode is not None and math.isfinite(pcode) and pcode.is_integer() and pcode > 0:
            report["processCode"] = int(pcode)
        if uut is not None:
            apply_wats_uut(report, _plain_obj(uut))
        if not report.get("pn") and not params.part_number:
            raise XMLFormatError(
                f"{where}: the file names no part number (UUT.PartNumber is empty); "
                "set the converter parameter 'part_number'"
            )
        start = parse_iso(info_entries.get("Start")) or self._start(header.get("StartDate"), header.get("StartTime"))
        if start is not None:
            report["start"] = iso(start)
        uut_result = report_el.get("UUTResult")
        result = status_letter(uut_result) if uut_result else root.get("status")
        if result in ("P", "F", "E", "T"):
            report["result"] = result
        elif result in ("D", "S"):
            report["result"] = "P"
        station = _props(header["StationInfo"]) if "StationInfo" in header else {}
        machine = _text(station.get("StationID"))
        if machine:
            report["machineName"] = machine[:100]
        for key, target in (("Location", "location"), ("Purpose", "purpose")):
            if _text(station.get(key)):
                report[target] = _text(station.get(key))
        uut_info: dict[str, Any] = report.setdefault("uut", {})
        user = _text(station.get("LoginName"))
        if user:
            uut_info["user"] = user
        if "totTime" in root:
            uut_info["execTime"] = root["totTime"]
        socket = _number(uprops.get("TestSocketIndex"))
        if socket is not None and math.isfinite(socket) and socket >= 0:
            uut_info["testSocketIndex"] = int(socket)
        batch = _text(uprops.get("BatchSerialNumber"))
        if batch:
            uut_info["batchSN"] = batch
        stack = uprops.get("CriticalFailureStack")
        if stack is not None:  # the step whose failure failed the UUT
            for value in stack:
                entry = next((c for c in value if local_name(c.tag) == "Prop"), None) if local_name(value.tag) == "Value" else None
                if entry is not None:
                    number = _number(_props(entry).get("ResultId"))
                    failed = ids.get(str(int(number))) if number is not None and math.isfinite(number) else None
                    if failed is not None:
                        failed["causedUUTFailure"] = True
        additional = []
        for source_name, holder in (("UUT", uprops), ("StationInfo", station)):
            data = holder.get("AdditionalData")
            if data is not None and any(local_name(p.tag) == "Prop" for p in data):
                additional.append({"name": f"{source_name}.AdditionalData",
                                   "props": [_wsjf_prop(p) for p in data if local_name(p.tag) == "Prop"]})
        if additional:
            report["additionalData"] = additional
        try:
            report["id"] = str(uuid.UUID(info_entries.get("ID", "")))
        except ValueError:
            report["id"] = str(uuid.uuid5(
                _ID_NAMESPACE,
                "|".join((machine, serial, str(report.get("pn", "")), report.get("start") or "", report_el.get("Link") or "")),
            ))
        engine = parse_iso(info_entries.get("EngineStarted"))
        if engine is not None:  # TS.StartTime counts seconds since the engine started
            _fix_starts(root, engine.astimezone(start.tzinfo) if start is not None else engine, 0.0)
        else:
            base = root.get(_RELATIVE_START)
            _fix_starts(root, start, base if isinstance(base, float) else None)
        for key in ("errorCode", "errorMessage"):  # the MainSequence's error is the UUT's error
            if key in root:
                report["uut"].setdefault(key, root[key])
        report["root"] = root
        apply_header_defaults(report, params, context)
        if not report.get("rev"):
            report["rev"] = DEFAULT_REVISION
        return report

    @staticmethod
    def _start(date: ET.Element | None, time: ET.Element | None) -> datetime | None:
        if date is None or time is None:
            return None
        d, t = _props(date), _props(time)
        parts = [_number(d.get(k)) for k in ("Year", "Month", "MonthDay")]
        clock = [_number(t.get(k)) for k in ("Hours", "Minutes", "Seconds", "Milliseconds")]
        if any(p is None for p in parts) or any(c is None for c in clock[:3]):
            return None
        try:
            moment = datetime(int(parts[0] or 0), int(parts[1] or 0), int(parts[2] or 0),
                              int(clock[0] or 0), int(clock[1] or 0), int(clock[2] or 0),
                              int(clock[3] or 0) * 1000)
        except ValueError:
            return None
        return moment.astimezone()


def _fix_starts(step: dict[str, Any], start: datetime | None, base: float | None) -> None:
    """Turn TestStand's engine-relative step start times into date-times (depth first)."""
    stack = [step]
    while stack:
        node = stack.pop()
        relative = node.pop(_RELATIVE_START, None)
        if start is not None and base is not None and isinstance(relative, float):
            node["start"] = iso(start + timedelta(seconds=relative - base))
        stack.extend(node.get("steps") or ())
