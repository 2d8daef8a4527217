"""What a converter returns: :class:`ConverterResult`.

The integration guide uses ``ConverterResult.success(report)`` and
``ConverterResult.failure(message)`` as constructors *and* ``result.success`` as a bool
on a result. A small descriptor gives both: looked up on the class the name is a
constructor, looked up on an instance it is the outcome flag.
"""

from __future__ import annotations

import sys
import traceback as _traceback
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar, overload
from collections.abc import Callable

__all__ = ["ConversionError", "ConverterResult"]

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


class ConversionError(ValueError):
    """Raise it from ``convert()`` (or from a report generator) to fail the file with
    exactly this message (no exception-type prefix, no source location): for problems in
    the *file*, such as ``"results.csv row 7, column Value: 'abc' is not a number"``."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ConverterResult:
    """The outcome of one conversion.

    Build it with ``ConverterResult.success(report)`` (``report`` may be a WSJF dict, a
    report model, a ``ReportBuilder``, or a list of them: every report in the list is
    queued) or ``ConverterResult.failure("why")``. ``report`` may also be an *iterator*
    (a generator) of reports: they are then taken one at a time, so a file holding many
    units never needs all of its reports in memory at once (an exception raised by the
    generator fails the whole file; raise :class:`ConversionError` for a plain message).
    On a result:

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
        # an iterator (generator) of reports stays lazy: see iter_reports()
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
    def streamed(self) -> bool:
        """True when the reports come from an iterator not consumed yet (see :meth:`iter_reports`)."""
        return self._ok and isinstance(self.data, Iterator) and not isinstance(self.data, Mapping)

    @property
    def reports(self) -> list[Any]:
        """The reports of a successful result, always as a list (empty on failure).

        An iterator of reports is consumed here (once) and kept as a list.
        """
        if not self._ok or self.data is None:
            return []
        if self.streamed:
            self.data = list(self.data)
        return list(self.data) if isinstance(self.data, list) else [self.data]

    def iter_reports(self) -> Iterator[Any]:
        """Yield the reports one at a time; an iterator given to ``success()`` is consumed
        lazily (so this can be called once for it)."""
        if not self._ok or self.data is None:
            return iter(())
        if self.streamed:
            data: Iterator[Any] = self.data
            return data
        return iter(self.data if isinstance(self.data, list) else [self.data])

    def __bool__(self) -> bool:
        return self._ok

    def __repr__(self) -> str:
        if self._ok:
            if self.streamed:
                return "ConverterResult.success(<report iterator>)"
            return f"ConverterResult.success(<{len(self.reports)} report(s)>)"
        return f"ConverterResult.failure({self.error!r})"
