"""``pywats-server`` / ``python -m pywats_server``: run the WATS-compatible local server.

The first line printed is always ``pywats-server listening on http://HOST:PORT`` (flushed),
so a parent process can read the URL; when no ``--token`` is given a random token is
generated and printed next as ``pywats-server token: <token>``. SIGTERM/SIGINT stop the
server cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

__all__ = ["main", "build_parser", "default_db_path"]

DEFAULT_PORT = 0


def default_db_path() -> Path:
    """``<user data dir>/pywats_server/pywats_server.db`` (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("pywats_server", appauthor=False)) / "pywats_server.db"


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(
        prog="pywats-server",
        description="WATS-compatible local server (SQLite storage) for demos, tests and offline labs.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help="TCP port; 0 (the default) picks a free port — read it from the first output line",
    )
    p.add_argument("--db", type=Path, default=None, help=f"SQLite database file (default {default_db_path()})")
    p.add_argument(
        "--token", action="append", default=[],
        help="accepted token, used verbatim as in 'Authorization: Basic <token>' (repeatable); "
        "if none is given a random one is generated and printed",
    )
    p.add_argument("--latency-ms", type=float, default=0.0, help="fixed delay added to every /api response")
    p.add_argument("--seed", type=Path, default=None,
                   help="JSON file with processes/levels/productGroups to upsert at start")
    p.add_argument("--synchronous", choices=["normal", "full"], default="normal",
                   help="SQLite synchronous mode: normal survives process kill (default), full also power loss")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    return p


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets whose proto is TCP,
    # and without it every keep-alive response stalls ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if sys.platform != "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _display_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, open the database, print the URL and serve until SIGTERM/SIGINT."""
    import uvicorn

    from .app import ServerConfig, create_app
    from .storage.processes import SeedError

    args = build_parser().parse_args(argv)
    tokens = [t for t in args.token if t]
    generated = None
    if not tokens:
        generated = secrets.token_urlsafe(24)
        tokens = [generated]
    db_path = args.db if args.db is not None else default_db_path()
    config = ServerConfig(
        db_path=Path(db_path), tokens=tokens, latency_ms=args.latency_ms,
        seed_file=args.seed, synchronous=args.synchronous.upper(),
    )
    try:
        app = create_app(config)
    except SeedError as exc:
        print(f"pywats-server: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(f"pywats-server: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr, flush=True)
        return 2
    port = sock.getsockname()[1]
    print(f"pywats-server listening on http://{_display_host(args.host)}:{port}", flush=True)
    if generated:
        print(f"pywats-server token: {generated}", flush=True)
    print(f"pywats-server database: {config.db_path}", flush=True)

    uv_config = uvicorn.Config(
        app, log_level=args.log_level, access_log=False, lifespan="off",
        timeout_keep_alive=30, timeout_graceful_shutdown=5,
    )
    server = _Server(uv_config)
    server.run(sockets=[sock])
    app_ctx = getattr(getattr(app, "app", None), "state", None)
    if app_ctx is not None:
        with contextlib.suppress(Exception):
            app_ctx.ctx.storage.close()
    return 0


try:
    import uvicorn as _uvicorn

    class _Server(_uvicorn.Server):
        """uvicorn server whose SIGTERM/SIGINT simply stop it (exit 0, signal not re-raised)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            sigs = [signal.SIGINT, signal.SIGTERM]
            if sys.platform == "win32" and hasattr(signal, "SIGBREAK"):
                sigs.append(signal.SIGBREAK)
            previous = {s: signal.signal(s, self._stop) for s in sigs}
            try:
                yield
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)

        def _stop(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit:
                self.force_exit = True
            self.should_exit = True

except ImportError:  # pragma: no cover - server extra not installed
    _Server = None  # type: ignore[assignment,misc]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
