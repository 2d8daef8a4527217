"""The converter interface: :class:`FileConverter`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar
from collections.abc import Mapping

from pywats_client.converters.context import ContextData, ConverterContext
from pywats_client.converters.parameters import ParameterSpec
from pywats_client.converters.result import ConverterResult
from pywats_client.converters.source import ConverterSource


__all__ = ["FileConverter"]


class FileConverter(ABC):
    """Base class of every file converter.

    Subclasses implement :meth:`convert`; they may override :attr:`name` (default: the
    class name) and :attr:`file_patterns` (default ``["*"]``; a ``file_patterns`` list in
    the converter's configuration takes precedence). A converter is created with no
    arguments; its parameters arrive as ``context.parameters`` (alias ``context.arguments``).

    :attr:`parameter_specs` documents the parameters the converter reads (standard ones
    from :data:`~pywats_client.converters.parameters.STANDARD_PARAMETERS` and its own);
    ``pywats-client converter list`` shows them.
    """

    parameter_specs: ClassVar[tuple[ParameterSpec, ...]] = ()

    @property
    def name(self) -> str:
        """Display name of the converter (default: the class name)."""
        return type(self).__name__

    @property
    def file_patterns(self) -> list[str]:
        """Glob patterns of the files this converter handles (default ``["*"]``)."""
        return ["*"]

    @abstractmethod
    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        """Convert ``source`` into one or more reports.

        Return ``ConverterResult.success(report_or_list)`` or
        ``ConverterResult.failure("reason")``. Raising an exception also fails the file,
        with the exception as the reason.
        """

    def convert_file(
        self,
        path: str | Path,
        context: ContextData | None = None,
        *,
        arguments: Mapping[str, Any] | None = None,
    ) -> ConverterResult:
        """Convert one file in this process, for manual testing.

        Runs :meth:`convert` with a default context (or ``context``; ``arguments``
        replaces its options), normalises every report to a validated WSJF dict and
        returns the result: ``result.success``, then ``result.data`` (one dict, or a list
        when several reports came out) or ``result.error``.
        """
        from dataclasses import replace

        from pywats_client.converters.runner import convert_with_instance, default_context_data

        data = context or default_context_data()
        if arguments is not None:
            data = replace(data, arguments=dict(arguments))
        outcome = convert_with_instance(self, Path(path), data)
        if outcome.ok:
            payload: Any = outcome.reports[0] if len(outcome.reports) == 1 else list(outcome.reports)
            return ConverterResult(True, data=payload)
        return ConverterResult(False, error=outcome.error, traceback=outcome.traceback)
