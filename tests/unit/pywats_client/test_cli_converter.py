"""``pywats-client converter test|list|new`` through click's CliRunner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pywats_client.cli import cli
from pywats_client.cli.converter_cmds import parse_params

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
SRC = Path(__file__).resolve().parents[3] / "src"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    for var in ("PYWATS_API_TOKEN", "PYWATS_INSTANCE_ID", "PYWATS_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return h


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="pywats-client")


def test_test_prints_header_and_step_tree(home: Path) -> None:
    result = run("converter", "test", str(DATA / "csv" / "full_header.csv"), "--converter", "csv")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "serial number : SN-20001" in out and "part number   : WIDGET-100" in out
    assert "revision      : C" in out and "operation     : 50" in out and "result        : F" in out
    assert "start         : 2026-03-02T08:15:04" in out
    assert "  [P] Resistance: 10.5 Ohm  [9.0 <= x <= 12.0]" in out
    assert "  [F] Voltage: 5.31 V  [4.95 <= x <= 5.05]" in out
    assert "  [S] Relay self-test" in out
    assert out.rstrip().splitlines()[-1].startswith("ok: 1 report(s)")


def test_test_with_params_and_several_reports(home: Path) -> None:
    result = run(
        "converter", "test", str(DATA / "csv" / "soundcheck_eight_units.txt"), "--converter", "csv",
        "--param", "part_number=SPK-9", "--param", 'misc_info_columns=["Lot #"]',
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("== report ") == 8
    assert "== report 8 of 8 ==" in result.stdout
    assert "misc info     : Lot # = P/N #4711" in result.stdout
    assert "ok: 8 report(s)" in result.stdout


def test_test_json(home: Path) -> None:
    result = run("converter", "test", str(DATA / "openhtf" / "hello_minimal.json"), "--converter", "openhtf",
                 "--param", "part_number=GREET-1", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["converter"] == "openhtf"
    assert payload["reports"][0]["sn"] == "A-7731"


def test_test_failure_is_one_line_and_exit_1(home: Path) -> None:
    result = run("converter", "test", str(DATA / "csv" / "bad_limit.csv"), "--converter", "csv")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: bad_limit.csv row 5, column LowLimit: 'four' is not a number"
    as_json = run("converter", "test", str(DATA / "csv" / "bad_limit.csv"), "--converter", "csv", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"] == "bad_limit.csv row 5, column LowLimit: 'four' is not a number"


def test_test_unknown_converter(home: Path) -> None:
    result = run("converter", "test", str(DATA / "csv" / "guide_step6.csv"), "--converter", "nosuch.Thing")
    assert result.exit_code == 1
    assert "nosuch.Thing: ModuleNotFoundError" in result.stderr


def test_test_picks_the_instance_converter_by_pattern(home: Path, tmp_path: Path) -> None:
    assert run("config", "init", "--instance-id", "line3").exit_code == 0
    convs = [
        {"name": "htf", "module_path": "openhtf", "watch_folder": str(tmp_path / "a"),
         "parameters": {"part_number": "FROM-CONFIG"}},
        {"name": "sheets", "module_path": "csv", "watch_folder": str(tmp_path / "b"), "file_patterns": ["*.txt"],
         "parameters": {"part_number": "SPK-CFG"}},
    ]
    assert run("config", "set", "--instance-id", "line3", "converters", json.dumps(convs)).exit_code == 0
    result = run("converter", "test", "--instance-id", "line3", str(DATA / "csv" / "soundcheck_eight_units.txt"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("converter: sheets (csv)")
    assert "part number   : SPK-CFG" in result.stdout
    result = run("converter", "test", "--instance-id", "line3", str(DATA / "openhtf" / "hello_minimal.json"),
                 "--param", "revision=R2")
    assert result.exit_code == 0, result.output
    assert "part number   : FROM-CONFIG" in result.stdout and "revision      : R2" in result.stdout
    none = run("converter", "test", "--instance-id", "line3", str(DATA / "csv" / "guide_step6.csv"))
    assert none.exit_code == 1
    assert "guide_step6.csv: no converter of instance 'line3' matches it" in none.stderr


def test_test_without_converter_needs_an_instance(home: Path) -> None:
    result = run("converter", "test", str(DATA / "csv" / "guide_step6.csv"))
    assert result.exit_code == 1
    assert "config" in result.stderr.lower()


def test_parse_params() -> None:
    assert parse_params(["a=1", "b=x y", "c=[1,2]", "d=", "e=true"]) == {
        "a": 1, "b": "x y", "c": [1, 2], "d": "", "e": True,
    }
    with pytest.raises(Exception, match="expected KEY=VALUE"):
        parse_params(["novalue"])


def test_list_shows_builtins_patterns_and_parameters(home: Path) -> None:
    result = run("converter", "list")
    assert result.exit_code == 0, result.output
    assert "csv: CSV Converter (pywats_client.converters.builtin.csv.CSVConverter)" in result.stdout
    assert "openhtf: OpenHTF JSON Converter" in result.stdout
    assert "  patterns: *.csv" in result.stdout
    assert "    culture (default 'invariant'): " in result.stdout
    rows = json.loads(run("converter", "list", "--json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert {"csv", "wsjf", "atml", "openhtf"} <= set(by_name)
    assert by_name["openhtf"]["file_patterns"] == ["*.json"]
    assert "include_log" in {p["name"] for p in by_name["openhtf"]["parameters"]}


def test_new_writes_a_converter_whose_test_passes(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "authoring"
    result = run("converter", "new", "line3_fct", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["line3_fct.py", "line3_fct_sample.txt", "test_line3_fct.py"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_line3_fct.py"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    # the harness runs the new converter as module.Class from its folder
    monkeypatch.chdir(folder)
    tested = run("converter", "test", "line3_fct_sample.txt", "--converter", "line3_fct.Line3FctConverter")
    assert tested.exit_code == 0, tested.output
    assert "[P] Supply current: 0.231 A  [x <= 0.5]" in tested.stdout


def test_new_refuses_bad_names_and_overwrites(home: Path, tmp_path: Path) -> None:
    bad = run("converter", "new", "Line-3", "--dir", str(tmp_path))
    assert bad.exit_code == 2 and "lower-case Python module name" in bad.stderr
    assert run("converter", "new", "fct", "--dir", str(tmp_path)).exit_code == 0
    again = run("converter", "new", "fct", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "exists (use --force to overwrite)" in again.stderr
    assert run("converter", "new", "fct", "--dir", str(tmp_path), "--force").exit_code == 0
