"""One bad file never hurts another, against a real running service and server.

Names that are not valid UTF-8, names at the file system's 255-byte limit, files that
vanish or change while they are converted: each ends in Done or Error with a readable
reason (or is reported once), is never taken again in a loop, and never fails a good file
dropped in the same batch.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
from support.polling import hold_for

VANISHING = '''
from pathlib import Path

from pywats_client.converters.builtin.csv import CSVConverter


class VanishingCSV(CSVConverter):
    """Deletes files named gone*.csv while converting them (a user or a script removing it)."""

    def convert(self, source, context):
        path = Path(source.path)
        if path.name.startswith("gone"):
            path.unlink()
            raise RuntimeError("the file went away")
        return super().convert(source, context)
'''

CHANGING = '''
from pathlib import Path

from pywats_client.converters.builtin.csv import CSVConverter


class ChangingCSV(CSVConverter):
    """The first time it sees changing*.csv, the file is appended to while it converts."""

    def convert(self, source, context):
        path = Path(source.path)
        mark = path.parent.parent / ("seen-" + path.name)
        if path.name.startswith("changing") and not mark.exists():
            mark.write_text("x", encoding="utf-8")
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("Extra,1.0,V,0.0,2.0\\n")
        return super().convert(source, context)
'''


def _start(tmp_path: Path, server: Any, module_path: str = "csv", module: str | None = None) -> tuple[ServiceProcess, Path]:
    home, incoming = tmp_path / "home", tmp_path / "incoming"
    incoming.mkdir(parents=True)
    conv = home / "converters"
    conv.mkdir(parents=True)
    if module is not None:
        name, text = module_path.split(".")[0], module
        (conv / f"{name}.py").write_text(text, encoding="utf-8")
    write_config(home, "bad", service_address=server.base_url, api_token=server.token,
                 rescan_interval_seconds=0.3, health_check_interval=0.5, process_sync_enabled=False,
                 converter_paths=[str(conv)],
                 converters=[{"name": "csv", "module_path": module_path, "watch_folder": str(incoming),
                              "file_patterns": ["*.csv"], "file_stable_seconds": 0.1}])
    svc = ServiceProcess(home, "bad").start()
    svc.wait_for(lambda s: s["state"] == "ONLINE" and s["converters"][0]["status"] == "running", 60)
    return svc, incoming


def _settled(s: dict[str, Any]) -> bool:
    return bool(s["queue"]["pending"] == 0 and s["queue"]["processing"] == 0)


def _figures(s: dict[str, Any]) -> tuple[int, ...]:
    return (s["conversions_total"], s["conversions_failed"], s["queue"]["pending"], s["queue"]["completed"])


def _stays(svc: ServiceProcess, read: Callable[[dict[str, Any]], Any], seconds: float) -> Any:
    """Poll for ``seconds`` (several rescans) and check ``read(status)`` never changes."""
    first = read(svc.wait_for(lambda s: True))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert read(svc.wait_for(lambda s: True)) == first, "taken again: the intake loops on a bad file"
        hold_for(0.1)  # pacing of the observation window, not synchronisation
    return first


def _drop_together(incoming: Path, files: dict[str | bytes, str]) -> None:
    staging = incoming.parent / "staging"
    staging.mkdir(exist_ok=True)
    for name, text in files.items():
        raw = name if isinstance(name, bytes) else os.fsencode(name)
        with open(os.path.join(os.fsencode(staging), raw), "w", encoding="utf-8") as fh:
            fh.write(text)
    for name in files:
        raw = name if isinstance(name, bytes) else os.fsencode(name)
        os.replace(os.path.join(os.fsencode(staging), raw), os.path.join(os.fsencode(incoming), raw))


def test_a_name_that_is_not_utf8_does_not_stick_or_fail_its_batch(tmp_path: Path, wats_server: Any) -> None:
    tag = f"NOUTF-{uuid.uuid4().hex[:6]}"
    bad: str | bytes = b"unit-\xff\xfe.csv" if sys.platform != "win32" else "unit-\ud800.csv"
    svc, incoming = _start(tmp_path, wats_server)
    with svc:
        files: dict[str | bytes, str] = {bad: guide_csv(f"{tag}-bad")}
        files.update({f"good{i}.csv": guide_csv(f"{tag}-{i}") for i in range(5)})
        _drop_together(incoming, files)
        svc.wait_for(lambda s: s["conversions_total"] + s["conversions_failed"] >= 6 and _settled(s), 60)
        figures = _stays(svc, _figures, 2.0)
        served = {h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, tag)}
        assert {f"{tag}-{i}" for i in range(5)} <= served  # the good files of the batch went through
        assert figures[1] == 0 and f"{tag}-bad" in served  # and so did the odd name: nothing to refuse
        done = os.listdir(os.fsencode(incoming / "Done"))
        assert (bad if isinstance(bad, bytes) else os.fsencode(bad)) in done
        assert not (incoming / "Error").exists() or os.listdir(incoming / "Error") == []
        log = (svc.home / "client.log").read_text(encoding="utf-8")
        assert "Logging error" not in svc.output() and "Traceback" not in log
        assert svc.stop()[0] == 0


def test_a_name_at_the_length_limit_fails_once_with_a_readable_reason(tmp_path: Path, wats_server: Any) -> None:
    tag = f"LONG-{uuid.uuid4().hex[:6]}"
    long_name = "L" * 251 + ".csv"  # 255 bytes: NAME.error would be too long
    svc, incoming = _start(tmp_path, wats_server)
    with svc:
        _drop_together(incoming, {long_name: "not,a,test,file\n", "good.csv": guide_csv(tag)})
        svc.wait_for(lambda s: s["conversions_failed"] == 1 and s["queue"]["completed"] >= 1 and _settled(s), 60)
        figures = _stays(svc, _figures, 2.0)
        assert figures[:2] == (1, 1)
        error = incoming / "Error"
        assert (error / long_name).exists()
        [sidecar] = [p for p in error.iterdir() if p.name.endswith(".error")]
        assert len(os.fsencode(sidecar.name)) <= 255 and sidecar.name.startswith("L" * 200)
        text = sidecar.read_text(encoding="utf-8")
        # the reason names the file first ("NAME: …" or "NAME row 3: …")
        assert text.startswith(long_name) and text[len(long_name)] in ": " and f"file: {error / long_name}" in text
        assert len(server_headers(wats_server.base_url, wats_server.token, tag)) == 1
        assert svc.stop()[0] == 0


def test_a_file_that_vanishes_while_converted_is_reported_once(tmp_path: Path, wats_server: Any) -> None:
    tag = f"GONE-{uuid.uuid4().hex[:6]}"
    svc, incoming = _start(tmp_path, wats_server, "vanishconv.VanishingCSV", VANISHING)
    with svc:
        _drop_together(incoming, {"gone.csv": guide_csv(f"{tag}-x"), "kept.csv": guide_csv(tag)})
        svc.wait_for(lambda s: s["conversions_failed"] == 1 and s["queue"]["completed"] >= 1 and _settled(s), 60)
        assert _stays(svc, _figures, 2.0)[:2] == (1, 1)
        assert not (incoming / "gone.csv").exists()
        assert not (incoming / "Error").exists() or list((incoming / "Error").iterdir()) == []
        log = (svc.home / "client.log").read_text(encoding="utf-8")
        assert log.count("gone.csv failed (converter raised RuntimeError: the file went away") == 1
        assert "and disappeared before it could be moved" in log
        assert len(server_headers(wats_server.base_url, wats_server.token, tag)) == 1
        assert svc.stop()[0] == 0


def test_a_file_that_changes_while_converted_is_taken_again_once(tmp_path: Path, wats_server: Any) -> None:
    tag = f"CHG-{uuid.uuid4().hex[:6]}"
    svc, incoming = _start(tmp_path, wats_server, "changeconv.ChangingCSV", CHANGING)
    with svc:
        _drop_together(incoming, {"changing.csv": guide_csv(f"{tag}-c"), "steady.csv": guide_csv(tag)})
        svc.wait_for(lambda s: s["queue"]["completed"] >= 2 and _settled(s), 60)
        figures = _stays(svc, _figures, 2.0)
        assert figures == (2, 0, 0, 2)
        assert sorted(p.name for p in (incoming / "Done").iterdir()) == ["changing.csv", "steady.csv"]
        assert "Extra" in (incoming / "Done" / "changing.csv").read_text(encoding="utf-8")
        log = (svc.home / "client.log").read_text(encoding="utf-8")
        assert log.count("changing.csv changed while it was being converted") == 1
        assert len(server_headers(wats_server.base_url, wats_server.token, f"{tag}-c")) == 1
        assert svc.stop()[0] == 0
