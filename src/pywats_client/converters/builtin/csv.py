"""Built-in CSV converter (``"csv"``): step tables, one report per unit.

Two layouts are read, both row by row (the file is never held in memory whole):

1. The integration guide's layout: a header block (a row of field names, then a row of
   values) followed by a step table::

       PartNumber,SerialNumber,,,
       WIDGET-100,SN-12345,,,
       TestName,Value,Unit,LowLimit,HighLimit
       Resistance,10.5,Ohm,9.0,12.0

2. A plain table with one row per measurement whose columns also name the unit, as test
   systems such as Listen SoundCheck export it (tab-separated here)::

       Serial #:  Operator:  Time:                  Name             Margin  Unit  Result  Limits
       S/N 13     Rick       7/22/2020 10:22:14 AM  Ave Sensitivity  95.50   dB    PASS    100.0/90.0

A serial-number column in the table makes **one report per unit**: consecutive rows with
the same serial number (and the same start time) form one report, in file order; when the
serial changes (or the same unit is tested again later) a new report starts. Reports are
produced one at a time, so memory does not grow with the number of units.

Header fields: part number and serial number (required; the part number may come from the
``part_number`` parameter), and optionally revision, operator, operation / process code,
start time (one column, or separate date and time columns) and status (the unit result,
header block only; a ``Time`` column of step durations is not taken for a time). A header field missing from the header block is looked up in the
table's columns (per unit: the unit's first row). Table columns: test name and value
(required), unit, low limit, high limit, a combined limits column (``"100.0/90.0"``, either
order), tolerance (the kind of limit, e.g. ``Max/Min``), status, comparison operator.

A numeric value gives a numeric step (status from the status column, else from the
limits); a non-numeric value a string step (the low limit, if given, is the expected
text); an empty value with a status gives a pass/fail step. Limits that are not numbers
(``"Individual Pts."``) and the tolerance text go to the step's ``reportText``.

Column names are matched ignoring case, spaces and ``_ - . : # /`` (``"Serial #:"``
matches ``Serial``); every name can be set in the converter's parameters:
``part_number_column``, ``serial_number_column``, ``revision_column``, ``operator_column``,
``operation_column`` (alias ``process_code_column``), ``start_time_column``,
``date_column``, ``time_column``, ``result_column``, ``test_name_column``,
``value_column``, ``unit_column``, ``low_limit_column``, ``high_limit_column``,
``limits_column``, ``tolerance_column``, ``status_column``, ``comp_op_column``. Other
options: ``delimiter`` (default: detected from , ; tab |), ``start_time_format`` /
``time_format`` (strptime formats), ``misc_info_columns`` (columns copied, from each unit's
first row, into ``miscInfos``), and the standard parameters (``part_number``,
``revision``, ``operation_type``, ``operator``, ``station``, ``location``, ``purpose``,
``sequence_name``, ``sequence_version``, ``culture``, ``decimal_separator``,
``date_format``, ``encoding``). A value in the file wins over a parameter. The older
option names ``operation`` / ``process_code`` still work as ``operation_type``.
"""

from __future__ import annotations

import csv as _csv
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from pywats_client.converters.base import FileConverter
from pywats_client.converters.builtin._common import parse_number, parse_status, parse_time
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import (
    STANDARD_PARAMETERS,
    ConverterParameterError,
    ParameterSpec,
    StandardParameters,
    apply_header_defaults,
)
from pywats_client.converters.result import ConversionError, ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["CSVConverter", "CSVFormatError"]

_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "part_number": ("PartNumber", "PN", "Part"),
    "serial_number": ("SerialNumber", "SN", "Serial"),
    "revision": ("Revision", "Rev", "PartRevision"),
    "operator": ("Operator", "User", "Operator Name"),
    "operation": ("Operation", "ProcessCode", "Process", "OperationType", "TestOperation"),
    "start_time": ("StartTime", "Start", "DateTime", "Timestamp", "TestDateTime"),
    "date": ("Date", "TestDate", "StartDate"),
    "time": ("Time", "TestTime"),
    "result": ("Status", "Result", "UUTStatus", "UUTResult"),
    "test_name": ("TestName", "Test", "StepName", "Step", "Name"),
    "value": ("Value", "Measurement", "Measured", "Result Value", "Margin"),
    "unit": ("Unit", "Units"),
    "low_limit": ("LowLimit", "Low", "LoLimit", "Min"),
    "high_limit": ("HighLimit", "High", "HiLimit", "Max"),
    "limits": ("Limits", "Limit"),
    "tolerance": ("Tolerance", "LimitType"),
    "status": ("Status", "Result", "StepStatus"),
    "comp_op": ("CompOp", "Comparison", "Comparator"),
}
_STANDARD_USED = (
    "part_number", "revision", "operation_type", "operator", "station", "location", "purpose",
    "sequence_name", "sequence_version", "culture", "decimal_separator", "date_format", "encoding",
)


