"""Find and import converter classes: :func:`load_converter`."""

from __future__ import annotations

import importlib
import inspect
import sys
import threading
import traceback
from pathlib import Path
from collections.abc import Sequence

from pywats_client.converters.base import FileConverter

__all__ = ["BUILTIN_CONVERTERS", "ConverterLoadError", "load_converter", "resolve_spec"]

#: Short names of the built-in converters and the classes they stand for.
BUILTIN_CONVERTERS: dict[str, str] = {
    "csv": "pywats_client.converters.builtin.csv.CSVConverter",
    "wsjf": "pywats_client.converters.builtin.wsjf.WSJFConverter",
    "atml": "pywats_client.converters.builtin.atml.ATMLConverter",
    "wsxf": "pywats_client.converters.builtin.wsxf.WSXFConverter",
    "wstf": "pywats_client.converters.builtin.wstf.WSTFConverter",
    "wrml": "pywats_client.converters.builtin.wrml.WRMLConverter",
    "teststand-xml": "pywats_client.converters.builtin.teststand_xml.TestStandXMLConverter",
    "openhtf": "pywats_client.converters.builtin.openhtf.OpenHTFConverter",
}

_import_lock = threading.RLock()


class ConverterLoadError(ImportError):
    """A converter could not be loaded.

    ``str(error)`` is one line, e.g.
    ``csv_converter.CSVConverter: NameError: name 'List' is not defined
    (C:\\Converters\\csv_converter.py, line 11)``.

    Attributes:
        spec: the converter spec as configured.
        reason: ``"<ExceptionType>: <message>"``.
        file: the file where it went wrong, if known.
        line: the line in that file, if known.
    """

    def __init__(self, spec: str, reason: str, file: str | None = None, line: int | None = None) -> None:
        self.spec = spec
        self.reason = reason
        self.file = file
        self.line = line
        where = ""
        if file and line:
            where = f" ({file}, line {line})"
        elif file:
            where = f" ({file})"
        super().__init__(f"{spec}: {reason}{where}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.spec, self.reason, self.file, self.line))


def resolve_spec(spec: str) -> str:
    """Return the full ``package.module.Class`` path of ``spec`` (built-in short names expanded)."""
    text = spec.strip()
    return BUILTIN_CONVERTERS.get(text.lower(), text)


def _add_paths(converter_paths: Sequence[str | Path]) -> list[str]:
    """Put the converter folders first on ``sys.path`` (in the given order)."""
    added = []
    for folder in reversed(list(converter_paths)):
        entry = str(Path(folder))
        if entry in sys.path:
            sys.path.remove(entry)
        else:
            added.append(entry)
        sys.path.insert(0, entry)
    return added


def _cached_from_elsewhere(module_name: str, converter_paths: Sequence[str | Path]) -> bool:
    """True when the top-level package of ``module_name`` is imported already, but from
    another place than the converter folder that holds it (two instances with same-named
    converter modules or ``converters`` packages)."""
    top = module_name.split(".")[0]
    cached = sys.modules.get(top)
    if cached is None:
        return False
    locations = [getattr(cached, "__file__", None), *list(getattr(cached, "__path__", []) or [])]
    locations = [loc for loc in locations if loc]
    if not locations:
        return False
    for folder in converter_paths:
        root = Path(folder)
        if (root / f"{top}.py").is_file() or (root / top).is_dir():
            try:
                resolved_root = root.resolve()
                return not any(Path(loc).resolve().is_relative_to(resolved_root) for loc in locations)
            except OSError:
                return True
    return False


def _locate(exc: BaseException, converter_paths: Sequence[str | Path]) -> tuple[str | None, int | None]:
    """Pick the file and line to blame for an import failure."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<")]
    skip = {str(Path(__file__).resolve()), str(Path(importlib.__file__ or "").resolve())}
    frames = [f for f in frames if str(Path(f.filename).resolve()) not in skip]
    roots = []
    for folder in converter_paths:
        try:
            roots.append(Path(folder).resolve())
        except OSError:
            continue

    def under_root(filename: str) -> bool:
        try:
            resolved = Path(filename).resolve()
        except OSError:
            return False
        return any(resolved.is_relative_to(root) for root in roots)

    own = [f for f in frames if under_root(f.filename)]
    pick = own[-1] if own else (frames[-1] if frames else None)
    if pick is None:
        return None, None
    return pick.filename, pick.lineno


def load_converter(
    spec: str,
    converter_paths: Sequence[str | Path] = (),
    *,
    fresh: bool = False,
) -> type[FileConverter]:
    """Import the converter class named by ``spec``.

    ``spec`` is ``"package.module.Class"`` (the ``module_path`` of the configuration) or a
    built-in short name (``"csv"``, ``"wsjf"``, ``"atml"``). ``converter_paths`` are
    folders put on ``sys.path`` for the import (and kept there, so the converter can
    import its own helpers later). ``fresh=True`` re-imports the module (picks up edits).

    Raises:
        ConverterLoadError: with ``file``, ``line`` and ``reason`` when the module cannot
            be imported, the class is missing, or it is not a usable ``FileConverter``.
    """
    full = resolve_spec(spec)
    module_name, _, class_name = full.rpartition(".")
    if not module_name or not class_name:
        raise ConverterLoadError(
            spec, "ValueError: expected 'module.Class' (e.g. 'csv_converter.CSVConverter') or one of "
            + ", ".join(sorted(BUILTIN_CONVERTERS))
        )
    with _import_lock:
        _add_paths(converter_paths)
        if fresh or _cached_from_elsewhere(module_name, converter_paths):
            top = module_name.split(".")[0] if not fresh else module_name
            for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
                del sys.modules[name]
            importlib.invalidate_caches()
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                searched = ", ".join(str(p) for p in converter_paths) or "sys.path only"
                raise ConverterLoadError(
                    spec, f"ModuleNotFoundError: no module named {exc.name!r} (searched: {searched})"
                ) from exc
            file, line = _locate(exc, converter_paths)
            raise ConverterLoadError(spec, f"{type(exc).__name__}: {exc}", file, line) from exc
        except (Exception, SystemExit) as exc:  # any failure at import is reported
            file, line = _locate(exc, converter_paths)
            raise ConverterLoadError(spec, f"{type(exc).__name__}: {exc}", file, line) from exc
    module_file = getattr(module, "__file__", None)
    cls = getattr(module, class_name, None)
    if cls is None:
        raise ConverterLoadError(
            spec, f"AttributeError: module {module_name!r} has no class {class_name!r}", module_file
        )
    if not (inspect.isclass(cls) and issubclass(cls, FileConverter)):
        raise ConverterLoadError(
            spec,
            f"TypeError: {class_name} is not a subclass of pywats_client.converters.FileConverter",
            module_file,
        )
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        raise ConverterLoadError(spec, f"TypeError: {class_name} does not implement {missing}", module_file)
    return cls
