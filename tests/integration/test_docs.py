"""Every code block in README.md and docs/ is executed against the local server.

Rules for documentation authors:

- ``python`` blocks of one page run in order in one namespace (a page reads like a session).
  ``https://company.wats.com`` and ``your-token`` are replaced by the local server's URL and
  token; the working folder is a temporary one and ``PYWATS_CLIENT_HOME`` points into it.
- ``bash`` blocks run line by line with ``bash -e`` in the same folder, with the project's
  ``pywats-client``/``pywats-server`` on ``PATH``; the same URL/token substitution applies.
- ``json`` blocks must parse (comments and trailing commas allowed, as in config files).
- Blocks whose info string carries ``no-run`` (e.g. ```` ```bash no-run ````) show commands
  that cannot run on a test machine (installing services, ``pip install`` from PyPI,
  the two bootstrap commands of the README, which this suite is itself run by); they must
  still be listed in ``ALLOWED_NO_RUN`` below with the reason, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support.markdown_blocks import code_blocks

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_INFO = re.compile(r"^```([\w+-]*)([^\n]*)$", re.MULTILINE)

# page name -> number of no-run blocks it may have, with the reason
ALLOWED_NO_RUN: dict[str, tuple[int, str]] = {
    "getting-started.md": (1, "pip install from PyPI (this suite runs from the project's own venv, offline)"),
    "gui.md": (1, "pip install from PyPI and opening a window (tests/gui drive the windows offscreen)"),
    "deployment.md": (3, "creating accounts, installing system services as root, building and running containers"),
    "README.md": (1, "the bootstrap block (dev.py demo / dev.py test) runs this very suite and the demo (tested in test_demo.py)"),
}


def _info_strings(path: Path) -> list[str]:
    return [m.group(2).strip() for m in _INFO.finditer(path.read_text(encoding="utf-8"))][::1]


def _blocks_with_flags(path: Path) -> list[tuple[str, str, bool]]:
    text = path.read_text(encoding="utf-8")
    flags = [("no-run" in m.group(2)) for m in re.finditer(r"^```([\w+-]*)([^\n]*)\n.*?^```", text, re.DOTALL | re.MULTILINE)]
    blocks = code_blocks(path)
    assert len(flags) == len(blocks)
    return [(b.lang, b.text, flag) for b, flag in zip(blocks, flags)]


def _substitute(text: str, server: Any) -> str:
    return text.replace("https://company.wats.com", server.base_url).replace("your-token", server.token)


def _strip_jsonc(text: str) -> Any:
    from pywats_client.config.jsonc import loads_jsonc  # the config loader's own comment handling

    return loads_jsonc(text)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_code_blocks_run(page: Path, wats_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks_with_flags(page)
    home = tmp_path / "client-home"
    home.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(home))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    no_run = 0
    for lang, text, skip in blocks:
        if skip:
            no_run += 1
            continue
        code = _substitute(text, wats_server)
        if lang == "python":
            exec(compile(code, f"<{page.name}>", "exec"), namespace)  # noqa: S102
        elif lang in ("bash", "sh", "shell"):
            done = subprocess.run(["bash", "-e", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, f"{page.name}: bash block failed:\n{code}\n{done.stdout}\n{done.stderr}"
        elif lang == "json":
            _strip_jsonc(code)
    allowed = ALLOWED_NO_RUN.get(page.name, (0, ""))[0]
    assert no_run == allowed, f"{page.name}: {no_run} no-run blocks, {allowed} allowed (see ALLOWED_NO_RUN)"
