"""WSXF — WATS Standard XML Format — to and from WSJF dicts.

A WSXF document is ``<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">``
holding ``<Report>`` elements (a lone ``<Report>`` root is read too). Reading
(:func:`iter_wsxf`, :func:`parse_wsxf`) is incremental: every step, measurement and header
element is turned into WSJF and released as soon as it ends, so memory holds the WSJF
dict being built, not the XML tree. Writing (:func:`to_wsxf`) is canonical and reads back
to the same WSJF (``parse_wsxf(to_wsxf(r)) == [r]`` for a report that came from WSXF).

Mapping (XML → WSJF; attribute names are matched case-insensitively):

* ``Report``: ``type`` UUT/UUR → ``type`` T/R, ``ID`` → ``id``, ``Start`` → ``start``,
  ``Start_utc`` → ``startUTC``, ``Result`` (Passed, Failed, Error, Terminated) → ``result``,
  ``SN``/``PN``/``Rev`` → ``sn``/``pn``/``rev``, ``origin``, ``MachineName``,
  ``Location``, ``Purpose``; its ``Process`` ``Code``/``Name`` → ``processCode``/``processName``.
* ``UUT``: ``UserLoginName`` → ``uut.user``, ``BatchSN``, ``ExecutionTime`` → ``execTime``,
  ``FixtureId``, ``ErrorCode``, ``ErrorMessage``, ``TestSocketIndex``, ``BatchFailCount``,
  ``BatchLoopIndex`` (and their ``…Format``), ``<Comment>`` → ``uut.comment``.
* ``UUR``: ``UserLoginName`` → ``uur.user``, ``ConfirmDate``, ``FinalizeDate``,
  ``ExecutionTime``, ``ReferencedUUT`` → ``refUUT``, ``Parent``, ``<Comment>``, its
  ``Process`` → ``uur.processCode``/``processName`` (the test operation).
* ``MiscInfo`` → ``miscInfos[]`` (``Description``, ``Typedef``, ``Numeric``, ``Id``, text).
* ``ReportUnitHierarchy`` → ``subUnits[]`` (``PartType``, ``PN``, ``SN``, ``Rev``, ``Idx``,
  ``ParentIDX``, ``Position``, ``ReplacedIDX``; no ``PartType``: ``Main`` for Idx 0 of a
  repair, else ``Unknown``, as WSJF requires one); ``Asset`` → ``assets[]``.
* ``Failures`` (UUR) → ``subUnits[PartIdx].failures[]`` (``Category``, ``Code``,
  ``CompRef`` → ``comRef``, ``FunctionBlock`` → ``funcBlock``, ``Article…`` → ``art…``,
  ``StepID`` → ``refStepId``, ``<Comment>``); ``Binary`` with ``FailIdx`` → that failure's
  ``attachments[]``, without → ``binaryData[]`` (``Data``: ``FileName``, ``ContentType``,
  ``BinaryDataGUID`` → ``id``, base64 text).
* ``Step`` (nested) → ``root``/``steps[]``: ``Id``, ``Group`` (Main/Setup/Cleanup → M/S/C),
  ``Name``, ``StepType``, ``Status``, ``Start``, ``total_time`` → ``totTime``, ``TSGuid``,
  ``StepCausedUUTFailure``, ``StepCausedSequenceFailure``, ``StepErrorCode``/``Message``,
  ``InteractiveExeNum``, ``ReportText``; children ``SequenceCall`` → ``seqCall``,
  ``NumericLimit`` → ``numericMeas[]`` (the single limit of EQ NE GT GE LT LE goes to
  ``lowLimit``, where WSJF keeps it), ``StringValue`` → ``stringMeas[]``, ``PassFail`` →
  ``booleanMeas[]``, ``MessagePopup``, ``Callexe`` → ``callExe``, ``Loop`` → ``loop``,
  ``Chart``/``Series`` → ``chart``, ``Attachment`` → ``attachment`` (without base64 data
  its ``Name`` is read as a file relative to ``attachment_dir``, as the .NET client does;
  with neither, the attachment is dropped and reported).

Read but not written (no published WSXF writer uses them): ``ProductName``,
``StepIdCausedUUTFailure``, ``Failures ArticleDescription``/``StepName``.

Dropped (WSJF has no place for them): ``StepIndex``, ``Idx``, ``module_time``, ``MeasIndex``,
``MeasOrderNumber``, ``MiscInfo idx/order_no`` (order is kept as list order),
``SequenceCall Filename`` (``Filepath`` is kept), ``Attachment Size``, ``UUR Active``,
``Failures Failcode``, ``Binary BinaryDataIndex``/``size``, and the free XML inside
``AdditionalData``/``AdditionalResults`` (reported through ``on_drop``).
"""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, SubElement, iterparse, tostring

