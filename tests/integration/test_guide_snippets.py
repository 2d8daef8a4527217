"""Every code snippet of the integration guide, run as written against the local server.

The guide (``tests/data/guide/integration-patterns.md``, a copy of the user's contract) is
parsed; each snippet's text is executed with only these substitutions, each asserted to be
present so a change to the guide breaks the test:

- the server URL (``https://company.wats.com``) and token (``your-token``,
  ``YOUR_API_TOKEN_HERE``) by the local server's,
- file-system paths (``/path/to/queue``, ``C:\\TestData\\...``) by temporary ones,
- the guide's pseudo-code placeholders ``pyWATS(...)``, ``PersistentQueue(...)``,
  ``ReportBuilder(...)`` and ``add_step(...)`` by concrete arguments.

Names a snippet uses but never defines (``report_data``, ``reports``, ``send_alert``, a
converter's private ``_parse_file``) are provided around it, never inside it. Snippets with
a top-level ``await`` run the way the asyncio REPL runs them. The two places where the guide
itself is wrong (snippet 6 forgets ``from typing import List``; snippet 20 uses ``//`` as a
comment in Python) are tested as such: we report the first clearly, and run the second with
its comment fixed — see docs/guide-errata.md.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.markdown_blocks import CodeBlock, code_blocks

GUIDE = Path(__file__).resolve().parents[1] / "data" / "guide" / "integration-patterns.md"
BLOCKS = code_blocks(GUIDE)
SAMPLE_CSV = BLOCKS[10].text


def block(index: int, lang: str, starts_with: str) -> CodeBlock:
    """The guide's block number ``index``, checked to still be the one this test means."""
    found = BLOCKS[index]
    assert found.lang == lang and found.text.startswith(starts_with), f"guide block {index} changed: {found.text[:60]!r}"
    return found


