"""Encryption of the API token at rest.

The token is stored in the config file as ``enc:v1:<Fernet token>``. The Fernet key is a
random key kept in ``<client home>/token.key`` (created on first use, mode 0600 on POSIX;
on Windows the file lives in the user's own %APPDATA%). Anyone who can read that file can
decrypt the token: this protects against config files being copied, mailed or committed,
not against the local account itself.

The station service calls :func:`use_child_process` before it loads its config: from then on
the cryptography runs in a short-lived child process (one per operation, a fraction of a
second at start and reload), so the process that runs for months never loads the
cryptography library (about 7 MB resident).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pywats_client import paths
from pywats_client.queue._fs import write_durable

if TYPE_CHECKING:
    from pywats_client.converters.child import ChildConnection

__all__ = [
    "PREFIX",
    "TokenDecryptError",
    "decrypt_token",
    "encrypt_token",
    "is_encrypted",
    "load_or_create_key",
    "serve_token_request",
    "use_child_process",
]

PREFIX = "enc:v1:"
_CHILD_TIMEOUT = 60.0
_in_child_process = False


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


def use_child_process() -> None:
    """From now on, encrypt and decrypt in a short-lived child process (see the module text)."""
    global _in_child_process
    _in_child_process = True


def encrypt_token(token: str, key_file: Path | None = None) -> str:
    """Encrypt ``token`` for storage; the empty token stays empty.

    Raises:
        OSError: the key file cannot be created or read.
    """
    if not token:
        return ""
    if _in_child_process:
        return _in_child("encrypt", token, key_file)
    return _encrypt(token, key_file)


def decrypt_token(stored: str, key_file: Path | None = None) -> str:
    """Return the plaintext of a stored token; a plaintext value is returned unchanged.

    Raises:
        TokenDecryptError: the key file is missing or is not the key the token was
            encrypted with.
    """
    if not is_encrypted(stored):
        return stored
    if _in_child_process:
        return _in_child("decrypt", stored, key_file)
    return _decrypt(stored, key_file)


def _in_child(operation: str, value: str, key_file: Path | None) -> str:
    from pywats_client.converters.child import ChildStartError, start_child

    try:
        # the key's path is resolved here: the child must use this process's, whatever it inherits
        child = start_child(f"{__name__}:serve_token_request", [operation, str(key_file or paths.key_path())])
    except OSError as exc:
        raise _failure(operation, f"the helper process could not be started: {exc}") from None
    try:
        conn = child.connect(_CHILD_TIMEOUT)
        conn.send(value)  # over the authenticated connection: never on a command line
        if not conn.poll(_CHILD_TIMEOUT):
            raise _failure(operation, f"the helper process did not answer within {_CHILD_TIMEOUT:g}s")
        kind, answer = conn.recv()
    except ChildStartError as exc:
        raise _failure(operation, f"the helper process failed: {exc}") from None
    except (EOFError, OSError) as exc:
        raise _failure(operation, f"the helper process ended without answering: {exc!r}") from None
    finally:
        child.kill()
        child.join(5)
    if kind == "ok":
        return str(answer)
    if kind == "os-error":
        raise OSError(answer)
    raise TokenDecryptError(answer)


def _failure(operation: str, reason: str) -> Exception:
    return TokenDecryptError(reason) if operation == "decrypt" else OSError(f"cannot encrypt the token: {reason}")


def serve_token_request(conn: ChildConnection, operation: str, key_file: str) -> None:
    """Runs in the helper child of :func:`use_child_process`: one token in, one answer out."""
    value = conn.recv()
    path = Path(key_file)
    try:
        answer = _encrypt(value, path) if operation == "encrypt" else _decrypt(value, path)
    except TokenDecryptError as exc:
        conn.send(("decrypt-error", str(exc)))
    except OSError as exc:
        conn.send(("os-error", str(exc)))
    else:
        conn.send(("ok", answer))


def _encrypt(token: str, key_file: Path | None) -> str:
    from cryptography.fernet import Fernet

    key = load_or_create_key(key_file)
    assert key is not None
    return PREFIX + Fernet(key).encrypt(token.encode("utf-8")).decode("ascii")


def _decrypt(stored: str, key_file: Path | None) -> str:
    from cryptography.fernet import Fernet, InvalidToken

    key_file = key_file or paths.key_path()
    key = load_or_create_key(key_file, create=False)
    if key is None:
        raise TokenDecryptError(f"the key file {key_file} is missing")
    try:
        return Fernet(key).decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise TokenDecryptError(f"it was encrypted with a different key than {key_file}") from exc
