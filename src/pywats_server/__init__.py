"""A WATS-compatible local server (SQLite storage) for demos, tests and offline labs.

Run it with ``pywats-server`` or ``python -m pywats_server`` (see ``--help``). Layout:
``cli`` (command line), ``app`` (ASGI app, auth and latency gate), ``routes/<area>.py``
(one module per API area), ``storage/`` (SQLite connection owner plus one module per area),
``validation`` (WSJF checks), ``wire`` (JSON/MessagePack bodies and error answers),
``odata`` (the $filter/$orderby parser) and ``testing`` (start a server subprocess).
"""

from __future__ import annotations

from pywats._version import __version__

__all__ = ["__version__"]