from pywats.formats._xml import (
    ASSET_FIELDS,
    BOOLEAN_FIELDS,
    CALLEXE_FIELDS,
    CHART_FIELDS,
    FAILURE_FIELDS,
    LOOP_FIELDS,
    MISC_FIELDS,
    NUMERIC_FIELDS,
    POPUP_FIELDS,
    PROCESS_FIELDS,
    REPORT_FIELDS,
    SEQCALL_FIELDS,
    SERIES_FIELDS,
    STEP_FIELDS,
    STRING_FIELDS,
    UNIT_FIELDS,
    UUR_FIELDS,
    UUT_FIELDS,
    Field,
    WATSFormatError,
    attrs_of,
    local_name,
    number_text,
    read_fields,
    report_type,
    single_limit,
    to_int,
    write_fields,
)

__all__ = ["WSXF_NAMESPACE", "WATSFormatError", "iter_wsxf", "parse_wsxf", "to_wsxf"]

WSXF_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
"""The namespace of WSXF documents."""
_WRML_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report"

Source = str | os.PathLike[str] | IO[bytes]
DropHook = Callable[[str], None]


def _text(elem: Element) -> str:
    return "".join(elem.itertext())


def _step_type(step: Mapping[str, Any]) -> str:
    if step.get("steps") is not None or step.get("seqCall") is not None:
        return "SequenceCall"
    if step.get("chart") is not None:
        return "WATS_XYGMNLT"
    if step.get("attachment") is not None:
        return "WATS_AttachFile"
    for key, single, multi in (("numericMeas", "ET_NLT", "ET_MNLT"), ("stringMeas", "ET_SVT", "ET_MSVT"),
                               ("booleanMeas", "ET_PFT", "ET_MPFT")):
        items = step.get(key)
        if items:
            return multi if len(items) > 1 or items[0].get("name") else single
    if step.get("messagePopup") is not None:
        return "MessagePopup"
    if step.get("callExe") is not None:
        return "CallExecutable"
    return "Action"


