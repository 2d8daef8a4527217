"""``secrets.use_child_process()`` (what the station service does): the token is encrypted and
decrypted in a helper child process, with the same results and errors as in-process, and the
calling process never loads the cryptography library. Real child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from pathlib import Path
from pywats_client import secrets
secrets.use_child_process()
enc = secrets.encrypt_token("c2VjcmV0OnRva2Vu")
out = {"enc": enc, "dec": secrets.decrypt_token(enc), "clear": secrets.decrypt_token("plain")}
try:
    secrets.decrypt_token(enc, key_file=Path(sys.argv[1]))
except secrets.TokenDecryptError as exc:
    out["error"] = str(exc)
out["crypto_loaded"] = any(m.split(".")[0] == "cryptography" for m in sys.modules)
print(json.dumps(out))
"""


def test_token_crypto_in_a_child_process_round_trips_and_keeps_cryptography_out(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing_key = tmp_path / "elsewhere" / "token.key"
    env = {**os.environ, "PYWATS_CLIENT_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(missing_key)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["enc"].startswith("enc:v1:") and "c2VjcmV0OnRva2Vu" not in out["enc"]
    assert out["dec"] == "c2VjcmV0OnRva2Vu"
    assert out["clear"] == "plain"
    assert out["error"] == f"the key file {missing_key} is missing"
    assert out["crypto_loaded"] is False
    # the key the child created is this process's key file (private on POSIX)
    key_file = home / "token.key"
    assert key_file.is_file()
    if sys.platform != "win32":
        assert key_file.stat().st_mode & 0o777 == 0o600
    # and an in-process decrypt (what the CLI does) reads what the child wrote
    from pywats_client import secrets

    assert secrets.decrypt_token(out["enc"], key_file=key_file) == "c2VjcmV0OnRva2Vu"
