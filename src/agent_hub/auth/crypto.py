"""Encryption at rest for TOTP seeds (AES-256-GCM), keyed from settings or a key file.

The key comes from `AGENT_HUB_SECRET_KEY` (any string; HKDF-SHA256 derives the AES key).
In the embedded default a random key is generated once into `<data_dir>/auth-secret.key`
(mode 0600). In production on PostgreSQL the setting is required, because every replica must
decrypt what another one wrote.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from agent_hub.config import Settings
from agent_hub.errors import ApiError

KEY_FILE = "auth-secret.key"
_INFO = b"agent-hub totp seed v1"


class SecretKeyMissing(ApiError):
    status, code = 503, "NOT_CONFIGURED"


def _derive(material: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material)


def load_key(settings: Settings) -> bytes:
    if settings.secret_key:
        return _derive(settings.secret_key.encode("utf-8"))
    if settings.environment == "production" and not settings.is_sqlite:
        raise SecretKeyMissing("Server secret is not configured", "Set AGENT_HUB_SECRET_KEY (shared by every replica)")
    path = Path(settings.data_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race; read its key
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)))
    os.chmod(path, 0o600)
    return _derive(path.read_bytes().strip())


class Sealer:
    """Encrypts short secrets to `v1.<base64url(nonce|ciphertext)>`, bound to a purpose."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key: bytes | None = None

    def _aead(self) -> AESGCM:
        if self._key is None:
            self._key = load_key(self._settings)
        return AESGCM(self._key)

    def seal(self, plaintext: str, purpose: str) -> str:
        nonce = secrets.token_bytes(12)
        ct = self._aead().encrypt(nonce, plaintext.encode("utf-8"), purpose.encode())
        return "v1." + base64.urlsafe_b64encode(nonce + ct).decode().rstrip("=")

    def open(self, sealed: str, purpose: str) -> str:
        raw = sealed.split(".", 1)[1]
        blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        return self._aead().decrypt(blob[:12], blob[12:], purpose.encode()).decode("utf-8")
