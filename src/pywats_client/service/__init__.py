"""The station client's running service.

``python -m pywats_client service --instance-id ID`` calls
:func:`pywats_client.service.runner.run_service`. Parts (one job each):

- :mod:`.watcher` — watched folders: native events as hints, periodic rescan, stability gate;
- :mod:`.intake` — stable file → converter pool → durable queue → post action (done/error);
- :mod:`.ledger` — content hashes of handed-over sources (no double conversion/upload);
- :mod:`.fileops` — no-overwrite, cross-file-system moves and ``NAME.error`` files;
- :mod:`.uploader` — queue → server with bounded concurrency, backoff, ONLINE/OFFLINE/AUTH_FAILED;
- :mod:`.control` — loopback control API (status, retry, reload, metrics) and its client;
- :mod:`.stats` — counters, latencies and the Prometheus rendering;
- :mod:`.lock` — one process per instance;
- :mod:`.groupcommit` — many callers, one durable write (hand-over to the queue, completions);
- :mod:`.waiting` — event waits that also end on the stop signal (no lost cancellations);
- :mod:`.runner` — wiring, logging, signals;

Imports here stay lazy so that ``import pywats_client.service.control`` (the CLI) is cheap.
"""

from __future__ import annotations
