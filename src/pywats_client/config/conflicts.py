"""Conflicts between client instances that share one client home: :func:`find_instance_conflicts`.

Several instances (``config_<id>.json``) may run side by side. Some combinations of folders
make them step on each other:

* **same reports_folder**: two instances would share one offline queue (and each could
  upload the other's reports to its own server);
* **same watch folder**: enabled converters of two instances watching one folder with file
  patterns that can match the same name would both convert a file and upload it twice;
* **done/error folder is a watch folder**: a converter that moves sources (or failed sources)
  into a folder an enabled converter watches, its own instance included, feeds them back in
  (a loop, or a second conversion by the other instance);
* **watch folder is a reports folder**: a converter would pick up the queue's own files.

Folders are compared after resolving them (``~``, ``..``, symbolic links), ignoring case on
Windows and macOS, whose file systems ignore it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pywats_client import paths
from pywats_client.config.errors import ConfigError
from pywats_client.config.globs import patterns_may_overlap
from pywats_client.config.models import ClientConfig, ConverterConfig

__all__ = ["InstanceConflict", "find_instance_conflicts", "instance_conflicts", "load_other_instances"]

#: Given a converter whose ``file_patterns`` is not set, return the patterns its class
#: declares (or None if unknown; unknown patterns are treated as matching every name).
PatternResolver = Callable[[ConverterConfig], "Sequence[str] | None"]

SAME_REPORTS_FOLDER = "same_reports_folder"
SAME_WATCH_FOLDER = "same_watch_folder"
OUTPUT_IS_WATCHED = "output_is_watched"
WATCH_IS_REPORTS_FOLDER = "watch_is_reports_folder"


@dataclass(frozen=True)
class InstanceConflict:
    """One conflict between ``instance_id`` (the config checked) and ``other_instance_id``.

    ``kind`` is one of ``same_reports_folder``, ``same_watch_folder``, ``output_is_watched``,
    ``watch_is_reports_folder``; ``folder`` is the shared folder (resolved); the two ids are
    equal for a conflict inside one instance. ``message`` names both instances, both config
    files and the folder, ready to show to a user.
    """

    kind: str
    folder: Path
    instance_id: str
    config_path: Path
    other_instance_id: str
    other_config_path: Path
    message: str


def _case_insensitive_fs() -> bool:
    return sys.platform in ("win32", "darwin")


def _resolved(path: Path) -> Path:
    if not path.is_absolute():
        # a Windows path read on POSIX (kept as written); compare it as written
        return path
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _key(path: Path) -> str:
    text = str(_resolved(path))
    if _case_insensitive_fs():
        return os.path.normcase(text).casefold()
    return text


def _config_file(config: ClientConfig) -> Path:
    return _resolved(config.path)


def load_other_instances(config: ClientConfig) -> list[ClientConfig]:
    """The configs of the other instances in the client home (``PYWATS_CLIENT_HOME`` or the
    platform folder), sorted by file name.

    Every ``config_<id>.json`` whose id differs from ``config.instance_id`` and that is not
    ``config``'s own file is loaded; a file that cannot be loaded is skipped (its own
    instance reports that when it starts).
    """
    folder = paths.client_home()
    own_file = _key(config.path)
    others: list[ClientConfig] = []
    try:
        candidates = sorted(folder.glob("config_*.json"))
    except OSError:
        return []
    for candidate in candidates:
        iid = candidate.name[len("config_"):-len(".json")]
        try:
            paths.validate_instance_id(iid)
        except paths.InvalidInstanceId:
            continue
        if iid == config.instance_id or _key(candidate) == own_file or not candidate.is_file():
            continue
        try:
            others.append(ClientConfig.load_file(candidate, ignore_token_errors=True))
        except (ConfigError, OSError, ValueError):
            continue
    return others


def _active_converters(config: ClientConfig) -> list[ConverterConfig]:
    if not config.converters_enabled:
        return []
    return [conv for conv in config.converters if conv.enabled]


def _patterns(conv: ConverterConfig, resolver: PatternResolver | None) -> Sequence[str] | None:
    if conv.file_patterns is not None:
        return conv.file_patterns
    if resolver is None:
        return None
    return resolver(conv)


def _show_patterns(patterns: Sequence[str] | None) -> str:
    if patterns is None:
        return "file_patterns not set, taken as any name"
    return ", ".join(patterns)


def _who(config: ClientConfig) -> str:
    return f"instance {config.instance_id!r} ({_config_file(config)})"


def _outputs(conv: ConverterConfig) -> Iterable[tuple[str, Path]]:
    if conv.post_action == "move":
        yield "done_folder", conv.done_folder
    yield "error_folder", conv.error_folder


def instance_conflicts(
    config: ClientConfig,
    *,
    others: Sequence[ClientConfig] | None = None,
    patterns_of: PatternResolver | None = None,
) -> list[InstanceConflict]:
    """The conflicts of ``config`` with itself and with the other instances in its home.

    ``others`` defaults to :func:`load_other_instances` (``config_*.json`` in the client
    home, unloadable files skipped). ``patterns_of`` gives the class patterns of a converter
    without ``file_patterns``; without it such a converter is taken to match every name.
    See :func:`find_instance_conflicts` for what counts as a conflict.
    """
    if others is None:
        others = load_other_instances(config)
    me = _who(config)
    found: list[InstanceConflict] = []

    def add(kind: str, folder: Path, other: ClientConfig, message: str) -> None:
        found.append(
            InstanceConflict(
                kind=kind,
                folder=_resolved(folder),
                instance_id=config.instance_id,
                config_path=_config_file(config),
                other_instance_id=other.instance_id,
                other_config_path=_config_file(other),
                message=message,
            )
        )

    mine = _active_converters(config)

    # one queue per instance
    my_reports = _key(config.reports_folder)
    for other in others:
        if _key(other.reports_folder) == my_reports:
            add(
                SAME_REPORTS_FOLDER, config.reports_folder, other,
                f"{me} and {_who(other)} both use the reports folder {_resolved(config.reports_folder)}: "
                "they would share one offline queue; give each instance its own reports_folder",
            )

    # the same file converted by two instances
    for conv in mine:
        watch = _key(conv.watch_folder)
        for other in others:
            for theirs in _active_converters(other):
                if _key(theirs.watch_folder) != watch:
                    continue
                mine_p, theirs_p = _patterns(conv, patterns_of), _patterns(theirs, patterns_of)
                if not patterns_may_overlap(mine_p, theirs_p):
                    continue
                add(
                    SAME_WATCH_FOLDER, conv.watch_folder, other,
                    f"{me} converter {conv.name!r} and {_who(other)} converter {theirs.name!r} both watch "
                    f"{_resolved(conv.watch_folder)} with file patterns that can match the same file "
                    f"({conv.name!r}: {_show_patterns(mine_p)}; {theirs.name!r}: {_show_patterns(theirs_p)}): "
                    "each such file would be "
                    "converted and uploaded twice; use separate watch folders or patterns that cannot overlap",
                )

    # a converter's done/error folder is watched (by anyone, itself included)
    everyone: list[ClientConfig] = [config, *others]
    for source in everyone:
        writers = _active_converters(source)
        for watcher_cfg in everyone:
            if source is not config and watcher_cfg is not config:
                continue  # a conflict between two other instances is theirs to report
            for watcher in _active_converters(watcher_cfg):
                watched = _key(watcher.watch_folder)
                for conv in writers:
                    for key, folder in _outputs(conv):
                        if _key(folder) != watched:
                            continue
                        other = watcher_cfg if source is config else source
                        if source is watcher_cfg:
                            what = (
                                "its own watch folder" if conv is watcher
                                else f"the watch folder of its converter {watcher.name!r}"
                            )
                            text = (
                                f"{_who(source)} converter {conv.name!r}: its {key} "
                                f"{_resolved(folder)} is {what}: files would be converted again and again "
                                f"(a loop); point {key} elsewhere"
                            )
                        else:
                            text = (
                                f"{_who(source)} converter {conv.name!r} puts files in its {key} "
                                f"{_resolved(folder)}, which {_who(watcher_cfg)} converter {watcher.name!r} "
                                f"watches: they would be converted a second time; point {key} elsewhere"
                            )
                        add(OUTPUT_IS_WATCHED, folder, other, text)

    # a converter watching a queue folder
    for source in everyone:
        for watcher_cfg in everyone:
            if source is not config and watcher_cfg is not config:
                continue
            for watcher in _active_converters(watcher_cfg):
                if _key(watcher.watch_folder) != _key(source.reports_folder):
                    continue
                other = watcher_cfg if source is config else source
                owner = (
                    "its own instance's offline queue folder (reports_folder)" if source is watcher_cfg
                    else f"the offline queue folder (reports_folder) of {_who(source)}"
                )
                add(
                    WATCH_IS_REPORTS_FOLDER, watcher.watch_folder, other,
                    f"{_who(watcher_cfg)} converter {watcher.name!r} watches {_resolved(watcher.watch_folder)}, "
                    f"which is {owner}: it would pick up the queue's own files; "
                    "use a separate watch folder",
                )
    return found


def find_instance_conflicts(config: ClientConfig, *, patterns_of: PatternResolver | None = None) -> list[str]:
    """One message per conflict between ``config`` and the instances in its client home.

    The other instances are the ``config_<id>.json`` files in the client home
    (``PYWATS_CLIENT_HOME`` or the platform folder) other than ``config``'s own; files that
    fail to load are skipped. A conflict is reported when:

    * another instance has the same ``reports_folder`` (one shared queue);
    * an enabled converter of ``config`` and one of another instance (``converters_enabled``
      in both) watch the same folder with file patterns that can match one name (exact for
      ``*``/``?``/literal patterns; a converter without ``file_patterns`` matches every
      name unless ``patterns_of`` returns its class's patterns);
    * an enabled converter's ``error_folder``, or its ``done_folder`` when
      ``post_action`` is ``move``, is the watch folder of an enabled converter, in either
      direction between ``config`` and another instance, or inside ``config`` alone (a loop);
    * an enabled converter watches a reports folder (its instance's or another's).

    Each message names both instances, both config files and the folder (resolved;
    compared ignoring case on Windows and macOS). An empty list means no conflict.
    """
    return [c.message for c in instance_conflicts(config, patterns_of=patterns_of)]
