"""``install-service``, ``uninstall-service`` and ``health``."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from pywats_client import paths
from pywats_client.cli._common import CliError, echo_err, instance_option, resolve_instance_id
from pywats_client.deploy import DeployError, Plan
from pywats_client.deploy.windows import Win32Modules

__all__ = ["health_cmd", "install_service_cmd", "uninstall_service_cmd"]

_PLATFORMS = ("auto", "windows", "systemd", "launchd")


def _platform(choice: str) -> str:
    if choice != "auto":
        return choice
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "launchd"
    return "systemd"


def _is_root() -> bool:
    if sys.platform == "win32":
        return False
    else:
        return os.geteuid() == 0


def _sudo_user() -> str | None:
    user = os.environ.get("SUDO_USER", "").strip()
    return user if user and user != "root" and _is_root() else None


def _client_home(explicit: Path | None, platform: str) -> Path:
    """The service's client home: --client-home, $PYWATS_CLIENT_HOME, %ProgramData% on
    Windows, the invoking (sudo) user's home elsewhere."""
    if explicit is not None:
        return Path(os.path.abspath(explicit.expanduser()))
    if os.environ.get(paths.HOME_ENV):
        return paths.client_home()
    if platform == "windows":
        from pywats_client.deploy.windows import default_service_home

        return default_service_home()
    sudo_user = _sudo_user()
    if sudo_user is not None and sys.platform != "win32":
        import pwd

        return Path(pwd.getpwnam(sudo_user).pw_dir) / ".config" / "pywats_client"
    return paths.client_home()


def _service_user(explicit: str | None, user_mode: bool) -> str | None:
    if user_mode:
        return None
    if explicit:
        return explicit
    return _sudo_user() or getpass.getuser()


def _common(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        instance_option,
        click.option("--dry-run", is_flag=True, help="Print what would be written, registered or run; change nothing."),
        click.option("--user", "user_mode", is_flag=True,
                     help="systemd: a --user unit; macOS: a LaunchAgent (no root needed)."),
        click.option("--client-home", type=click.Path(path_type=Path), default=None,
                     help="The service's client home (default: $PYWATS_CLIENT_HOME; Windows: %ProgramData%\\pyWATS_Client; "
                          "else the invoking user's)."),
        click.option("--platform", "platform_choice", type=click.Choice(_PLATFORMS), default="auto", show_default=True,
                     help="Service manager (other than auto: for --dry-run on another system)."),
        click.option("--root", type=click.Path(path_type=Path), default=None,
                     help="Write the files below this folder instead of / (packaging); nothing is registered."),
    ]):
        func = option(func)
    return func


def _where_else(instance_id: str, home: Path, own_home: Path) -> str:
    """A hint when the instance is configured in the invoking user's own home instead."""
    if own_home == home or not (own_home / paths.config_path(instance_id).name).exists():
        return ""
    return (f"; the instance is configured in your own client home {own_home}: configure it in the service's "
            f"home (PYWATS_CLIENT_HOME={home} pywats-client config init --instance-id {instance_id} ...), "
            f"or install with --client-home {own_home} (and --service-user you)")


#: Replaced by tests with fake pywin32 modules.
_WINDOWS_MODULES: Win32Modules | None = None


def _windows_modules() -> Win32Modules:
    from pywats_client.deploy.windows import load_modules

    if _WINDOWS_MODULES is not None:
        return _WINDOWS_MODULES
    try:
        return load_modules()
    except DeployError as exc:
        raise CliError(str(exc)) from None


def _show_or_apply(plan: Plan, dry_run: bool) -> None:
    if dry_run:
        click.echo(plan.render(), nl=False)
        return
    try:
        plan.apply()
    except PermissionError as exc:
        raise CliError(f"{plan.title}: {exc}; run it as root (sudo), or use --user for your own service manager") from None
    except (DeployError, OSError) as exc:
        raise CliError(f"{plan.title}: {exc}") from None
    click.echo(plan.render(), nl=False)


@click.command("install-service")
@_common
@click.option("--service-user", metavar="NAME", default=None,
              help="Account the service runs as (default: Windows LocalSystem; POSIX the invoking user).")
