"""Run a converter on one file in the current process and normalise what it returns.

:func:`convert_in_process` is what every worker process runs; it also serves
``FileConverter.convert_file`` and tests (no isolation: a crash here is a crash of the
caller).
"""

from __future__ import annotations

import socket
import threading
import time
import traceback as _traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ContextData, ConverterContext, process_pairs
from pywats_client.converters.loader import ConverterLoadError, load_converter, resolve_spec
from pywats_client.converters.outcome import ConversionOutcome
from pywats_client.converters.result import ConversionError, ConverterResult
from pywats_client.converters.source import ConverterSource

__all__ = [
    "ConverterInfo",
    "ReportSink",
    "convert_in_process",
    "describe_converter",
    "convert_with_instance",
    "default_context_data",
    "normalise_report",
    "remember_processes",
]

_STATION_FIELDS = (("machineName", "station_name"), ("location", "location"), ("purpose", "purpose"))
_class_cache: dict[tuple[str, tuple[str, ...]], type[FileConverter]] = {}
_cache_lock = threading.Lock()


def default_context_data() -> ContextData:
    """A context for manual runs: this computer's name as the station, no options."""
    return ContextData(station_name=socket.gethostname(), location="", purpose="")


def remember_processes(processes: Any) -> None:
    """Feed the context's process list into the process-wide name→code cache."""
    pairs = process_pairs(processes)
    if pairs:
        from pywats.models import process_codes

        process_codes.remember(pairs)


def _is_model(obj: Any) -> bool:
    return hasattr(obj, "model_dump") and hasattr(type(obj), "model_fields")


def normalise_report(obj: Any, context: ContextData) -> dict[str, Any]:
    """Turn a converter's report (WSJF dict, report model or ReportBuilder) into a WSJF dict.

    Station identity missing from the report (``machineName``, ``location``, ``purpose``)
    is taken from ``context``; then the report is validated with
    ``pywats.models.report.prepare_for_submit``, which raises
    ``pywats.exceptions.ValidationError`` (with ``field``) on an invalid report.
    """

    if isinstance(obj, Mapping):
        report: dict[str, Any] = dict(obj)
    elif callable(getattr(obj, "to_wsjf", None)):
        report = dict(obj.to_wsjf())
    elif callable(getattr(obj, "to_dict", None)):
        report = dict(obj.to_dict())
    elif _is_model(obj):
        report = obj.model_dump(by_alias=True, exclude_none=True, mode="json")
    else:
        raise TypeError(
            f"a report must be a WSJF dict, a report model or a ReportBuilder, not {type(obj).__name__}"
        )
    for key, attr in _STATION_FIELDS:
        if not report.get(key) and getattr(context, attr):
            report[key] = getattr(context, attr)
    return _prepare_offline(report)


def _prepare_offline(report: dict[str, Any]) -> dict[str, Any]:
    """Validate ``report`` without needing the server.

    A report that names its operation only by ``processName`` needs the process list to
    become a ``processCode``. When no process list is known at all (a manual
    ``convert_file`` before any sync), conversion must not depend on the network: the
    rest of the report is validated and ``processName`` is kept for the upload, where
    ``submit_report`` resolves it against the server. When a list is known and the name
    is not in it, that is a mistake in the file or converter and the conversion fails.
    """
    from pywats.models import process_codes
    from pywats.models.report import UnresolvedProcessError, prepare_for_submit

    try:
        return prepare_for_submit(report)
    except UnresolvedProcessError as exc:
        if process_codes.known():
            raise
        in_uur = (exc.field or "").startswith("uur.")
        probe = dict(report)
        if in_uur:
            probe["uur"] = {**probe.get("uur", {}), "processCode": 0}
            probe["uur"].pop("processName", None)
        else:
            probe["processCode"] = 0
            probe.pop("processName", None)
        checked = prepare_for_submit(probe)
        if in_uur:
            checked["uur"] = {k: v for k, v in checked["uur"].items() if k != "processCode"}
            checked["uur"]["processName"] = exc.process_name
        else:
            checked.pop("processCode", None)
            checked["processName"] = exc.process_name
        return checked


