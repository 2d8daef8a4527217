"""``converter test|list|new``: a harness for converter authors (no service, no server).

- ``converter test FILE`` converts one file in this process, with the converter named by
  ``--converter`` (a built-in short name or ``module.Class``) or, with ``--instance-id``
  and no ``--converter``, the instance's enabled converter whose patterns match the file;
  prints the report(s) as a readable summary (``--json``: as JSON) or the converter's
  error. Exit 0 when the file converted, 1 when not.
- ``converter list`` shows the built-in converters, their file patterns and parameters.
- ``converter new NAME`` writes a converter module, a sample file and a pytest test.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from pywats_client.cli._common import (
    CliError,
    _debug_enabled,
    echo_err,
    instance_option,
    json_option,
    resolve_instance_id,
)

__all__ = ["converter_group", "format_report", "parse_params"]


@click.group("converter")
def converter_group() -> None:
    """Write, test and inspect converters (runs in this process; no service needed)."""


# -- converter test ------------------------------------------------------------------------
def parse_params(items: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs → a parameters dict; a VALUE that is JSON (``3``, ``true``,
    ``["a","b"]``) is read as JSON, anything else as text.

    Raises:
        click.BadParameter: an item without ``=`` or with an empty key.
    """
    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--param")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        params[key] = value
    return params


def _instance_config(required: bool) -> Any:
    """The selected instance's config, or None when it has no config file (and not required)."""
    from pywats_client import paths
    from pywats_client.config import ClientConfig

    instance = resolve_instance_id()
    if not required and not paths.config_path(instance).is_file():
        return None
    return ClientConfig.load_for_instance(instance, ignore_token_errors=True)


def _pick_converter(config: Any, path: Path) -> Any:
    """The instance's enabled converter (best priority first) whose patterns match ``path``."""
    from pywats_client.converters import matches_patterns
    from pywats_client.converters.runner import describe_converter

    paths = [str(p) for p in config.converter_paths]
    tried: list[str] = []
    for conv in sorted((c for c in config.converters if c.enabled), key=lambda c: c.priority):
        patterns = conv.file_patterns
        if patterns is None:
            info = describe_converter(conv.module_path, paths)
            patterns = info.file_patterns if info.ok else ["*"]
        if matches_patterns(path, patterns):
            return conv
        tried.append(f"{conv.name} ({', '.join(patterns)})")
    listed = "; ".join(tried) or "none enabled"
    raise CliError(f"{path.name}: no converter of instance {config.instance_id!r} matches it (converters: {listed})")


_LIMIT_OPS = {"GELE": "{lo} <= x <= {hi}", "GTLT": "{lo} < x < {hi}", "GELT": "{lo} <= x < {hi}",
              "GTLE": "{lo} < x <= {hi}", "LTGT": "x < {lo} or x > {hi}", "LEGE": "x <= {lo} or x >= {hi}",
              "LEGT": "x <= {lo} or x > {hi}", "LTGE": "x < {lo} or x >= {hi}", "GE": "x >= {lo}",
              "GT": "x > {lo}", "LE": "x <= {lo}", "LT": "x < {lo}", "EQ": "x == {lo}", "NE": "x != {lo}"}


def _meas_text(meas: Mapping[str, Any]) -> str:
    value = meas.get("value")
    unit = meas.get("unit")
    text = "" if value is None else (f"{value!r}" if isinstance(value, str) else f"{value}")
    if unit:
        text += f" {unit}"
    op = str(meas.get("compOp") or "")
    if op in _LIMIT_OPS:
        text += "  [" + _LIMIT_OPS[op].format(lo=meas.get("lowLimit"), hi=meas.get("highLimit")) + "]"
    elif "limit" in meas:
        text += f"  [{op or 'EQ'} {meas['limit']!r}]"
    elif op and op != "LOG":
        text += f"  [{op}]"
    return text.strip()


def _step_lines(steps: Sequence[Mapping[str, Any]], depth: int) -> Iterator[str]:
    pad = "  " * depth
    for step in steps:
        status = step.get("status", "?")
        name = step.get("name", "")
        kind = step.get("stepType", "")
        detail = ""
        meas_lists = [step.get(k) for k in ("numericMeas", "stringMeas", "booleanMeas")]
        measurements = [m for ml in meas_lists if isinstance(ml, list) for m in ml]
        if len(measurements) == 1:
            detail = _meas_text(measurements[0])
        elif "attachment" in step:
            detail = f"attachment ({step['attachment'].get('contentType', '')})"
        line = f"{pad}[{status}] {name}"
        if detail:
            line += f": {detail}"
        elif kind and kind not in ("SequenceCall", "Action"):
            line += f" ({kind})"
        if step.get("reportText"):
            line += f"  -- {step['reportText']}"
        yield line
        if len(measurements) > 1:
            for meas in measurements:
                yield f"{pad}    - {meas.get('name', '')}: [{meas.get('status', '?')}] {_meas_text(meas)}".rstrip()
        if isinstance(step.get("steps"), list):
            yield from _step_lines(step["steps"], depth + 1)


