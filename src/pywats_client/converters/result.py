"""What a converter returns: :class:`ConverterResult`.

The integration guide uses ``ConverterResult.success(report)`` and
``ConverterResult.failure(message)`` as constructors *and* ``result.success`` as a bool
on a result. A small descriptor gives both: looked up on the class the name is a
constructor, looked up on an instance it is the outcome flag.
"""

from __future__ import annotations

import sys
import traceback as _traceback
from typing import Any, Generic, TypeVar, overload
from collections.abc import Callable

__all__ = ["ConverterResult"]

_T = TypeVar("_T")


class _HybridFlag(Generic[_T]):
    """Class access → the factory; instance access → a bool computed from the instance."""

    def __init__(self, factory: Callable[..., _T], flag: Callable[[Any], bool]) -> None:
        self._factory = factory
        self._flag = flag
        self.__doc__ = factory.__doc__

    @overload
    def __get__(self, obj: None, owner: type) -> Callable[..., _T]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> bool: ...

    def __get__(self, obj: object | None, owner: type) -> Callable[..., _T] | bool:
        if obj is None:
            return self._factory
        return self._flag(obj)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ConverterResult:
    """The outcome of one conversion.

    Build it with ``ConverterResult.success(report)`` (``report`` may be a WSJF dict, a
    report model, a ``ReportBuilder``, or a list of them: every report in the list is
    queued) or ``ConverterResult.failure("why")``. On a result:

    - ``result.success``: ``True`` when the conversion worked (``result.failure`` is the
      opposite);
    - ``result.data``: what the converter returned (one report, or a list);
    - ``result.reports``: the same as a list;
    - ``result.error``: the one-line reason of a failure;
    - ``result.traceback``: the traceback of the exception being handled when
      ``failure()`` was called (or raised by the converter), for ``NAME.error``.
    """

    __slots__ = ("_ok", "data", "error", "traceback", "warnings")

    def __init__(
        self,
        ok: bool,
        data: Any = None,
        error: str | None = None,
        traceback: str | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self._ok = bool(ok)
        self.data = data
        self.error = error
        self.traceback = traceback
        self.warnings: list[str] = list(warnings or [])

    @staticmethod
    def _make_success(report: Any, *, warnings: list[str] | None = None) -> ConverterResult:
        """Return a successful result carrying one report or a list of reports."""
        if report is None:
            raise ValueError("ConverterResult.success() needs a report (or a list of reports)")
        if isinstance(report, tuple):
            report = list(report)
        if isinstance(report, list) and not report:
            raise ValueError("ConverterResult.success() got an empty list of reports")
        return ConverterResult(True, data=report, warnings=warnings)

    @staticmethod
    def _make_failure(message: str, *, traceback: str | None = None) -> ConverterResult:
        """Return a failed result with a reason.

        Called inside an ``except`` block, the exception being handled is recorded: its
        traceback goes to ``result.traceback`` and, when the message is just ``str(exc)``
        (as in ``failure(str(e))``), the exception type is prefixed so ``'TestName'``
        reads ``KeyError: 'TestName'``.
        """
        exc = sys.exc_info()[1]
        text = str(message) if message is not None else ""
        if exc is not None:
            if traceback is None:
                traceback = "".join(_traceback.format_exception(type(exc), exc, exc.__traceback__))
            if text == str(exc) or not text:
                text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return ConverterResult(False, error=_one_line(text) or "conversion failed", traceback=traceback)

    success = _HybridFlag(_make_success, lambda self: self._ok)
    failure = _HybridFlag(_make_failure, lambda self: not self._ok)

    @property
    def reports(self) -> list[Any]:
        """The reports of a successful result, always as a list (empty on failure)."""
        if not self._ok or self.data is None:
            return []
        return list(self.data) if isinstance(self.data, list) else [self.data]

    def __bool__(self) -> bool:
        return self._ok

    def __repr__(self) -> str:
        if self._ok:
            return f"ConverterResult.success(<{len(self.reports)} report(s)>)"
        return f"ConverterResult.failure({self.error!r})"
