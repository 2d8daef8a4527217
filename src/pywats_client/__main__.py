"""``python -m pywats_client``: the station client CLI."""

from __future__ import annotations

from pywats_client.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