def format_report(report: Mapping[str, Any]) -> list[str]:
    """A WSJF report as readable lines: header fields, then the step tree with statuses."""
    operation = report.get("processCode", report.get("processName", ""))
    if report.get("processName") and report.get("processCode") is not None:
        operation = f"{report['processCode']} ({report['processName']})"
    uut = report.get("uut") if isinstance(report.get("uut"), Mapping) else {}
    assert isinstance(uut, Mapping)
    lines = [
        f"serial number : {report.get('sn', '')}",
        f"part number   : {report.get('pn', '')}",
        f"revision      : {report.get('rev', '')}",
        f"operation     : {operation}",
        f"result        : {report.get('result', '')}",
        f"start         : {report.get('start', '')}",
        f"station       : {report.get('machineName', '')}",
    ]
    if uut.get("user"):
        lines.append(f"operator      : {uut['user']}")
    for info in report.get("miscInfos") or ():
        value = info.get("text", info.get("numeric", ""))
        lines.append(f"misc info     : {info.get('description', '')} = {value}")
    root = report.get("root") if isinstance(report.get("root"), Mapping) else None
    if root is not None:
        lines.append(f"steps ({root.get('name', 'MainSequence')}):")
        lines.extend(_step_lines(root.get("steps") or [], 1))
    return lines


@converter_group.command("test")
@instance_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--converter", "spec", metavar="NAME|module.Class",
              help="Built-in name (csv, wsjf, atml, openhtf, …) or module.Class; default: the "
                   "instance's converter whose patterns match FILE.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A converter parameter (repeatable; over the instance's); VALUE may be JSON.")
@json_option
def test_cmd(file: Path, spec: str | None, params: tuple[str, ...], as_json: bool) -> None:
    """Convert FILE once, in this process, and show the report(s) or the converter's error.

    Exit 0 when it converted, 1 when not (``--debug`` also prints the traceback)."""
    from pywats_client.converters import ContextData
    from pywats_client.converters.parameters import merge_parameters
    from pywats_client.converters.runner import convert_in_process, default_context_data

    extra = parse_params(params)
    config = _instance_config(required=spec is None)
    parameters: dict[str, Any] = {}
    converter_paths: list[str] = []
    context = default_context_data()
    if config is not None:
        converter_paths = [str(p) for p in config.converter_paths]
        context = ContextData(
            station_name=config.station_name or context.station_name,
            location=config.location,
            purpose=config.purpose,
            instance_id=config.instance_id,
        )
        if spec is None:
            conv = _pick_converter(config, file)
            spec = conv.module_path
            parameters = merge_parameters(conv.arguments, conv.parameters)
            if not as_json:
                click.echo(f"converter: {conv.name} ({spec})")
    assert spec is not None
    converter_paths.append(str(Path.cwd()))  # a module.Class next to where the author works
    parameters.update(extra)
    context = ContextData(
        station_name=context.station_name, location=context.location, purpose=context.purpose,
        instance_id=context.instance_id, processes=context.processes, arguments=parameters,
    )
    outcome = convert_in_process(spec, file.resolve(), context=context, converter_paths=converter_paths)
    if as_json:
        payload = {
            "ok": outcome.ok, "file": str(file), "converter": spec, "error": outcome.error,
            "reports": outcome.reports, "logs": [list(entry) for entry in outcome.logs],
            "seconds": round(outcome.duration, 4),
        }
        click.echo(json.dumps(payload, indent=2, default=str))
        if not outcome.ok:
            raise click.exceptions.Exit(1)
        return
    for level, message in outcome.logs:
        echo_err(f"{level.lower()}: {message}")
    if not outcome.ok:
        if outcome.traceback and _debug_enabled(click.get_current_context()):
            echo_err(outcome.traceback.rstrip())
        error = outcome.error or "conversion failed"
        raise CliError(error if error.startswith(file.name) else f"{file.name}: {error}")
    count = len(outcome.reports)
    for index, report in enumerate(outcome.reports, start=1):
        if count > 1:
            click.echo(f"== report {index} of {count} ==")
        for line in format_report(report):
            click.echo(line)
    click.echo(f"ok: {count} report(s) in {outcome.duration:.3f} s")