def _where(exc: BaseException, converter: object) -> str:
    """`` (file.py, line N)`` of the converter's frame that raised, or of the deepest frame."""
    frames = _traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    try:
        import inspect

        own_file = str(Path(inspect.getfile(type(converter))).resolve())
    except (TypeError, OSError):
        own_file = ""
    own = [f for f in frames if own_file and str(Path(f.filename).resolve()) == own_file]
    frame = own[-1] if own else frames[-1]
    return f" ({Path(frame.filename).name}, line {frame.lineno})"


def _format_tb(exc: BaseException) -> str:
    return "".join(_traceback.format_exception(type(exc), exc, exc.__traceback__))


def _raised(exc: BaseException, converter: object) -> ConversionOutcome:
    """The failed outcome for an exception raised by converter code."""
    if isinstance(exc, ConversionError):
        return ConversionOutcome.failed(str(exc) or type(exc).__name__, traceback=_format_tb(exc))
    return ConversionOutcome.failed(
        f"converter raised {type(exc).__name__}: {exc}{_where(exc, converter)}",
        traceback=_format_tb(exc),
    )


#: Receives each normalised report as soon as it is ready (see :func:`convert_with_instance`).
ReportSink = Callable[[dict[str, Any]], None]


def convert_with_instance(
    converter: FileConverter,
    path: Path,
    context: ContextData,
    *,
    started: float | None = None,
    sink: ReportSink | None = None,
) -> ConversionOutcome:
    """Run ``converter`` on ``path`` and return a normalised :class:`ConversionOutcome`.

    Never raises for problems in the converter or its output (MemoryError included);
    those become failed outcomes. A :class:`ConversionError` fails the file with its
    message as is. With ``sink``, each report is handed to it as soon as it is normalised
    (and not kept in ``outcome.reports``): with a converter that yields its reports this
    keeps one report in memory at a time. ``outcome.report_count`` counts them either way.
    """
    t0 = time.perf_counter() if started is None else started
    path = Path(path)
    ctx = ConverterContext(context, file_name=path.name)
    remember_processes(context.processes)

    def done(outcome: ConversionOutcome) -> ConversionOutcome:
        outcome.logs = list(ctx.logs)
        outcome.duration = time.perf_counter() - t0
        return outcome

    source = ConverterSource(path)
    try:
        result = converter.convert(source, ctx)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: any failure fails the file
        return done(_raised(exc, converter))
    if result is None:
        return done(
            ConversionOutcome.failed(
                f"{type(converter).__name__}.convert() returned None; "
                "return ConverterResult.success(report) or ConverterResult.failure(message)"
            )
        )
    if not isinstance(result, ConverterResult):
        ctx.log_warning(
            f"convert() returned {type(result).__name__}, not a ConverterResult; treated as success"
        )
        result = ConverterResult(True, data=result)
    for warning in result.warnings:
        ctx.log_warning(warning)
    if not result.success:
        return done(ConversionOutcome.failed(result.error or "conversion failed", traceback=result.traceback))
    total = None if result.streamed else len(result.reports)
    reports: list[dict[str, Any]] = []
    count = 0
    items = result.iter_reports()
    while True:
        try:
            item = next(items)
        except StopIteration:
            break
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a report generator failed
            return done(_raised(exc, converter))
        count += 1
        if total is None:  # an iterator: the total is not known yet
            label = f"report {count}: "
        else:
            label = f"report {count} of {total}: " if total > 1 else ""
        try:
            report = normalise_report(item, context)
        except Exception as exc:  # noqa: BLE001 - invalid output fails the file with the reason
            field = getattr(exc, "field", None)
            message = getattr(exc, "message", None) or str(exc)
            if field and field not in message:
                message = f"{message} (field {field})"
            if message.startswith("invalid report"):
                kind = ""
            elif field is not None or type(exc).__name__.endswith("ValidationError"):
                kind = "invalid report: "
            else:
                kind = f"report could not be prepared: {type(exc).__name__}: "
            return done(ConversionOutcome.failed(f"{label}{kind}{message}", traceback=_format_tb(exc)))
        del item
        if sink is not None:
            sink(report)
        else:
            reports.append(report)
        del report
    if count == 0:
        return done(ConversionOutcome.failed("converter reported success but returned no report"))
    return done(ConversionOutcome(ok=True, reports=reports, report_count=count))


