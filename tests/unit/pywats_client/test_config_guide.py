"""The integration guide's configuration snippets, verbatim, as config files.

Each snippet below is copied character for character from the guide (the copy in
tests/data/guide/integration-patterns.md); ``test_snippets_are_verbatim`` keeps them honest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_client.config import ClientConfig, ConfigError

GUIDE = Path(__file__).resolve().parents[2] / "data" / "guide" / "integration-patterns.md"

STEP2 = """{
  "instance_id": "production",
  "instance_name": "Station ICT-01",
  "service_address": "https://company.wats.com",
  "api_token": "",  // Will be encrypted after first auth
  "station_name": "ICT-STATION-01",
  "location": "Building A - Line 1",
  "purpose": "Production"
}"""

STEP4 = """{
  "converters": [{
    "name": "CSV Test Converter",
    "module_path": "csv_converter.CSVConverter",
    "watch_folder": "C:\\\\TestData\\\\Incoming",
    "done_folder": "C:\\\\TestData\\\\Done",
    "error_folder": "C:\\\\TestData\\\\Error",
    "file_patterns": ["*.csv"],
    "post_action": "move",
    "enabled": true
  }]
}"""

STEP5 = """{
  "offline_queue_enabled": true,
  "reports_folder": "C:\\\\TestData\\\\Queue",
  "max_retry_attempts": 5,
  "retry_interval_seconds": 60
}"""

ICT = """{
  "instance_id": "ict",
  "instance_name": "ICT Station",
  "station_name": "ICT-STATION-01",
  "converters": [{
    "name": "ICT Converter",
    "module_path": "converters.ict_converter.ICTConverter",
    "watch_folder": "C:\\\\TestData\\\\ICT\\\\Incoming",
    "file_patterns": ["*.ict"]
  }]
}"""

FCT = """{
  "instance_id": "fct",
  "instance_name": "FCT Station",
  "station_name": "FCT-STATION-01",
  "converters": [{
    "name": "FCT Converter",
    "module_path": "converters.fct_converter.FCTConverter",
    "watch_folder": "C:\\\\TestData\\\\FCT\\\\Incoming",
    "file_patterns": ["*.fct"]
  }]
}"""

PARALLEL = """{
  "station_name": "FCT-STATION-${NUMBER}",  // FCT-STATION-01, 02, 03...
  "location": "Building A - Line 1"
}"""

NETWORK = """{
  "offline_queue_enabled": true,
  "max_retry_attempts": 5,
  "retry_interval_seconds": 60,
  "auto_reconnect": true,
  "health_check_interval": 30
}"""

PATTERNS = """{
  "file_patterns": ["*.csv"]  // Must match file extension
}"""

WORKERS = """{
  "max_converter_workers": 5  // Reduce if needed (default: 10)
}"""

DISABLE = """{
  "process_sync_enabled": false,  // If not needed
  "converters_enabled": false     // Temporarily disable
}"""

BP1 = """{
  "offline_queue_enabled": true
}"""

BP2 = """{
  "station_name": "Building-A_Line-1_ICT-01",
  "location": "Building A, Line 1"
}"""

BP3 = """{
  "max_retry_attempts": 5,       // Balance persistence vs. queue growth
  "retry_interval_seconds": 60   // Avoid hammering server
}"""

ALL = [STEP2, STEP4, STEP5, ICT, FCT, PARALLEL, NETWORK, PATTERNS, WORKERS, DISABLE, BP1, BP2, BP3]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    return h


def put(home: Path, instance: str, text: str) -> Path:
    path = home / f"config_{instance}.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_snippets_are_verbatim() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for snippet in ALL:
        assert f"```json\n{snippet}\n```" in guide, snippet[:60]


def test_step2_with_comment(home: Path) -> None:
    put(home, "production", STEP2)
    config = ClientConfig.load_for_instance("production")  # the guide's own call, verbatim
    assert config.instance_name == "Station ICT-01"
    assert config.service_address == "https://company.wats.com"
    assert config.api_token == ""
    assert (config.station_name, config.location, config.purpose) == (
        "ICT-STATION-01", "Building A - Line 1", "Production")


def test_step2_token_encrypted_after_save(home: Path) -> None:
    path = put(home, "production", STEP2.replace('"api_token": ""', '"api_token": "dG9rZW4="'))
    config = ClientConfig.load_for_instance("production")
    assert config.api_token == "dG9rZW4="
    config.save()
    assert "dG9rZW4=" not in path.read_text(encoding="utf-8")


def test_step4_converters_block(home: Path) -> None:
    put(home, "production", STEP4)
    config = ClientConfig.load_for_instance("production")
    conv = config.converters[0]
    assert conv.name == "CSV Test Converter"
    assert conv.module_path == "csv_converter.CSVConverter"
    assert conv.file_patterns == ["*.csv"] and conv.post_action == "move" and conv.enabled
    saved = config.to_file_dict()["converters"][0]
    assert saved["watch_folder"] == "C:\\TestData\\Incoming"
    assert saved["done_folder"] == "C:\\TestData\\Done"
    assert saved["error_folder"] == "C:\\TestData\\Error"
    assert config.instance_id == "production"


def test_step5_offline_queue(home: Path) -> None:
    put(home, "production", STEP5)
    config = ClientConfig.load_for_instance("production")
    assert config.offline_queue_enabled is True
    assert config.to_file_dict()["reports_folder"] == "C:\\TestData\\Queue"
    assert (config.max_retry_attempts, config.retry_interval_seconds) == (5, 60)


@pytest.mark.parametrize(("instance", "text", "pattern"), [("ict", ICT, "*.ict"), ("fct", FCT, "*.fct")])
def test_station_configs(home: Path, instance: str, text: str, pattern: str) -> None:
    put(home, instance, text)
    config = ClientConfig.load_for_instance(instance)
    assert config.instance_id == instance
    assert config.station_name == f"{instance.upper()}-STATION-01"
    conv = config.converters[0]
    assert conv.file_patterns == [pattern]
    assert str(config.to_file_dict()["converters"][0]["done_folder"]).endswith("Incoming\\Done")
    assert config.reports_folder == home / "reports"  # the only instance on the station


def test_two_station_instances_have_separate_queues(home: Path) -> None:
    put(home, "ict", ICT)
    put(home, "fct", FCT)
    assert ClientConfig.load_for_instance("ict").reports_folder != ClientConfig.load_for_instance("fct").reports_folder


def test_parallel_station_placeholder(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(home, "default", PARALLEL)
    monkeypatch.setenv("NUMBER", "03")
    config = ClientConfig.load()
    assert config.station_name == "FCT-STATION-03"
    assert config.location == "Building A - Line 1"
    monkeypatch.delenv("NUMBER")
    config = ClientConfig.load()  # reading works without the station's environment ...
    assert config.station_name == "FCT-STATION-${NUMBER}"
    problems = [p for p in config.start_problems() if ": station_name: " in p]  # ... starting does not
    assert len(problems) == 1 and "config_default.json: station_name: unknown placeholder ${NUMBER}" in problems[0]


def test_network_failure_config(home: Path) -> None:
    put(home, "default", NETWORK)
    config = ClientConfig.load()
    assert config.auto_reconnect is True and config.health_check_interval == 30


def test_file_patterns_fragment_inside_a_converter(home: Path) -> None:
    body = PATTERNS.strip()[1:-1]
    put(home, "default", '{"converters": [{"name": "c", "module_path": "csv", "watch_folder": "in",' + body + "}]}")
    assert ClientConfig.load().converters[0].file_patterns == ["*.csv"]
    # on its own it is not a client-level key, and the error says so
    put(home, "default", PATTERNS)
    with pytest.raises(ConfigError, match="^config_default.json: file_patterns: unknown key$"):
        ClientConfig.load()


def test_troubleshooting_snippets(home: Path) -> None:
    put(home, "default", WORKERS)
    assert ClientConfig.load().max_converter_workers == 5
    put(home, "default", DISABLE)
    config = ClientConfig.load()
    assert config.process_sync_enabled is False and config.converters_enabled is False


def test_best_practice_snippets(home: Path) -> None:
    put(home, "default", BP1)
    assert ClientConfig.load().offline_queue_enabled is True
    put(home, "default", BP2)
    assert ClientConfig.load().station_name == "Building-A_Line-1_ICT-01"
    put(home, "default", BP3)
    config = ClientConfig.load()
    assert (config.max_retry_attempts, config.retry_interval_seconds) == (5, 60)


def test_all_snippets_survive_save_and_reload(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBER", "01")
    for text in ALL:
        if text is PATTERNS:
            continue
        instance = "ict" if text is ICT else "fct" if text is FCT else "production"
        put(home, instance, text)
        config = ClientConfig.load_for_instance(instance)
        config.save()
        again = ClientConfig.load_for_instance(instance)
        assert again.model_dump() == config.model_dump()


def test_troubleshooting_python_snippet(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    put(home, "default", '{"service_address": "http://127.0.0.1:9", "api_token": "abc"}')
    code = (
        "from pywats_client.config import ClientConfig\n"
        "\n"
        "config = ClientConfig.load()\n"
        'print(f"Token present: {bool(config.api_token)}")\n'
        'print(f"Server URL: {config.service_address}")\n'
    )
    assert "```python\n" + code + "```" in GUIDE.read_text(encoding="utf-8")
    exec(compile(code, "guide-troubleshooting", "exec"), {})  # noqa: S102 - running the guide's snippet is the point
    assert capsys.readouterr().out.splitlines() == ["Token present: True", "Server URL: http://127.0.0.1:9"]