def install_service_cmd(dry_run: bool, user_mode: bool, client_home: Path | None, platform_choice: str,
                        root: Path | None, service_user: str | None) -> None:
    """Install the service for an instance (Windows service, systemd unit or launchd job)."""
    from pywats_client.config import ClientConfig, ConfigError

    platform = _platform(platform_choice)
    instance_id = resolve_instance_id()
    own_home = paths.client_home()
    home = _client_home(client_home, platform)
    os.environ[paths.HOME_ENV] = str(home)  # the config, its relative paths and its token key live there
    try:
        config = ClientConfig.load_for_instance(instance_id)
    except ConfigError as exc:
        raise CliError(str(exc) + _where_else(instance_id, home, own_home)) from None
    if platform == "windows":
        from pywats_client.deploy.windows import WindowsService, describe_error

        service = WindowsService(instance_id, home, account=service_user,
                                 password=os.environ.get("PYWATS_SERVICE_PASSWORD") or None)
        click.echo(service.render(), nl=False)
        if dry_run:
            return
        mods = _windows_modules()
        try:
            created = service.install(mods)
        except Exception as exc:  # noqa: BLE001 - pywintypes.error from the SCM
            raise CliError(describe_error(exc, f"installing {service.name}")) from None
        click.echo(f"{'installed' if created else 'updated'} {service.name}")
        return
    user = _service_user(service_user, user_mode)
    prefix = root if root is not None else Path("/")
    if platform == "launchd":
        from pywats_client.deploy import launchd

        plan = launchd.install_plan(launchd.LaunchdTarget(instance_id, home, user, user_mode=user_mode, root=prefix))
    else:
        from pywats_client.deploy import systemd

        token = config.api_token  # PYWATS_API_TOKEN if set, else the config's
        target = systemd.SystemdTarget(instance_id, home, systemd.writable_folders(config, home), user,
                                       token=token, user_mode=user_mode, root=prefix)
        plan = systemd.install_plan(target)
        if user == "root" and not user_mode:
            plan.notes.append("note: the service runs as root; a dedicated account (--service-user) is safer")
    _show_or_apply(plan, dry_run)


@click.command("uninstall-service")
@_common
def uninstall_service_cmd(dry_run: bool, user_mode: bool, client_home: Path | None, platform_choice: str,
                          root: Path | None) -> None:
    """Stop and remove the instance's service; its configuration, queue and logs stay."""
    platform = _platform(platform_choice)
    instance_id = resolve_instance_id()
    home = _client_home(client_home, platform)
    prefix = root if root is not None else Path("/")
    if platform == "windows":
        from pywats_client.deploy.windows import WindowsService, describe_error

        service = WindowsService(instance_id, home)
        click.echo(f"uninstall Windows service {service.name} (stop it, then remove it; {home} is kept)")
        if dry_run:
            return
        mods = _windows_modules()
        try:
            service.uninstall(mods)
        except Exception as exc:  # noqa: BLE001 - pywintypes.error from the SCM
            raise CliError(describe_error(exc, f"removing {service.name}")) from None
        click.echo(f"removed {service.name}")
        return
    if platform == "launchd":
        from pywats_client.deploy import launchd

        plan = launchd.uninstall_plan(launchd.LaunchdTarget(instance_id, home, None, user_mode=user_mode, root=prefix))
    else:
        from pywats_client.deploy import systemd

        plan = systemd.uninstall_plan(systemd.SystemdTarget(instance_id, home, (), None, user_mode=user_mode,
                                                            root=prefix))
    _show_or_apply(plan, dry_run)


@click.command("health")
@instance_option
@click.option("--require-online", is_flag=True, help="Also fail unless the WATS server is reachable (state ONLINE).")
def health_cmd(require_online: bool) -> None:
    """Exit 0 if the instance's service is running and answers its control API, else 1
    (for container HEALTHCHECKs and monitoring)."""
    from pywats_client.cli._common import load_config
    from pywats_client.service.control import read_status

    config = load_config(ignore_token_errors=True)
    status = read_status(config)
    if status is None:
        echo_err(f"unhealthy: the service for instance {config.instance_id!r} does not answer")
        raise click.exceptions.Exit(1)
    state = str(status.get("state", ""))
    if require_online and state != "ONLINE":
        echo_err(f"unhealthy: instance {config.instance_id!r} is {state or 'in an unknown state'}")
        raise click.exceptions.Exit(1)
    click.echo(f"healthy: instance {config.instance_id!r} is {state or 'running'}")