def _cached_class(spec: str, converter_paths: Sequence[str | Path]) -> type[FileConverter]:
    key = (resolve_spec(spec), tuple(str(p) for p in converter_paths))
    with _cache_lock:
        cls = _class_cache.get(key)
    if cls is None:
        cls = load_converter(spec, converter_paths)
        with _cache_lock:
            _class_cache[key] = cls
    return cls


@dataclass
class ConverterInfo:
    """What loading a converter found (picklable): see :func:`describe_converter`.

    Attributes:
        ok: the converter loaded and could be created.
        name: its display name (``converter.name``).
        file_patterns: its own ``file_patterns``.
        error: the one-line :class:`ConverterLoadError` message (or creation error).
        file, line, reason: as on :class:`ConverterLoadError`.
    """

    ok: bool
    name: str = ""
    file_patterns: list[str] = field(default_factory=list)
    error: str | None = None
    file: str | None = None
    line: int | None = None
    reason: str | None = None


def describe_converter(spec: str, converter_paths: Sequence[str | Path] = ()) -> ConverterInfo:
    """Load ``spec`` (cached), create one instance and return its name and patterns.

    Never raises: a load or creation failure is returned as ``ok=False`` with the reason.
    """
    try:
        cls = _cached_class(spec, converter_paths)
    except ConverterLoadError as exc:
        return ConverterInfo(False, error=str(exc), file=exc.file, line=exc.line, reason=exc.reason)
    try:
        converter = cls()
        name = str(converter.name)
        patterns = [str(p) for p in converter.file_patterns]
    except Exception as exc:  # noqa: BLE001 - user code
        reason = f"{type(exc).__name__}: {exc}"
        return ConverterInfo(False, error=f"{spec}: {reason}{_where(exc, cls)}", reason=reason)
    return ConverterInfo(True, name=name, file_patterns=patterns)


def clear_class_cache() -> None:
    """Forget cached converter classes (the next conversion imports them again)."""
    with _cache_lock:
        _class_cache.clear()


def convert_in_process(
    spec: str,
    path: str | Path,
    *,
    context: ContextData | None = None,
    converter_paths: Sequence[str | Path] = (),
    sink: ReportSink | None = None,
) -> ConversionOutcome:
    """Load the converter ``spec`` (cached) and convert ``path`` in this process.

    No isolation: use :class:`ConverterPool` in the service. A converter that cannot be
    loaded gives a failed outcome whose error is the :class:`ConverterLoadError` line.
    ``sink``: as for :func:`convert_with_instance`.
    """
    t0 = time.perf_counter()
    data = context or default_context_data()
    try:
        cls = _cached_class(spec, converter_paths)
    except ConverterLoadError as exc:
        cause = exc.__cause__ or exc
        return ConversionOutcome.failed(
            str(exc), traceback=_format_tb(cause), duration=time.perf_counter() - t0
        )
    try:
        converter = cls()
    except Exception as exc:  # noqa: BLE001
        return ConversionOutcome.failed(
            f"converter {cls.__name__} could not be created: {type(exc).__name__}: {exc}{_where(exc, cls)}",
            traceback=_format_tb(exc),
            duration=time.perf_counter() - t0,
        )
    return convert_with_instance(converter, Path(path), data, started=t0, sink=sink)
