"""What WSXF and WRML share: attribute tables, value conversions, status and group words.

Both XML formats name their attributes the same way (``NumericValue``, ``CompOperator``,
``Units``, ``total_time``, …); they differ in layout (WSXF nests steps, WRML lists every
row flat with ``StepID``/``ParentStepID``). Attribute names are matched case-insensitively.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from collections.abc import Callable
from xml.etree.ElementTree import Element

__all__ = [
    "WATSFormatError",
    "Field",
    "local_name",
    "attrs_of",
    "read_fields",
    "write_fields",
    "REPORT_FIELDS",
    "UUT_FIELDS",
    "UUR_FIELDS",
    "PROCESS_FIELDS",
    "MISC_FIELDS",
    "UNIT_FIELDS",
    "ASSET_FIELDS",
    "FAILURE_FIELDS",
    "STEP_FIELDS",
    "NUMERIC_FIELDS",
    "STRING_FIELDS",
    "BOOLEAN_FIELDS",
    "SEQCALL_FIELDS",
    "POPUP_FIELDS",
    "CALLEXE_FIELDS",
    "LOOP_FIELDS",
    "CHART_FIELDS",
    "SERIES_FIELDS",
    "number_text",
    "status_word",
    "group_word",
    "report_type",
    "single_limit",
    "to_int",
]


class WATSFormatError(ValueError):
    """A report file cannot be read; the message names the report and element."""


def local_name(tag: str) -> str:
    """The element name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def attrs_of(elem: Element) -> dict[str, str]:
    """The element's attributes keyed by lower-case local name."""
    return {local_name(k).lower(): v for k, v in elem.attrib.items()}


# -- value conversions ------------------------------------------------------------------

_STATUS: dict[str, str] = {
    "passed": "P", "pass": "P", "p": "P",
    "failed": "F", "fail": "F", "f": "F",
    "done": "D", "d": "D",
    "skipped": "S", "skip": "S", "s": "S",
    "error": "E", "e": "E",
    "terminated": "T", "t": "T", "aborted": "T",
    "unknown": "U", "u": "U",
}
_STATUS_WORD: dict[str, str] = {
    "P": "Passed", "F": "Failed", "D": "Done", "S": "Skipped", "E": "Error", "T": "Terminated", "U": "Unknown",
}
_GROUP: dict[str, str] = {"main": "M", "m": "M", "setup": "S", "s": "S", "cleanup": "C", "c": "C"}
_GROUP_WORD: dict[str, str] = {"M": "Main", "S": "Setup", "C": "Cleanup"}
_NON_FINITE: dict[str, str] = {
    "nan": "NaN", "inf": "Infinity", "+inf": "Infinity", "infinity": "Infinity", "+infinity": "Infinity",
    "-inf": "-Infinity", "-infinity": "-Infinity",
}
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


def _status(text: str) -> str:
    letter = _STATUS.get(text.strip().lower())
    if letter is None:
        raise ValueError(f"unknown status {text!r}")
    return letter


def _group(text: str) -> str:
    letter = _GROUP.get(text.strip().lower())
    if letter is None:
        raise ValueError(f"unknown step group {text!r} (Main, Setup or Cleanup)")
    return letter


def _float(text: str) -> float | str:
    value = text.strip()
    special = _NON_FINITE.get(value.lower())
    if special is not None:
        return special
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _int(text: str) -> int:
    value = text.strip()
    try:
        return int(value)
    except ValueError:
        number = float(value)  # "3.0" from some writers
        if not number.is_integer():
            raise ValueError(f"not a whole number: {text!r}") from None
        return int(number)


def to_int(text: str) -> int:
    """A whole number from XML text (``"3"``, ``" 3 "``, ``"3.0"``); ``ValueError`` otherwise."""
    return _int(text)


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _upper(text: str) -> str:
    return text.strip().upper()


