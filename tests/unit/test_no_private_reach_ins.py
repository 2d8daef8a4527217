"""No code of the project reaches into private attributes or modules of its dependencies
(httpx, httpcore, aiohttp, Starlette, uvicorn, multiprocessing) or of the C library: such
code breaks silently on a dependency's patch release.

The check is a plain text search of the source files for the names below.
"""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

FORBIDDEN = (
    "._cookies",  # httpx.Client's private cookie jar
    "path_regex",  # Starlette's compiled route pattern
    "httpx._main",  # httpx's private CLI module
    "resource_tracker._stop",  # multiprocessing's private tracker shutdown
    "malloc_trim",  # glibc internals through ctypes
    "httpcore._",
    "aiohttp._",
    "starlette._",
    "uvicorn._",
)


def reach_ins(root: Path) -> list[str]:
    """``file:line: name`` for every forbidden name in the Python files under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found.extend(f"{path.relative_to(root)}:{number}: {name}" for name in FORBIDDEN if name in line)
    return found


def test_the_library_reaches_into_no_private_internals() -> None:
    assert reach_ins(SRC / "pywats") == []


def test_no_package_reaches_into_private_internals() -> None:
    assert reach_ins(SRC) == []


def test_the_search_finds_a_reach_in(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("client._cookies = jar\n", encoding="utf-8")
    (package / "ok.py").write_text("client.cookies.set('a', 'b')\n", encoding="utf-8")
    assert reach_ins(package) == ["mod.py:1: ._cookies"]
