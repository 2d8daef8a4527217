"""``upload PATH…``: convert and submit files now, outside the service (no queue)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from pywats_client.converters.parameters import merge_parameters
from pywats_client.cli._common import CliError, echo_err, instance_option, load_config
from pywats_client.config import ClientConfig, ConverterConfig

__all__ = ["collect_files", "upload_cmd"]


@dataclass
class _FileResult:
    path: Path
    reports: int = 0
    error: str | None = None
    ids: list[str] = field(default_factory=list)


def collect_files(targets: tuple[Path, ...]) -> list[Path]:
    """The files named, plus every file under the folders named (sorted, hidden files skipped)."""
    files: list[Path] = []
    seen: set[Path] = set()
    for target in targets:
        if target.is_dir():
            found = sorted(
                p for p in target.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(target).parts)
            )
        else:
            found = [target]
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files


def _patterns(config: ClientConfig, conv: ConverterConfig) -> list[str]:
    """The converter's configured patterns, else its class's own ``file_patterns``."""
    if conv.file_patterns is not None:
        return list(conv.file_patterns)
    from pywats_client.converters import ConverterLoadError, load_converter

    try:
        return list(load_converter(conv.module_path, config.converter_paths)().file_patterns)
    except ConverterLoadError:
        return []  # not usable for upload; `upload` reports files no converter takes


def _pick_converter(config: ClientConfig, path: Path) -> ConverterConfig | None:
    from pywats_client.converters.patterns import matches_patterns

    candidates = [c for c in config.converters if c.enabled and matches_patterns(path, _patterns(config, c))]
    candidates.sort(key=lambda c: c.priority)
    return candidates[0] if candidates else None


def _reports_for(config: ClientConfig, path: Path) -> list[dict[str, Any]]:
    """The WSJF reports for one file (raises ValueError with a one-line reason)."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a WSJF JSON file: {exc}") from None
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(i, dict) for i in items):
            raise ValueError("not a WSJF JSON file: expected an object or a list of objects")
        return items
    conv = _pick_converter(config, path)
    if conv is None:
        raise ValueError("no enabled converter in the config matches this file name")
    from pywats_client.converters.context import ContextData
    from pywats_client.converters.runner import convert_in_process

    context = ContextData(
        station_name=config.station_name,
        location=config.location,
        purpose=config.purpose,
        instance_id=config.instance_id,
        arguments=merge_parameters(conv.arguments, conv.parameters),
    )
    outcome = convert_in_process(
        conv.module_path, path, context=context, converter_paths=[str(p) for p in config.converter_paths]
    )
    if not outcome.ok:
        raise ValueError(f"{conv.name}: {outcome.error}")
    return list(outcome.reports)


def _report_id(result: Any) -> str:
    for attr in ("id", "report_id", "guid"):
        value = result.get(attr) if isinstance(result, dict) else getattr(result, attr, None)
        if value:
            return str(value)
    return ""


@click.command("upload")
@instance_option
@click.argument(
    "targets", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="PATH..."
)
def upload_cmd(targets: tuple[Path, ...]) -> None:
    """Convert and submit files or folders now (.json = WSJF as is; others via the converters)."""
    config = load_config()
    if not config.service_address:
        raise CliError(f"service_address is not set in {config.path}")
    if not config.api_token:
        raise CliError("no API token: set PYWATS_API_TOKEN or run `pywats-client config set --api-token TOKEN`")
    files = collect_files(targets)
    if not files:
        raise CliError("no files found in the given folders")

    from pywats import pyWATS
    from pywats.exceptions import PyWATSError

    err = sys.stderr
    results: list[_FileResult] = []
    api = pyWATS(base_url=config.service_address, token=config.api_token)
    try:
        # click's own progress bar (on a terminal only): the client needs no second console
        # library, and a station without one keeps it out of every process that imports httpx
        with click.progressbar(
            files,
            label="uploading",
            show_pos=True,
            item_show_func=lambda path: path.name if path is not None else None,
            file=err,
            hidden=not err.isatty(),
        ) as bar:
            for path in bar:
                res = _FileResult(path)
                results.append(res)
                try:
                    for report in _reports_for(config, path):
                        res.ids.append(_report_id(api.report.submit_report(report)))
                        res.reports += 1
                except (ValueError, PyWATSError) as exc:
                    res.error = " ".join(str(exc).split())
    finally:
        close = getattr(api, "close", None)
        if callable(close):
            close()

    failed = [r for r in results if r.error]
    for r in failed:
        echo_err(f"FAILED {r.path}: {r.error}" + (f" (after {r.reports} report(s) were submitted)" if r.reports else ""))
    total_reports = sum(r.reports for r in results)
    click.echo(
        f"uploaded {total_reports} report(s) from {len(results) - len(failed)} of {len(results)} file(s)"
        + (f"; {len(failed)} file(s) failed" if failed else "")
    )
    if failed:
        raise click.exceptions.Exit(1)
