"""WRML — the WATS .NET client's own report XML (its pending folder) — to WSJF dicts.

A WRML document is ``<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report">``
holding ``<Report>`` elements whose content is *flat*: every ``Step`` row names its
``StepID`` and ``ParentStepID``, and the rows that belong to a step (``SequenceCall``,
``NumericLimit``, ``StringValue``, ``PassFail``, ``MessagePopup``, ``Callexe``, ``Chart``)
name the ``StepID`` they belong to. :func:`iter_wrml` reads it incrementally (each row is
turned into WSJF and released when it ends) and nests the steps when the report ends.

Attribute names and their WSJF keys are those of WSXF (see :mod:`pywats.formats.wsxf`).
What differs:

* the report ``ID`` is kept, so a report moved from the .NET client's pending folder to
  this client is not duplicated on the server;
* ``PartInfo`` (UUT) and ``ReportUnitHierarchy`` → ``subUnits[]``;
* ``Chart`` rows: ``idx="0"`` is the chart (``ChartType``, ``Label``, axis labels and
  units), each further row a series (``PlotName`` → ``name``, ``DataType``) whose
  ``<Data>`` is base64 of little-endian doubles, x and y interleaved → ``xdata``/``ydata``
  (``;``-separated). A chart of ``ChartType="ATTACHMENT"`` is a file: its ``Label`` is the
  name, the next row's ``PlotName`` the content type, its ``<Data>`` the bytes → the
  step's ``attachment``;
* ``Step ParentStepID``, ``StepIndex``, row ``MeasIndex``/``MeasOrderNumber``, ``Process
  Guid`` and ``ReportInfo`` (the .NET client's own bookkeeping) are dropped, as are the
  items WSXF drops.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, iterparse

from pywats.formats._xml import (
    CHART_FIELDS,
    STEP_FIELDS,
    UNIT_FIELDS,
    Field,
    WATSFormatError,
    attrs_of,
    local_name,
    number_text,
    read_fields,
    to_int,
)
from pywats.formats.wsxf import WSXF_NAMESPACE, DropHook, Source, _Reader, _step_type

__all__ = ["WRML_NAMESPACE", "WATSFormatError", "iter_wrml", "read_wrml_file"]

WRML_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report"
"""The namespace of WRML documents."""

_STEP_ID = Field("StepID", "stepId", to_int)
_PARENT_ID = Field("ParentStepID", "parentId", to_int)
_ROW_IDX = Field("idx", "idx", to_int)
_PART_IDX = Field("idx", "idx", to_int)  # PartInfo writes a lower-case idx
_STEP_ROWS = {"sequencecall", "numericlimit", "stringvalue", "passfail", "messagepopup", "callexe",
              "additionalresults", "chart"}
_NAMES = {
    "sequencecall": "SequenceCall", "numericlimit": "NumericLimit", "stringvalue": "StringValue",
    "passfail": "PassFail", "messagepopup": "MessagePopup", "callexe": "Callexe",
    "additionalresults": "AdditionalResults", "chart": "Chart", "step": "Step", "partinfo": "PartInfo",
    "reportinfo": "ReportInfo", "report": "Report", "reports": "Reports", "uut": "UUT", "uur": "UUR",
    "process": "Process", "miscinfo": "MiscInfo", "reportunithierarchy": "ReportUnitHierarchy",
    "failures": "Failures", "binary": "Binary", "asset": "Asset", "additionaldata": "AdditionalData",
}


def _series_data(text: str, where: str) -> tuple[str, str]:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except ValueError:
        raise WATSFormatError(f"{where}: Chart Data is not base64") from None
    if len(raw) % 16:
        raise WATSFormatError(f"{where}: Chart Data holds {len(raw)} bytes, not pairs of 8-byte doubles")
    values = struct.unpack(f"<{len(raw) // 8}d", raw)
    xs = ";".join(number_text(v) for v in values[0::2])
    ys = ";".join(number_text(v) for v in values[1::2])
    return xs, ys


class _WRMLReader(_Reader):
    """Adds the flat step rows of WRML to the WSXF header reader."""

    def __init__(self, on_drop: DropHook | None) -> None:
        super().__init__(None, on_drop)
        self.by_id: dict[int, dict[str, Any]] = {}
        self.order: list[tuple[dict[str, Any], int | None]] = []
        self.charts: dict[int, list[tuple[int, dict[str, str], str]]] = {}

    def start_report(self, elem: Element) -> None:
        super().start_report(elem)
        self.by_id = {}
        self.order = []
        self.charts = {}

    def step_row(self, elem: Element) -> None:
        attrs = attrs_of(elem)
        where = self.where("Step")
        step = read_fields(attrs, STEP_FIELDS, where)
        ids = read_fields(attrs, (_STEP_ID, _PARENT_ID), where)
        step_id = ids.get("stepId", step.get("id"))
        if step_id is None:
            raise WATSFormatError(f"{where}: Step {step.get('name')!r} has no StepID")
        step["id"] = step_id
        if step_id in self.by_id:
            raise WATSFormatError(f"{where}: StepID {step_id} is used twice")
        self.by_id[step_id] = step
        self.order.append((step, ids.get("parentId")))
        self.steps = [step]
        for child in elem:
            name = local_name(child.tag)
            if name.lower() in ("loop", "reporttext"):
                self.step_child("Loop" if name.lower() == "loop" else "ReportText", child)
        self.steps = []

    def row(self, name: str, elem: Element) -> None:
        attrs = attrs_of(elem)
        where = self.where(name)
        step_id = read_fields(attrs, (_STEP_ID,), where).get("stepId")
        if step_id is None:
            raise WATSFormatError(f"{where}: {name} row has no StepID")
        step = self.by_id.get(step_id)
        if step is None:
            raise WATSFormatError(f"{where}: {name} row names StepID {step_id}, which no Step row before it has")
        if name == "Chart":
            idx = read_fields(attrs, (_ROW_IDX,), where).get("idx", 0)
            data = "".join("".join(c.itertext()) for c in elem if local_name(c.tag).lower() == "data")
            self.charts.setdefault(step_id, []).append((idx, attrs, data))
            return
        self.steps = [step]
        self.step_child(name, elem)
        self.steps = []

    def part_info(self, elem: Element) -> None:
        report = self.report
        assert report is not None
        attrs = attrs_of(elem)
        unit = read_fields(attrs, UNIT_FIELDS, self.where("PartInfo"))
        if not unit.get("partType"):
            unit["partType"] = "Main" if report["type"] == "R" and unit.get("idx") == 0 else "Unknown"
        if report["type"] == "T":
            unit.pop("idx", None)  # PartInfo idx is its list position, not a unit index
        report.setdefault("subUnits", []).append(unit)

    def _build_charts(self) -> None:
        for step_id, rows in self.charts.items():
            step = self.by_id[step_id]
            rows.sort(key=lambda row: row[0])
            head = rows[0][1]
            where = f"report {self.count}, step {step.get('name')!r}, Chart"
            if head.get("charttype", "").upper() == "ATTACHMENT":
                attachment: dict[str, Any] = {}
                if "label" in head:
                    attachment["name"] = head["label"]
                if len(rows) > 1:
                    if "plotname" in rows[1][1]:
                        attachment["contentType"] = rows[1][1]["plotname"]
                    attachment["data"] = "".join(rows[1][2].split())
                step["attachment"] = attachment
                continue
            chart = read_fields(head, CHART_FIELDS, where)
            series = []
            for _idx, attrs, data in rows[1:]:
                one: dict[str, Any] = {}
                if "datatype" in attrs:
                    one["dataType"] = attrs["datatype"]
                if "plotname" in attrs:
                    one["name"] = attrs["plotname"]
                one["xdata"], one["ydata"] = _series_data(data, where)
                series.append(one)
            chart["series"] = series
            step["chart"] = chart

    def end_report(self) -> dict[str, Any]:
        report = self.report
        assert report is not None
        self._build_charts()
        root: dict[str, Any] | None = None
        for step, parent_id in self.order:
            if parent_id is None or parent_id == -1:
                if root is not None:
                    raise WATSFormatError(
                        f"report {self.count}: two root steps ({root.get('name')!r} and {step.get('name')!r}); "
                        "every other Step needs a ParentStepID"
                    )
                root = step
                continue
            parent = self.by_id.get(parent_id)
            if parent is None:
                raise WATSFormatError(
                    f"report {self.count}: Step {step.get('name')!r} names ParentStepID {parent_id}, which no Step has"
                )
            parent.setdefault("steps", []).append(step)
        for step, _parent in self.order:
            if not step.get("stepType"):
                step["stepType"] = _step_type(step)
        if root is not None:
            report["root"] = root
        return super().end_report()


def iter_wrml(source: Source, *, on_drop: DropHook | None = None) -> Iterator[dict[str, Any]]:
    """Yield the WSJF dict of every ``Report`` in a WRML document, one at a time.

    Args:
        source: a path or a binary stream of the XML.
        on_drop: called with a message for each element that has no WSJF place.

    Raises:
        WATSFormatError: not WRML, malformed XML, or a value that does not convert; the
            message names the report (1-based) and element.
    """
    reader = _WRMLReader(on_drop)
    stack: list[Element] = []
    try:
        for event, elem in iterparse(source, events=("start", "end")):
            name = _NAMES.get(local_name(elem.tag).lower(), local_name(elem.tag))
            if event == "start":
                if not stack:
                    _check_root(elem, name)
                parent = _NAMES.get(local_name(stack[-1].tag).lower()) if stack else None
                stack.append(elem)
                if name == "Report" and parent in ("Reports", None):
                    reader.start_report(elem)
                continue
            stack.pop()
            parent = _NAMES.get(local_name(stack[-1].tag).lower()) if stack else None
            if reader.report is None:
                continue
            if name == "Report" and parent in ("Reports", None):
                yield reader.end_report()
            elif parent != "Report":
                continue  # a grandchild: read with its parent
            elif name == "Step":
                reader.step_row(elem)
            elif name.lower() in _STEP_ROWS:
                reader.row(name, elem)
            elif name == "PartInfo":
                reader.part_info(elem)
            elif name == "ReportInfo":
                reader.drop("ReportInfo")
            else:
                reader.header_child(name, elem)
            if stack:
                stack[-1].remove(elem)
            elem.clear()
    except ParseError as exc:
        raise WATSFormatError(f"not well-formed XML ({exc})") from None
    if reader.count == 0:
        raise WATSFormatError("the WRML document holds no Report")


def _check_root(elem: Element, name: str) -> None:
    namespace = elem.tag[1:].split("}", 1)[0] if elem.tag.startswith("{") else ""
    if name not in ("Reports", "Report"):
        raise WATSFormatError(f"not a WRML document (root element <{local_name(elem.tag)}>, expected <Reports>)")
    if namespace.lower() == WSXF_NAMESPACE.lower():
        raise WATSFormatError("this is WSXF (WATS Standard XML Format), not WRML; use the 'wsxf' converter (pywats.formats.wsxf)")
    if namespace and namespace.lower() != WRML_NAMESPACE.lower():
        raise WATSFormatError(f"not a WRML document (namespace {namespace!r}, expected {WRML_NAMESPACE!r})")


def read_wrml_file(path: str | os.PathLike[str], *, on_drop: DropHook | None = None) -> list[dict[str, Any]]:
    """All reports of the WRML file at ``path`` (see :func:`iter_wrml`)."""
    with Path(path).open("rb") as stream:
        return list(iter_wrml(stream, on_drop=on_drop))
