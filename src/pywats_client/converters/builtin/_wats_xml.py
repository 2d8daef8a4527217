"""Shared by the built-in converters of the WATS XML formats (``wsxf``, ``wrml``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from pywats.formats import WATSFormatError
from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.parameters import (
    STANDARD_PARAMETERS,
    ParameterSpec,
    StandardParameters,
    apply_header_defaults,
)
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["WATSXMLConverter", "XML_PARAMETERS"]

_READ = ("part_number", "revision", "operation_type", "operator", "station", "location", "purpose",
         "sequence_name", "sequence_version")

#: The standard parameters the XML converters read (the file wins over each of them).
XML_PARAMETERS: tuple[ParameterSpec, ...] = tuple(spec for spec in STANDARD_PARAMETERS if spec.name in _READ)

Reader = Callable[..., Iterator[dict[str, Any]]]


class WATSXMLConverter(FileConverter):
    """Base of the ``wsxf`` and ``wrml`` converters: runs a :mod:`pywats.formats` reader
    over the file (incrementally, from disk) and fills empty header fields from the
    standard parameters. Elements without a WSJF place are logged as warnings."""

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = XML_PARAMETERS
    format_name: ClassVar[str] = ""

    @property
    def file_patterns(self) -> list[str]:
        """``*.xml``."""
        return ["*.xml"]

    def read(self, path: Path, on_drop: Callable[[str], None]) -> Iterator[dict[str, Any]]:
        """The reports of the file at ``path`` (implemented by each format)."""
        raise NotImplementedError

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return the report(s) in ``source``."""
        params = StandardParameters.from_mapping(context.parameters)
        warnings: list[str] = []  # logged once by the runner, with the result

        try:
            reports = [apply_header_defaults(report, params, context) for report in self.read(source.path, warnings.append)]
        except WATSFormatError as exc:
            return ConverterResult.failure(f"{source.name}: {exc}")
        return ConverterResult.success(reports if len(reports) > 1 else reports[0], warnings=warnings)