def number_text(value: Any) -> str:
    """A WSJF number (or ``"NaN"``/``"Infinity"``/``"-Infinity"``) as XML text.

    Whole floats lose their ``.0`` (``500.0`` → ``500``); non-finite values are written
    as .NET's ``XmlConvert`` writes them (``NaN``, ``INF``, ``-INF``).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        special = _NON_FINITE.get(value.strip().lower())
        if special is not None:
            return {"NaN": "NaN", "Infinity": "INF", "-Infinity": "-INF"}[special]
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def status_word(letter: Any) -> str:
    """``P`` → ``Passed`` (a word is returned as it is)."""
    return _STATUS_WORD.get(str(letter).upper(), str(letter))


def group_word(letter: Any) -> str:
    """``M`` → ``Main``, ``S`` → ``Setup``, ``C`` → ``Cleanup``."""
    return _GROUP_WORD.get(str(letter).upper(), str(letter))


def report_type(text: str) -> str:
    """``UUT``/``T`` → ``T``; ``UUR``/``R`` → ``R``."""
    value = text.strip().upper()
    if value in ("UUT", "T", "TEST"):
        return "T"
    if value in ("UUR", "R", "REPAIR"):
        return "R"
    raise ValueError(f"unknown report type {text!r} (UUT or UUR)")


# -- attribute tables -------------------------------------------------------------------

Convert = Callable[[str], Any]


class Field:
    """One XML attribute ↔ one WSJF key, with the conversion of its text."""

    __slots__ = ("xml", "key", "read", "write", "written")

    def __init__(
        self,
        xml: str,
        key: str,
        read: Convert | None = None,
        write: Callable[[Any], str] | None = None,
        *,
        written: bool = True,
    ) -> None:
        self.xml = xml
        self.key = key
        self.read: Convert = read or str
        self.write: Callable[[Any], str] = write or number_text
        #: ``False``: read when present (other writers use it) but never written, as the
        #: published schemas do not show it.
        self.written = written


def _t(xml: str, key: str) -> Field:
    return Field(xml, key)


def _read_only(field: Field) -> Field:
    field.written = False
    return field


def _i(xml: str, key: str) -> Field:
    return Field(xml, key, _int)


def _f(xml: str, key: str) -> Field:
    return Field(xml, key, _float)


def _b(xml: str, key: str) -> Field:
    return Field(xml, key, _bool)


REPORT_FIELDS = (
    _t("ID", "id"), _t("Start_utc", "startUTC"), _t("Start", "start"),
    Field("Result", "result", _status, status_word),
    _t("SN", "sn"), _t("PN", "pn"), _t("Rev", "rev"), _read_only(_t("ProductName", "productName")), _t("origin", "origin"),
    _t("MachineName", "machineName"), _t("Location", "location"), _t("Purpose", "purpose"),
)
UUT_FIELDS = (
    _t("UserLoginName", "user"), _t("BatchSN", "batchSN"), _i("TestSocketIndex", "testSocketIndex"),
    _t("TestSocketIndexFormat", "testSocketIndexFormat"), _f("ExecutionTime", "execTime"),
    _t("ExecutionTimeFormat", "execTimeFormat"), _t("FixtureId", "fixtureId"), _i("ErrorCode", "errorCode"),
    _t("ErrorCodeFormat", "errorCodeFormat"), _t("ErrorMessage", "errorMessage"),
    _i("BatchFailCount", "batchFailCount"), _t("BatchFailCountFormat", "batchFailCountFormat"),
    _i("BatchLoopIndex", "batchLoopIndex"), _t("BatchLoopIndexFormat", "batchLoopIndexFormat"),
    _read_only(_i("StepIdCausedUUTFailure", "stepIdCausedUUTFailure")), _t("Comment", "comment"),
)
UUR_FIELDS = (
    _t("UserLoginName", "user"), _t("ConfirmDate", "confirmDate"), _t("FinalizeDate", "finalizeDate"),
    _f("ExecutionTime", "execTime"), _t("ReferencedUUT", "refUUT"), _t("Parent", "parent"), _t("Comment", "comment"),
)
PROCESS_FIELDS = (_i("Code", "processCode"), _t("CodeFormat", "processCodeFormat"), _t("Name", "processName"))
MISC_FIELDS = (
    _t("Id", "id"), _t("Typedef", "typedef"), _t("Description", "description"), _i("Numeric", "numeric"),
    _t("NumericFormat", "numericFormat"),
)
UNIT_FIELDS = (
    _t("PartType", "partType"), _t("PN", "pn"), _t("SN", "sn"), _t("Rev", "rev"), _i("Idx", "idx"),
    _i("ParentIDX", "parentIdx"), _i("Position", "position"), _i("ReplacedIDX", "replacedIdx"),
)
ASSET_FIELDS = (_t("AssetSN", "assetSN"), _i("UsageCount", "usageCount"), _t("UsageCountFormat", "usageCountFormat"))
FAILURE_FIELDS = (
    _t("Category", "category"), _t("Code", "code"), _t("CompRef", "comRef"), _t("FunctionBlock", "funcBlock"),
    _t("ArticleNumber", "artNumber"), _t("ArticleRevision", "artRev"), _t("ArticleVendor", "artVendor"),
    _read_only(_t("ArticleDescription", "artDescription")), _i("StepID", "refStepId"),
    _read_only(_t("StepName", "refStepName")),
    _t("Comment", "comment"),
)
STEP_FIELDS = (
    _i("Id", "id"), Field("Group", "group", _group, group_word), _t("Name", "name"), _t("StepType", "stepType"),
    Field("Status", "status", _status, status_word), _t("Start", "start"), _f("total_time", "totTime"),
    _t("total_timeFormat", "totTimeFormat"), _t("TSGuid", "tsGuid"),
    _b("StepCausedUUTFailure", "causedUUTFailure"), _b("StepCausedSequenceFailure", "causedSeqFailure"),
    _i("StepErrorCode", "errorCode"), _t("StepErrorCodeFormat", "errorCodeFormat"),
    _t("StepErrorMessage", "errorMessage"), _i("InteractiveExeNum", "interactiveExeNum"),
    _t("InteractiveExeNumFormat", "interactiveExeNumFormat"), _t("ReportText", "reportText"),
)
NUMERIC_FIELDS = (
    _t("Name", "name"), _f("NumericValue", "value"), _t("NumericValueFormat", "valueFormat"),
    _f("LowLimit", "lowLimit"), _t("LowLimitFormat", "lowLimitFormat"), _f("HighLimit", "highLimit"),
    _t("HighLimitFormat", "highLimitFormat"), _t("Units", "unit"), Field("CompOperator", "compOp", _upper),
    Field("Status", "status", _status, status_word),
)
STRING_FIELDS = (
    _t("Name", "name"), _t("StringValue", "value"), _t("StringLimit", "limit"),
    Field("CompOperator", "compOp", _upper), Field("Status", "status", _status, status_word),
)
BOOLEAN_FIELDS = (_t("Name", "name"), Field("Status", "status", _status, status_word))
SEQCALL_FIELDS = (_t("Name", "name"), _t("Version", "version"), _t("Filepath", "path"))
POPUP_FIELDS = (_t("Response", "response"), _i("Button", "button"), _t("ButtonFormat", "buttonFormat"))
CALLEXE_FIELDS = (_f("ExitCode", "exitCode"), _t("ExitCodeFormat", "exitCodeFormat"))
LOOP_FIELDS = (
    _i("index", "idx"), _i("num", "num"), _i("passed", "passed"), _i("failed", "failed"),
    _i("ending_index", "endingIndex"),
)
CHART_FIELDS = (
    _t("ChartType", "chartType"), _t("Label", "label"), _t("XLabel", "xLabel"), _t("XUnit", "xUnit"),
    _t("YLabel", "yLabel"), _t("YUnit", "yUnit"),
)
SERIES_FIELDS = (_t("Name", "name"), _t("DataType", "dataType"))


def read_fields(attrs: Mapping[str, str], fields: tuple[Field, ...], where: str) -> dict[str, Any]:
    """Convert the attributes named in ``fields`` (``attrs`` keyed lower-case) to WSJF keys.

    Raises:
        WATSFormatError: an attribute's text does not convert (the message names it).
    """
    out: dict[str, Any] = {}
    for field in fields:
        text = attrs.get(field.xml.lower())
        if text is None:
            continue
        if field.read is not str and not text.strip():
            continue  # an empty number/boolean/status is absent
        try:
            out[field.key] = field.read(text)
        except ValueError as exc:
            raise WATSFormatError(f"{where}: attribute {field.xml}={text!r}: {exc}") from None
    return out


def write_fields(data: Mapping[str, Any], fields: tuple[Field, ...], skip: tuple[str, ...] = ()) -> dict[str, str]:
    """The XML attributes for the WSJF keys in ``fields`` that ``data`` holds (``None`` left out)."""
    out: dict[str, str] = {}
    for field in fields:
        if field.key in skip or not field.written:
            continue
        value = data.get(field.key)
        if value is None:
            continue
        out[field.xml] = field.write(value)
    return out


def single_limit(meas: dict[str, Any], attrs: Mapping[str, str]) -> None:
    """Move the limit of a single-limit operator to ``lowLimit`` (WSJF's place for it).

    The XML formats put the limit of ``LE``/``LT`` in ``HighLimit`` and of the other single
    operators in ``LowLimit``; WSJF keeps every single limit in ``lowLimit``.
    """
    op = meas.get("compOp")
    if op not in ("EQ", "NE", "GT", "GE", "LT", "LE"):
        return
    low, high = meas.get("lowLimit"), meas.get("highLimit")
    if op in ("LT", "LE") and high is not None or low is None and high is not None:
        low, fmt = high, meas.get("highLimitFormat")
    else:
        fmt = meas.get("lowLimitFormat")
    meas.pop("highLimit", None)
    meas.pop("highLimitFormat", None)
    meas.pop("lowLimitFormat", None)
    if low is not None:
        meas["lowLimit"] = low
    if fmt is not None:
        meas["lowLimitFormat"] = fmt