class _Reader:
    """Turns the iterparse events of one document into WSJF report dicts."""

    def __init__(self, attachment_dir: Path | None, on_drop: DropHook | None) -> None:
        self.attachment_dir = attachment_dir
        self.on_drop = on_drop
        self.count = 0
        self.report: dict[str, Any] | None = None
        self.steps: list[dict[str, Any]] = []
        self.failures: list[tuple[int, int | None, dict[str, Any]]] = []  # (partIdx, Idx, failure)
        self.binaries: list[tuple[int | None, dict[str, Any]]] = []

    # where an error happened
    def where(self, element: str = "") -> str:
        parts = [f"report {self.count}"]
        parts.extend(f"step {s.get('name')!r}" for s in self.steps[-2:])
        if element:
            parts.append(element)
        return ", ".join(parts)

    def drop(self, what: str) -> None:
        if self.on_drop is not None:
            self.on_drop(f"{self.where()}: {what} dropped (no WSJF field)")

    # -- report level -----------------------------------------------------------------
    def start_report(self, elem: Element) -> None:
        self.count += 1
        self.steps = []
        self.failures = []
        self.binaries = []
        attrs = attrs_of(elem)
        kind = attrs.get("type")
        try:
            # without a type the report's UUT or UUR element decides (see header_child)
            letter = report_type(kind) if kind is not None else "T"
        except ValueError as exc:
            raise WATSFormatError(f"report {self.count}: {exc}") from None
        report: dict[str, Any] = {"type": letter}
        report.update(read_fields(attrs, REPORT_FIELDS, self.where("Report")))
        self.report = report

    def header_child(self, name: str, elem: Element) -> None:
        report = self.report
        assert report is not None
        attrs = attrs_of(elem)
        where = self.where(name)
        if name == "UUT":
            uut = read_fields(attrs, UUT_FIELDS, where)
            self._comment(elem, uut)
            report["uut"] = uut
        elif name == "UUR":
            report["type"] = "R"
            uur = read_fields(attrs, UUR_FIELDS, where)
            self._comment(elem, uur)
            for child in elem:
                if local_name(child.tag).lower() == "process":
                    uur.update(read_fields(attrs_of(child), PROCESS_FIELDS, where + " Process"))
            if "active" in attrs:
                self.drop("UUR Active")
            report["uur"] = uur
        elif name == "Process":
            report.update(read_fields(attrs, PROCESS_FIELDS, where))
        elif name == "MiscInfo":
            misc = read_fields(attrs, MISC_FIELDS, where)
            text = _text(elem)
            if text or "numeric" not in misc:
                misc["text"] = text
            report.setdefault("miscInfos", []).append(misc)
        elif name == "ReportUnitHierarchy":
            unit = read_fields(attrs, UNIT_FIELDS, where)
            if not unit.get("partType"):
                # WSJF requires a part type; the repaired unit itself (Idx 0) is the main unit
                unit["partType"] = "Main" if report["type"] == "R" and unit.get("idx") == 0 else "Unknown"
            report.setdefault("subUnits", []).append(unit)
        elif name in ("Asset", "Assets"):
            report.setdefault("assets", []).append(read_fields(attrs, ASSET_FIELDS, where))
        elif name in ("Failures", "Failure"):
            failure = read_fields(attrs, FAILURE_FIELDS, where)
            self._comment(elem, failure)
            part = read_fields(attrs, (_IDX_PART,), where).get("partIdx", 0)
            idx = read_fields(attrs, (_IDX_FAIL,), where).get("idx")
            if "failcode" in attrs:
                self.drop("Failures Failcode")
            self.failures.append((part, idx, failure))
        elif name == "Binary":
            fail_idx = read_fields(attrs, (_IDX_BINFAIL,), where).get("failIdx")
            data_elem = next((c for c in elem if local_name(c.tag).lower() == "data"), None)
            if data_elem is None:
                raise WATSFormatError(f"{where}: Binary has no Data element")
            dattrs = attrs_of(data_elem)
            binary: dict[str, Any] = {}
            for xml, key in (("filename", "name"), ("contenttype", "contentType"), ("binarydataguid", "id")):
                if xml in dattrs:
                    binary[key] = dattrs[xml]
            binary["data"] = "".join(_text(data_elem).split())
            self.binaries.append((fail_idx, binary))
        elif name in ("AdditionalData",):
            self.drop("AdditionalData")
        elif name == "Step":  # handled by start_step/end_step
            pass
        else:
            self.drop(f"element {name}")

    def _comment(self, elem: Element, target: dict[str, Any]) -> None:
        for child in elem:
            if local_name(child.tag).lower() == "comment":
                target["comment"] = _text(child)

    def end_report(self) -> dict[str, Any]:
        report = self.report
        assert report is not None
        if report["type"] == "T":
            report.setdefault("uut", {})
            if self.failures or self.binaries:
                self.drop("Failures/Binary of a UUT report")
        else:
            report.setdefault("uur", {})
            self._place_failures(report)
        self.report = None
        return report

    def _place_failures(self, report: dict[str, Any]) -> None:
        units: list[dict[str, Any]] = report.setdefault("subUnits", [])
        by_idx: dict[int, dict[str, Any]] = {}
        for position, unit in enumerate(units):
            by_idx.setdefault(unit.get("idx", position), unit)
        by_fail: dict[int, dict[str, Any]] = {}
        for part, idx, failure in self.failures:
            found = by_idx.get(part)
            if found is None:
                if part != 0:
                    raise WATSFormatError(
                        f"report {self.count}: Failures PartIdx={part} names no ReportUnitHierarchy Idx"
                    )
                found = {"partType": "Main", "pn": report.get("pn"), "sn": report.get("sn"),
                         "rev": report.get("rev"), "idx": 0}
                units.insert(0, found)
                by_idx[0] = found
            found.setdefault("failures", []).append(failure)
            if idx is not None:
                by_fail[idx] = failure
        for fail_idx, binary in self.binaries:
            if fail_idx is None:
                report.setdefault("binaryData", []).append(binary)
                continue
            target = by_fail.get(fail_idx)
            if target is None:
                raise WATSFormatError(f"report {self.count}: Binary FailIdx={fail_idx} names no Failures Idx")
            target.setdefault("attachments", []).append(binary)

    # -- steps --------------------------------------------------------------------------
    def start_step(self, elem: Element) -> None:
        step = read_fields(attrs_of(elem), STEP_FIELDS, self.where("Step"))
        if self.steps:
            self.steps[-1].setdefault("steps", []).append(step)
        else:
            report = self.report
            assert report is not None
            if "root" in report:
                raise WATSFormatError(f"report {self.count}: more than one root Step")
            report["root"] = step
        self.steps.append(step)

    def end_step(self) -> None:
        step = self.steps.pop()
        if not step.get("stepType"):
            step["stepType"] = _step_type(step)

    def step_child(self, name: str, elem: Element) -> None:
        step = self.steps[-1]
        attrs = attrs_of(elem)
        where = self.where(name)
        if name == "NumericLimit":
            meas = read_fields(attrs, NUMERIC_FIELDS, where)
            meas.setdefault("compOp", "LOG")
            single_limit(meas, attrs)
            step.setdefault("numericMeas", []).append(meas)
        elif name == "StringValue":
            meas = read_fields(attrs, STRING_FIELDS, where)
            meas.setdefault("compOp", "LOG")
            step.setdefault("stringMeas", []).append(meas)
        elif name == "PassFail":
            step.setdefault("booleanMeas", []).append(read_fields(attrs, BOOLEAN_FIELDS, where))
        elif name == "SequenceCall":
            call = read_fields(attrs, SEQCALL_FIELDS, where)
            if "path" not in call and "filename" in attrs:
                call["path"] = attrs["filename"]
            step["seqCall"] = call
        elif name == "MessagePopup":
            popup = read_fields(attrs, POPUP_FIELDS, where)
            for child in elem:
                if local_name(child.tag).lower() == "response":
                    popup["response"] = _text(child)
            step["messagePopup"] = popup
        elif name in ("Callexe", "CallExe"):
            step["callExe"] = read_fields(attrs, CALLEXE_FIELDS, where)
        elif name == "Loop":
            loop = read_fields(attrs, LOOP_FIELDS, where)
            if loop:
                step["loop"] = loop
        elif name == "ReportText":
            step["reportText"] = _text(elem)
        elif name == "Chart":
            chart = read_fields(attrs, CHART_FIELDS, where)
            series = []
            for child in elem:
                if local_name(child.tag).lower() != "series":
                    continue
                one = read_fields(attrs_of(child), SERIES_FIELDS, where + " Series")
                for part in child:
                    key = local_name(part.tag).lower()
                    if key in ("xdata", "ydata"):
                        one[key] = _text(part).strip()
                series.append(one)
            chart["series"] = series
            step["chart"] = chart
        elif name == "Attachment":
            attachment = self._attachment(attrs, "".join(_text(elem).split()), where)
            if attachment is not None:
                step["attachment"] = attachment
        elif name == "AdditionalResults":
            self.drop("AdditionalResults")
        elif name == "Step":
            pass
        else:
            self.drop(f"element {name}")

    def _attachment(self, attrs: Mapping[str, str], data: str, where: str) -> dict[str, Any] | None:
        attachment: dict[str, Any] = {}
        if "name" in attrs:
            attachment["name"] = attrs["name"]
        if "contenttype" in attrs:
            attachment["contentType"] = attrs["contenttype"]
        if data:
            attachment["data"] = data
            return attachment
        # no data: like the .NET client, the name may be the path of the file to attach
        name = attrs.get("name", "")
        if self.attachment_dir is not None and name:
            path = Path(name)
            if not path.is_absolute():
                path = self.attachment_dir / path
            if path.is_file():
                attachment["name"] = path.name
                attachment["data"] = base64.b64encode(path.read_bytes()).decode("ascii")
                return attachment
        if self.on_drop is not None:
            self.on_drop(f"{where}: attachment {name!r} dropped: no data in the file and no such file to read")
        return None


