"""What a converter knows about where it runs: :class:`ConverterContext`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable, Mapping

from pywats_client.converters.parameters import StandardParameters

__all__ = ["ContextData", "ConverterContext", "process_pairs"]


@dataclass(frozen=True)
class ContextData:
    """The picklable part of a converter's context, sent to worker processes.

    Attributes:
        station_name: the station's name (``machineName`` of reports that lack one).
        location: the station's location.
        purpose: the station's purpose.
        instance_id: the client instance running the conversion.
        processes: the cached WATS process list (dicts with ``code``/``name``, either case).
        arguments: the converter's parameters (``parameters`` merged over the older
            ``arguments`` in its config; see :mod:`pywats_client.converters.parameters`).
    """

    station_name: str = ""
    location: str = ""
    purpose: str = ""
    instance_id: str = ""
    processes: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]] = ()
    arguments: Mapping[str, Any] = field(default_factory=dict)


def process_pairs(processes: Any) -> list[tuple[int, str]]:
    """Return ``(code, name)`` pairs from a process list (camelCase or PascalCase keys)."""
    pairs: list[tuple[int, str]] = []
    for item in processes or ():
        if not isinstance(item, Mapping):
            continue
        code = item.get("code", item.get("Code", item.get("processCode")))
        name = item.get("name", item.get("Name", item.get("processName")))
        try:
            if code is not None and name:
                pairs.append((int(code), str(name)))
        except (TypeError, ValueError):
            continue
    return pairs


class ConverterContext:
    """Context passed to ``FileConverter.convert(source, context)``.

    Carries the station identity (``station_name``, ``location``, ``purpose``,
    ``instance_id``), the cached process list (``processes``, ``process_code(name)``),
    the converter's options (``arguments``) and log methods whose messages are collected
    (``logs``) and forwarded to the service log with the file name.
    """

    def __init__(
        self,
        data: ContextData | None = None,
        *,
        file_name: str = "",
        forward: Callable[[str, str], None] | None = None,
    ) -> None:
        data = data or ContextData()
        self.station_name: str = data.station_name
        self.location: str = data.location
        self.purpose: str = data.purpose
        self.instance_id: str = data.instance_id
        self.processes: list[dict[str, Any]] = [dict(p) for p in data.processes or ()]
        self.arguments: dict[str, Any] = dict(data.arguments or {})
        #: The converter's parameters (the same mapping as :attr:`arguments`).
        self.parameters: dict[str, Any] = self.arguments
        self.file_name = file_name
        self.logs: list[tuple[str, str]] = []
        self._forward = forward
        self._codes: dict[str, int] | None = None

    # -- process list -----------------------------------------------------------------
    def process_code(self, name: str) -> int | None:
        """Return the code of the process called ``name`` (exact, then ignoring case).

        Looks at the context's process list first, then the process-wide cache
        (``pywats.models.process_codes``). A number given as text is returned as is.
        """
        if self._codes is None:
            self._codes = {}
            for code, pname in process_pairs(self.processes):
                self._codes.setdefault(pname, code)
                self._codes.setdefault(pname.casefold(), code)
        text = str(name).strip()
        known = self._codes.get(text, self._codes.get(text.casefold()))
        if known is not None:
            return known
        from pywats.models import process_codes

        cached = process_codes.code_for(text)
        if cached is not None:
            return cached
        return int(text) if text.isdigit() else None

    def get_argument(self, key: str, default: Any = None) -> Any:
        """Return the option ``key`` from ``arguments`` or ``default``."""
        return self.arguments.get(key, default)

    def get_parameter(self, key: str, default: Any = None) -> Any:
        """Return the parameter ``key`` or ``default`` (same as :meth:`get_argument`)."""
        return self.arguments.get(key, default)

    def standard_parameters(self) -> StandardParameters:
        """The standard parameters (part number, operation, culture, …), checked.

        Raises:
            ConverterParameterError: a parameter has an unusable value (named in the message).
        """
        return StandardParameters.from_mapping(self.arguments)

    # -- logging ----------------------------------------------------------------------
    def _log(self, level: str, message: str) -> None:
        text = str(message)
        self.logs.append((level, text))
        if self._forward is not None:
            self._forward(level, text)

    def log_info(self, message: str) -> None:
        """Record an informational message for the service log."""
        self._log("INFO", message)

    def log_warning(self, message: str) -> None:
        """Record a warning for the service log."""
        self._log("WARNING", message)

    def log_error(self, message: str) -> None:
        """Record an error for the service log."""
        self._log("ERROR", message)

    def log_debug(self, message: str) -> None:
        """Record a debug message for the service log."""
        self._log("DEBUG", message)


def logger_forwarder(logger: logging.Logger, file_name: str) -> Callable[[str, str], None]:
    """Return a ``forward`` callable that writes context logs to ``logger`` with the file name."""

    def forward(level: str, message: str) -> None:
        logger.log(getattr(logging, level, logging.INFO), "%s: %s", file_name, message)

    return forward
