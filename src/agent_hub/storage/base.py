"""The storage interface and object-key rules shared by every backend.

Keys are random (``secrets``), sharded by two characters, and carry only a normalised extension
derived from sniffed content: an uploader can never choose a key, so there is nothing to
traverse, overwrite or guess. ``validate_key`` still refuses anything but that shape, as a second
line of defence for keys read back from the database.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from agent_hub.errors import NotFound

_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,7}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


class MediaNotFound(NotFound):
    """The object does not exist (renders as 404 if it ever reaches the API)."""

    def __init__(self, key: str) -> None:
        super().__init__("Media not found", "The file was deleted or never existed")
        self.key = key


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ``ValueError``."""
    if not isinstance(key, str) or len(key) > 512 or not _KEY.match(key) or ".." in key:
        raise ValueError("invalid media key")
    return key


def new_key(ext: str, prefix: str = "media") -> str:
    """A fresh random key like ``media/ab/<32 random chars>.png`` (192 bits)."""
    ext = ext.lower().lstrip(".")
    if not _EXT.match(ext):
        raise ValueError("invalid extension")
    token = secrets.token_urlsafe(24)
    shard = token[:2].lower().replace("-", "0").replace("_", "0")
    return validate_key(f"{prefix}/{shard}/{token}.{ext}")


def derived_key(key: str, suffix: str) -> str:
    """A sibling key for a derived object, e.g. ``derived_key(k, "thumb.webp")``."""
    base = validate_key(key).rsplit(".", 1)[0]
    return validate_key(f"{base}.{suffix}")


@runtime_checkable
class MediaStore(Protocol):
    """Async object storage. Every method validates its key first."""

    async def put(self, key: str, data: bytes | Path, content_type: str) -> int:
        """Store bytes or a file's contents atomically; returns the stored size."""

    async def get(self, key: str) -> bytes:
        """The whole object; raises ``MediaNotFound``."""

    def stream(self, key: str, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """The object in chunks (for streaming responses); raises ``MediaNotFound``."""

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error (idempotent jobs)."""

    async def exists(self, key: str) -> bool: ...

    async def size(self, key: str) -> int | None:
        """Size in bytes, or None if missing."""

    async def usage(self, prefix: str = "") -> int:
        """Total bytes stored under ``prefix`` (an operator metric; quotas are kept in the DB)."""

    async def presigned_url(self, key: str, expires: int = 3600) -> str | None:
        """A time-limited direct GET URL, or None when the API must serve the bytes itself."""

    async def ping(self) -> None:
        """Raise if the store is unreachable (for ``/ready``)."""
