"""Folder conflicts between instances, checked when a service starts: :func:`start_conflicts`.

A conflict inside the instance itself (a converter moving files into a folder that is
watched) always stops the start. A conflict with another instance stops it only while that
instance is running (its lock is held); with an instance that is configured but not running
it is a warning — that instance will refuse to start instead, naming this one.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from pywats_client import paths
from pywats_client.config import ClientConfig, ConverterConfig
from pywats_client.service.lock import InstanceLock, InstanceLocked

__all__ = ["builtin_patterns", "start_conflicts"]


def builtin_patterns(conv: ConverterConfig) -> Sequence[str] | None:
    """The ``file_patterns`` of a built-in converter (our own code, safe to import here);
    None for a user converter (its patterns are then treated as matching every name)."""
    from pywats_client.converters.loader import BUILTIN_CONVERTERS, resolve_spec

    spec = resolve_spec(str(conv.module_path))
    if spec not in BUILTIN_CONVERTERS.values():
        return None
    module_name, _, cls_name = spec.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
        return [str(p) for p in cls().file_patterns]
    except Exception:  # noqa: BLE001 - unknown patterns are treated as overlapping
        return None


def _running(instance_id: str) -> bool:
    lock = InstanceLock(paths.instance_dir(instance_id) / "service.lock")
    try:
        lock.acquire()
    except InstanceLocked:
        return True
    except OSError:
        return False
    lock.release()
    return False


def start_conflicts(config: ClientConfig) -> tuple[list[str], list[str]]:
    """``(errors, warnings)`` for starting ``config``'s service (see the module docstring).
    Call it while holding this instance's own lock."""
    from pywats_client.config import instance_conflicts

    errors: list[str] = []
    warnings: list[str] = []
    running: dict[str, bool] = {}
    for conflict in instance_conflicts(config, patterns_of=builtin_patterns):
        other = conflict.other_instance_id
        if other == conflict.instance_id:  # inside this instance
            errors.append(conflict.message)
            continue
        if other not in running:
            running[other] = _running(other)
        if running[other]:
            errors.append(f"{conflict.message} (instance {other!r} is running)")
        else:
            warnings.append(f"{conflict.message} (instance {other!r} is not running now; it will refuse to start)")
    return errors, warnings
