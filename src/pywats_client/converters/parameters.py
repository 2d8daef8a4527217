"""Converter parameters: defaults for what result files often lack.

Like the WATS .NET client's ``ConverterParameters``, every converter entry in an instance
config may carry a ``parameters`` object (the older key ``arguments`` is read too; where both
name a key, ``parameters`` wins). A converter receives the merged mapping as
``context.parameters`` (also ``context.arguments``, the older name).

The *standard* parameters below mean the same for every built-in converter; a converter
documents the ones it reads, plus its own, as :attr:`FileConverter.parameters` (a tuple of
:class:`ParameterSpec`). The rule everywhere: **a value in the file wins over a parameter**
— a parameter only fills what the file leaves empty.

==================== ===================================================================
``part_number``      part number (``pn``) for files that carry none
``revision``         part revision (``rev``)
``operation_type``   operation (``processCode``): a code (``100``) or a process name
                     (``"FCT"``) resolved through the station's process list
``operator``         operator (``uut.user`` / ``uur.user``)
``station``          station name (``machineName``); the instance's ``station_name`` otherwise
``location``         station location; the instance's ``location`` otherwise
``purpose``          station purpose; the instance's ``purpose`` otherwise
``sequence_name``    name of the root sequence (``root.seqCall.name``)
``sequence_version`` version of the root sequence (``root.seqCall.version``)
``culture``          number and date conventions: ``"invariant"`` (default; ``1.5``), or a
                     culture name such as ``"de-DE"`` / ``"nb-NO"`` (decimal comma,
                     ``dd.MM.yyyy`` dates) or ``"en-US"`` (``MM/dd/yyyy``)
``decimal_separator`` ``"."`` or ``","`` (overrides ``culture``)
``date_format``      a :func:`datetime.strptime` format for dates in the file (overrides
                     ``culture``); ISO 8601 is always understood
``encoding``         text encoding of the file (default: a BOM if present, else UTF-8)
==================== ===================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

__all__ = [
    "STANDARD_PARAMETERS",
    "ConverterParameterError",
    "ParameterSpec",
    "StandardParameters",
    "apply_header_defaults",
    "merge_parameters",
]


class ConverterParameterError(ValueError):
    """A converter parameter has a value the converter cannot use; the message names it."""


@dataclass(frozen=True)
class ParameterSpec:
    """One documented converter parameter (shown by ``pywats-client converter list``).

    Attributes:
        name: the key in the converter's ``parameters`` object.
        description: what it does, in one line.
        default: the value used when it is not set (``None``: no default).
    """

    name: str
    description: str
    default: Any = None


#: The standard parameters, in the order the docs list them.
STANDARD_PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("part_number", "part number for files that carry none"),
    ParameterSpec("revision", "part revision for files that carry none"),
    ParameterSpec("operation_type", "operation: process code (100) or name ('FCT')"),
    ParameterSpec("operator", "operator for files that name none"),
    ParameterSpec("station", "station name (machineName); default: the instance's station_name"),
    ParameterSpec("location", "station location; default: the instance's location"),
    ParameterSpec("purpose", "station purpose; default: the instance's purpose"),
    ParameterSpec("sequence_name", "root sequence name for files that carry none"),
    ParameterSpec("sequence_version", "root sequence version for files that carry none"),
    ParameterSpec("culture", "number/date conventions: invariant, or e.g. de-DE, en-US", "invariant"),
    ParameterSpec("decimal_separator", "'.' or ',' (overrides culture)"),
    ParameterSpec("date_format", "strptime format of dates in the file (overrides culture)"),
    ParameterSpec("encoding", "text encoding of the file (default: BOM, else UTF-8)"),
)

# culture name prefix -> (decimal separator, date format); ISO 8601 is always tried first.
_CULTURES: dict[str, tuple[str, str]] = {
    "invariant": (".", "%Y-%m-%d %H:%M:%S"),
    "en-us": (".", "%m/%d/%Y %H:%M:%S"),
    "en-gb": (".", "%d/%m/%Y %H:%M:%S"),
    "de": (",", "%d.%m.%Y %H:%M:%S"),
    "nb": (",", "%d.%m.%Y %H:%M:%S"),
    "no": (",", "%d.%m.%Y %H:%M:%S"),
    "nn": (",", "%d.%m.%Y %H:%M:%S"),
    "sv": (",", "%Y-%m-%d %H:%M:%S"),
    "da": (",", "%d-%m-%Y %H:%M:%S"),
    "fi": (",", "%d.%m.%Y %H:%M:%S"),
    "fr": (",", "%d/%m/%Y %H:%M:%S"),
    "es": (",", "%d/%m/%Y %H:%M:%S"),
    "it": (",", "%d/%m/%Y %H:%M:%S"),
    "nl": (",", "%d-%m-%Y %H:%M:%S"),
    "pl": (",", "%d.%m.%Y %H:%M:%S"),
    "ru": (",", "%d.%m.%Y %H:%M:%S"),
    "pt": (",", "%d/%m/%Y %H:%M:%S"),
    "zh": (".", "%Y/%m/%d %H:%M:%S"),
    "ja": (".", "%Y/%m/%d %H:%M:%S"),
}


def merge_parameters(arguments: Mapping[str, Any] | None, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """One mapping from a converter entry's ``arguments`` and ``parameters`` (the latter wins)."""
    merged: dict[str, Any] = dict(arguments or {})
    merged.update(parameters or {})
    return merged


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConverterParameterError(f"parameter {key!r} must be text, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class StandardParameters:
    """The standard parameters of one converter entry, checked (see the module docstring).

    Build it with :meth:`from_mapping`; every field is ``None`` when not set.
    """

    part_number: str | None = None
    revision: str | None = None
    operation_type: str | None = None
    operator: str | None = None
    station: str | None = None
    location: str | None = None
    purpose: str | None = None
    sequence_name: str | None = None
    sequence_version: str | None = None
    culture: str = "invariant"
    decimal_separator: str = "."
    date_format: str | None = None
    encoding: str | None = None

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any] | None) -> StandardParameters:
        """Read the standard keys of ``params`` (other keys are ignored).

        Raises:
            ConverterParameterError: a key has an unusable value (the message names it).
        """
        params = params or {}
        culture = _text(params, "culture") or "invariant"
        key = culture.casefold()
        conv = _CULTURES.get(key) or _CULTURES.get(key.split("-", 1)[0])
        if conv is None:
            raise ConverterParameterError(
                f"parameter 'culture': unknown culture {culture!r} "
                "(use 'invariant', a culture name such as 'de-DE', or set decimal_separator/date_format)"
            )
        decimal = _text(params, "decimal_separator") or conv[0]
        if decimal not in (".", ","):
            raise ConverterParameterError(f"parameter 'decimal_separator' must be '.' or ',', got {decimal!r}")
        date_format = _text(params, "date_format")
        if date_format is None and key != "invariant":
            date_format = conv[1]
        encoding = _text(params, "encoding")
        if encoding is not None:
            import codecs

            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ConverterParameterError(f"parameter 'encoding': unknown encoding {encoding!r}") from None
        return cls(
            part_number=_text(params, "part_number"),
            revision=_text(params, "revision"),
            operation_type=_text(params, "operation_type"),
            operator=_text(params, "operator"),
            station=_text(params, "station"),
            location=_text(params, "location"),
            purpose=_text(params, "purpose"),
            sequence_name=_text(params, "sequence_name"),
            sequence_version=_text(params, "sequence_version"),
            culture=culture,
            decimal_separator=decimal,
            date_format=date_format,
            encoding=encoding,
        )

    def process_code(self, resolve: Any) -> int | None:
        """The ``operation_type`` as a process code: a number as is, a name through
        ``resolve(name) -> int | None`` (e.g. ``context.process_code``).

        Raises:
            ConverterParameterError: a name the process list does not know.
        """
        if self.operation_type is None:
            return None
        if self.operation_type.lstrip("-").isdigit():
            return int(self.operation_type)
        code = resolve(self.operation_type)
        if code is None:
            raise ConverterParameterError(
                f"parameter 'operation_type': no process named {self.operation_type!r} in the station's process list"
            )
        return int(code)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def apply_header_defaults(report: dict[str, Any], params: StandardParameters, context: Any = None) -> dict[str, Any]:
    """Fill the header fields ``report`` leaves empty from ``params`` (the file wins).

    ``report`` is a WSJF dict (UUT or UUR) and is changed in place and returned.
    ``context`` (a :class:`~pywats_client.converters.ConverterContext`, optional) resolves
    an operation given by name. Station fields (``machineName``/``location``/``purpose``)
    are filled from the parameters only; the service stamps the instance's values on
    whatever is still empty.
    """
    for key, value in (
        ("pn", params.part_number),
        ("rev", params.revision),
        ("machineName", params.station),
        ("location", params.location),
        ("purpose", params.purpose),
    ):
        if value is not None and _empty(report.get(key)):
            report[key] = value
    if params.operation_type is not None and _empty(report.get("processCode")):
        resolve = getattr(context, "process_code", None) or (lambda _name: None)
        report["processCode"] = params.process_code(resolve)
    if params.operator is not None:
        part = "uur" if str(report.get("type", "T")).upper() == "R" else "uut"
        section = report.setdefault(part, {})
        if isinstance(section, dict) and _empty(section.get("user")):
            section["user"] = params.operator
    root = report.get("root")
    if isinstance(root, dict) and (params.sequence_name or params.sequence_version):
        call = root.setdefault("seqCall", {})
        if isinstance(call, dict):
            if params.sequence_name and _empty(call.get("name")):
                call["name"] = params.sequence_name
            if params.sequence_version and _empty(call.get("version")):
                call["version"] = params.sequence_version
    return report
