"""``pywats._lazy.lazy_exports``: one helper gives the packages their lazy ``__getattr__``."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

from pywats._lazy import lazy_exports


def test_a_name_is_imported_on_first_access_and_kept() -> None:
    namespace: dict[str, object] = {"__all__": ["dumps", "loads"]}
    get, names = lazy_exports("pkg", {"dumps": "json", "loads": "json"}, namespace)
    assert "dumps" not in namespace
    assert get("dumps") is importlib.import_module("json").dumps
    assert namespace["dumps"] is importlib.import_module("json").dumps
    assert names() == ["dumps", "loads"]
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'nope'"):
        get("nope")


def test_relative_module_names_resolve_against_the_package() -> None:
    namespace: dict[str, object] = {"__all__": ["roll_up"]}
    get, _ = lazy_exports("pywats.models.report", {"roll_up": ".status"}, namespace)
    assert get("roll_up") is importlib.import_module("pywats.models.report.status").roll_up


def test_a_lazy_name_missing_from_all_is_an_import_error() -> None:
    with pytest.raises(ImportError, match="missing from __all__: loads"):
        lazy_exports("pkg", {"dumps": "json", "loads": "json"}, {"__all__": ["dumps"]})


@pytest.mark.parametrize("package", ["pywats", "pywats.tools", "pywats.models.report"])
def test_every_listed_name_of_the_packages_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert isinstance(module, types.ModuleType)
    for name in module.__all__:
        assert getattr(module, name) is not None
    assert sorted(dir(module)) == sorted(module.__all__)


def test_import_pywats_stays_lazy() -> None:
    code = "import sys, pywats; print('httpx' in sys.modules, 'pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]
