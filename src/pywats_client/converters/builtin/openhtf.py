"""Built-in OpenHTF converter (``"openhtf"``): OpenHTF's JSON test record → one UUT report.

OpenHTF (``openhtf.output.callbacks.json_factory.OutputToJSON``) writes one JSON object per
test run. What maps to what:

========================================== ==============================================
OpenHTF record                             WSJF report
========================================== ==============================================
``dut_id``                                 ``sn``
``metadata.part_number`` / ``pn``          ``pn`` (else the ``part_number`` parameter)
``metadata.revision`` / ``rev``            ``rev`` (else the ``revision`` parameter, ``A``)
``station_id``                             ``machineName``
``metadata.operator_name`` / ``operator``  ``uut.user``
``metadata.test_name``                     root sequence name
``metadata.test_version``                  root sequence version
other text/number ``metadata`` entries     ``miscInfos`` (description = key)
``start_time_millis``                      ``start``
``end_time_millis − start_time_millis``    ``uut.execTime`` (seconds)
``outcome`` PASS/FAIL/ERROR/TIMEOUT/ABORTED ``result`` P/F/E/E/T
``outcome_details`` (code, description)    ``uut.errorCode`` (numeric code), ``uut.errorMessage``
``diagnoses``                              ``miscInfos`` (``Diagnosis``)
each phase                                 a SequenceCall: name, status (phase ``outcome``
                                           PASS/FAIL/SKIP/ERROR, else from its
                                           measurements), ``totTime``; a phase result other
                                           than CONTINUE in its ``reportText``
a measurement with a number                numeric step: value, unit, limits and compOp
                                           from the validators
a measurement with a bool / text           pass/fail step / string step (expected text
                                           from ``x == 'a'``, ``'x' is equal to 'a'`` or a
                                           literal ``'x' matches /^a$/``)
a dimensioned measurement                  multiple-numeric step, one measurement per point
                                           (named by its coordinates)
an UNSET measurement                       a skipped step
measurement ``outcome`` PASS/FAIL          step status (OpenHTF's own verdict is kept)
a phase attachment (base64 ``data``)       an attachment step in the phase's sequence
``log_records``                            a ``openhtf-log.txt`` attachment step at the end
                                           (parameter ``include_log``, default true)
========================================== ==============================================

Validators: ``lo <= x <= hi`` → GELE, ``lo <= x`` → GE, ``x <= hi`` → LE, ``x == v`` → EQ,
``'x' is within P% of E`` → GELE with E ± P %. Marginal limits, other validators (custom
ones, regexes that are not a literal) and more than one range validator are kept as text
in the step's ``reportText``; a measurement flagged ``marginal`` says so there too.

Dropped (no WSJF field): ``code_info`` and phase ``codeinfo`` (source code and
docstrings), ``metadata.config``, measurement ``docstring`` and ``dimensions``
descriptions, phase ``options``, ``descriptor_id`` and diagnosis result lists, attachment
``sha1``, and attachments written without inline data (``inline_attachments=False``).

Parameters: the standard ones (``part_number``, ``revision``, ``operation_type``,
``operator``, ``station``, ``location``, ``purpose``, ``sequence_name``,
``sequence_version``, ``encoding``) fill what the record leaves empty (a value in the
record wins), plus ``include_log`` and ``max_dimension_points`` (default 10000: a
dimensioned measurement with more points is attached as JSON instead).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import datetime, timezone
from typing import Any
from collections.abc import Mapping

from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import (
    STANDARD_PARAMETERS,
    ConverterParameterError,
    ParameterSpec,
    StandardParameters,
    apply_header_defaults,
)
from pywats_client.converters.result import ConversionError, ConverterResult
from pywats_client.converters.source import ConverterSource, decode_text

__all__ = ["OpenHTFConverter", "OpenHTFFormatError", "parse_validator"]

_RESULT = {"PASS": "P", "FAIL": "F", "ERROR": "E", "TIMEOUT": "E", "ABORTED": "T"}
_PHASE_STATUS = {"PASS": "P", "FAIL": "F", "SKIP": "S", "ERROR": "E"}
_MEAS_STATUS = {"PASS": "P", "FAIL": "F", "UNSET": "S", "PARTIALLY_SET": "F"}
_STANDARD_USED = (
    "part_number", "revision", "operation_type", "operator", "station", "location", "purpose",
    "sequence_name", "sequence_version", "encoding",
)
_HEADER_METADATA = {
    "part_number", "pn", "partnumber", "revision", "rev", "operator_name", "operator", "test_name",
    "test_version", "config",
}

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan"
_RANGE = re.compile(
    rf"^\s*(?:(?P<lo>{_NUM})\s*<=\s*)?(?:Marginal:\s*(?P<mlo>{_NUM})\s*<=\s*)?x"
    rf"(?:\s*<=\s*Marginal:\s*(?P<mhi>{_NUM}))?(?:\s*<=\s*(?P<hi>{_NUM}))?\s*$"
)
_ONE_SIDED = re.compile(rf"^\s*x\s*(?P<op>>=|>|<=|<)\s*(?P<v>{_NUM})\s*$")
_EQUALS = re.compile(r"^\s*'?x'?\s*==\s*(?P<v>.+?)\s*$")
_EQUAL_TO = re.compile(r"^\s*'x' is equal to '(?P<v>.*)'\s*$", re.DOTALL)
_MATCHES = re.compile(r"^\s*'x' matches /(?P<re>.*)/\s*$", re.DOTALL)
_WITHIN = re.compile(rf"^\s*'x' is within (?P<p>{_NUM})% of (?P<e>{_NUM})")


class OpenHTFFormatError(ConversionError):
    """The file is not an OpenHTF JSON test record, or a field has an unusable value."""


def _number(text: str) -> float:
    return float(text)


def _literal(regex: str) -> str | None:
    """The literal text of ``^text$`` where text is ``re.escape``d, else None."""
    if not (regex.startswith("^") and regex.endswith("$")):
        return None
    body = regex[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
            continue
        if ch in ".^$*+?{}[]|()":
            return None
        out.append(ch)
        i += 1
    return "".join(out)


def parse_validator(text: str) -> dict[str, Any]:
    """Read one OpenHTF validator string.

    Returns a dict with ``kind`` (``"range"``, ``"equals"``, ``"text"``, ``"other"``) and,
    as found, ``low``, ``high``, ``comp_op``, ``expected`` and ``note`` (text to keep in
    the step's ``reportText``, e.g. marginal limits). ``All values pass: …`` (the
    validator of a dimensioned measurement) is read as the validator it wraps.
    """
    text = text.removeprefix("All values pass: ")
    match = _RANGE.match(text)
    if match and (match["lo"] is not None or match["hi"] is not None):
        low = _number(match["lo"]) if match["lo"] is not None else None
        high = _number(match["hi"]) if match["hi"] is not None else None
        notes = [f"marginal {k} {match[g]}" for k, g in (("low", "mlo"), ("high", "mhi")) if match[g] is not None]
        return {"kind": "range", "low": low, "high": high, "note": ", ".join(notes) or None}
    match = _ONE_SIDED.match(text)
    if match:
        value = _number(match["v"])
        if match["op"] in (">=", ">"):
            return {"kind": "range", "low": value, "high": None, "comp_op": "GT" if match["op"] == ">" else None}
        return {"kind": "range", "low": None, "high": value, "comp_op": "LT" if match["op"] == "<" else None}
    match = _WITHIN.match(text)
    if match:
        expected, percent = _number(match["e"]), _number(match["p"])
        delta = abs(expected * percent / 100.0)
        note = None if "Marginal: None%" in text else text.split(". ", 1)[-1]
        return {"kind": "range", "low": expected - delta, "high": expected + delta, "note": note}
    for pattern in (_EQUALS, _EQUAL_TO):
        match = pattern.match(text)
        if match:
            raw = match["v"]
            if pattern is _EQUALS and len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
                return {"kind": "text", "expected": raw[1:-1]}
            try:
                return {"kind": "equals", "low": _number(raw), "high": None, "comp_op": "EQ"}
            except ValueError:
                return {"kind": "text", "expected": raw}
    match = _MATCHES.match(text)
    if match:
        literal = _literal(match["re"])
        if literal is not None:
            return {"kind": "text", "expected": literal}
    return {"kind": "other", "note": text}


def _unit(units: Any) -> str | None:
    if isinstance(units, Mapping):
        for key in ("suffix", "name", "code"):
            value = units.get(key)
            if value:
                return str(value)
        return None
    return str(units) if units else None


def _millis(value: Any, where: str, fname: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OpenHTFFormatError(f"{fname}: {where} must be milliseconds since 1970, got {value!r}")
    return float(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _enum_name(value: Any) -> str:
    """``"PASS"`` from ``"PASS"``, ``"Outcome.PASS"`` or ``{"name": "PASS"}``."""
    if isinstance(value, Mapping):
        value = value.get("name", value.get("value"))
    return str(value or "").rsplit(".", 1)[-1].strip().upper()


class OpenHTFConverter(FileConverter):
    """Converts an OpenHTF JSON test record (``OutputToJSON``) to a UUT report."""

    parameter_specs = tuple(p for p in STANDARD_PARAMETERS if p.name in _STANDARD_USED) + (
        ParameterSpec("include_log", "attach the record's log_records as openhtf-log.txt", True),
        ParameterSpec("max_dimension_points", "dimensioned measurements with more points are attached as JSON",
                      10000),
    )

    @property
    def name(self) -> str:
        """Display name."""
        return "OpenHTF JSON Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.json``."""
        return ["*.json"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Parse ``source`` and return one UUT report; a file that is not an OpenHTF record fails."""
        try:
            std = context.standard_parameters()
            record = self._load(source, std)
            report = self._report(record, source.name, context, std)
        except (OpenHTFFormatError, ConverterParameterError) as exc:
            message = str(exc) if isinstance(exc, OpenHTFFormatError) else f"{source.name}: {exc}"
        else:
            return ConverterResult.success(report)
        return ConverterResult.failure(message)  # outside the except: no exception-type prefix

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _load(source: ConverterSource, std: StandardParameters) -> dict[str, Any]:
        fname = source.name
        try:
            text = decode_text(source.read_bytes(), std.encoding, name=fname)
            record = json.loads(text)
        except ValueError as exc:  # JSONDecodeError and decoding errors
            raise OpenHTFFormatError(f"{fname}: not valid JSON: {exc}") from exc
        keys = sorted(record)[:8] if isinstance(record, dict) else []
        if (
            not isinstance(record, dict)
            or "dut_id" not in record
            or not isinstance(record.get("phases"), list)
            or not ({"start_time_millis", "outcome"} & set(record))
        ):
            found = f"an object with keys {', '.join(keys)}" if isinstance(record, dict) else type(record).__name__
            raise OpenHTFFormatError(
                f"{fname}: not an OpenHTF test record (expected a JSON object with dut_id, phases, "
                f"start_time_millis and outcome; found {found})"
            )
        return record

    def _report(
        self, record: dict[str, Any], fname: str, context: ConverterContext, std: StandardParameters
    ) -> dict[str, Any]:
        from pywats.tools import ReportBuilder

        args = context.arguments
        metadata = record.get("metadata") if isinstance(record.get("metadata"), Mapping) else {}
        assert isinstance(metadata, Mapping)

        def meta(*keys: str) -> str | None:
            for key in keys:
                value = _text(metadata.get(key))
                if value:
                    return value
            return None

        serial = _text(record.get("dut_id"))
        if not serial:
            raise OpenHTFFormatError(f"{fname}: dut_id is empty (the serial number)")
        part_number = meta("part_number", "pn", "partnumber") or std.part_number
        if not part_number:
            raise OpenHTFFormatError(
                f"{fname}: no part number: OpenHTF records carry none; set the converter's "
                "'part_number' parameter (or metadata.part_number in the test)"
            )
        start_ms = _millis(record.get("start_time_millis"), "start_time_millis", fname)
        end_ms = _millis(record.get("end_time_millis"), "end_time_millis", fname)
        start = datetime.fromtimestamp(start_ms / 1000.0, tz=timezone.utc).astimezone() if start_ms else None
        outcome = _enum_name(record.get("outcome"))
        result = _RESULT.get(outcome)
        if outcome and result is None:
            raise OpenHTFFormatError(
                f"{fname}: outcome {record.get('outcome')!r} is not PASS/FAIL/ERROR/TIMEOUT/ABORTED"
            )
        error_code, error_message = self._outcome_details(record.get("outcome_details"))
        if error_message is None and outcome in ("TIMEOUT", "ABORTED", "ERROR"):
            error_message = outcome
        kwargs: dict[str, Any] = {}
        seq_name = meta("test_name") or std.sequence_name
        seq_version = meta("test_version") or std.sequence_version
        if seq_name:
            kwargs["sequence_name"] = seq_name
        if seq_version:
            kwargs["sequence_version"] = seq_version
        builder = ReportBuilder(
            part_number=part_number,
            serial_number=serial,
            revision=meta("revision", "rev") or std.revision or "A",
            operator=meta("operator_name", "operator") or std.operator,
            station_name=_text(record.get("station_id")) or std.station or context.station_name or None,
            location=std.location or context.location or None,
            purpose=std.purpose or context.purpose or None,
            start=start,
            result=result,
            exec_time=round((end_ms - start_ms) / 1000.0, 3) if start_ms and end_ms and end_ms >= start_ms else None,
            error_code=error_code,
            error_message=error_message,
            **kwargs,
        )
        if std.operation_type:
            code = std.process_code(context.process_code)
            if code is not None:
                builder.set_operation_type(code)
        for key, value in metadata.items():
            if key in _HEADER_METADATA or isinstance(value, (dict, list)) or value is None or value == "":
                continue
            builder.add_misc_info(str(key), value if isinstance(value, (int, float)) and not isinstance(value, bool)
                                  else str(value))
        for diagnosis in record.get("diagnoses") or ():
            if isinstance(diagnosis, Mapping):
                parts = [_text(diagnosis.get(k)) for k in ("result", "component", "priority", "description")]
                builder.add_misc_info("Diagnosis", " | ".join(p for p in parts if p))

        phase_times: list[float | None] = []
        phase_notes: list[str | None] = []
        for index, phase in enumerate(record["phases"]):
            if not isinstance(phase, Mapping):
                raise OpenHTFFormatError(f"{fname}: phases[{index}] is not an object")
            tot, note = self._phase(builder, phase, index, fname, args)
            phase_times.append(tot)
            phase_notes.append(note)
        self._log(builder, record.get("log_records"), args)

        report: dict[str, Any] = builder.to_dict()
        for node, tot, note in zip(report["root"]["steps"], phase_times, phase_notes):
            if tot is not None:
                node["totTime"] = tot
            if note:
                node["reportText"] = note
        return apply_header_defaults(report, std, context)

    @staticmethod
    def _outcome_details(details: Any) -> tuple[int | None, str | None]:
        codes: list[str] = []
        first_code: int | None = None
        for item in details or ():
            if isinstance(item, Mapping):
                code, description = item.get("code"), item.get("description")
            elif isinstance(item, (list, tuple)) and item:
                code, description = item[0], item[1] if len(item) > 1 else None
            else:
                continue
            if first_code is None and isinstance(code, int) and not isinstance(code, bool):
                first_code = code
            codes.append(": ".join(str(p) for p in (code, description) if p not in (None, "")))
        return first_code, ("; ".join(c for c in codes if c) or None)

    def _phase(
        self, builder: Any, phase: Mapping[str, Any], index: int, fname: str, args: Mapping[str, Any]
    ) -> tuple[float | None, str | None]:
        name = _text(phase.get("name")) or f"phase {index + 1}"
        where = f"phases[{index}] ({name})"
        outcome = _enum_name(phase.get("outcome"))
        status = _PHASE_STATUS.get(outcome)
        if outcome and status is None:
            raise OpenHTFFormatError(f"{fname}: {where}: outcome {phase.get('outcome')!r} is not PASS/FAIL/SKIP/ERROR")
        seq = builder.add_sequence(name, status=status)
        measurements = phase.get("measurements") or {}
        if isinstance(measurements, Mapping):
            items = list(measurements.items())
        elif isinstance(measurements, list):
            items = [(m.get("name"), m) for m in measurements if isinstance(m, Mapping)]
        else:
            raise OpenHTFFormatError(f"{fname}: {where}: measurements is not an object")
        for key, meas in items:
            if not isinstance(meas, Mapping):
                raise OpenHTFFormatError(f"{fname}: {where}: measurement {key!r} is not an object")
            try:
                self._measurement(seq, str(meas.get("name") or key), meas, args)
            except (ValueError, TypeError) as exc:
                raise OpenHTFFormatError(f"{fname}: {where}: measurement {key!r}: {exc}") from exc
        attachments = phase.get("attachments") or {}
        if isinstance(attachments, Mapping):
            for att_name, att in attachments.items():
                if not isinstance(att, Mapping) or not isinstance(att.get("data"), str):
                    continue  # written without inline data: nothing to attach
                try:
                    content = base64.b64decode(att["data"], validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise OpenHTFFormatError(
                        f"{fname}: {where}: attachment {att_name!r}: data is not base64 ({exc})"
                    ) from exc
                seq.add_attachment(str(att_name), content, _text(att.get("mimetype")))
        start = _millis(phase.get("start_time_millis"), f"{where} start_time_millis", fname)
        end = _millis(phase.get("end_time_millis"), f"{where} end_time_millis", fname)
        tot = round((end - start) / 1000.0, 3) if start is not None and end is not None and end >= start else None
        note = None
        result = phase.get("result")
        if isinstance(result, Mapping):
            phase_result = result.get("phase_result")
            if isinstance(phase_result, Mapping):  # an exception ended the phase
                note = " ".join(str(v) for v in phase_result.values() if v not in (None, ""))
            elif phase_result not in (None, "", "CONTINUE", "PhaseResult.CONTINUE"):
                note = f"phase result: {_enum_name(phase_result)}"
            for key in ("exc_type", "exc_val", "exception"):
                if result.get(key):
                    note = " ".join(p for p in (note, f"{key}: {result[key]}") if p)
        return tot, note

    def _measurement(self, seq: Any, name: str, meas: Mapping[str, Any], args: Mapping[str, Any]) -> None:
        outcome = _enum_name(meas.get("outcome"))
        status = _MEAS_STATUS.get(outcome)
        unit = _unit(meas.get("units"))
        validators = [str(v) for v in meas.get("validators") or () if v is not None]
        parsed = [parse_validator(v) for v in validators]
        notes = [p["note"] for p in parsed if p.get("note")]
        if meas.get("marginal"):
            notes.insert(0, "MARGINAL")
        ranges = [p for p in parsed if p["kind"] in ("range", "equals")]
        texts = [p for p in parsed if p["kind"] == "text"]
        if "measured_value" not in meas:
            seq.add_step(name=name, value=None, status="S" if status in (None, "S") else status,
                         report_text="; ".join(notes + validators) or None)
            return
        value = meas["measured_value"]
        if isinstance(value, list) and all(isinstance(row, list) and row for row in value):
            self._dimensioned(seq, name, value, unit, ranges, status, notes, args)
            return
        if isinstance(value, bool):
            seq.add_step(name=name, value=value, status=status, report_text="; ".join(notes) or None)
            return
        if isinstance(value, (int, float)):
            limit = ranges[0] if ranges else None
            extra = [validators[parsed.index(p)] for p in ranges[1:]] + [
                validators[i] for i, p in enumerate(parsed) if p["kind"] == "text"
            ]
            low = limit.get("low") if limit else None
            high = limit.get("high") if limit else None
            seq.add_step(
                name=name, value=float(value) if not math.isfinite(value) else value, unit=unit,
                limits=(low, high), status=status, comp_op=limit.get("comp_op") if limit else None,
                report_text="; ".join(notes + extra) or None,
            )
            return
        text = value if isinstance(value, str) else json.dumps(value)
        expected = texts[0]["expected"] if texts else None
        extra = [validators[i] for i, p in enumerate(parsed) if p["kind"] in ("range", "equals")]
        seq.add_step(
            name=name, value=text, limits=(expected, None), status=status,
            report_text="; ".join(notes + extra) or None,
        )

    @staticmethod
    def _dimensioned(
        seq: Any, name: str, rows: list[list[Any]], unit: str | None, ranges: list[dict[str, Any]],
        status: str | None, notes: list[str], args: Mapping[str, Any],
    ) -> None:
        limit_points = int(args.get("max_dimension_points") or 10000)
        numeric = all(
            isinstance(row[-1], (int, float)) and not isinstance(row[-1], bool) for row in rows
        )
        if not numeric or len(rows) > limit_points:
            seq.add_attachment(f"{name}.json", json.dumps(rows).encode("utf-8"), "application/json",
                               "; ".join(notes) or None, status=status)
            return
        low = ranges[0].get("low") if ranges else None
        high = ranges[0].get("high") if ranges else None
        points = [
            {"name": ",".join(str(c) for c in row[:-1]) or str(i), "value": row[-1], "unit": unit,
             "limits": (low, high)}
            for i, row in enumerate(rows)
        ]
        seq.add_multi_step(name, points, status=status, report_text="; ".join(notes) or None)

    @staticmethod
    def _log(builder: Any, records: Any, args: Mapping[str, Any]) -> None:
        if not records or args.get("include_log", True) in (False, "false", "False", 0, "0"):
            return
        lines = []
        for rec in records:
            if not isinstance(rec, Mapping):
                continue
            ms = rec.get("timestamp_millis")
            stamp = (
                datetime.fromtimestamp(ms / 1000.0, tz=timezone.utc).isoformat(timespec="milliseconds")
                if isinstance(ms, (int, float)) and not isinstance(ms, bool) else ""
            )
            level = rec.get("level")
            names = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
            level_name = names.get(level, str(level)) if isinstance(level, int) else str(level or "")
            where = f"{rec.get('source', '')}:{rec.get('lineno', '')}".strip(":")
            lines.append(f"{stamp} {level_name} {where} {rec.get('message', '')}".strip())
        if lines:
            builder.add_attachment("openhtf-log.txt", ("\n".join(lines) + "\n").encode("utf-8"), "text/plain")
