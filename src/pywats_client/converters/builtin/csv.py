"""Built-in CSV converter (``"csv"``): the integration guide's layout.

A header block (a row of field names, then a row of values) followed by a step table::

    PartNumber,SerialNumber,,,
    WIDGET-100,SN-12345,,,
    TestName,Value,Unit,LowLimit,HighLimit
    Resistance,10.5,Ohm,9.0,12.0

Header fields: PartNumber and SerialNumber (required), and optionally Revision,
Operator, Operation / ProcessCode, StartTime and Status (the unit result). A header field
missing from the header block is also looked up in the table's columns (first row).
Table columns: TestName and Value (required), Unit, LowLimit, HighLimit, Status, CompOp.

A numeric value gives a numeric step (status from the Status column, else from the
limits); a non-numeric value a string step (LowLimit, if given, is the expected text); an
empty value with a Status gives a pass/fail step. Column names are matched ignoring case,
spaces, ``_`` and ``-``; every name can be changed in the converter's ``arguments``:
``part_number_column``, ``serial_number_column``, ``revision_column``,
``operator_column``, ``operation_column`` (alias ``process_code_column``),
``start_time_column``, ``result_column``, ``test_name_column``, ``value_column``,
``unit_column``, ``low_limit_column``, ``high_limit_column``, ``status_column``,
``comp_op_column``. Other options: ``delimiter`` (default: detected from , ; tab),
``encoding`` (default: UTF-8 with BOM detection), ``decimal_separator`` (``.``),
``start_time_format`` (strptime format; default ISO 8601 and common formats),
``revision`` (default ``"A"``), ``operation`` / ``process_code`` (used when the file has
none).
"""

from __future__ import annotations

import csv as _csv
from typing import Any
from collections.abc import Mapping, Sequence

from pywats_client.converters.base import FileConverter
from pywats_client.converters.builtin._common import parse_number, parse_status, parse_time
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["CSVConverter", "CSVFormatError"]

_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "part_number": ("PartNumber", "PN", "Part"),
    "serial_number": ("SerialNumber", "SN", "Serial"),
    "revision": ("Revision", "Rev", "PartRevision"),
    "operator": ("Operator", "User", "Operator Name"),
    "operation": ("Operation", "ProcessCode", "Process", "OperationType", "TestOperation"),
    "start_time": ("StartTime", "Start", "DateTime", "Timestamp"),
    "result": ("Status", "Result", "UUTStatus", "UUTResult"),
    "test_name": ("TestName", "Test", "StepName", "Step"),
    "value": ("Value", "Measurement", "Measured", "Result Value"),
    "unit": ("Unit", "Units"),
    "low_limit": ("LowLimit", "Low", "LoLimit", "Min"),
    "high_limit": ("HighLimit", "High", "HiLimit", "Max"),
    "status": ("Status", "Result", "StepStatus"),
    "comp_op": ("CompOp", "Comparison", "Comparator"),
}
_HEADER_FIELDS = ("part_number", "serial_number", "revision", "operator", "operation", "start_time", "result")
_TABLE_FIELDS = ("test_name", "value", "unit", "low_limit", "high_limit", "status", "comp_op")


class CSVFormatError(ValueError):
    """The CSV file does not have the expected layout; the message names file, row and column."""


def _fold(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch not in " _-.")


def _sniff_delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