class CSVFormatError(ConversionError):
    """The CSV file does not have the expected layout; the message names file, row and column."""


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch not in " _-.:#/")


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _trim(row: list[str]) -> list[str]:
    row = [cell.strip() for cell in row]
    while row and not row[-1]:
        row.pop()
    return row


@dataclass
class _Table:
    """Where the step table's columns are (column index and header text per field)."""

    header: list[str]
    index: dict[str, int]
    columns: dict[str, tuple[int, str] | None] = field(default_factory=dict)

    def cell(self, row: Sequence[str], key: str) -> str:
        located = self.columns.get(key)
        if located is None or located[0] >= len(row):
            return ""
        return row[located[0]]

    def name(self, key: str) -> str:
        located = self.columns.get(key)
        return located[1] if located else key


class _Unit:
    """One report being built: the builder and where the unit started."""

    def __init__(self, builder: Any, key: tuple[str, str], row_no: int) -> None:
        self.builder = builder
        self.key = key
        self.row_no = row_no
        self.steps = 0


class CSVConverter(FileConverter):
    """Converts step-table CSV files (with or without a header block) to UUT reports."""

    parameter_specs = tuple(p for p in STANDARD_PARAMETERS if p.name in _STANDARD_USED) + (
        ParameterSpec("delimiter", "field separator: ',', ';', 'tab', '|' or 'auto'", "auto"),
        ParameterSpec("start_time_format", "strptime format of the start time column"),
        ParameterSpec("time_format", "strptime format of a separate time column (with date_format)"),
        ParameterSpec("misc_info_columns", "columns copied (first row of a unit) into miscInfos", []),
        *(
            ParameterSpec(f"{key}_column", f"column name of the {key.replace('_', ' ')}", names[0])
            for key, names in _DEFAULT_COLUMNS.items()
        ),
    )

    @property
    def name(self) -> str:
        """Display name."""
        return "CSV Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.csv``."""
        return ["*.csv"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return the file's reports, one per unit, produced one at a time as the file is read.

        Problems in the file raise :class:`CSVFormatError` (a :class:`ConversionError`)
        while the reports are taken, with file, row and column in the message.
        """
        try:
            std = context.standard_parameters()
        except ConverterParameterError as exc:
            return ConverterResult.failure(f"{source.name}: {exc}")
        return ConverterResult.success(self._reports(source, context, std))

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _columns(args: Mapping[str, Any], key: str) -> tuple[str, ...]:
        configured = args.get(f"{key}_column")
        if key == "operation" and not configured:
            configured = args.get("process_code_column")
        if configured:
            return (str(configured),)
        return _DEFAULT_COLUMNS[key]

    def _reports(
        self, source: ConverterSource, context: ConverterContext, std: StandardParameters
    ) -> Iterator[dict[str, Any]]:
        fname = source.name
        try:
            stream = source.open_text(std.encoding)
        except ValueError as exc:
            raise CSVFormatError(str(exc)) from exc
        with stream:
            try:
                yield from self._parse(stream, source, context, std)
            except UnicodeDecodeError as exc:
                raise CSVFormatError(
                    f"{fname}: not valid {exc.encoding} text ({exc.reason}); "
                    "set the converter's 'encoding' parameter (e.g. cp1252, latin-1, utf-16)"
                ) from exc

    def _rows(self, stream: TextIO, args: Mapping[str, Any]) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line number, trimmed cells)`` of the non-empty rows."""
        first: list[str] = []
        for line in stream:
            first.append(line)
            if line.strip():
                break
        if not first or not first[-1].strip():
            return
        delimiter = str(args.get("delimiter") or "auto")
        if delimiter.lower() == "auto":
            delimiter = _sniff_delimiter(first[-1])
        elif delimiter.lower() in ("tab", "\\t"):
            delimiter = "\t"
        reader = _csv.reader(itertools.chain(first, stream), delimiter=delimiter)
        for raw in reader:
            row = _trim(raw)
            if row:
                yield reader.line_num, row

    def _parse(
        self, stream: TextIO, source: ConverterSource, context: ConverterContext, std: StandardParameters
    ) -> Iterator[dict[str, Any]]:
        args = context.arguments
        fname = source.name
        rows = self._rows(stream, args)
        test_names = {_fold(c) for c in self._columns(args, "test_name")}

        header_rows: list[tuple[int, list[str]]] = []
        table_row_no, table_header = 0, []
        for row_no, row in rows:
            if any(_fold(c) in test_names for c in row):
                table_row_no, table_header = row_no, row
                break
            header_rows.append((row_no, row))
        else:
            if not header_rows:
                raise CSVFormatError(f"{fname}: the file is empty")
            wanted = " / ".join(self._columns(args, "test_name"))
            raise CSVFormatError(f"{fname}: no step table: no row has a '{wanted}' column header")

        # header block: pairs of (names row, values row)
        header: dict[str, str] = {}  # folded name -> value
        for i in range(0, len(header_rows), 2):
            names_no, names = header_rows[i]
            if i + 1 >= len(header_rows):
                raise CSVFormatError(f"{fname} row {names_no}: header names row has no values row below it")
            values = header_rows[i + 1][1]
            for col, name in enumerate(names):
                if name:
                    header.setdefault(_fold(name), values[col] if col < len(values) else "")

        index: dict[str, int] = {}
        for col, name in enumerate(table_header):
            if name:
                index.setdefault(_fold(name), col)
        table = _Table(table_header, index)
        for field_key in _DEFAULT_COLUMNS:
            table.columns[field_key] = None
            for candidate in self._columns(args, field_key):
                found_col = index.get(_fold(candidate))
                if found_col is not None:
                    table.columns[field_key] = (found_col, table_header[found_col])
                    break
        if table.columns["value"] is None:
            raise CSVFormatError(
                f"{fname} row {table_row_no}: the step table has no "
                f"{' / '.join(self._columns(args, 'value'))} column"
            )
        misc_setting = args.get("misc_info_columns") or ()
        if isinstance(misc_setting, str):
            misc_setting = [misc_setting]
        if not isinstance(misc_setting, (list, tuple)):
            raise CSVFormatError(f"{fname}: parameter 'misc_info_columns' must be a list of column names")
        misc_columns = [str(c) for c in misc_setting]

        def header_value(key: str) -> str | None:
            for candidate in self._columns(args, key):
                found = header.get(_fold(candidate))
                if found:
                    return found
            return None

        def unit_value(key: str, row: Sequence[str]) -> str | None:
            found = header_value(key)
            if found or key == "result":
                return found
            return table.cell(row, key) or None

        grouped = table.columns["serial_number"] is not None
        unit: _Unit | None = None
        for row_no, row in rows:
            if unit is None:
                self._check_time_columns(row, table, args, std, context, fname)
            if grouped:
                serial = table.cell(row, "serial_number")
                if not serial and not table.cell(row, "test_name"):
                    continue
                if not serial:
                    serial = header_value("serial_number") or ""
                if not serial:
                    raise CSVFormatError(
                        f"{fname} row {row_no}, column {table.name('serial_number')}: empty serial number"
                    )
                key = (serial, table.cell(row, "start_time") + table.cell(row, "date") + table.cell(row, "time"))
            else:
                key = ("", "")
            if unit is None or unit.key != key:
                if unit is not None:
                    yield self._finish(unit, std, context, fname)
                unit = self._start_unit(
                    key, row_no, row, table, header, header_value, unit_value, misc_columns,
                    std, context, fname,
                )
            self._add_step(unit, row_no, row, table, std, fname)
        if unit is None:
            if grouped:
                raise CSVFormatError(f"{fname}: the step table has no rows")
            unit = self._start_unit(
                ("", ""), table_row_no, [], table, header, header_value, unit_value, misc_columns,
                std, context, fname,
            )
        yield self._finish(unit, std, context, fname)

    # -- one unit ------------------------------------------------------------------------
    def _start_unit(
        self,
        key: tuple[str, str],
        row_no: int,
        row: Sequence[str],
        table: _Table,
        header: Mapping[str, str],
        header_value: Callable[[str], str | None],
        unit_value: Callable[[str, Sequence[str]], str | None],
        misc_columns: Iterable[str],
        std: StandardParameters,
        context: ConverterContext,
        fname: str,
    ) -> _Unit:
        args = context.arguments
        where = f"{fname} row {row_no}" if key[0] else fname
        serial_number = key[0] or unit_value("serial_number", row)
        part_number = unit_value("part_number", row) or std.part_number
        if not part_number or not serial_number:
            what = "serial_number" if part_number else "part_number"
            columns = " / ".join(self._columns(args, what))
            hint = "" if what == "serial_number" else " (or set the 'part_number' parameter)"
            place = "in the header block" if not key[0] else "in the row"
            raise CSVFormatError(f"{where}: no {columns} value {place}{hint}")

        start = self._start_time(row, table, header_value, unit_value, std, args, where)
        result = None
        result_text = unit_value("result", row)
        if result_text:
            result = parse_status(result_text)
            if result not in ("P", "F", "E", "T"):
                raise CSVFormatError(f"{where}: unit Status {result_text!r} is not Passed/Failed/Error/Terminated")

        from pywats.tools import ReportBuilder

        kwargs: dict[str, Any] = {}
        if std.sequence_name:
            kwargs["sequence_name"] = std.sequence_name
        if std.sequence_version:
            kwargs["sequence_version"] = std.sequence_version
        builder = ReportBuilder(
            part_number=part_number,
            serial_number=serial_number,
            revision=unit_value("revision", row) or std.revision or "A",
            operator=unit_value("operator", row) or std.operator or None,
            station_name=std.station or context.station_name or None,
            location=std.location or context.location or None,
            purpose=std.purpose or context.purpose or None,
            start=start,
            result=result,
            **kwargs,
        )
        operation = (
            unit_value("operation", row)
            or std.operation_type
            or args.get("operation")
            or args.get("process_code")
        )
        if operation not in (None, ""):
            code = context.process_code(str(operation))
            try:
                builder.set_operation_type(code if code is not None else str(operation))
            except Exception as exc:
                raise CSVFormatError(f"{where}: operation {operation!r}: {exc}") from exc
        for column in misc_columns:
            folded = _fold(column)
            col = table.index.get(folded)
            text = row[col] if col is not None and col < len(row) else ""
            if not text:
                text = header.get(folded, "")
            if text:
                builder.add_misc_info(column, text)
        return _Unit(builder, key, row_no)

    def _start_time(
        self,
        row: Sequence[str],
        table: _Table,
        header_value: Callable[[str], str | None],
        unit_value: Callable[[str, Sequence[str]], str | None],
        std: StandardParameters,
        args: Mapping[str, Any],
        where: str,
    ) -> datetime | None:
        """The unit's start: a start-time column, or date + time columns (either alone)."""
        combined = unit_value("start_time", row)
        label = "StartTime"
        if combined:
            texts = [combined]
            formats = [args.get("start_time_format"), std.date_format]
        else:
            date_text, time_text = unit_value("date", row), unit_value("time", row)
            if not date_text and not time_text:
                return None
            label = "Date/Time" if date_text and time_text else ("Date" if date_text else "Time")
            combined = " ".join(t for t in (date_text, time_text) if t)
            texts = [combined]
            formats = [args.get("start_time_format"), std.date_format]
            if std.date_format and args.get("time_format"):
                formats.insert(0, f"{std.date_format.split(' ')[0]} {args['time_format']}")
        parsed = _parse_when(texts[0], [str(f) for f in formats if f])
        if parsed is None:
            raise CSVFormatError(
                f"{where}: {label} {combined!r} is not a date/time "
                "(set the 'date_format' or 'start_time_format' parameter)"
            )
        return parsed

    @staticmethod
    def _check_time_columns(
        row: Sequence[str], table: _Table, args: Mapping[str, Any], std: StandardParameters,
        context: ConverterContext, fname: str,
    ) -> None:
        """Stop using a ``Time`` column found by its default name (not configured) whose
        first value is neither a time of day nor a date/time: step durations (``0.52``)."""
        formats = [str(f) for f in (args.get("start_time_format"), std.date_format) if f]
        for key in ("time",):
            located = table.columns.get(key)
            text = table.cell(row, key)
            if located is None or not text or args.get(f"{key}_column") or _TIME_OF_DAY.match(text):
                continue
            if _parse_when(text, formats) is None:
                table.columns[key] = None
                context.log_warning(
                    f"{fname}: column {located[1]!r} ({text!r}) holds no date/time; not used for the start time"
                )

    def _add_step(
        self, unit: _Unit, row_no: int, row: Sequence[str], table: _Table, std: StandardParameters, fname: str
    ) -> None:
        name = table.cell(row, "test_name")
        if not name:
            return
        decimal = std.decimal_separator
        raw_value = table.cell(row, "value")
        unit_text = table.cell(row, "unit") or None
        status_text = table.cell(row, "status")
        status = parse_status(status_text) if status_text else None
        if status_text and status is None:
            raise CSVFormatError(
                f"{fname} row {row_no}, column {table.name('status')}: "
                f"unknown status {status_text!r} (use Passed/Failed/Skipped/Done/Error)"
            )
        low_text, high_text = table.cell(row, "low_limit"), table.cell(row, "high_limit")
        limits_text, tolerance = table.cell(row, "limits"), table.cell(row, "tolerance")
        report_text = None
        if limits_text and not low_text and not high_text:
            pair = _limit_pair(limits_text, decimal)
            if pair is not None:
                low_text, high_text = pair
                report_text = tolerance or None
            else:
                report_text = f"{tolerance}: {limits_text}" if tolerance else limits_text
        elif tolerance:
            report_text = tolerance
        comp_op = table.cell(row, "comp_op") or None
        number = parse_number(raw_value, decimal)
        builder = unit.builder
        try:
            if raw_value and number is not None:
                low = self._limit(low_text, decimal, fname, row_no, table, "low_limit")
                high = self._limit(high_text, decimal, fname, row_no, table, "high_limit")
                builder.add_step(
                    name=name, value=number, unit=unit_text, limits=(low, high), status=status,
                    comp_op=comp_op, report_text=report_text,
                )
            elif raw_value:
                builder.add_step(
                    name=name, value=raw_value, unit=unit_text, limits=(low_text or None, None),
                    status=status, comp_op=comp_op, report_text=report_text,
                )
            elif status in ("P", "F"):
                builder.add_step(name=name, value=status == "P", status=status, report_text=report_text)
            elif status is not None:
                builder.add_step(name=name, value=None, status=status, report_text=report_text)
            else:
                raise CSVFormatError(
                    f"{fname} row {row_no}, column {table.name('value')}: empty value for step {name!r} "
                    "and no status"
                )
        except (ValueError, TypeError) as exc:
            if isinstance(exc, CSVFormatError):
                raise
            raise CSVFormatError(f"{fname} row {row_no}: {exc}") from exc
        unit.steps += 1

    @staticmethod
    def _finish(unit: _Unit, std: StandardParameters, context: ConverterContext, fname: str) -> dict[str, Any]:
        if unit.steps == 0:
            context.log_warning(f"{fname}: the step table is empty")
        report: dict[str, Any] = unit.builder.to_dict()
        try:
            return apply_header_defaults(report, std, context)
        except ConverterParameterError as exc:
            raise CSVFormatError(f"{fname}: {exc}") from exc

    @staticmethod
    def _limit(text: str, decimal: str, fname: str, row_no: int, table: _Table, key: str) -> float | None:
        if not text:
            return None
        number = parse_number(text, decimal)
        if number is None:
            column = table.name(key) if table.columns.get(key) else table.name("limits")
            raise CSVFormatError(f"{fname} row {row_no}, column {column}: {text!r} is not a number")
        return number


def _limit_pair(text: str, decimal: str) -> tuple[str, str] | None:
    """``"100.0/90.0"`` (or ``"90..100"``, ``"90;100"``) → ``(low, high)`` as text; else None."""
    for sep in ("/", "..", ";", "|"):
        if sep in text:
            first, _, second = text.partition(sep)
            a, b = parse_number(first, decimal), parse_number(second, decimal)
            if a is None or b is None:
                return None
            return (first.strip(), second.strip()) if a <= b else (second.strip(), first.strip())
    return None


_TIME_OF_DAY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?$")


def _parse_when(text: str, formats: Sequence[str]) -> datetime | None:
    """``text`` as a date/time: the given formats (and their variants), then ISO 8601 and
    common formats; ``None`` when nothing fits."""
    for fmt in _format_variants(formats):
        try:
            return parse_time(text, fmt)
        except ValueError:
            continue
    try:
        return parse_time(text)
    except ValueError:
        return None


def _format_variants(formats: Sequence[str]) -> list[str]:
    """Each format, then its 12-hour (``%I … %p``) and minutes-only variants."""
    out: list[str] = []
    for fmt in formats:
        variants = [fmt]
        if "%H" in fmt:
            variants.append(fmt.replace("%H", "%I") + " %p")
        if ":%S" in fmt:
            variants += [v.replace(":%S", "") for v in list(variants)]
        if " " in fmt:
            variants.append(fmt.split(" ")[0])  # a date alone
        for v in variants:
            if v not in out:
                out.append(v)
    return out