_IDX_PART = Field("PartIdx", "partIdx", to_int)
_IDX_FAIL = Field("Idx", "idx", to_int)
_IDX_BINFAIL = Field("FailIdx", "failIdx", to_int)

_HEADER = {"UUT", "UUR", "Process", "MiscInfo", "ReportUnitHierarchy", "Asset", "Assets", "Failures", "Failure",
           "Binary", "AdditionalData"}
_STEP_CHILDREN = {"NumericLimit", "StringValue", "PassFail", "SequenceCall", "MessagePopup", "Callexe", "CallExe",
                  "Loop", "ReportText", "Chart", "Attachment", "AdditionalResults"}
_CANONICAL_NAMES = {n.lower(): n for n in _HEADER | _STEP_CHILDREN | {"Step", "Report", "Reports"}}


def iter_wsxf(
    source: Source,
    *,
    attachment_dir: str | os.PathLike[str] | None = None,
    on_drop: DropHook | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the WSJF dict of every ``Report`` in a WSXF document, one at a time.

    Args:
        source: a path or a binary stream of the XML.
        attachment_dir: where an ``Attachment`` without data is looked up as a file
            (its ``Name`` relative to this folder; ``None``: never read files).
        on_drop: called with a message for each element that has no WSJF place.

    Raises:
        WATSFormatError: not WSXF, malformed XML, or a value that does not convert; the
            message names the report (1-based) and element.
    """
    reader = _Reader(Path(attachment_dir) if attachment_dir is not None else None, on_drop)
    stack: list[Element] = []
    try:
        for event, elem in iterparse(source, events=("start", "end")):
            name = _CANONICAL_NAMES.get(local_name(elem.tag).lower(), local_name(elem.tag))
            if event == "start":
                if not stack:
                    _check_root(elem, name)
                parent = _parent_name(stack)
                stack.append(elem)
                if name == "Report" and parent in ("Reports", None):
                    reader.start_report(elem)
                elif name == "Step" and reader.report is not None and parent in ("Report", "Step"):
                    reader.start_step(elem)
                continue
            stack.pop()
            parent = _parent_name(stack)
            if reader.report is None:
                continue
            if name == "Report" and parent in ("Reports", None):
                yield reader.end_report()
            elif name == "Step" and parent in ("Report", "Step"):
                reader.end_step()
            elif parent == "Step" and reader.steps:
                reader.step_child(name, elem)
            elif parent == "Report":
                reader.header_child(name, elem)
            else:
                continue  # a grandchild (Comment, Series, Data, …): read with its parent
            if stack:
                stack[-1].remove(elem)  # release what has been read
            elem.clear()
    except ParseError as exc:
        raise WATSFormatError(f"not well-formed XML ({exc})") from None
    if reader.count == 0:
        raise WATSFormatError("the WSXF document holds no Report")


def _parent_name(stack: list[Element]) -> str | None:
    if not stack:
        return None
    tag = local_name(stack[-1].tag)
    return _CANONICAL_NAMES.get(tag.lower(), tag)


def _check_root(elem: Element, name: str) -> None:
    namespace = elem.tag[1:].split("}", 1)[0] if elem.tag.startswith("{") else ""
    if name not in ("Reports", "Report"):
        raise WATSFormatError(f"not a WSXF document (root element <{local_name(elem.tag)}>, expected <Reports>)")
    if namespace == _WRML_NAMESPACE:
        raise WATSFormatError("this is WRML (the WATS .NET client's report XML), not WSXF; use the 'wrml' converter (pywats.formats.wrml)")
    if namespace and namespace.lower() != WSXF_NAMESPACE.lower():
        raise WATSFormatError(f"not a WSXF document (namespace {namespace!r}, expected {WSXF_NAMESPACE!r})")


_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def parse_wsxf(data: bytes | str, **options: Any) -> list[dict[str, Any]]:
    """The WSJF dicts of every report in a WSXF document given as bytes or text.

    ``options`` are those of :func:`iter_wsxf`.
    """
    if isinstance(data, str):
        # the text is decoded already: drop a declaration that may name another encoding
        data = _DECLARATION.sub("", data, count=1).encode("utf-8")
    return list(iter_wsxf(io.BytesIO(data), **options))


# -- writing --------------------------------------------------------------------------


def _sub(parent: Element, name: str, attrs: dict[str, str] | None = None, text: str | None = None) -> Element:
    elem = SubElement(parent, name, attrs or {})
    if text is not None:
        elem.text = text
    return elem


def _limits_for_xml(meas: Mapping[str, Any]) -> dict[str, str]:
    attrs = write_fields(meas, NUMERIC_FIELDS)
    op = str(meas.get("compOp") or "").upper()
    if op in ("LT", "LE") and "LowLimit" in attrs and meas.get("highLimit") is None:
        renamed = {"LowLimit": "HighLimit", "LowLimitFormat": "HighLimitFormat"}
        return {renamed.get(key, key): value for key, value in attrs.items()}
    return attrs


def _write_step(parent: Element, step: Mapping[str, Any]) -> None:
    elem = _sub(parent, "Step", write_fields(step, STEP_FIELDS, skip=("reportText",)))
    if step.get("reportText") is not None:
        _sub(elem, "ReportText", text=str(step["reportText"]))
    if step.get("loop"):
        _sub(elem, "Loop", write_fields(step["loop"], LOOP_FIELDS))
    if step.get("seqCall") is not None:
        call = step["seqCall"]
        attrs = write_fields(call, SEQCALL_FIELDS)
        if call.get("path"):
            attrs["Filename"] = str(call["path"]).replace("\\", "/").rsplit("/", 1)[-1]
        _sub(elem, "SequenceCall", attrs)
    for meas in step.get("numericMeas") or ():
        _sub(elem, "NumericLimit", _limits_for_xml(meas))
    for meas in step.get("stringMeas") or ():
        _sub(elem, "StringValue", write_fields(meas, STRING_FIELDS))
    for meas in step.get("booleanMeas") or ():
        _sub(elem, "PassFail", write_fields(meas, BOOLEAN_FIELDS))
    if step.get("messagePopup") is not None:
        _sub(elem, "MessagePopup", write_fields(step["messagePopup"], POPUP_FIELDS))
    if step.get("callExe") is not None:
        _sub(elem, "Callexe", write_fields(step["callExe"], CALLEXE_FIELDS))
    chart = step.get("chart")
    if chart is not None:
        celem = _sub(elem, "Chart", write_fields(chart, CHART_FIELDS))
        for series in chart.get("series") or ():
            selem = _sub(celem, "Series", write_fields(series, SERIES_FIELDS))
            for key in ("ydata", "xdata"):
                if series.get(key) is not None:
                    _sub(selem, key, text=str(series[key]))
    attachment = step.get("attachment")
    if attachment is not None:
        attrs = {k: str(attachment[key]) for k, key in (("Name", "name"), ("ContentType", "contentType"))
                 if attachment.get(key) is not None}
        _sub(elem, "Attachment", attrs, text=attachment.get("data"))
    for child in step.get("steps") or ():
        _write_step(elem, child)


def _write_report(root: Element, report: Mapping[str, Any]) -> None:
    kind = str(report.get("type") or ("R" if report.get("uur") is not None else "T")).upper()
    repair = kind == "R"
    attrs = {"type": "UUR" if repair else "UUT"}
    attrs.update(write_fields(report, REPORT_FIELDS))
    elem = _sub(root, "Report", attrs)
    if repair:
        uur = report.get("uur") or {}
        uelem = _sub(elem, "UUR", write_fields(uur, UUR_FIELDS, skip=("comment",)))
        if uur.get("comment") is not None:
            _sub(uelem, "Comment", text=str(uur["comment"]))
        if uur.get("processCode") is not None or uur.get("processName") is not None:
            _sub(uelem, "Process", write_fields(uur, PROCESS_FIELDS))
    else:
        uut = report.get("uut") or {}
        uelem = _sub(elem, "UUT", write_fields(uut, UUT_FIELDS, skip=("comment",)))
        if uut.get("comment") is not None:
            _sub(uelem, "Comment", text=str(uut["comment"]))
    if report.get("processCode") is not None or report.get("processName") is not None:
        _sub(elem, "Process", write_fields(report, PROCESS_FIELDS))
    for misc in report.get("miscInfos") or ():
        text = misc.get("text")
        _sub(elem, "MiscInfo", write_fields(misc, MISC_FIELDS), text=None if text is None else str(text))
    units = list(report.get("subUnits") or ())
    for unit in units:
        _sub(elem, "ReportUnitHierarchy", write_fields(unit, UNIT_FIELDS))
    for asset in report.get("assets") or ():
        _sub(elem, "Asset", write_fields(asset, ASSET_FIELDS))
    fail_no = 0
    binaries: list[tuple[int | None, Mapping[str, Any]]] = []
    for position, unit in enumerate(units):
        for failure in unit.get("failures") or ():
            fail_no += 1
            fattrs = write_fields(failure, FAILURE_FIELDS, skip=("comment",))
            fattrs["Idx"] = str(fail_no)
            fattrs["PartIdx"] = number_text(unit.get("idx", position))
            felem = _sub(elem, "Failures", fattrs)
            if failure.get("comment") is not None:
                _sub(felem, "Comment", text=str(failure["comment"]))
            binaries.extend((fail_no, a) for a in failure.get("attachments") or ())
    binaries.extend((None, b) for b in report.get("binaryData") or ())
    for number, (fail_idx, binary) in enumerate(binaries, start=1):
        battrs = {"BinaryDataIndex": str(number)}
        if fail_idx is not None:
            battrs["FailIdx"] = str(fail_idx)
        belem = _sub(elem, "Binary", battrs)
        dattrs = {xml: str(binary[key]) for xml, key in (("FileName", "name"), ("ContentType", "contentType"),
                                                        ("BinaryDataGUID", "id")) if binary.get(key) is not None}
        _sub(belem, "Data", dattrs, text=str(binary.get("data") or ""))
    if report.get("root") is not None and not repair:
        _write_step(elem, report["root"])


def to_wsxf(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> str:
    """A WSXF document (text with an XML declaration) for one WSJF report or several.

    The output is canonical: attributes in a fixed order, statuses and groups as words,
    single limits of ``LT``/``LE`` in ``HighLimit`` and of the other single operators in
    ``LowLimit``, whole numbers without ``.0``. Reading it back gives the same WSJF.
    """
    items = [reports] if isinstance(reports, Mapping) else list(reports)
    root = Element("Reports", {"xmlns": WSXF_NAMESPACE})
    for report in items:
        _write_report(root, report)
    body = tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