def substitute(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"expected {old!r} in the snippet"
        text = text.replace(old, new)
    return text


def run_python(code: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute snippet text in ``namespace``; a top-level ``await`` runs on a fresh loop."""
    ns: dict[str, Any] = {"__name__": "__guide_snippet__"} if namespace is None else namespace
    ns.setdefault("__name__", "__guide_snippet__")
    compiled = compile(code, "<guide snippet>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, ns)  # noqa: S307 - running documentation snippets is the point
    if inspect.iscoroutine(result):
        asyncio.run(result)
    return ns


def server_subs(server: Any) -> dict[str, str]:
    return {"https://company.wats.com": server.base_url, "your-token": server.token}


def api_subs(server: Any) -> dict[str, str]:
    return {"pyWATS(...)": f"pyWATS(base_url={server.base_url!r}, token={server.token!r})"}


def sample_report(serial: str = "SN-12345", part: str = "WIDGET-100", operation: str | None = None) -> dict[str, Any]:
    from pywats.tools import ReportBuilder

    builder = ReportBuilder(part_number=part, serial_number=serial)
    if operation:
        builder.set_operation_type(operation)
    builder.add_step(name="Voltage", value=5.01, unit="V", limits=(4.95, 5.05))
    return builder.to_dict()


def cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pywats_client", *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def client_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "client-home"
    home.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(home))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    return home


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def failed_queue(tmp_path: Path) -> Callable[[Path, int], None]:
    """Make a queue at a path holding ``n`` failed reports."""

    def make(path: Path, n: int) -> None:
        from pywats_client.queue import PersistentQueue

        with PersistentQueue(path) as queue:
            for i in range(n):
                queue.add(sample_report(serial=f"SN-FAIL-{i}"))
            for item in queue.claim_next(n):
                queue.mark_failed(item.id, "server said no")

    return make


# --- Complete Station Setup -------------------------------------------------------------


def test_snippet_01_version(client_home: Path) -> None:
    text = block(1, "bash", "python -m pywats_client --version").text.split()
    done = cli(text[3:], dict(os.environ))
    from pywats import __version__

    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout


def test_snippet_03_and_05_headless_setup(wats_server: Any, client_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = block(3, "bash", "python -m pywats_client config init").text.split()[3:]
    done = cli(args, dict(os.environ))
    assert done.returncode == 0, done.stderr
    config_file = client_home / "config_production.json"
    assert config_file.exists()
    # The guide then tells the user to edit the file into this (comments and all).
    edited = substitute(block(4, "json", "{").text, {"https://company.wats.com": wats_server.base_url})
    config_file.write_text(edited, encoding="utf-8")
    code = substitute(block(5, "python", "from pywats_client.config import ClientConfig").text,
                      {"YOUR_API_TOKEN_HERE": wats_server.token})
    ns = run_python(code)
    assert ns["config"].station_name == "ICT-STATION-01"
    assert capsys.readouterr().out.startswith("Connected to WATS ")


def _write_guide_converter(folder: Path, *, fix_typing_import: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = block(6, "python", "from pywats.tools import ReportBuilder").text
    if fix_typing_import:
        text = "from typing import List\n" + text
    path = folder / "csv_converter.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_snippet_06_guide_converter_forgets_typing_import(tmp_path: Path) -> None:
    from pywats_client.converters import ConverterLoadError, load_converter

    path = _write_guide_converter(tmp_path / "converters", fix_typing_import=False)
    with pytest.raises(ConverterLoadError) as info:
        load_converter("csv_converter.CSVConverter", [path.parent])
    message = str(info.value)
    assert "List" in message and "csv_converter.py" in message
    assert info.value.line is not None


def test_snippet_06_guide_converter_runs_once_import_is_added(tmp_path: Path) -> None:
    from pywats_client.converters import load_converter

    path = _write_guide_converter(tmp_path / "converters", fix_typing_import=True)
    converter = load_converter("csv_converter.CSVConverter", [path.parent])()
    assert converter.name == "CSV Test Converter"
    assert converter.file_patterns == ["*.csv"]
    sample = tmp_path / "test.csv"
    sample.write_text(SAMPLE_CSV, encoding="utf-8")
    result = converter.convert_file(sample)
    # The guide's converter reads the table with the header block's column names, so on
    # the guide's own sample it fails cleanly (a failure result, never an exception).
    assert result.success is False
    assert "TestName" in result.error


def test_snippet_17_fct_converter(wats_server: Any, tmp_path: Path) -> None:
    from pywats import pyWATS
    from pywats_client.converters import ConverterResult, FileConverter

    ns = run_python(block(17, "python", "from pywats.tools import ReportBuilder").text,
                    {"FileConverter": FileConverter, "ConverterResult": ConverterResult})

    class FCTConverter(ns["FCTConverter"]):  # type: ignore[misc, valid-type]
        def _parse_file(self, text: str) -> dict[str, str]:
            return dict(line.split("=", 1) for line in text.split())

    source = tmp_path / "unit.fct"
    source.write_text("part_number=WIDGET-100 serial_number=SN-FCT-17\n", encoding="utf-8")
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        api.process.get_processes()  # what the station's process sync does
        result = FCTConverter().convert_file(source)
        assert result.success, result.error
        submitted = api.report.submit_report(result.data)
        headers = api.report.get_reports(serial_number="SN-FCT-17")
    assert [h.id for h in headers] == [submitted.id]
    assert headers[0].operation_type == "FCT"


def test_snippet_18_query_multi_process(fresh_server: Any) -> None:
    from pywats import pyWATS

    with pyWATS(base_url=fresh_server.base_url, token=fresh_server.token) as api:
        for operation in ("ICT", "FCT", "EOL", "FCT"):
            api.report.submit_report(sample_report(operation=operation))
        api.report.submit_report(sample_report(serial="SN-OTHER", operation="ICT"))
    ns = run_python(substitute(block(18, "python", "from pywats import pyWATS").text, api_subs(fresh_server)))
    assert len(ns["reports"]) == 4
    assert (len(ns["ict_reports"]), len(ns["fct_reports"]), len(ns["eol_reports"])) == (1, 2, 1)
    ns["api"].close()


def test_snippet_20_guide_uses_js_comment_in_python(capsys: pytest.CaptureFixture[str]) -> None:
    text = block(20, "python", "import platform").text
    with pytest.raises(TypeError):  # `str // str`: the guide's `//` comment is not Python
        run_python(text)
    ns = run_python(text.replace("  // ", "  # "))
    import platform

    assert ns["station_name"] == platform.node()


def test_snippet_21_throttling() -> None:
    from pywats.core import throttle

    try:
        ns = run_python(block(21, "python", "from pywats.core.throttle import configure_throttling").text)
        limiter = throttle.get_throttler()
        assert (limiter.max_requests, limiter.window_seconds) == (100, 60)
        assert ns["configure_throttling"] is throttle.configure_throttling
    finally:
        throttle.configure_throttling()
    limiter = throttle.get_throttler()
    assert (limiter.max_requests, limiter.window_seconds) == (500, 60)


# --- Error Recovery Patterns ------------------------------------------------------------


def test_snippet_23_queue_monitoring(tmp_path: Path, failed_queue: Any, capsys: pytest.CaptureFixture[str]) -> None:
    queue_path = tmp_path / "queue"
    failed_queue(queue_path, 2)
    code = substitute(block(23, "python", "from pywats_client.queue import PersistentQueue").text,
                      {"/path/to/queue": str(queue_path).replace("\\", "/")})
    ns = run_python(code)
    assert "Pending: 0, Failed: 2" in capsys.readouterr().out
    assert (ns["queue"].get_pending_count(), ns["queue"].get_failed_count()) == (2, 0)
    ns["queue"].close()


def test_snippet_24_authentication_error(wats_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from pywats import pyWATS

    api = pyWATS(base_url=wats_server.base_url, token="cmV2b2tlZDp0b2tlbg==")
    run_python(block(24, "python", "from pywats.exceptions import AuthenticationError").text,
               {"api": api, "report_data": sample_report()})
    out = capsys.readouterr().out
    assert out.startswith("Authentication failed: ") and "401" in out
    api.close()


def test_snippet_25_gui_renewal_comments_only() -> None:
    text = block(25, "python", "# GUI detects auth failure").text
    assert all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
    run_python(text)


def test_snippet_26_headless_token_renewal(client_home: Path) -> None:
    lines = [line for line in block(26, "bash", "# Update token").text.splitlines() if line.startswith("pywats-client")]
    assert lines == ['pywats-client config set --api-token "new-token"']
    env = dict(os.environ)
    assert cli(["config", "init", "--instance-id", "default"], env).returncode == 0
    done = cli(["config", "set", "--api-token", "new-token"], env)
    assert done.returncode == 0, done.stderr
    assert "new-token" not in (client_home / "config_default.json").read_text(encoding="utf-8")
    from pywats_client.config import ClientConfig

    assert ClientConfig.load().api_token == "new-token"


def test_snippet_27_robust_converter(tmp_path: Path) -> None:
    from pywats.tools import ReportBuilder
    from pywats_client.converters import ConverterResult, FileConverter

    ns = run_python(block(27, "python", "class RobustConverter(FileConverter)").text,
                    {"FileConverter": FileConverter, "ConverterResult": ConverterResult, "ReportBuilder": ReportBuilder})

    class Robust(ns["RobustConverter"]):  # type: ignore[misc, valid-type]
        valid = False

        def _parse_file(self, text: str) -> list[str]:
            if not text.strip():
                raise ValueError("empty file")
            return text.split()

        def _validate(self, data: list[str]) -> bool:
            return self.valid

    source = tmp_path / "x.txt"
    source.write_text("something", encoding="utf-8")
    invalid = Robust().convert_file(source)
    assert not invalid.success and invalid.error == "Validation failed: Missing required fields"
    source.write_text("", encoding="utf-8")
    empty = Robust().convert_file(source)
    assert not empty.success and empty.error == "Parse error: empty file"
    converter = Robust()
    converter.valid = True
    source.write_text("something", encoding="utf-8")
    crashed = converter.convert_file(source)  # `ReportBuilder(...)` is the guide's placeholder
    assert not crashed.success and crashed.error.startswith("Internal error: ")


def test_snippet_30_crash_recovery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pywats_client.queue import PersistentQueue

    path = tmp_path / "queue"
    with PersistentQueue(path) as queue:
        item = queue.add(sample_report(serial="SN-CRASH"))
        assert [c.id for c in queue.claim_next(1)] == [item.id]
    # the process "crashed" with the report in processing/
    ns = run_python(substitute(block(30, "python", "# Automatic on service start").text,
                               {"PersistentQueue(...)": f"PersistentQueue({str(path)!r})"}))
    assert ns["queue"].get_pending_count() == 1
    assert capsys.readouterr().out.strip()
    ns["queue"].close()


# --- Performance Optimization -----------------------------------------------------------


def test_snippet_31_async_batch(wats_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    reports = [sample_report(serial=f"SN-BATCH-{i:03}") for i in range(25)]
    code = substitute(block(31, "python", "import asyncio").text, server_subs(wats_server))
    run_python(code, {"load_reports_from_files": lambda: reports})
    assert "Success: 25, Failures: 0" in capsys.readouterr().out


def test_snippet_32_shared_client(wats_server: Any) -> None:
    code = substitute(block(32, "python", "from pywats import pyWATS").text, server_subs(wats_server))
    ns = run_python(code, {"report1": sample_report(serial="SN-POOL-1"), "report2": sample_report(serial="SN-POOL-2")})
    assert ns["get_api"]() is ns["api"]
    assert len(ns["api"].report.get_reports(serial_number="SN-POOL-2")) == 1
    ns["api"].close()


def test_snippet_33_process_sync(wats_server: Any, client_home: Path) -> None:
    from pywats import pyWATS

    api_client = pyWATS(base_url=wats_server.base_url, token=wats_server.token)
    ns = run_python(block(33, "python", "from pywats_client.service.process_sync import ProcessSyncService").text,
                    {"api_client": api_client})
    try:
        names = {p.name if hasattr(p, "name") else p["name"] for p in ns["processes"]}
        assert {"ICT", "FCT", "EOL"} <= names
        assert ns["levels"] and ns["product_groups"]
    finally:
        ns["sync"].stop()
        api_client.close()


def test_snippet_34_manual_cache(wats_server: Any) -> None:
    from pywats import pyWATS

    api = pyWATS(base_url=wats_server.base_url, token=wats_server.token)
    api.report.submit_report(sample_report())  # registers WIDGET-100 on the server
    ns = run_python(block(34, "python", "import json").text, {"api": api})
    assert ns["product1"] is ns["product2"]
    assert ns["product1"].part_number == "WIDGET-100"
    api.close()


def test_snippet_35_msgpack(wats_server: Any) -> None:
    code = substitute(block(35, "python", "from pywats import pyWATS").text, {
        **server_subs(wats_server),
        "ReportBuilder(...)": 'ReportBuilder(part_number="WIDGET-100", serial_number="SN-MSGPACK")',
        "builder.add_step(...)": 'builder.add_step(name=f"Step {i}", value=float(i), limits=(0, 20000))',
    })
    from pywats.tools import ReportBuilder

    ns = run_python(code, {"ReportBuilder": ReportBuilder})
    api = ns["api"]
    headers = api.report.get_reports(serial_number="SN-MSGPACK")
    assert len(headers) == 1
    stored = api.report.get_report(headers[0].id).to_wsjf()
    assert len(stored["root"]["steps"]) == 10000
    api.close()


# --- Common Scenarios -------------------------------------------------------------------


def test_snippet_36_retry(wats_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = substitute(block(36, "python", "from pywats import pyWATS, RetryConfig").text, server_subs(wats_server))
    report = sample_report(serial="SN-RETRY")
    ns = run_python(code, {"report_data": report})
    assert capsys.readouterr().out.strip() == f"Report submitted: {report['id']}"
    assert ns["api"].report.get_reports(serial_number="SN-RETRY")[0].id == report["id"]
    ns["api"].close()


def test_snippet_37_process_cache_file(wats_server: Any, in_tmp: Path) -> None:
    code = substitute(block(37, "python", "from pywats import pyWATS").text, api_subs(wats_server))
    ns = run_python(code, {"json": json})  # the guide forgets `import json` here
    cached = json.loads((in_tmp / "processes_cache.json").read_text(encoding="utf-8"))
    assert {"ICT", "FCT", "EOL", "Repair"} <= {p["name"] for p in cached}
    assert ns["processes"] == cached
    ns["api"].close()


def test_snippet_38_serial_numbers(fresh_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = substitute(block(38, "python", "from pywats import pyWATS").text, api_subs(fresh_server))
    ns = run_python(code)
    expected = [f"WGT-{n}" for n in range(1000, 1100)]
    assert ns["sns"] == expected
    assert capsys.readouterr().out.strip() == str(expected)
    again = ns["api"].production.allocate_serial_numbers(
        product_name="WIDGET-100", product_revision="A", quantity=2, prefix="WGT-", start_index=1000)
    assert again == ["WGT-1100", "WGT-1101"]
    ns["api"].close()


def test_snippet_39_attachment(wats_server: Any, in_tmp: Path) -> None:
    photo = b"\xff\xd8\xff\xe0 not really a jpeg"
    (in_tmp / "test_image.jpg").write_bytes(photo)
    report = sample_report(serial="SN-ATTACH")
    code = substitute(block(39, "python", "from pywats import pyWATS").text, api_subs(wats_server))
    ns = run_python(code, {"report_data": report})
    api = ns["api"]
    assert ns["report_id"] == report["id"]
    stored = api.report.get_report(report["id"]).to_wsjf()
    attached = [s for s in stored["root"]["steps"] if s.get("attachment")]
    assert [s["attachment"]["name"] for s in attached] == ["test_image.jpg"]
    assert attached[0]["reportText"] == "Test setup photo"
    step_id = attached[0]["id"]
    assert api.report.get_attachment(report["id"], step_id=step_id) == photo
    assert len(api.report.get_reports(serial_number="SN-ATTACH")) == 1
    api.close()


def test_snippet_40_box_build(wats_server: Any) -> None:
    code = substitute(block(40, "python", "from pywats import pyWATS").text, api_subs(wats_server))
    ns = run_python(code)
    api = ns["api"]
    header = api.report.get_reports(serial_number="BOX-SN-001")[0]
    stored = api.report.get_report(header.id).to_wsjf()
    assert [(u["pn"], u["sn"]) for u in stored["subUnits"]] == [("PCB-MAIN", "PCB-001"), ("POWER-SUPPLY", "PSU-001")]
    assert stored["root"]["steps"][0]["name"] == "Power-On Test"
    assert stored["root"]["steps"][0]["status"] == "P"
    assert stored["result"] == "P"
    api.close()


# --- Troubleshooting and Best Practices -------------------------------------------------


def test_snippet_41_status_without_service(client_home: Path) -> None:
    env = dict(os.environ)
    assert cli(["config", "init", "--instance-id", "default"], env).returncode == 0
    done = cli(block(41, "bash", "python -m pywats_client status").text.split()[3:], env)
    assert done.returncode == 0, done.stderr
    assert "pending" in done.stdout.lower()


def test_snippet_44_manual_retry(in_tmp: Path, failed_queue: Any) -> None:
    failed_queue(in_tmp / "path" / "to" / "queue", 3)
    ns = run_python(block(44, "python", "from pywats_client.queue import PersistentQueue").text)
    assert (ns["queue"].get_failed_count(), ns["queue"].get_pending_count()) == (0, 3)
    ns["queue"].close()


def test_snippet_47_manual_converter_test(in_tmp: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    package = in_tmp / "converters"
    package.mkdir()
    (package / "my_converter.py").write_text(
        "from pywats_client.converters.builtin.csv import CSVConverter as MyConverter\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(in_tmp))
    sample = in_tmp / "test.csv"
    sample.write_text(SAMPLE_CSV, encoding="utf-8")
    code = substitute(block(47, "python", "from converters.my_converter import MyConverter").text,
                      {'"C:\\\\TestData\\\\test.csv"': repr(str(sample))})
    ns = run_python(code)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "True"
    assert "SN-12345" in out[1]
    assert ns["result"].success


def test_snippet_48_curl_equivalent(wats_server: Any) -> None:
    import httpx

    text = block(48, "bash", "# Test API access").text
    assert "/api/App/Version" in text and "Authorization: Basic" in text
    url = f"{wats_server.base_url}/api/App/Version"
    assert httpx.get(url, headers={"Authorization": f"Basic {wats_server.token}"}).status_code == 200
    assert httpx.get(url).status_code == 401


def test_snippet_49_token_check(client_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = dict(os.environ)
    init = cli(["config", "init", "--instance-id", "default", "--service-address", "http://127.0.0.1:9",
                "--api-token", "dGVzdDp0ZXN0"], env)
    assert init.returncode == 0, init.stderr
    run_python(block(49, "python", "from pywats_client.config import ClientConfig").text)
    assert capsys.readouterr().out.splitlines() == ["Token present: True", "Server URL: http://127.0.0.1:9"]


def test_snippet_50_config_reset(client_home: Path) -> None:
    env = dict(os.environ)
    assert cli(["config", "init", "--instance-id", "default", "--station-name", "X-1", "--api-token", "dDp0"],
               env).returncode == 0
    line = block(50, "bash", "python -m pywats_client config reset").text.splitlines()[0]
    done = cli(line.split()[3:], env, stdin="y\n")
    assert done.returncode == 0, done.stderr
    from pywats_client.config import ClientConfig

    config = ClientConfig.load()  # the credentials are gone, the rest is kept
    assert config.api_token == "" and config.station_name == "X-1"


def test_snippet_57_validation_pattern() -> None:
    from pywats_client.converters import ConverterResult

    ns = run_python(block(57, "python", "def convert(self, source, context)").text,
                    {"ConverterResult": ConverterResult})

    class Stub:
        def _parse(self, source: object) -> dict[str, str]:
            return {}

        def _validate(self, data: dict[str, str]) -> bool:
            return False

    result = ns["convert"](Stub(), None, None)
    assert result.success is False and result.error == "Validation failed"


def test_snippet_59_failed_report_alert(tmp_path: Path, failed_queue: Any) -> None:
    path = tmp_path / "queue"
    failed_queue(path, 11)
    alerts: list[str] = []
    code = substitute(block(59, "python", "# check_failed_reports.py").text,
                      {"PersistentQueue(...)": f"PersistentQueue({str(path)!r})"})
    ns = run_python(code, {"send_alert": alerts.append})
    assert alerts == ["Warning: 11 failed reports in queue"]
    ns["queue"].close()


def test_snippet_60_sequential_vs_async(wats_server: Any) -> None:
    from pywats import pyWATS

    api = pyWATS(base_url=wats_server.base_url, token=wats_server.token)
    reports = [sample_report(serial=f"SN-SEQ-{i}") for i in range(5)]
    run_python(block(60, "python", "# DON'T: Sequential (slow)").text, {"api": api, "reports": reports, "asyncio": asyncio})  # the guide omits `import asyncio`
    # the same five reports went out twice (sequential, then async): still five on the server
    for i in range(5):
        assert len(api.report.get_reports(serial_number=f"SN-SEQ-{i}")) == 1
    api.close()
