"""Built-in WSTF converter (``"wstf"``): the WATS Standard Text Format.

A tab-separated text file, read line by line (memory holds the report being built, not
the file). Each report is three parts, and a file may hold any number of reports::

    --Header-Start--
    SerialNumber    SN-1            (one key and value per line)
    ...
    --Step-Data-Start--
    StepType  StepName  MeasureName  Value  LowLimit  HighLimit  CompOperator  Unit
        StepStatus  StepExecutionTime  StepReportText  StepErrorCode  StepErrorMessage
        CausedSequenceFailure      (the column line; optional, its order is honoured)
    ...one line per step or measurement...
    --Step-Data-End--
    UUTStatus  Failed                 (footer: UUTStatus, ErrorCode, ErrorMessage, ExecutionTime)
    --UUT-End--                        (also written "-- UUT-End--")

Header → WSJF: ``SerialNumber`` → ``sn``, ``PartNumber`` → ``pn``, ``Revision`` → ``rev``,
``OperationTypeCode`` → ``processCode``, ``OperationTypeName`` → ``processName`` (its code
looked up in the station's process list), ``UUTStatus`` → ``result`` (the footer's wins),
``StartDateTime`` → ``start`` (local time), ``UTCStartDateTime`` → ``startUTC``,
``StationName`` → ``machineName``, ``OperatorName`` → ``uut.user``, ``ExecutionTime`` →
``uut.execTime``, ``ErrorCode``/``ErrorMessage`` → ``uut.errorCode``/``errorMessage``,
``TestSocketIndex``, ``FixtureId``, ``BatchSerialNumber`` → ``uut.batchSN``, ``Comment``
→ ``uut.comment``, ``SoftwareName``/``SoftwareVersion`` → ``root.seqCall.name``/``version``,
``Subunit <part type> <part number> <serial number> <revision>`` → ``subUnits[]``; any other
key → ``miscInfos[]`` (``description`` = key, ``text`` = value). ``ConverterMode Import``
trusts the file: a measurement without a status passes instead of being checked.

Step lines (``StepType`` column): ``SequenceCall``/``EndSequenceCall`` open and close a
sequence (an ``EndSequenceCall`` status or time overrides the opening one);
``NumericLimitTest`` (``ET_NLT``; several measurement lines of one step → ``ET_MNLT``),
``PassFailTest`` (``Value`` TRUE/FALSE), ``StringValueTest`` (the limit in the
``LowLimit`` column), their ``Multiple…`` spellings, ``ActionStep``; ``Chart`` (``Chart
<type> <label> <y unit> <y label> <x unit> <x label>``) and ``Series`` (``Series <name>
<data type> <y data> <x data>``, ``;``-separated) → the current step's ``chart``. A line
with an empty ``StepName`` (or the same name) adds a measurement to the current step.
Statuses: a status in the line wins; without one a measurement is checked against its
limits (``compOp`` ``LOG`` if none given and no limits) and steps, sequences and the report
roll up from their children. ``StepExecutionTime`` → ``totTime``, ``StepReportText``,
``StepErrorCode``/``Message``, ``CausedSequenceFailure`` → ``causedSeqFailure``.

Nothing in the format is dropped except the column line; a second ``Chart`` on one step is
an error and an unknown footer line is ignored with a warning, as in the .NET client. Parameters: the standard ones — ``culture`` /
``decimal_separator`` for numbers such as ``1,5``, ``date_format`` for the start times
(ISO 8601 is always read), ``encoding`` (default: a BOM, else UTF-8), and the header
defaults (a value in the file wins).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import IO, Any, ClassVar

from pywats.models.report.limits import (
    DUAL_LIMIT_OPS,
    LOG,
    NUMERIC_OPS,
    SINGLE_LIMIT_OPS,
    STRING_OPS,
    default_comp_op,
    evaluate_numeric,
    evaluate_string,
    normalize_comp_op,
)
from pywats.models.report.status import roll_up
from pywats.models.report.timestamps import format_local, format_utc, parse_timestamp
from pywats_client.converters.base import FileConverter
from pywats_client.converters.builtin._common import parse_number
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import (
    STANDARD_PARAMETERS,
    ParameterSpec,
    StandardParameters,
    apply_header_defaults,
)
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["WSTFConverter", "WSTFError"]


class WSTFError(ValueError):
    """A line of the file cannot be read (the message names the line)."""


_COLUMNS = ("steptype", "stepname", "measurename", "value", "lowlimit", "highlimit", "compoperator", "unit",
            "stepstatus", "stepexecutiontime", "stepreporttext", "steperrorcode", "steperrormessage",
            "causedsequencefailure")
_ALIASES = {"status": "stepstatus", "stringlimit": "lowlimit", "limit": "lowlimit"}
_STATUS = {"passed": "P", "pass": "P", "failed": "F", "fail": "F", "done": "D", "skipped": "S", "skip": "S",
           "error": "E", "terminated": "T", "aborted": "T", "unknown": "U",
           "p": "P", "f": "F", "d": "D", "s": "S", "e": "E", "t": "T", "u": "U"}
_RESULT = {"P": "P", "F": "F", "E": "E", "T": "T"}
_TRUE = {"true", "1", "yes", "pass", "passed", "ok"}
_FALSE = {"false", "0", "no", "fail", "failed"}
_KINDS = {
    "numericlimittest": "numeric", "multiplenumericlimittest": "numeric", "numericlimit": "numeric",
    "passfailtest": "passfail", "multiplepassfailtest": "passfail",
    "stringvaluetest": "string", "multiplestringvaluetest": "string",
}
_END_MULTI = {"endmultiplenumericlimittest", "endmultiplepassfailtest", "endmultiplestringvaluetest"}
_MEAS_KEY = {"numeric": "numericMeas", "passfail": "booleanMeas", "string": "stringMeas"}
_STEP_TYPES = {"numeric": ("ET_NLT", "ET_MNLT"), "passfail": ("ET_PFT", "ET_MPFT"), "string": ("ET_SVT", "ET_MSVT")}


_OFFSET = re.compile(r"(Z|UTC|GMT|[+-]\d{2}(:?\d{2})?)\s*$", re.IGNORECASE)


def _marker(cell: str) -> str:
    return "".join(cell.split()).lower()


class _Builder:
    """Builds the reports of one file from its lines."""

    def __init__(self, params: StandardParameters, context: ConverterContext) -> None:
        self.params = params
        self.context = context
        self.report: dict[str, Any] | None = None
        self.state = "outside"
        self.line_no = 0
        self.columns = {name: i for i, name in enumerate(_COLUMNS)}
        self.warnings: list[str] = []
        self._reset_steps()

    def _reset_steps(self) -> None:
        self.sequences: list[dict[str, Any]] = []
        self.step: dict[str, Any] | None = None
        self.kind: str | None = None
        self.import_mode = False
        self.chart_done = False

    # -- helpers ------------------------------------------------------------------------
    def fail(self, message: str) -> WSTFError:
        return WSTFError(f"line {self.line_no}: {message}")

    def number(self, text: str, what: str) -> float:
        value = parse_number(text, self.params.decimal_separator)
        if value is None:
            hint = ""
            if "," in text and self.params.decimal_separator == ".":
                hint = " (for a decimal comma set the 'culture' or 'decimal_separator' parameter)"
            raise self.fail(f"{what} {text!r} is not a number{hint}")
        return value

    def integer(self, text: str, what: str) -> int:
        value = self.number(text, what)
        if not value.is_integer():
            raise self.fail(f"{what} {text!r} is not a whole number")
        return int(value)

    def status(self, text: str, what: str = "status") -> str | None:
        if not text.strip():
            return None
        letter = _STATUS.get(text.strip().lower())
        if letter is None:
            raise self.fail(f"unknown {what} {text!r} (Passed, Failed, Done, Skipped, Error, Terminated)")
        return letter

    def time(self, text: str, utc: bool) -> str:
        """A start time: ISO 8601 (or ``date_format``); without an offset it is local time,
        or UTC for ``UTCStartDateTime``."""
        value = text.strip()
        try:
            parsed = parse_timestamp(value)
            has_offset = _OFFSET.search(value[10:]) is not None
        except ValueError:
            fmt = self.params.date_format
            if not fmt:
                raise self.fail(f"date-time {value!r} is not ISO 8601 (set the 'date_format' parameter)") from None
            try:
                parsed = datetime.strptime(value, fmt)
            except ValueError:
                raise self.fail(f"date-time {value!r} does not match date_format {fmt!r}") from None
            has_offset = parsed.tzinfo is not None
        if not has_offset:
            wall = parsed.replace(tzinfo=None)
            parsed = wall.replace(tzinfo=timezone.utc) if utc else wall.astimezone()
        return format_utc(parsed) if utc else format_local(parsed)

    # -- line dispatch ------------------------------------------------------------------
    def line(self, text: str) -> dict[str, Any] | None:
        """Read one line; return a finished report when the line ends one."""
        self.line_no += 1
        cells = text.rstrip("\r\n").split("\t")
        first = cells[0].strip()
        marker = _marker(first)
        if not first and not any(c.strip() for c in cells):
            return None
        if marker == "--header-start--":
            done = self.finish("a new --Header-Start-- began") if self.report is not None else None
            self.report = {"type": "T", "uut": {}}
            self._reset_steps()
            self.state = "header"
            return done
        if self.report is None:
            raise self.fail(f"expected --Header-Start--, found {first!r}")
        if marker == "--step-data-start--":
            self.state = "steps"
            root = self.report.setdefault("root", {"stepType": "SequenceCall", "name": "MainSequence Callback",
                                                   "group": "M"})
            self.sequences = [root]
            return None
        if marker == "--step-data-end--":
            if len(self.sequences) > 1:
                raise self.fail(f"--Step-Data-End-- while SequenceCall {self.sequences[-1].get('name')!r} is open")
            self.state = "footer"
            return None
        if marker == "--uut-end--":
            return self.finish(None)
        if self.state == "header":
            self.header(first, cells)
        elif self.state == "steps":
            self.step_line(cells)
        else:
            self.footer(first, cells)
        return None

    # -- header and footer --------------------------------------------------------------
    def header(self, key: str, cells: list[str]) -> None:
        report = self.report
        assert report is not None
        value = cells[1].strip() if len(cells) > 1 else ""
        uut = report["uut"]
        lower = key.lower()
        if lower == "subunit":
            parts = [c.strip() for c in cells[1:5]] + [""] * (4 - len(cells[1:5]))
            unit = {"partType": parts[0], "pn": parts[1], "sn": parts[2]}
            if parts[3]:
                unit["rev"] = parts[3]
            report.setdefault("subUnits", []).append(unit)
            return
        if self.footer(key, cells, header=True):
            return
        if not value:
            return  # an empty header field is absent
        if lower == "serialnumber":
            report["sn"] = value
        elif lower == "partnumber":
            report["pn"] = value
        elif lower == "revision":
            report["rev"] = value
        elif lower == "operationtypecode":
            report["processCode"] = self.integer(value, "OperationTypeCode")
        elif lower == "operationtypename":
            report["processName"] = value
            code = self.context.process_code(value)
            if code is not None and "processCode" not in report:
                report["processCode"] = code
        elif lower == "startdatetime":
            report["start"] = self.time(value, utc=False)
        elif lower == "utcstartdatetime":
            report["startUTC"] = self.time(value, utc=True)
        elif lower == "stationname":
            report["machineName"] = value
        elif lower == "operatorname":
            uut["user"] = value
        elif lower == "testsocketindex":
            uut["testSocketIndex"] = self.integer(value, "TestSocketIndex")
        elif lower == "fixtureid":
            uut["fixtureId"] = value
        elif lower == "batchserialnumber":
            uut["batchSN"] = value
        elif lower == "comment":
            uut["comment"] = value
        elif lower == "softwarename":
            report.setdefault("root", {"stepType": "SequenceCall", "name": "MainSequence Callback", "group": "M"})
            report["root"].setdefault("seqCall", {})["name"] = value
        elif lower == "softwareversion":
            report.setdefault("root", {"stepType": "SequenceCall", "name": "MainSequence Callback", "group": "M"})
            report["root"].setdefault("seqCall", {})["version"] = value
        elif lower == "convertermode":
            self.import_mode = value.lower() == "import"
        else:
            report.setdefault("miscInfos", []).append({"description": key, "text": value})

    def footer(self, key: str, cells: list[str], header: bool = False) -> bool:
        """UUTStatus, ErrorCode, ErrorMessage, ExecutionTime (header or footer; last wins)."""
        report = self.report
        assert report is not None
        value = cells[1].strip() if len(cells) > 1 else ""
        lower = key.lower()
        if lower == "uutstatus":
            if value:
                letter = self.status(value, "UUTStatus")
                if letter not in _RESULT:
                    raise self.fail(f"UUTStatus {value!r} is not a report result (Passed, Failed, Error, Terminated)")
                report["result"] = letter
        elif lower == "errorcode":
            if value:
                report["uut"]["errorCode"] = self.integer(value, "ErrorCode")
        elif lower == "errormessage":
            if value:
                report["uut"]["errorMessage"] = value
        elif lower == "executiontime":
            if value:
                report["uut"]["execTime"] = self.number(value, "ExecutionTime")
        elif header:
            return False
        elif key:  # ignored, as the .NET client does
            self.warnings.append(f"line {self.line_no}: footer line {key!r} ignored "
                                 "(UUTStatus, ErrorCode, ErrorMessage, ExecutionTime are read)")
        return True

    # -- steps --------------------------------------------------------------------------
    def cell(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def step_line(self, cells: list[str]) -> None:
        kind_text = cells[0].strip()
        lower = kind_text.lower()
        if lower == "steptype":  # the column line: its order is honoured
            names = [_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in cells]
            self.columns = {name: i for i, name in enumerate(names) if name}
            return
        if lower == "uutstatus":
            self.footer(kind_text, cells)
            return
        if lower == "chart":
            self.chart(cells)
            return
        if lower == "series":
            self.series(cells)
            return
        parent = self.sequences[-1]
        name = self.cell(cells, "stepname")
        status = self.status(self.cell(cells, "stepstatus"))
        if lower == "sequencecall":
            seq: dict[str, Any] = {"stepType": "SequenceCall", "name": name, "group": "M",
                                   "seqCall": {"name": name}}
            if status:
                seq["status"] = status
            self.general(seq, cells)
            parent.setdefault("steps", []).append(seq)
            self.sequences.append(seq)
            self.step, self.kind = seq, None
            self.chart_done = False
            return
        if lower == "endsequencecall":
            if len(self.sequences) < 2:
                raise self.fail("EndSequenceCall without an open SequenceCall")
            current = self.sequences[-1]
            if name and name != current.get("name"):
                raise self.fail(f"EndSequenceCall {name!r} does not close the open SequenceCall {current.get('name')!r}")
            if status:
                current["status"] = status
            self.general(current, cells)
            self.sequences.pop()
            self.step, self.kind = None, None
            return
        if lower in _END_MULTI:
            self.step, self.kind = None, None
            return
        if lower in ("actionstep", "action"):
            step: dict[str, Any] = {"stepType": "Action", "name": name, "group": "M", "status": status or "D"}
            self.general(step, cells)
            parent.setdefault("steps", []).append(step)
            self.step, self.kind = step, "action"
            self.chart_done = False
            return
        kind = _KINDS.get(lower)
        if kind is None:
            raise self.fail(f"unknown StepType {kind_text!r}")
        if self.step is None or self.kind != kind or (name and name != self.step.get("name")):
            step = {"name": name, "group": "M"}
            parent.setdefault("steps", []).append(step)
            self.step, self.kind = step, kind
            self.chart_done = False
        step = self.step
        assert step is not None
        meas = self.measurement(kind, cells, status)
        step.setdefault(_MEAS_KEY[kind], []).append(meas)
        if status and status not in ("P", "F", "S") and "explicit" not in step:
            step["explicit"] = status  # Done/Error/Terminated belong to the step
        self.general(step, cells)

    def measurement(self, kind: str, cells: list[str], status: str | None) -> dict[str, Any]:
        meas: dict[str, Any] = {}
        mname = self.cell(cells, "measurename")
        if mname:
            meas["name"] = mname
        value = self.cell(cells, "value")
        op_text = self.cell(cells, "compoperator")
        given = status if status in ("P", "F", "S") else None
        if kind == "passfail":
            lowered = value.lower()
            if lowered in _TRUE:
                passed = True
            elif lowered in _FALSE:
                passed = False
            elif not value and given:
                passed = given != "F"
            else:
                raise self.fail(f"PassFailTest value {value!r} is not TRUE or FALSE")
            meas["status"] = given or ("P" if passed or self.import_mode else "F")
            return meas
        if kind == "string":
            limit = self.cell(cells, "lowlimit")
            op = self.comp_op(op_text, string=True) if op_text else (LOG if not limit else "EQ")
            meas["compOp"] = op
            meas["value"] = value
            if op != LOG or limit:
                meas["limit"] = limit
            meas["status"] = given or ("P" if self.import_mode or evaluate_string(op, value, limit) else "F")
            return meas
        if not value:
            raise self.fail("NumericLimitTest has no Value")
        number = self.number(value, "Value")
        low_text, high_text = self.cell(cells, "lowlimit"), self.cell(cells, "highlimit")
        low = self.number(low_text, "LowLimit") if low_text else None
        high = self.number(high_text, "HighLimit") if high_text else None
        op = self.comp_op(op_text) if op_text else default_comp_op(low, high)
        meas["compOp"] = op
        meas["value"] = number
        if op in SINGLE_LIMIT_OPS:
            bound = low if low is not None else high
            if bound is None:
                raise self.fail(f"CompOperator {op} needs a limit (LowLimit column)")
            meas["lowLimit"] = bound
        elif op in DUAL_LIMIT_OPS:
            if low is None or high is None:
                raise self.fail(f"CompOperator {op} needs LowLimit and HighLimit")
            meas["lowLimit"], meas["highLimit"] = low, high
        unit = self.cell(cells, "unit")
        if unit:
            meas["unit"] = unit
        ok = self.import_mode or evaluate_numeric(op, number, meas.get("lowLimit"), meas.get("highLimit"))
        meas["status"] = given or ("P" if ok else "F")
        return meas

    def comp_op(self, text: str, string: bool = False) -> str:
        try:
            return normalize_comp_op(text, string=string)
        except ValueError:
            allowed = STRING_OPS if string else NUMERIC_OPS
            raise self.fail(f"unknown CompOperator {text!r}; valid: {', '.join(sorted(allowed))}") from None

    def general(self, step: dict[str, Any], cells: list[str]) -> None:
        text = self.cell(cells, "stepexecutiontime")
        if text:
            seconds = self.number(text, "StepExecutionTime")
            if seconds > 0:
                step["totTime"] = seconds
        text = self.cell(cells, "stepreporttext")
        if text:
            step["reportText"] = text
        text = self.cell(cells, "steperrorcode")
        if text:
            step["errorCode"] = self.integer(text, "StepErrorCode")
        text = self.cell(cells, "steperrormessage")
        if text:
            step["errorMessage"] = text
        text = self.cell(cells, "causedsequencefailure").lower()
        if text:
            if text not in _TRUE and text not in _FALSE:
                raise self.fail(f"CausedSequenceFailure {text!r} is not True or False")
            step["causedSeqFailure"] = text in _TRUE

    def chart(self, cells: list[str]) -> None:
        if self.step is None:
            raise self.fail("Chart line without a step before it")
        if self.chart_done or "chart" in self.step:
            raise self.fail("a step can hold only one Chart")
        parts = [c.strip() for c in cells[1:7]] + [""] * (6 - len(cells[1:7]))
        chart_type = parts[0] or "Line"
        self.step["chart"] = {"chartType": chart_type, "label": parts[1], "yUnit": parts[2], "yLabel": parts[3],
                              "xUnit": parts[4], "xLabel": parts[5], "series": []}

    def series(self, cells: list[str]) -> None:
        chart = self.step.get("chart") if self.step is not None else None
        if chart is None:
            raise self.fail("Series line without a Chart line before it")
        parts = [c.strip() for c in cells[1:5]] + [""] * (4 - len(cells[1:5]))
        name, data_type, ydata, xdata = parts
        if (data_type or "XYG").upper() != "XYG":
            raise self.fail(f"Series data type {data_type!r} is not XYG")
        if not ydata:
            raise self.fail("Series has no Y data")
        ys = self.points(ydata, "Y data")
        xs = self.points(xdata, "X data") if xdata else [str(i) for i in range(len(ys))]
        if len(xs) != len(ys):
            raise self.fail(f"Series X data has {len(xs)} points, Y data {len(ys)}")
        chart["series"].append({"dataType": "XYG", "name": name, "xdata": ";".join(xs), "ydata": ";".join(ys)})

    def points(self, text: str, what: str) -> list[str]:
        out = []
        for item in text.replace(",", ".").split(";"):
            try:
                float(item)
            except ValueError:
                raise self.fail(f"Series {what} value {item!r} is not a number") from None
            out.append(item.strip())
        return out

    # -- finishing ----------------------------------------------------------------------
    def finish(self, missing_end: str | None) -> dict[str, Any]:
        report = self.report
        assert report is not None
        if missing_end is not None:
            self.warnings.append(f"line {self.line_no}: report {report.get('sn')!r} has no --UUT-End-- ({missing_end}); "
                                 "sent anyway")
        if self.state == "steps" and len(self.sequences) > 1:
            raise self.fail(f"the report ends while SequenceCall {self.sequences[-1].get('name')!r} is open")
        root = report.get("root")
        if root is not None:
            _finish_step(root)
            report.setdefault("result", _RESULT.get(root.get("status", "P"), "P"))
        self.report = None
        self.state = "outside"
        self._reset_steps()
        return report


def _finish_step(step: dict[str, Any]) -> str:
    """Fill step types and missing statuses bottom-up; return the step's status."""
    children = step.get("steps")
    if step.get("stepType") == "SequenceCall" or children is not None:
        step["stepType"] = "SequenceCall"
        rolled = roll_up([_finish_step(child) for child in children or ()])  # finish every child
        step.setdefault("status", rolled)
        return str(step["status"])
    explicit = step.pop("explicit", None)
    for key, kind in (("numericMeas", "numeric"), ("booleanMeas", "passfail"), ("stringMeas", "string")):
        items = step.get(key)
        if not items:
            continue
        single, multi = _STEP_TYPES[kind]
        step["stepType"] = multi if len(items) > 1 or items[0].get("name") else single
        if kind == "numeric" and step.get("chart") is not None:
            step["stepType"] = "WATS_XYGMNLT"
        statuses = [m.get("status") for m in items]
        if explicit:
            step["status"] = explicit
        elif all(s == "S" for s in statuses):
            step["status"] = "S"
        else:
            step["status"] = roll_up(s for s in statuses if s != "S")
    step.setdefault("stepType", "Action")
    step.setdefault("status", "D")
    return str(step["status"])


