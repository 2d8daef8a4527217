"""The pywats-client CLI through click's CliRunner (fast, in process)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pywats._version import __version__
from pywats_client.cli import cli, main
from pywats_client.config import ClientConfig, ConfigError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    for var in ("PYWATS_API_TOKEN", "PYWATS_INSTANCE_ID", "PYWATS_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return h


def run(*args: str, input: str | None = None) -> Result:  # noqa: A002 - CliRunner.invoke's name
    return CliRunner().invoke(cli, list(args), input=input, prog_name="pywats-client")


def init(*extra: str, instance: str = "default") -> None:
    result = run("config", "init", "--instance-id", instance, *extra)
    assert result.exit_code == 0, result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pywats-client {__version__}"


def test_main_returns_exit_codes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["no-such-command"]) == 2
    assert main(["config", "show"]) == 1
    err = capsys.readouterr().err
    assert "no config for instance 'default'" in err
    assert "Traceback" not in err


def test_init_writes_file_and_folders(home: Path) -> None:
    init("--service-address", "http://127.0.0.1:9", "--api-token", "dG9rOmtleQ==", "--station-name", "ST-${HOSTNAME}",
         "--location", "Hall", "--purpose", "Production", instance="production")
    path = home / "config_production.json"
    text = path.read_text(encoding="utf-8")
    assert "dG9rOmtleQ==" not in text
    data = json.loads(text)
    assert data["instance_id"] == "production"
    assert data["station_name"] == "ST-${HOSTNAME}"
    assert (home / "converters").is_dir()
    assert (home / "reports").is_dir()  # the first instance gets the guide's paths
    assert data["reports_folder"] == str(home / "reports")
    config = ClientConfig.load_for_instance("production")
    assert config.api_token == "dG9rOmtleQ=="
    assert (config.location, config.purpose) == ("Hall", "Production")


def test_init_refuses_to_overwrite_without_force(home: Path) -> None:
    init("--station-name", "A")
    result = run("config", "init", "--station-name", "B")
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert ClientConfig.load().station_name == "A"
    assert run("config", "init", "--station-name", "B", "--force").exit_code == 0
    assert ClientConfig.load().station_name == "B"


def test_init_bad_value_is_usage_error(home: Path) -> None:
    result = run("config", "init", "--service-address", "company.wats.com")
    assert result.exit_code == 2
    assert "service_address" in result.stderr
    assert not (home / "config_default.json").exists()


def test_show_masks_token(home: Path) -> None:
    init("--api-token", "very-secret-token", "--service-address", "http://127.0.0.1:9")
    text = run("config", "show")
    assert text.exit_code == 0
    assert "very-secret-token" not in text.output
    assert "api_token: ********" in text.stdout
    assert "service_address: http://127.0.0.1:9" in text.stdout
    as_json = run("config", "show", "--json")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert data["api_token"] == "********"
    assert "very-secret-token" not in as_json.output


def test_show_names_env_token_source(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init()
    monkeypatch.setenv("PYWATS_API_TOKEN", "env-token")
    result = run("config", "show")
    assert "api_token: ******** (from PYWATS_API_TOKEN)" in result.stdout
    assert "env-token" not in result.output


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("max_retry_attempts", "7", 7),
        ("auto_reconnect", "false", False),
        ("offline_queue_enabled", "yes", True),
        ("retry_interval_seconds", "2.5", 2.5),
        ("health_check_interval", "2", 2.0),
        ("station_name", "ST 9", "ST 9"),
        ("log_level", "debug", "DEBUG"),
        ("converter_paths", '["/opt/conv"]', [Path("/opt/conv")]),
    ],
)
def test_set_typed_values(home: Path, key: str, value: str, expected: Any) -> None:
    init()
    result = run("config", "set", key, value)
    assert result.exit_code == 0, result.output
    assert getattr(ClientConfig.load(), key) == expected


def test_set_converters_json(home: Path, tmp_path: Path) -> None:
    init()
    conv = [{"name": "CSV", "module_path": "csv", "watch_folder": str(tmp_path / "in"), "file_stable_seconds": 0.5}]
    assert run("config", "set", "converters", json.dumps(conv)).exit_code == 0
    loaded = ClientConfig.load().converters[0]
    assert loaded.file_stable_seconds == 0.5
    assert loaded.done_folder == tmp_path / "in" / "Done"


def test_set_errors_are_usage_errors(home: Path) -> None:
    init()
    before = (home / "config_default.json").read_text(encoding="utf-8")
    unknown = run("config", "set", "max_queue_size", "5")
    assert unknown.exit_code == 2 and "max_queue_size" in unknown.stderr
    bad_int = run("config", "set", "max_retry_attempts", "many")
    assert bad_int.exit_code == 2 and "max_retry_attempts: must be an integer" in bad_int.stderr
    bad_action = run("config", "set", "converters",
                     '[{"name": "c", "module_path": "csv", "watch_folder": "in", "post_action": "archive"}]')
    assert bad_action.exit_code == 2
    assert "converters[0].post_action: must be one of move, delete, keep (got 'archive')" in bad_action.stderr
    assert run("config", "set", "instance_id", "other").exit_code == 2
    assert run("config", "set").exit_code == 2
    assert run("config", "set", "location").exit_code == 2
    assert (home / "config_default.json").read_text(encoding="utf-8") == before


def test_set_api_token(home: Path) -> None:
    init()
    result = run("config", "set", "--api-token", "new-token")
    assert result.exit_code == 0
    assert "new-token" not in result.output
    assert "new-token" not in (home / "config_default.json").read_text(encoding="utf-8")
    assert ClientConfig.load().api_token == "new-token"


def test_set_api_token_replaces_undecryptable_token(home: Path) -> None:
    init("--api-token", "old")
    (home / "token.key").unlink()
    assert run("config", "show").exit_code == 1
    assert run("config", "set", "--api-token", "fresh").exit_code == 0
    assert ClientConfig.load().api_token == "fresh"


def test_reset(home: Path) -> None:
    init("--station-name", "X-1", "--api-token", "t", instance="line")
    declined = run("config", "reset", "--instance-id", "line", input="n\n")
    assert declined.exit_code == 1
    assert ClientConfig.load_for_instance("line").station_name == "X-1"
    no_stdin = run("config", "reset", "--instance-id", "line", input="")
    assert no_stdin.exit_code == 1 and "--yes" in no_stdin.stderr
    confirmed = run("config", "reset", "--instance-id", "line", input="y\n")
    assert confirmed.exit_code == 0
    assert "converters, folders and other settings kept" in confirmed.stdout
    config = ClientConfig.load_for_instance("line")
    # the credentials only: every other key stays
    assert config.station_name == "X-1" and config.api_token == "" and config.instance_id == "line"
    init("--station-name", "X-2", "--api-token", "t2", "--force", instance="line")
    assert run("--instance-id", "line", "config", "reset", "--yes", "--all").exit_code == 0
    config = ClientConfig.load_for_instance("line")
    assert config.station_name != "X-2" and config.api_token == ""


def test_reset_of_a_missing_instance_creates_nothing(home: Path) -> None:
    result = run("config", "reset", input="y\n")
    assert result.exit_code == 1 and "nothing to reset" in result.stderr
    assert not (home / "config_default.json").exists()
    assert list(home.glob("config_*.json")) == []


def test_one_configured_instance_is_used_without_instance_id(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    init("--service-address", "http://127.0.0.1:9", "--api-token", "t", "--station-name", "ST-1", instance="production")
    shown = run("config", "show", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["instance_id"] == "production"
    assert run("config", "set", "--api-token", "new").exit_code == 0
    config = ClientConfig.load()
    assert config.instance_id == "production" and config.api_token == "new"
    assert config.reports_folder == home / "reports" and config.log_file == home / "client.log"
    listed = run("instances")
    assert listed.exit_code == 0 and listed.stdout.startswith("production: stopped")
    # a second instance gets the suffixed layout, and then a choice is needed
    init("--station-name", "ST-2", instance="line2")
    line2 = ClientConfig.load("line2")
    assert line2.reports_folder == home / "reports_line2" and line2.log_file == home / "client_line2.log"
    ambiguous = run("status")
    assert ambiguous.exit_code == 1
    assert "2 instances are configured (line2, production)" in ambiguous.stderr and "--instance-id" in ambiguous.stderr
    with pytest.raises(ConfigError, match="line2, production"):
        ClientConfig.load()
    rows = json.loads(run("instances", "--json").stdout)
    assert [r["instance_id"] for r in rows] == ["line2", "production"]
    assert {r["state"] for r in rows} == {"stopped"}


def test_path(home: Path) -> None:
    assert run("config", "path").stdout.strip() == str(home / "config_default.json")
    assert run("config", "path", "--instance-id", "x1").stdout.strip() == str(home / "config_x1.json")


def test_instance_selection(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--instance-id", "a1", "config", "path").stdout.strip().endswith("config_a1.json")
    monkeypatch.setenv("PYWATS_INSTANCE_ID", "envinst")
    assert run("config", "path").stdout.strip().endswith("config_envinst.json")
    assert run("config", "path", "--instance-id", "b2").stdout.strip().endswith("config_b2.json")
    bad = run("config", "path", "--instance-id", "../etc")
    assert bad.exit_code == 2 and "invalid instance id" in bad.stderr


def test_broken_config_names_file_and_key(home: Path) -> None:
    home.mkdir()
    (home / "config_default.json").write_text('{"max_retry_attempts": "5"}', encoding="utf-8")
    result = run("config", "show")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: config_default.json: max_retry_attempts:")
    assert "Traceback" not in result.stderr


def test_status_without_service_and_without_queue(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    init("--service-address", "http://127.0.0.1:9")
    assert run("config", "set", "reports_folder", str(tmp_path / "never-created")).exit_code == 0
    monkeypatch.setitem(sys.modules, "pywats_client.service.control", _module("pywats_client.service.control",
                                                                              read_status=lambda config: None))
    _ensure_parent(monkeypatch)
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["running"] is False and data["state"] == "stopped"
    assert data["queue"] == {"pending": 0, "processing": 0, "failed": 0, "completed": 0}
    assert data["service_address"] == "http://127.0.0.1:9"
    text = run("status")
    assert "not running" in text.stdout and "pending 0" in text.stdout
    assert not (tmp_path / "never-created").exists()


def test_status_live_from_control_api(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init()
    live = {"state": "ONLINE", "queue": {"pending": 2, "processing": 1, "failed": 0, "completed": 5},
            "converters": [{"name": "CSV", "converted": 5, "failed": 1}]}
    seen: list[ClientConfig] = []

    def read_status(config: ClientConfig) -> dict[str, Any]:
        seen.append(config)
        return live

    _ensure_parent(monkeypatch)
    monkeypatch.setitem(sys.modules, "pywats_client.service.control",
                        _module("pywats_client.service.control", read_status=read_status))
    data = json.loads(run("status", "--json").stdout)
    assert data["running"] is True and data["state"] == "ONLINE"
    assert data["queue"]["pending"] == 2
    text = run("status").stdout
    assert "running (ONLINE)" in text and "CSV [enabled]" in text and "converted=5  failed=1" in text
    assert seen[0].instance_id == "default"


def test_service_refuses_an_unusable_config_in_one_line_per_problem(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("NUMBER", raising=False)
    init("--station-name", "ST-${NUMBER}", instance="svc")
    assert run("config", "show").exit_code == 0  # reading works without the service's environment
    result = run("service", "--instance-id", "svc")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    where = str(home / "config_svc.json")
    assert [line.split(": ")[2] for line in lines[:3]] == ["service_address", "api_token", "station_name"]
    assert all(line.startswith(f"error: {where}: ") for line in lines[:3])
    assert "${NUMBER}" in lines[2] and lines[3] == "error: not starting instance 'svc'" and len(lines) == 4


def test_service_calls_runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init("--service-address", "http://127.0.0.1:9", "--api-token", "t", instance="svc")
    got: list[ClientConfig] = []

    def run_service(config: ClientConfig) -> int:
        got.append(config)
        return 3

    _ensure_parent(monkeypatch)
    monkeypatch.setitem(sys.modules, "pywats_client.service.runner",
                        _module("pywats_client.service.runner", run_service=run_service))
    result = run("service", "--instance-id", "svc")
    assert result.exit_code == 3
    assert got[0].instance_id == "svc"


def test_unexpected_error_is_one_line_and_debug_shows_traceback(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init("--service-address", "http://127.0.0.1:9", "--api-token", "t")

    def run_service(config: ClientConfig) -> int:
        raise RuntimeError("boom\nsecond line")

    _ensure_parent(monkeypatch)
    monkeypatch.setitem(sys.modules, "pywats_client.service.runner",
                        _module("pywats_client.service.runner", run_service=run_service))
    plain = run("service")
    assert plain.exit_code == 1
    assert plain.stderr.strip() == "error: RuntimeError: boom"
    debug = run("--debug", "service")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "error: RuntimeError: boom" in debug.stderr


def test_test_connection_needs_address_and_token(home: Path) -> None:
    init()
    no_addr = run("test-connection")
    assert no_addr.exit_code == 1 and "service_address is not set" in no_addr.stderr
    assert run("config", "set", "service_address", "http://127.0.0.1:9").exit_code == 0
    no_tok = run("test-connection")
    assert no_tok.exit_code == 1 and "no API token" in no_tok.stderr


def test_upload_usage_errors(home: Path, tmp_path: Path) -> None:
    init("--service-address", "http://127.0.0.1:9")
    assert run("upload").exit_code == 2
    assert run("upload", str(tmp_path / "missing.csv")).exit_code == 2
    f = tmp_path / "r.json"
    f.write_text("{}", encoding="utf-8")
    no_token = run("upload", str(f))
    assert no_token.exit_code == 1 and "no API token" in no_token.stderr


def test_demo_passes_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(argv)
        return 4

    monkeypatch.setattr("pywats_client.demo.main", fake_main)
    result = run("demo", "--workdir", "/tmp/x", "--help")
    assert result.exit_code == 4
    assert seen == [["--workdir", "/tmp/x", "--help"]]


# -- helpers for the service/status contracts (the real modules are another helper's)


def _module(name: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


def _ensure_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import pywats_client.service  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "pywats_client.service", _module("pywats_client.service"))


def test_status_falls_back_to_disk_when_control_api_breaks(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    init()
    assert run("config", "set", "reports_folder", str(tmp_path / "nothing")).exit_code == 0

    def read_status(config: ClientConfig) -> dict[str, Any]:
        raise OSError("connection reset")

    _ensure_parent(monkeypatch)
    monkeypatch.setitem(sys.modules, "pywats_client.service.control",
                        _module("pywats_client.service.control", read_status=read_status))
    result = run("status", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["running"] is False
    assert "control API did not answer" in result.stderr
