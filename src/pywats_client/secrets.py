"""Encryption of the API token at rest.

The token is stored in the config file as ``enc:v1:<Fernet token>``. The Fernet key is a
random key kept in ``<client home>/token.key`` (created on first use, mode 0600 on POSIX;
on Windows the file lives in the user's own %APPDATA%). Anyone who can read that file can
decrypt the token: this protects against config files being copied, mailed or committed,
not against the local account itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pywats_client import paths
from pywats_client.queue._fs import write_durable

__all__ = ["PREFIX", "TokenDecryptError", "decrypt_token", "encrypt_token", "is_encrypted", "load_or_create_key"]

PREFIX = "enc:v1:"


class TokenDecryptError(Exception):
    """The stored token cannot be decrypted (key file missing, replaced or from another machine)."""


def is_encrypted(value: str) -> bool:
    """True if ``value`` is an encrypted token as written by :func:`encrypt_token`."""
    return value.startswith(PREFIX)


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    return data or None


def load_or_create_key(path: Path | None = None, *, create: bool = True) -> bytes | None:
    """Return the Fernet key from ``path`` (default ``<home>/token.key``), creating it if allowed.

    Creation is exclusive (two processes racing both end up with the same key) and the file
    is written with mode 0600 where the platform supports it.
    """
    from cryptography.fernet import Fernet

    path = path or paths.key_path()
    key = _read_key(path)
    if key is not None or not create:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    new_key = Fernet.generate_key()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_durable(tmp, new_key, mode=0o600)
    if sys.platform != "win32":
        os.chmod(tmp, 0o600)
    try:
        # link() fails if another process created the key first: then use theirs.
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # file systems without hard links
        if not path.exists():
            os.replace(tmp, path)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
    key = _read_key(path)
    if key is None:  # pragma: no cover - only if the file vanished under us
        raise OSError(f"could not create the token key file {path}")
    return key


def encrypt_token(token: str, key_file: Path | None = None) -> str:
    """Encrypt ``token`` for storage; the empty token stays empty."""
    if not token:
        return ""
    from cryptography.fernet import Fernet

    key = load_or_create_key(key_file)
    assert key is not None
    return PREFIX + Fernet(key).encrypt(token.encode("utf-8")).decode("ascii")


def decrypt_token(stored: str, key_file: Path | None = None) -> str:
    """Return the plaintext of a stored token; a plaintext value is returned unchanged."""
    if not is_encrypted(stored):
        return stored
    from cryptography.fernet import Fernet, InvalidToken

    key_file = key_file or paths.key_path()
    key = load_or_create_key(key_file, create=False)
    if key is None:
        raise TokenDecryptError(f"the key file {key_file} is missing")
    try:
        return Fernet(key).decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise TokenDecryptError(f"it was encrypted with a different key than {key_file}") from exc
