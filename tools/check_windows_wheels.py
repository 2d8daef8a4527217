"""Check that every dependency of every extra installs from a binary wheel on Windows.

For CPython 3.10-3.13 on win_amd64, the requirements of ``pyproject.toml`` (core plus each
extra, environment markers evaluated for Windows, so ``pywin32; sys_platform == 'win32'`` is
included) are resolved by pip with ``--only-binary=:all: --platform win_amd64`` — with their
dependencies, as ``pip install --dry-run --report`` (package metadata only; nothing is
installed). A requirement without a Windows wheel for that Python makes the resolution fail;
the script then asks pip for each requirement alone to name the culprit.

Needs the package index (run by hand or in a release check, not in the test suite)::

    python tools/check_windows_wheels.py            # all versions, all extras
    python tools/check_windows_wheels.py --python 3.13 --extra server

Exit code 0 when everything resolves to wheels, 1 otherwise. One line per version and
extra, then the wheels chosen (``--verbose``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PROJECT = "pywats-api"


def _load_pyproject() -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the check runs on 3.11+
        raise SystemExit("run this check with Python 3.11 or newer (tomllib)")
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def windows_environment(python: str) -> dict[str, str]:
    """Marker environment of CPython ``python`` on 64-bit Windows."""
    env = dict(default_environment())
    env.update({
        "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
        "platform_python_implementation": "CPython", "implementation_name": "cpython",
        "python_version": python, "python_full_version": f"{python}.0", "implementation_version": f"{python}.0",
        "platform_release": "10", "platform_version": "10.0.19045",
    })
    return env


def requirements(extra: str, python: str) -> list[str]:
    """The requirements of the core plus ``extra`` (project self-references expanded)."""
    project = _load_pyproject()["project"]
    assert isinstance(project, dict)
    extras: dict[str, list[str]] = project.get("optional-dependencies", {})
    env = windows_environment(python)
    out: list[str] = []
    seen_extras: set[str] = set()

    def add(lines: list[str]) -> None:
        for line in lines:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            if req.name == PROJECT:
                for sub in sorted(req.extras - seen_extras):
                    seen_extras.add(sub)
                    add(extras[sub])
                continue
            text = f"{req.name}{'[' + ','.join(sorted(req.extras)) + ']' if req.extras else ''}{req.specifier}"
            if text not in out:
                out.append(text)

    add(list(project.get("dependencies", [])))
    if extra != "core":
        seen_extras.add(extra)
        add(extras[extra])
    return out


def resolve(reqs: list[str], python: str) -> tuple[bool, list[str], str]:
    """pip's resolution for win_amd64 / ``python``: (ok, chosen wheel file names, pip's error)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--only-binary=:all:", "--platform", "win_amd64", "--python-version", python,
            "--implementation", "cp", "--target", str(Path(tmp) / "target"), "--report", str(report), *reqs,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            return False, [], (done.stderr or done.stdout).strip().splitlines()[-1] if (done.stderr or done.stdout) else ""
        data = json.loads(report.read_text(encoding="utf-8"))
    files = sorted(item["download_info"]["url"].rsplit("/", 1)[-1] for item in data.get("install", []))
    return all(f.endswith(".whl") for f in files), files, ""


def main(argv: list[str] | None = None) -> int:
    """Run the check; see the module docstring."""
    project = _load_pyproject()["project"]
    assert isinstance(project, dict)
    all_extras = ["core", *[e for e in project.get("optional-dependencies", {}) if e != "all"]]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", choices=PYTHONS, help="version(s) to check (default all)")
    parser.add_argument("--extra", action="append", choices=all_extras, help="extra(s) to check (default all)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the wheels chosen")
    args = parser.parse_args(argv)
    failures = 0
    for python in args.python or PYTHONS:
        for extra in args.extra or all_extras:
            reqs = requirements(extra, python)
            ok, files, error = resolve(reqs, python)
            if ok:
                print(f"ok    cp{python.replace('.', '')}-win_amd64  {extra:<16} {len(files)} wheels")
                if args.verbose:
                    for name in files:
                        print(f"        {name}")
                continue
            failures += 1
            culprits = [r for r in reqs if not resolve([r], python)[0]]
            print(f"FAIL  cp{python.replace('.', '')}-win_amd64  {extra:<16} no wheel for: "
                  f"{', '.join(culprits) or '(a dependency of the set)'}; pip: {error}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
