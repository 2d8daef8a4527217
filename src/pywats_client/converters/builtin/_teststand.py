"""Helpers shared by the TestStand converters (``atml`` and ``teststand-xml``).

Both formats carry the same TestStand facts (step status words, step groups, sequence
file paths, comparison operators); this module maps them to WSJF once.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import ConverterParameterError, StandardParameters
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = [
    "NUMERIC_COMP",
    "TestStandFileConverter",
    "STRING_COMP",
    "XMLFormatError",
    "apply_wats_uut",
    "group_letter",
    "iter_elements",
    "local_name",
    "operation_code",
    "parse_float",
    "parse_iso",
    "split_sequence",
    "status_letter",
    "step_dict",
]

#: TestStand step status words (case-insensitive) → WSJF step status. A status TestStand
#: users define themselves is not in this table and becomes ``U`` (Unknown).
_STATUS: dict[str, str] = {
    "passed": "P",
    "failed": "F",
    "done": "D",
    "skipped": "S",
    "notstarted": "S",
    "error": "E",
    "errored": "E",
    "timeout": "E",
    "terminated": "T",
    "aborted": "T",
    "running": "U",
    "looping": "U",
    "informational": "D",
    "indeterminate": "U",
}

#: TestStand numeric comparison types (``Comp``) and ATML comparators → WSJF numeric compOp.
#: ``CIEQ``/``CINE`` (case-insensitive string comparisons) on a number mean plain EQ/NE.
NUMERIC_COMP: dict[str, str] = {
    op: op
    for op in (
        "EQ", "NE", "GT", "LT", "GE", "LE", "GTLT", "GELE", "GELT", "GTLE",
        "LTGT", "LEGE", "LEGT", "LTGE", "LOG",
    )
}
NUMERIC_COMP.update({"CIEQ": "EQ", "CINE": "NE"})

#: TestStand string comparison types and ATML comparators → WSJF string compOp.
#: ``CINE`` (case-insensitive "not equal") has no WSJF equivalent: it becomes ``NE`` and
#: the status TestStand recorded is kept.
STRING_COMP: dict[str, str] = {
    "EQ": "CASESENSIT",
    "CASESENSITIVE": "CASESENSIT",
    "CASESENSIT": "CASESENSIT",
    "CIEQ": "IGNORECASE",
    "IGNORECASE": "IGNORECASE",
    "NE": "NE",
    "CINE": "NE",
    "LOG": "LOG",
}


class XMLFormatError(ValueError):
    """The file is not of the converter's format, or holds something it cannot map.

    The message names the file (and where useful the element)."""


_LOCAL_NAMES: dict[str, str] = {}


def local_name(tag: Any) -> str:
    """Element name without its namespace (``{urn:x}Test`` → ``Test``)."""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < 4096:  # a file cannot grow it without bound
            _LOCAL_NAMES[tag] = name
    return name


_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 date-time as TestStand writes it (any number of fraction digits, ``Z``
    or an offset, or none: then it is the station's local time); ``None`` if it is not one.

    Written out rather than left to :meth:`datetime.fromisoformat`, which before Python
    3.11 takes neither ``Z`` nor 7 fraction digits.
    """
    match = _ISO.match(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        return None
    if zone is None:
        return moment.astimezone()
    if zone.upper() == "Z":
        return moment.replace(tzinfo=timezone.utc)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return moment.replace(tzinfo=timezone(sign * offset))


def status_letter(word: str | None, qualifier: str | None = None) -> str | None:
    """WSJF step status for a TestStand/ATML status word (``None`` for an empty word).

    A ``qualifier`` (ATML ``Outcome@qualifier``) carries TestStand's own status when the
    outcome is ``Aborted`` or ``UserDefined`` (e.g. ``qualifier="Skipped"``); it wins over
    the outcome value. A status nobody knows becomes ``U`` (Unknown), never a guess.
    """
    qual = (qualifier or "").strip()
    text = (word or "").strip()
    if qual:
        known = _STATUS.get(qual.replace(" ", "").casefold())
        if known is not None:
            return known
        if text.casefold() in ("aborted", "userdefined"):
            return "U"
    if not text:
        return None
    if text.casefold() == "userdefined":
        return "U"
    return _STATUS.get(text.replace(" ", "").casefold(), "U")


def group_letter(text: str | None) -> str:
    """WSJF step group for TestStand's ``Setup``/``Main``/``Cleanup`` (default ``M``)."""
    word = (text or "").strip().casefold()
    if word.startswith("setup"):
        return "S"
    if word.startswith("cleanup"):
        return "C"
    return "M"


def parse_float(text: str | None) -> float | None:
    """A TestStand number: decimal, ``NaN``/``IND``, ``INF``/``-Infinity``, ``0x`` hex."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    low = value.casefold().lstrip("+")
    if low in ("ind", "-ind", "nan(ind)", "-nan(ind)", "-nan") or "#ind" in low or "#qnan" in low or "#snan" in low:
        return math.nan
    if "#inf" in low:  # 1.#INF, -1.#INF (Microsoft C runtime formatting)
        return -math.inf if low.startswith("-") else math.inf
    if low.startswith("0x"):
        try:
            return float(int(low, 16))
        except ValueError:
            return None
    return None


def split_sequence(text: str | None) -> tuple[str, str, str]:
    """``"C:\\dir\\File.seq#Seq"`` → ``(path, file name, sequence)`` (parts may be empty).

    Text without ``#`` that does not end in ``.seq`` is a plain sequence name."""
    value = (text or "").strip()
    if "#" not in value and not value.casefold().endswith(".seq"):
        return "", "", value  # a plain sequence name, not a file path
    path, _, sequence = value.partition("#")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return path, name, sequence


def _text_of(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int_of(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        number = parse_float(value) if isinstance(value, str) else None
    else:
        number = float(value)
    if number is None or not math.isfinite(number) or not number.is_integer():
        return None
    return int(number)


def apply_wats_uut(report: dict[str, Any], fields: dict[str, Any]) -> None:
    """Map the UUT fields the WATS TestStand add-on keeps in TestStand's ``UUT`` container.

    ``fields`` is the container as plain data (scalars, dicts for objects, lists for
    arrays). File values win: ``UUTPartNumber``/``UUTPartRevisionNumber`` fill ``pn``/``rev``
    when the file had none, ``UUTOperationType`` (> 0) sets ``processCode``, ``Comment`` and
    ``UUT_Fixture_ID`` go to ``uut.comment``/``uut.fixtureId``, ``BatchLoopIndex`` and
    ``BatchFailCount`` to ``uut``, and ``MiscUUTResult`` gives ``miscInfos`` (Misc_UUT_Info),
    ``subUnits`` (UUT_Part_Info) and ``assets`` (Asset_Info).
    """
    if not report.get("pn") and _text_of(fields.get("UUTPartNumber")):
        report["pn"] = _text_of(fields.get("UUTPartNumber"))
    if not report.get("rev") and _text_of(fields.get("UUTPartRevisionNumber")):
        report["rev"] = _text_of(fields.get("UUTPartRevisionNumber"))
    code = _int_of(fields.get("UUTOperationType"))
    if code is not None and code > 0:
        report["processCode"] = code
    uut = report.setdefault("uut", {})
    for key, target in (("Comment", "comment"), ("UUT_Fixture_ID", "fixtureId")):
        text = _text_of(fields.get(key))
        if text and not uut.get(target):
            uut[target] = text
    for key, target in (("BatchLoopIndex", "batchLoopIndex"), ("BatchFailCount", "batchFailCount")):
        number = _int_of(fields.get(key))
        if number is not None and target not in uut:
            uut[target] = number
    misc = fields.get("MiscUUTResult")
    if not isinstance(misc, dict):
        return
    for entry in misc.get("Misc_UUT_Info") or []:
        if not isinstance(entry, dict) or not _text_of(entry.get("Description")):
            continue
        info: dict[str, Any] = {"description": _text_of(entry.get("Description"))}
        text = _text_of(entry.get("Data_String"))
        number = _int_of(entry.get("Data_Numeric"))
        if text:
            info["text"] = text
        if number is not None and (number != 0 or not text):
            info["numeric"] = number
        report.setdefault("miscInfos", []).append(info)
    for entry in misc.get("UUT_Part_Info") or []:
        if not isinstance(entry, dict):
            continue
        unit = {
            "partType": _text_of(entry.get("Part_Type"))[:50] or "Part",
            "pn": _text_of(entry.get("Part_Number")),
            "sn": _text_of(entry.get("Part_Serial_Number")),
            "rev": _text_of(entry.get("Part_Revision_Number")),
        }
        if unit["pn"] and unit["sn"]:  # WATS needs both to file a sub-unit
            report.setdefault("subUnits", []).append(unit)
    for entry in misc.get("Asset_Info") or []:
        if isinstance(entry, dict) and _text_of(entry.get("AssetSerialNumber")):
            asset: dict[str, Any] = {"assetSN": _text_of(entry.get("AssetSerialNumber"))}
            usage = _int_of(entry.get("UsageCount"))
            if usage is not None:
                asset["usageCount"] = usage
            report.setdefault("assets", []).append(asset)


def step_dict(name: str, step_type: str, status: str | None, group: str) -> dict[str, Any]:
    """A new WSJF step with its common fields."""
    step: dict[str, Any] = {"stepType": step_type or "Action", "name": name[:100] if name else step_type, "group": group}
    if status is not None:
        step["status"] = status
    return step


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 text with offset (``None`` stays ``None``)."""
    return moment.isoformat() if moment is not None else None


def operation_code(params: StandardParameters, context: ConverterContext) -> int:
    """The report's process code: the ``operation_type`` parameter (or the older
    ``operation`` / ``process_code`` keys), else WATS' conventional test operation
    (``DEFAULT_TEST_PROCESS_CODE``, 100) — TestStand reports name no operation.

    Raises:
        ConverterParameterError: a process name the process list does not know.
    """
    from pywats.tools.report_builder import DEFAULT_TEST_PROCESS_CODE

    if params.operation_type is not None:
        code = params.process_code(context.process_code)
        return DEFAULT_TEST_PROCESS_CODE if code is None else code
    legacy = context.parameters.get("operation", context.parameters.get("process_code"))
    if legacy not in (None, ""):
        code = StandardParameters.from_mapping({"operation_type": legacy}).process_code(context.process_code)
        return DEFAULT_TEST_PROCESS_CODE if code is None else code
    return DEFAULT_TEST_PROCESS_CODE


def iter_elements(
    source: Any, fname: str, accept_root: Callable[[ET.Element], bool], expected: str
) -> Iterator[tuple[str, ET.Element, list[ET.Element]]]:
    """Parse ``source`` (a binary file object) incrementally.

    Yields ``(event, element, stack)`` for every ``"start"`` and ``"end"``; ``stack`` is the
    list of open elements (``stack[-1]`` is ``element`` on ``start``; its parent on
    ``end``). The root element must satisfy ``accept_root`` or :class:`XMLFormatError`
    (naming the file and ``expected``) is raised; invalid XML raises it too.
    """
    stack: list[ET.Element] = []
    try:
        for event, element in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                if not stack and not accept_root(element):
                    raise XMLFormatError(
                        f"{fname}: not {expected} (root element is {local_name(element.tag)!r})"
                    )
                stack.append(element)
                yield event, element, stack
            else:
                stack.pop()
                yield event, element, stack
    except ET.ParseError as exc:
        line, column = exc.position
        detail = str(exc).split(":", 1)[0]
        raise XMLFormatError(f"{fname}: invalid XML at line {line}, column {column + 1}: {detail}") from None


class TestStandFileConverter(FileConverter):
    """What the TestStand converters share: :meth:`convert` reads the standard parameters and
    the operation, lets the subclass's :meth:`_read` build the reports, forwards its warnings
    and turns a format or parameter error into a failure naming the file."""

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return the report(s) of ``source`` (one per UUT in the file)."""
        warnings: list[str] = []
        try:
            params = StandardParameters.from_mapping(context.parameters)
            operation = operation_code(params, context)
            reports = self._read(source, context, params, operation, warnings)
        except XMLFormatError as exc:
            message = str(exc)
        except ConverterParameterError as exc:
            message = f"{source.name}: {exc}"
        else:  # the runner logs the warnings of a result (once)
            return ConverterResult.success(reports if len(reports) > 1 else reports[0], warnings=warnings)
        return ConverterResult.failure(message)  # outside the except: no exception prefix

    def _read(
        self,
        source: ConverterSource,
        context: ConverterContext,
        params: StandardParameters,
        operation: int,
        warn: list[str],
    ) -> list[dict[str, Any]]:
        """The reports of ``source`` (at least one); raises :class:`XMLFormatError`."""
        raise NotImplementedError
