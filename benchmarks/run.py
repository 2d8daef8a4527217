#!/usr/bin/env python3
"""Run the benchmarks and keep their figures.

``python3 dev.py bench`` runs every ``benchmarks/bench_*.py``; ``python3 dev.py bench station``
runs those whose name contains ``station``. Each benchmark prints one JSON line per figure;
this runner echoes them and appends them, stamped with the time and git revision, to
``benchmarks/results/<date>.jsonl`` so figures can be compared over time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(word in s.stem for word in argv)]
    if not scripts:
        print(f"no benchmark matches {argv}", file=sys.stderr)
        return 2
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out_file = results / time.strftime("%Y-%m-%d.jsonl")
    stamp = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "revision": _revision()}
    failed = 0
    for script in scripts:
        print(f"# {script.name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
        for line in proc.stdout.splitlines():
            print(line, flush=True)
            if line.startswith("{"):
                with out_file.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({**json.loads(line), **stamp, "benchmark": script.stem}) + "\n")
        if proc.returncode != 0:
            failed += 1
            print(f"# {script.name} failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
