"""ClientConfig: loading, validation errors, defaults, paths, token encryption at rest."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from pywats_client import paths, secrets
from pywats_client.config import ClientConfig, ConfigError, ConverterConfig
from pywats_client.config.jsonc import loads_jsonc
from pywats_client.config.placeholders import host_name


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    return h


def write(home: Path, instance: str, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    p = home / f"config_{instance}.json"
    p.write_text(text, encoding="utf-8")
    return p


CONVERTER = {"name": "CSV", "module_path": "csv", "watch_folder": "/data/in"}


# ---------------------------------------------------------------- paths and defaults


def test_paths_follow_home_env(home: Path) -> None:
    assert paths.client_home() == home
    assert paths.config_path("production") == home / "config_production.json"
    assert paths.instance_dir("production") == home / "instances" / "production"
    assert paths.default_reports_folder("default") == home / "reports"
    assert paths.default_reports_folder("ict") == home / "reports_ict"
    assert paths.log_path("default") == home / "client.log"
    assert paths.log_path("ict") == home / "client_ict.log"
    assert paths.converters_dir() == home / "converters"


def test_log_folder_setting_moves_every_log(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = tmp_path / "logs"
    monkeypatch.setenv(paths.LOG_DIR_ENV, str(logs))
    assert paths.log_path("ict") == logs / "client_ict.log"
    assert paths.shared_log_path() == logs / "client.log"  # the first instance's log too


def test_platform_default_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PYWATS_CLIENT_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "user"))
    if sys.platform == "win32":
        assert paths.client_home() == tmp_path / "AppData" / "pyWATS_Client"
    else:
        assert paths.client_home() == tmp_path / "user" / ".config" / "pywats_client"


def test_instances_never_share_runtime_files(home: Path) -> None:
    a, b = ClientConfig.defaults("default"), ClientConfig.defaults("line2")
    assert a.reports_folder != b.reports_folder
    assert a.log_file != b.log_file
    assert a.instance_dir != b.instance_dir
    assert a.path != b.path
    # one queue folder must not contain the other
    assert a.reports_folder not in b.reports_folder.parents


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "x" * 65, "-lead", "a..b", "sp ace"])
def test_invalid_instance_ids(home: Path, bad: str) -> None:
    with pytest.raises(paths.InvalidInstanceId):
        paths.config_path(bad)
    with pytest.raises(ConfigError):
        ClientConfig.load_for_instance(bad)


def test_load_without_file_gives_defaults(home: Path) -> None:
    config = ClientConfig.load()
    assert config.instance_id == "default"
    assert config.path == home / "config_default.json"
    assert not config.path.exists()
    assert config.api_token == ""
    assert config.station_name == host_name()
    assert config.reports_folder == home / "reports"
    assert config.converter_paths == [home / "converters"]
    assert config.max_converter_workers == 10
    assert 1 <= config.effective_converter_workers <= (os.cpu_count() or 1)
    assert config.upload_concurrency == 8
    assert config.rescan_interval_seconds == 5
    assert config.control_port == 0
    assert config.offline_queue_enabled is True


def test_load_uses_instance_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWATS_INSTANCE_ID", "line3")
    assert ClientConfig.load().instance_id == "line3"


def test_load_for_instance_missing_file_names_fix(home: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load_for_instance("production")
    text = str(exc.value)
    assert str(home / "config_production.json") in text
    assert "pywats-client config init --instance-id production" in text


def test_partial_file_takes_defaults_and_instance_from_name(home: Path) -> None:
    write(home, "line1", '{"station_name": "S1"}')
    config = ClientConfig.load_for_instance("line1")
    assert config.instance_id == "line1"
    assert config.station_name == "S1"
    assert config.reports_folder == home / "reports"  # the only instance: the guide's paths
    assert config.log_file == home / "client.log"
    assert paths.shared_layout_owner() == "line1"  # claimed: stays line1's when others are added
    write(home, "line2", '{"station_name": "S2"}')
    assert ClientConfig.load_for_instance("line1").reports_folder == home / "reports"
    assert ClientConfig.load_for_instance("line2").reports_folder == home / "reports_line2"
    assert ClientConfig.load_for_instance("line2").log_file == home / "client_line2.log"
    assert ClientConfig.defaults("default").reports_folder == home / "reports_default"
    assert config.max_retry_attempts == 5


def test_instance_id_mismatch_is_an_error(home: Path) -> None:
    write(home, "line1", '{"instance_id": "default"}')
    with pytest.raises(ConfigError, match=r"config_line1.json: instance_id: 'default' does not match"):
        ClientConfig.load_for_instance("line1")


# ---------------------------------------------------------------- round trip and saving


def test_round_trip(home: Path) -> None:
    config = ClientConfig.defaults("rt")
    config.service_address = "http://127.0.0.1:8080"
    config.api_token = "dXNlcjprZXk="
    config.station_name = "ST-1"
    config.location = "Hall 2"
    config.converters = [ConverterConfig.model_validate({**CONVERTER, "arguments": {"delimiter": ";"}, "priority": 2})]
    config.max_retry_attempts = 9
    config.retry_interval_seconds = 0.5
    config.log_level = "DEBUG"
    path = config.save()
    assert path == home / "config_rt.json"
    loaded = ClientConfig.load_for_instance("rt")
    assert loaded.model_dump() == config.model_dump()
    assert loaded.api_token == "dXNlcjprZXk="
    assert loaded.converters[0].arguments == {"delimiter": ";"}
    assert [p.name for p in home.iterdir() if p.name.endswith(".tmp")] == []


def test_save_validates_assignments(home: Path) -> None:
    config = ClientConfig.defaults()
    config.max_retry_attempts = "many"  # type: ignore[assignment]
    with pytest.raises(ConfigError, match="max_retry_attempts"):
        config.save()
    assert not config.path.exists()


def test_save_is_plain_json_and_validates_again(home: Path) -> None:
    config = ClientConfig.defaults()
    config.save()
    data = json.loads(config.path.read_text(encoding="utf-8"))
    assert set(data) == set(ClientConfig.FILE_KEYS)
    assert ClientConfig.from_dict(data).instance_id == "default"


# ---------------------------------------------------------------- token at rest


def test_token_is_encrypted_at_rest(home: Path) -> None:
    config = ClientConfig.defaults()
    config.api_token = "plain-secret-token"
    config.save()
    text = config.path.read_text(encoding="utf-8")
    assert "plain-secret-token" not in text
    assert json.loads(text)["api_token"].startswith("enc:v1:")
    key = paths.key_path()
    assert key.exists()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert ClientConfig.load().api_token == "plain-secret-token"


def test_plaintext_token_accepted_and_resaved_encrypted(home: Path) -> None:
    path = write(home, "default", '{"api_token": "hand-typed"}')
    config = ClientConfig.load()
    assert config.api_token == "hand-typed"
    config.save()
    assert "hand-typed" not in path.read_text(encoding="utf-8")
    assert ClientConfig.load().api_token == "hand-typed"


def test_env_token_overrides_and_is_never_saved(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ClientConfig.defaults()
    config.api_token = "from-file"
    config.save()
    monkeypatch.setenv("PYWATS_API_TOKEN", "from-env")
    loaded = ClientConfig.load()
    assert loaded.api_token == "from-env"
    assert loaded.token_source == "env"
    loaded.save()
    monkeypatch.delenv("PYWATS_API_TOKEN")
    assert ClientConfig.load().api_token == "from-file"


def test_token_never_in_repr_or_str(home: Path) -> None:
    config = ClientConfig.defaults()
    config.api_token = "s3cr3t-value"
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in str(config)
    assert "s3cr3t-value" not in json.dumps(config.to_display_dict())


def test_undecryptable_token_names_key_and_file(home: Path) -> None:
    config = ClientConfig.defaults()
    config.api_token = "tok"
    config.save()
    paths.key_path().unlink()
    secrets.load_or_create_key()  # a different key now
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load()
    assert "config_default.json: api_token: cannot decrypt" in str(exc.value)
    assert ClientConfig.load_for_instance("default", ignore_token_errors=True).api_token == ""


def test_key_is_created_once(home: Path) -> None:
    first = secrets.load_or_create_key()
    assert secrets.load_or_create_key() == first
    assert secrets.decrypt_token(secrets.encrypt_token("x")) == "x"
    assert secrets.encrypt_token("") == ""


# ---------------------------------------------------------------- validation errors


def test_unknown_key_names_key_and_file(home: Path) -> None:
    write(home, "production", '{"instance_id": "production", "max_queue_size": 5}')
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load_for_instance("production")
    assert str(exc.value) == "config_production.json: max_queue_size: unknown key"
    assert exc.value.key == "max_queue_size"
    assert exc.value.path == home / "config_production.json"


def test_unknown_converter_key(home: Path) -> None:
    write(home, "default", json.dumps({"converters": [{**CONVERTER, "pending_folder": "x"}]}))
    with pytest.raises(ConfigError, match=r"^config_default.json: converters\[0\].pending_folder: unknown key$"):
        ClientConfig.load()


def test_post_action_message_is_exact(home: Path) -> None:
    write(home, "production", json.dumps({"converters": [{**CONVERTER, "post_action": "archive"}]}))
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load_for_instance("production")
    assert str(exc.value) == (
        "config_production.json: converters[0].post_action: must be one of move, delete, keep (got 'archive')"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("max_retry_attempts", "5"),
        ("max_retry_attempts", 2.5),
        ("max_retry_attempts", -1),
        ("auto_reconnect", 1),
        ("offline_queue_enabled", "true"),
        ("station_name", 12),
        ("converters", {"name": "x"}),
        ("retry_interval_seconds", "60"),
        ("control_port", 70000),
        ("log_level", "LOUD"),
        ("service_address", "company.wats.com"),
        ("reports_folder", 5),
        ("max_converter_workers", 0),
    ],
)
def test_wrong_types_name_the_key(home: Path, key: str, value: object) -> None:
    write(home, "default", json.dumps({key: value}))
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load()
    assert str(exc.value).startswith(f"config_default.json: {key}")


def test_missing_required_converter_key(home: Path) -> None:
    write(home, "default", '{"converters": [{"name": "x", "watch_folder": "in"}]}')
    with pytest.raises(ConfigError, match=r"converters\[0\].module_path: required key is missing"):
        ClientConfig.load()


def test_several_errors_each_on_a_line(home: Path) -> None:
    write(home, "default", '{"a": 1, "b": 2}')
    with pytest.raises(ConfigError) as exc:
        ClientConfig.load()
    assert str(exc.value).splitlines() == ["config_default.json: a: unknown key", "config_default.json: b: unknown key"]


def test_bad_json_names_line_and_file(home: Path) -> None:
    write(home, "default", '{\n  "station_name": "x"\n  "location": "y"\n}')
    with pytest.raises(ConfigError, match=r"config_default.json: invalid JSON at line 3"):
        ClientConfig.load()


def test_top_level_must_be_object(home: Path) -> None:
    write(home, "default", "[1, 2]")
    with pytest.raises(ConfigError, match="must contain a JSON object"):
        ClientConfig.load()


# ---------------------------------------------------------------- comments, placeholders, normalisation


def test_comments_and_trailing_commas(home: Path) -> None:
    write(
        home,
        "default",
        """{
  // line comment
  "service_address": "https://company.wats.com/", /* block
  comment */ "station_name": "A // not a comment /* nor this */",
  "converters": [{"name": "c", "module_path": "csv", "watch_folder": "in", "file_patterns": ["*.csv",],},],
}""",
    )
    config = ClientConfig.load()
    assert config.service_address == "https://company.wats.com"
    assert config.station_name == "A // not a comment /* nor this */"
    assert config.converters[0].file_patterns == ["*.csv"]


def test_jsonc_escaped_quotes() -> None:
    assert loads_jsonc('{"a": "q\\" // x", "b": [1, 2, ],} // end') == {"a": 'q" // x', "b": [1, 2]}


def test_placeholders_expand_and_template_is_kept(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINE_NO", "7")
    monkeypatch.delenv("HOSTNAME", raising=False)
    monkeypatch.delenv("COMPUTERNAME", raising=False)
    path = write(home, "default", '{"station_name": "L${LINE_NO}-${HOSTNAME}-${COMPUTERNAME}"}')
    config = ClientConfig.load()
    assert config.station_name == f"L7-{host_name()}-{host_name()}"
    config.location = "moved"
    config.save()
    assert json.loads(path.read_text(encoding="utf-8"))["station_name"] == "L${LINE_NO}-${HOSTNAME}-${COMPUTERNAME}"


def test_unknown_placeholder_is_a_start_problem_not_a_load_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_VAR_X", raising=False)
    path = write(home, "default", '{"station_name": "S-${NO_SUCH_VAR_X}", "service_address": "http://127.0.0.1:9", '
                                  '"api_token": "t"}')
    config = ClientConfig.load()  # reading works without the service's environment
    assert config.station_name == "S-${NO_SUCH_VAR_X}"
    assert config.start_problems() == [
        (f"{path}: station_name: unknown placeholder ${{NO_SUCH_VAR_X}}: it is not an "
        "environment variable (known without one: ${HOSTNAME}, ${COMPUTERNAME})")
    ]
    monkeypatch.setenv("NO_SUCH_VAR_X", "7")
    assert ClientConfig.load().start_problems() == []


def test_start_problems_name_key_and_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    foreign = "C:\\TestData\\Incoming" if sys.platform != "win32" else "/data/incoming"
    config = ClientConfig.from_dict({"converters": [{"name": "c", "module_path": "csv", "watch_folder": foreign}]},
                                    path=home / "config_default.json")
    problems = config.start_problems()
    where = str(home / "config_default.json")
    assert problems[0].startswith(f"{where}: service_address: not set")
    assert problems[1].startswith(f"{where}: api_token: not set")
    assert [p.split(": ")[1] for p in problems[2:]] == [
        "converters[0].watch_folder", "converters[0].done_folder", "converters[0].error_folder"]
    assert all("\n" not in p for p in problems)


def test_service_address_normalised(home: Path) -> None:
    assert ClientConfig.from_dict({"service_address": "http://127.0.0.1:80/api/"}).service_address == "http://127.0.0.1:80"


def test_converter_defaults_and_relative_paths(home: Path) -> None:
    config = ClientConfig.from_dict({"converters": [{"name": "c", "module_path": "csv", "watch_folder": "in"}],
                                     "reports_folder": "q"})
    conv = config.converters[0]
    assert conv.watch_folder == home / "in"
    assert conv.done_folder == home / "in" / "Done"
    assert conv.error_folder == home / "in" / "Error"
    assert conv.post_action == "move" and conv.enabled and conv.priority == 5
    assert conv.file_stable_seconds == 2 and conv.timeout_seconds == 60
    assert conv.file_patterns is None and conv.arguments == {}
    assert config.reports_folder == home / "q"


def test_windows_paths_are_kept_as_written(home: Path) -> None:
    config = ClientConfig.from_dict({"converters": [{"name": "c", "module_path": "csv",
                                                     "watch_folder": "C:\\TestData\\Incoming"}]})
    data = config.to_file_dict()["converters"][0]
    assert data["watch_folder"] == "C:\\TestData\\Incoming"
    assert data["done_folder"] == "C:\\TestData\\Incoming\\Done"


def test_python_attribute_name_is_not_a_file_key(home: Path) -> None:
    write(home, "default", '{"configured_api_token": "x"}')
    with pytest.raises(ConfigError, match="configured_api_token: unknown key"):
        ClientConfig.load()


def test_clear_token_is_encrypted_in_place_on_load(home: Path) -> None:
    path = write(home, "default", '{\n  // station A\n  "service_address": "http://127.0.0.1:9",\n'
                                  '  "api_token": "c2VjcmV0OnRva2Vu",\n  "station_name": "A-1",\n}\n')
    config = ClientConfig.load()
    assert config.api_token == "c2VjcmV0OnRva2Vu"
    text = path.read_text(encoding="utf-8")
    assert "c2VjcmV0OnRva2Vu" not in text and '"api_token": "enc:v1:' in text
    assert "// station A" in text and '"station_name": "A-1"' in text  # the rest is kept as written
    if sys.platform != "win32":
        assert path.stat().st_mode & 0o777 == 0o600
    assert ClientConfig.load().api_token == "c2VjcmV0OnRva2Vu"
    config.save()
    assert "c2VjcmV0OnRva2Vu" not in path.read_text(encoding="utf-8")


def test_clear_token_in_a_read_only_folder_still_loads(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    if sys.platform == "win32" or os.geteuid() == 0:
        # root ignores folder permissions: prove the fallback with an unwritable target instead
        path = write(home, "default", '{"api_token": "dA=="}')
        from pywats_client.config import models

        original = models.write_atomic

        def refuse(*_a: object, **_k: object) -> Path:
            raise PermissionError("read-only")

        models.write_atomic = refuse  # type: ignore[assignment]
        try:
            assert ClientConfig.load().api_token == "dA=="
        finally:
            models.write_atomic = original
        assert "cannot be rewritten to encrypt it" in caplog.text
        assert '"dA=="' in path.read_text(encoding="utf-8")
        return
    path = write(home, "default", '{"api_token": "dA=="}')
    home.chmod(0o500)
    try:
        assert ClientConfig.load().api_token == "dA=="
    finally:
        home.chmod(0o700)
    assert "cannot be rewritten to encrypt it" in caplog.text