def _open_text(source: ConverterSource, encoding: str | None) -> IO[str]:
    stream = source.path.open("rb")
    head = stream.read(4)
    stream.seek(0)
    chosen = encoding
    if chosen is None:
        chosen = "utf-8"
        for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
            if head.startswith(bom):
                chosen = name
                break
    elif chosen.lower().replace("_", "-") in ("utf-8", "utf8"):
        chosen = "utf-8-sig"
    return io.TextIOWrapper(stream, encoding=chosen, newline=None)


class WSTFConverter(FileConverter):
    """WATS Standard Text Format → WSJF (one or many reports per file)."""

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = STANDARD_PARAMETERS

    @property
    def name(self) -> str:
        """Display name."""
        return "WSTF Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.txt`` and ``*.wstf``."""
        return ["*.txt", "*.wstf"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return the report(s) in ``source``."""
        params = StandardParameters.from_mapping(context.parameters)
        builder = _Builder(params, context)
        reports: list[dict[str, Any]] = []
        try:
            with _open_text(source, params.encoding) as stream:
                for done in _reports(builder, stream):
                    reports.append(apply_header_defaults(done, params, context))
        except WSTFError as exc:
            return ConverterResult.failure(f"{source.name}: {exc}")
        except UnicodeDecodeError as exc:
            return ConverterResult.failure(
                f"{source.name}: line {builder.line_no + 1}: not valid {exc.encoding} text; "
                "set the converter's 'encoding' parameter (e.g. cp1252)"
            )
        if not reports:
            return ConverterResult.failure(f"{source.name}: no report (no --Header-Start-- line)")
        return ConverterResult.success(reports if len(reports) > 1 else reports[0], warnings=builder.warnings)


def _reports(builder: _Builder, stream: IO[str]) -> Iterator[dict[str, Any]]:
    first = True
    for text in stream:
        if first and text.strip():
            first = False
            cell = text.split("\t", 1)[0].strip()
            if _marker(cell) != "--header-start--":
                shown = cell[:40] + ("…" if len(cell) > 40 else "")
                raise WSTFError(
                    f"not a WATS Standard Text Format file (the first line must be --Header-Start--, found {shown!r})"
                )
        done = builder.line(text)
        if done is not None:
            yield done
    if builder.report is not None:
        yield builder.finish("the file ended")
