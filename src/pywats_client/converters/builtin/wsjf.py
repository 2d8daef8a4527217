"""Built-in WSJF converter (``"wsjf"``): WATS Standard JSON Format files, passed through.

The file holds one report object or a JSON list of report objects (each becomes its own
report). Everything WATS itself writes is read: Virinco's example files (timestamps such
as ``2020-01-01T08:00:00.Z``, UUR dates without an offset) and reports exported by a WATS
server. Reports are validated and their timestamps made canonical when they are
normalised (``prepare_for_submit``); a report already canonical (a server export) passes
through unchanged. Nothing is dropped.

Parameters: the standard ones (``part_number``, ``revision``, ``operation_type``,
``operator``, ``station``, ``location``, ``purpose``, ``sequence_name``,
``sequence_version``, ``encoding``) fill what a report leaves empty; ``default_process_code``
(alias ``process_code``), the older name of ``operation_type``, is still read.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, ClassVar

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

__all__ = ["WSJFConverter"]

_READ = ("part_number", "revision", "operation_type", "operator", "station", "location", "purpose",
         "sequence_name", "sequence_version", "encoding")


class WSJFConverter(FileConverter):
    """Passes WSJF JSON reports through (one object, or a list of objects)."""

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = tuple(
        spec for spec in STANDARD_PARAMETERS if spec.name in _READ
    ) + (ParameterSpec("default_process_code", "older name of operation_type"),)

    @property
    def name(self) -> str:
        """Display name."""
        return "WSJF Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.json`` and ``*.wsjf``."""
        return ["*.json", "*.wsjf"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Return the report(s) in ``source``."""
        args = dict(context.parameters)
        legacy = args.get("default_process_code", args.get("process_code"))
        if args.get("operation_type") in (None, "") and legacy not in (None, ""):
            args["operation_type"] = legacy
        params = StandardParameters.from_mapping(args)
        text = source.read_text(params.encoding)
        head = text.lstrip()[:1]
        if head == "<":
            return ConverterResult.failure(
                f"{source.name}: not a WSJF file (it is XML; use the 'wsxf' or 'wrml' converter)"
            )
        if head and head not in "{[":
            return ConverterResult.failure(f"{source.name}: not a WSJF file (JSON object or list expected)")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return ConverterResult.failure(
                f"{source.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            )
        items: list[Any] = data if isinstance(data, list) else [data]
        if not items:
            return ConverterResult.failure(f"{source.name}: the JSON list holds no reports")
        reports: list[dict[str, Any]] = []
        for index, item in enumerate(items, start=1):
            where = f"{source.name} item {index}" if isinstance(data, list) else source.name
            if not isinstance(item, dict):
                return ConverterResult.failure(
                    f"{where}: expected a report object, found {type(item).__name__}"
                )
            own = params
            if item.get("processName") not in (None, "") and item.get("processCode") in (None, ""):
                own = replace(params, operation_type=None)  # the file names its process
            reports.append(apply_header_defaults(dict(item), own, context))
        return ConverterResult.success(reports if isinstance(data, list) else reports[0])
