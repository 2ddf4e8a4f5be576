"""Where media bytes live: one ``MediaStore`` interface, a local-directory and an S3 backend.

``make_store(settings)`` picks S3 when ``S3_ENDPOINT`` is set, else a directory under the data
dir (the embedded default). Keys come from ``new_key`` (random, never the uploaded file name).
"""

from __future__ import annotations

from typing import Any

from .base import MediaNotFound, MediaStore, derived_key, new_key, validate_key
from .local import LocalStore

__all__ = ["LocalStore", "MediaNotFound", "MediaStore", "derived_key", "make_store", "new_key", "validate_key"]


def make_store(settings: Any) -> MediaStore:
    """S3 (SeaweedFS, MinIO, AWS...) when ``s3_endpoint`` is set, else ``<data_dir>/media``."""
    if getattr(settings, "s3_endpoint", None):
        from agent_hub.extras import require

        require("boto3", "S3_ENDPOINT (media in S3)")
        from .s3 import S3Store  # boto3 is imported only when S3 is used

        return S3Store.from_settings(settings)
    from pathlib import Path

    return LocalStore(Path(settings.data_dir) / "media")