# -- converter list ------------------------------------------------------------------------
@converter_group.command("list")
@json_option
def list_cmd(as_json: bool) -> None:
    """Show the built-in converters with their file patterns and parameters."""
    from pywats_client.converters import BUILTIN_CONVERTERS, load_converter

    rows: list[dict[str, Any]] = []
    for short, full in BUILTIN_CONVERTERS.items():
        cls = load_converter(short)
        instance = cls()
        rows.append({
            "name": short,
            "module_path": full,
            "title": instance.name,
            "file_patterns": list(instance.file_patterns),
            "parameters": [
                {"name": p.name, "default": p.default, "description": p.description}
                for p in cls.parameter_specs
            ],
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    for row in rows:
        click.echo(f"{row['name']}: {row['title']} ({row['module_path']})")
        click.echo(f"  patterns: {', '.join(row['file_patterns'])}")
        if row["parameters"]:
            click.echo("  parameters:")
            for p in row["parameters"]:
                default = "" if p["default"] in (None, [], "") else f" (default {p['default']!r})"
                click.echo(f"    {p['name']}{default}: {p['description']}")
        click.echo("")


# -- converter new -------------------------------------------------------------------------
_MODULE_TEMPLATE = '''"""{class_name}: converts ``*.{ext}`` result files to WATS reports.

The file format (change it to yours)::

    SerialNumber: SN-0001
    PartNumber: PCB-100
    Step;Value;Unit;Low;High
    Supply voltage;5.02;V;4.9;5.1

Test it without a service: ``pywats-client converter test FILE --converter {module}.{class_name}``
(run it in the folder that holds this module, or put the folder in the instance's
``converter_paths``).
"""

from __future__ import annotations

from pywats.tools import ReportBuilder
from pywats_client.converters import ConversionError, ConverterContext, ConverterResult, ConverterSource, FileConverter
from pywats_client.converters.parameters import STANDARD_PARAMETERS, apply_header_defaults


class {class_name}(FileConverter):
    """Header lines ``Key: value``, then a ``;``-separated step table."""

    parameter_specs = tuple(p for p in STANDARD_PARAMETERS if p.name in ("part_number", "operation_type"))

    @property
    def file_patterns(self) -> list[str]:
        return ["*.{ext}"]

    def convert(self, source: ConverterSource, context: ConverterContext) -> ConverterResult:
        params = context.standard_parameters()  # checked: a bad value names its key
        header: dict[str, str] = {{}}
        steps: list[tuple[int, list[str]]] = []
        with source.open_text(params.encoding) as stream:  # read line by line
            for number, line in enumerate(stream, start=1):
                line = line.strip()
                if not line or line.lower().startswith("step;"):
                    continue
                if ";" in line:
                    steps.append((number, [cell.strip() for cell in line.split(";")]))
                elif ":" in line:
                    key, _, value = line.partition(":")
                    header[key.strip().lower()] = value.strip()
        serial = header.get("serialnumber")
        if not serial:
            raise ConversionError(f"{{source.name}}: no 'SerialNumber:' line")
        builder = ReportBuilder(
            part_number=header.get("partnumber") or params.part_number or "UNKNOWN",
            serial_number=serial,
        )
        for number, cells in steps:
            name, value, unit, low, high = (cells + ["", "", "", ""])[:5]
            try:
                builder.add_step(
                    name=name,
                    value=float(value),
                    unit=unit or None,
                    limits=(float(low) if low else None, float(high) if high else None),
                )
            except ValueError as exc:
                raise ConversionError(f"{{source.name}} line {{number}}: {{exc}}") from exc
        report = apply_header_defaults(builder.to_dict(), params, context)  # the file wins
        return ConverterResult.success(report)
'''

_SAMPLE_TEMPLATE = """SerialNumber: SN-0001
PartNumber: PCB-100
Step;Value;Unit;Low;High
Supply voltage;5.02;V;4.9;5.1
Supply current;0.231;A;;0.5
"""

_TEST_TEMPLATE = '''"""Tests of {class_name} on its sample file (run: python -m pytest {test_name})."""

from __future__ import annotations

from pathlib import Path

from {module} import {class_name}

HERE = Path(__file__).resolve().parent


def test_sample_converts() -> None:
    result = {class_name}().convert_file(HERE / "{sample}")
    assert result.success, result.error
    report = result.data
    assert (report["sn"], report["pn"], report["result"]) == ("SN-0001", "PCB-100", "P")
    steps = report["root"]["steps"]
    assert [s["name"] for s in steps] == ["Supply voltage", "Supply current"]
    assert steps[0]["numericMeas"][0]["value"] == 5.02


def test_bad_line_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.{ext}"
    bad.write_text("SerialNumber: SN-2\\nStep;Value\\nVoltage;abc\\n", encoding="utf-8")
    result = {class_name}().convert_file(bad)
    assert not result.success
    assert "bad.{ext} line 3" in (result.error or "")
'''


def _class_name(module: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in module.split("_") if part) + "Converter"


@converter_group.command("new")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to write into (created if missing).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def new_cmd(name: str, folder: Path, force: bool) -> None:
    """Write NAME.py (a converter), a sample file and test_NAME.py (a passing pytest test)."""
    module = name.strip()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", module) or keyword.iskeyword(module):
        raise click.BadParameter(
            f"{name!r}: use a lower-case Python module name (letters, digits, _), e.g. 'line3_fct'",
            param_hint="NAME",
        )
    class_name = _class_name(module)
    ext = "txt"
    sample = f"{module}_sample.{ext}"
    files = {
        folder / f"{module}.py": _MODULE_TEMPLATE.format(class_name=class_name, module=module, ext=ext),
        folder / sample: _SAMPLE_TEMPLATE,
        folder / f"test_{module}.py": _TEST_TEMPLATE.format(
            class_name=class_name, module=module, sample=sample, ext=ext, test_name=f"test_{module}.py"
        ),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise CliError(f"{existing[0]} exists (use --force to overwrite)")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    click.echo(
        f"next: cd {folder} && python -m pytest test_{module}.py; "
        f"pywats-client converter test {sample} --converter {module}.{class_name}"
    )
