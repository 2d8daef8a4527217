#!/usr/bin/env python3
"""Import cost of the library: ``import pywats`` in a fresh interpreter.

Bar: ≤ 0.10 s (the published peer: 0.29 s, 48 MiB). Domains are imported
lazily, so the cost of the first client and of ``pywats.tools`` is reported separately.
Prints one JSON line per figure (median of 9 fresh interpreters).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBES = {
    "import_pywats": "import pywats",
    "import_pywats_client_class": "from pywats import pyWATS",
    "import_pywats_tools": "from pywats.tools import ReportBuilder",
}
SNIPPET = (
    "import time\n"
    "t = time.perf_counter()\n"
    "{stmt}\n"
    "dt = time.perf_counter() - t\n"
    "try:\n"
    "    import resource  # POSIX only\n"
    "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "except ImportError:\n"
    "    rss = 0\n"
    "print(dt, rss)\n"
)


def main() -> int:
    ok = True
    for name, stmt in PROBES.items():
        times, rss = [], []
        for _ in range(9):
            out = subprocess.run([sys.executable, "-c", SNIPPET.format(stmt=stmt)], capture_output=True,
                                 text=True, check=True).stdout.split()
            times.append(float(out[0]))
            rss.append(int(out[1]) / 1024)  # ru_maxrss is KiB on Linux
        value = round(statistics.median(times), 4)
        extra: dict[str, object] = {"rss_mib": round(statistics.median(rss), 1)}
        if name == "import_pywats":
            extra.update(bar=0.10, passed=value <= 0.10, peer_published_s=0.29, peer_published_mib=48)
            ok = ok and value <= 0.10
        print(json.dumps({"name": name, "value": value, "unit": "s", **extra}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
