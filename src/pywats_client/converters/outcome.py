"""The result of running a converter on one file: :class:`ConversionOutcome`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConversionOutcome"]


@dataclass
class ConversionOutcome:
    """What the service gets back for one file (picklable).

    Attributes:
        ok: True when the file converted and every report validated.
        reports: the reports as normalised, validated WSJF dicts (empty on failure).
        error: a one-line reason on failure.
        traceback: the full traceback (or details) on failure, for ``NAME.error``.
        logs: ``(level, message)`` pairs the converter logged through its context.
        duration: seconds spent on the conversion.
        report_count: how many reports the conversion produced (also when they were
            handed to a sink one by one instead of being kept in ``reports``).
    """

    ok: bool
    reports: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    traceback: str | None = None
    logs: list[tuple[str, str]] = field(default_factory=list)
    duration: float = 0.0
    report_count: int = 0

    @classmethod
    def failed(
        cls,
        error: str,
        *,
        traceback: str | None = None,
        logs: list[tuple[str, str]] | None = None,
        duration: float = 0.0,
    ) -> ConversionOutcome:
        """Return a failed outcome with a one-line ``error``."""
        return cls(
            ok=False,
            error=" ".join(str(error).split()) or "conversion failed",
            traceback=traceback,
            logs=list(logs or []),
            duration=duration,
        )

    def forward_logs(self, logger: logging.Logger, file_name: str) -> None:
        """Write the converter's log lines to ``logger``, each prefixed with ``file_name``."""
        for level, message in self.logs:
            logger.log(getattr(logging, level, logging.INFO), "%s: %s", file_name, message)
