"""Built-in WSJF converter (``"wsjf"``): WATS Standard JSON Format files, passed through.

The file holds one report object or a JSON list of report objects (each becomes its own
report). Reports are validated when they are normalised (``prepare_for_submit``); the
converter only checks the JSON shape. Options (``arguments``): ``encoding``;
``default_process_code`` (alias ``process_code``), used for reports without
``processCode``.
"""

from __future__ import annotations

import json
from typing import Any

from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ConverterContext
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = ["WSJFConverter"]


class WSJFConverter(FileConverter):
    """Passes WSJF JSON reports through (one object, or a list of objects)."""

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
        args = context.arguments
        try:
            data = json.loads(source.read_text(args.get("encoding")))
        except json.JSONDecodeError as exc:
            return ConverterResult.failure(
                f"{source.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            )
        items: list[Any] = data if isinstance(data, list) else [data]
        if not items:
            return ConverterResult.failure(f"{source.name}: the JSON list holds no reports")
        default_code = args.get("default_process_code", args.get("process_code"))
        if isinstance(default_code, str) and not default_code.strip().isdigit():
            default_code = context.process_code(default_code)
        reports: list[dict[str, Any]] = []
        for index, item in enumerate(items, start=1):
            where = f"{source.name} item {index}" if isinstance(data, list) else source.name
            if not isinstance(item, dict):
                return ConverterResult.failure(
                    f"{where}: expected a report object, found {type(item).__name__}"
                )
            if item.get("processCode") in (None, "") and default_code not in (None, ""):
                item = {**item, "processCode": int(default_code)}
            reports.append(item)
        return ConverterResult.success(reports if isinstance(data, list) else reports[0])