class CSVConverter(FileConverter):
    """Converts the guide's two-part CSV layout (header block + step table) to a UUT report."""

    @property
    def name(self) -> str:
        """Display name."""
        return "CSV Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.csv``."""
        return ["*.csv"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Parse ``source`` and return one UUT report (or a failure naming row and column)."""
        try:
            report = self._convert(source, context)
        except CSVFormatError as exc:
            message = str(exc)
        else:
            return ConverterResult.success(report)
        return ConverterResult.failure(message)  # outside the except: no exception prefix

    # ----------------------------------------------------------------------------------
    def _columns(self, args: Mapping[str, Any], key: str) -> tuple[str, ...]:
        configured = args.get(f"{key}_column")
        if key == "operation" and not configured:
            configured = args.get("process_code_column")
        if configured:
            return (str(configured),)
        return _DEFAULT_COLUMNS[key]

    def _convert(self, source: ConverterSource, context: ConverterContext) -> dict[str, Any]:
        args = context.arguments
        fname = source.name
        text = source.read_text(args.get("encoding"))
        delimiter = str(args.get("delimiter") or "auto")
        if delimiter.lower() == "auto":
            delimiter = _sniff_delimiter(text)
        elif delimiter.lower() in ("tab", "\\t"):
            delimiter = "\t"
        decimal = str(args.get("decimal_separator") or ".")
        rows = [
            (number, [cell.strip() for cell in row])
            for number, row in enumerate(_csv.reader(text.splitlines(), delimiter=delimiter), start=1)
        ]
        rows = [(n, self._trim(r)) for n, r in rows]
        rows = [(n, r) for n, r in rows if r]
        if not rows:
            raise CSVFormatError(f"{fname}: the file is empty")

        test_names = {_fold(c) for c in self._columns(args, "test_name")}
        table_at = next(
            (i for i, (_n, r) in enumerate(rows) if any(_fold(c) in test_names for c in r)), None
        )
        if table_at is None:
            wanted = " / ".join(self._columns(args, "test_name"))
            raise CSVFormatError(f"{fname}: no step table: no row has a '{wanted}' column header")
        header_rows, (table_row_no, table_header) = rows[:table_at], rows[table_at]
        data_rows = rows[table_at + 1:]

        # header block: pairs of (names row, values row)
        header: dict[str, tuple[str, int, str]] = {}  # folded name -> (value, row, column name)
        for i in range(0, len(header_rows), 2):
            names_no, names = header_rows[i]
            if i + 1 >= len(header_rows):
                raise CSVFormatError(
                    f"{fname} row {names_no}: header names row has no values row below it"
                )
            values_no, values = header_rows[i + 1]
            for col, name in enumerate(names):
                if name:
                    header.setdefault(_fold(name), (values[col] if col < len(values) else "", values_no, name))

        table_index: dict[str, int] = {}
        for col, name in enumerate(table_header):
            if name:
                table_index.setdefault(_fold(name), col)

        def table_col(key: str) -> tuple[int, str] | None:
            for candidate in self._columns(args, key):
                col = table_index.get(_fold(candidate))
                if col is not None:
                    return col, table_header[col]
            return None

        def header_value(key: str) -> str | None:
            for candidate in self._columns(args, key):
                found = header.get(_fold(candidate))
                if found is not None and found[0]:
                    return found[0]
            if key in ("result",):
                return None  # "Status" in the table is the step status, not the unit result
            located = table_col(key)
            if located is not None and data_rows:
                col = located[0]
                first = data_rows[0][1]
                if col < len(first) and first[col]:
                    return first[col]
            return None

        part_number = header_value("part_number")
        serial_number = header_value("serial_number")
        if not part_number or not serial_number:
            key = "serial_number" if part_number else "part_number"
            columns = " / ".join(self._columns(args, key))
            raise CSVFormatError(f"{fname}: no {columns} value in the header block")

        start = None
        start_text = header_value("start_time")
        if start_text:
            try:
                start = parse_time(start_text, args.get("start_time_format"))
            except ValueError as exc:
                raise CSVFormatError(f"{fname}: StartTime {start_text!r}: {exc}") from exc
            if start is None:
                raise CSVFormatError(
                    f"{fname}: StartTime {start_text!r} is not a date/time (set 'start_time_format')"
                )
        result = None
        result_text = header_value("result")
        if result_text:
            result = parse_status(result_text)
            if result not in ("P", "F", "E", "T"):
                raise CSVFormatError(
                    f"{fname}: unit Status {result_text!r} is not Passed/Failed/Error/Terminated"
                )

        from pywats.tools import ReportBuilder

        builder = ReportBuilder(
            part_number=part_number,
            serial_number=serial_number,
            revision=header_value("revision") or str(args.get("revision") or "A"),
            operator=header_value("operator") or args.get("operator") or None,
            station_name=context.station_name or None,
            location=context.location or None,
            purpose=context.purpose or None,
            start=start,
            result=result,
        )
        operation = header_value("operation") or args.get("operation") or args.get("process_code")
        if operation not in (None, ""):
            self._set_operation(builder, str(operation), context, fname)

        value_col = table_col("value")
        if value_col is None:
            raise CSVFormatError(
                f"{fname} row {table_row_no}: the step table has no "
                f"{' / '.join(self._columns(args, 'value'))} column"
            )
        name_col = table_col("test_name")
        assert name_col is not None
        unit_col, low_col, high_col = table_col("unit"), table_col("low_limit"), table_col("high_limit")
        status_col, op_col = table_col("status"), table_col("comp_op")

        def cell(row: Sequence[str], located: tuple[int, str] | None) -> str:
            if located is None or located[0] >= len(row):
                return ""
            return row[located[0]]

        steps = 0
        for row_no, row in data_rows:
            name = cell(row, name_col)
            if not name:
                continue
            raw_value = cell(row, value_col)
            unit = cell(row, unit_col) or None
            status_text = cell(row, status_col)
            status = parse_status(status_text) if status_text else None
            if status_text and status is None:
                raise CSVFormatError(
                    f"{fname} row {row_no}, column {status_col[1] if status_col else 'Status'}: "
                    f"unknown status {status_text!r} (use Passed/Failed/Skipped/Done/Error)"
                )
            low_text, high_text = cell(row, low_col), cell(row, high_col)
            comp_op = cell(row, op_col) or None
            number = parse_number(raw_value, decimal)
            try:
                if raw_value and number is not None:
                    low = self._limit(low_text, decimal, fname, row_no, low_col)
                    high = self._limit(high_text, decimal, fname, row_no, high_col)
                    builder.add_step(
                        name=name, value=number, unit=unit, limits=(low, high), status=status, comp_op=comp_op
                    )
                elif raw_value:
                    builder.add_step(
                        name=name, value=raw_value, unit=unit, limits=(low_text or None, None),
                        status=status, comp_op=comp_op,
                    )
                elif status in ("P", "F"):
                    builder.add_step(name=name, value=status == "P", status=status)
                elif status is not None:
                    builder.add_step(name=name, value=None, status=status)
                else:
                    raise CSVFormatError(
                        f"{fname} row {row_no}, column {value_col[1]}: empty value for step {name!r} "
                        "and no status"
                    )
            except (ValueError, TypeError) as exc:
                if isinstance(exc, CSVFormatError):
                    raise
                raise CSVFormatError(f"{fname} row {row_no}: {exc}") from exc
            steps += 1
        if steps == 0:
            context.log_warning(f"{fname}: the step table is empty")

        return builder.to_dict()

    @staticmethod
    def _trim(row: list[str]) -> list[str]:
        while row and not row[-1]:
            row.pop()
        return row

    @staticmethod
    def _limit(
        text: str, decimal: str, fname: str, row_no: int, located: tuple[int, str] | None
    ) -> float | None:
        if not text:
            return None
        number = parse_number(text, decimal)
        if number is None:
            column = located[1] if located else "limit"
            raise CSVFormatError(f"{fname} row {row_no}, column {column}: {text!r} is not a number")
        return number

    @staticmethod
    def _set_operation(builder: Any, operation: str, context: ConverterContext, fname: str) -> None:
        code = context.process_code(operation)
        try:
            builder.set_operation_type(code if code is not None else operation)
        except Exception as exc:  # unknown names are reported with the file
            raise CSVFormatError(f"{fname}: operation {operation!r}: {exc}") from exc
