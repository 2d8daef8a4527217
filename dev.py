#!/usr/bin/env python3
"""Bootstrap for a fresh machine: creates ``.venv``, installs the project, runs a job.

Usage::

    python3 dev.py demo         # local server + station client + sample file, queried back
    python3 dev.py test [ARGS]  # the full test suite (ARGS go to pytest)
    python3 dev.py bench [NAME] # the benchmarks (see benchmarks/README.md)

Only the standard library is used here, so this runs on a machine that has nothing
but Python (>= 3.10) and pip. The install step is skipped when ``pyproject.toml``
has not changed since the last install into ``.venv``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
EXTRAS = {
    "demo": "server,client-headless",
    "test": "dev",
    "bench": "dev",
}


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _ensure_env(extras: str) -> Path:
    python = _venv_python()
    if not python.exists():
        print(f"dev.py: creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras.replace(',', '_')}-{digest}"
    if not stamp.exists():
        print(f"dev.py: installing pywats-api[{extras}] into .venv", flush=True)
        cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", f".[{extras}]"]
        subprocess.run(cmd, cwd=ROOT, check=True)
        for old in VENV.glob(".installed-*"):
            old.unlink()
        stamp.touch()
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in EXTRAS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    job, rest = argv[0], argv[1:]
    try:
        python = _ensure_env(EXTRAS[job])
    except subprocess.CalledProcessError as exc:
        print(f"dev.py: installing dependencies failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    if job == "demo":
        cmd = [str(python), "-m", "pywats_client", "demo", *rest]
    elif job == "test":
        cmd = [str(python), "-m", "pytest", *rest]
    else:
        cmd = [str(python), str(ROOT / "benchmarks" / "run.py"), *rest]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
