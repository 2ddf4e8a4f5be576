"""The one entry point an upload endpoint calls: stream, sniff, cap, decode, normalise.

``validate_upload`` returns an ``ImageResult`` (re-encoded bytes + thumbnail in memory) or an
``AudioResult`` (original bytes in a temp file, real decoded duration). Every refusal is an
``ApiError``: 415 for a type we do not accept (decided from the bytes), 413 as soon as the
stream crosses the cap, 400 for pixel bombs, truncated/corrupt files and over-long audio.
CPU work runs in a worker thread so the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .audio import AudioResult, measure_audio, process_audio
from .images import ImageResult, process_image
from .sniff import Kind, MediaType, sniff
from .spool import Source, Spooled, settings_limits, spool_upload

__all__ = [
    "AudioResult",
    "ImageResult",
    "MediaType",
    "Spooled",
    "measure_audio",
    "process_image",
    "sniff",
    "spool_upload",
    "tmp_dir",
    "validate_file",
    "validate_upload",
]


def tmp_dir(settings: Any) -> Path:
    """Where uploads are spooled: under the data dir, so a local store can rename into place."""
    return Path(getattr(settings, "media_tmp_dir", None) or Path(settings.data_dir) / "tmp")


async def validate_upload(source: Source, settings: Any, *, expect: Kind | None = None) -> ImageResult | AudioResult:
    """Validate an upload stream (``UploadFile`` or async iterator of bytes).

    The caller stores ``result.data`` / ``result.thumbnail`` (image) or ``result.path`` (audio)
    under a random key and then calls ``result.discard()``.
    """
    spooled = await spool_upload(source, settings_limits(settings), tmp_dir=tmp_dir(settings), expect=expect)
    return await validate_spooled(spooled, settings)


async def validate_spooled(spooled: Spooled, settings: Any) -> ImageResult | AudioResult:
    """Decode-check a file already spooled by ``spool_upload`` (deletes it on failure)."""
    if spooled.media_type.kind == "image":
        try:
            return await asyncio.to_thread(process_image, spooled.path, settings)
        finally:
            spooled.discard()  # the image result holds its bytes in memory
    try:
        return await asyncio.to_thread(process_audio, spooled.path, spooled.media_type, spooled.size, settings)
    except BaseException:
        spooled.discard()
        raise


async def validate_file(path: Path, settings: Any, *, expect: Kind | None = None) -> ImageResult | AudioResult:
    """Same checks for a file already on disk (CLI import, tests). The file is copied, not moved."""

    async def chunks():  # type: ignore[no-untyped-def]
        with path.open("rb") as fh:  # noqa: ASYNC230 - local file, small reads
            while chunk := fh.read(64 * 1024):
                yield chunk

    return await validate_upload(chunks(), settings, expect=expect)


def sniff_bytes(data: bytes) -> MediaType | None:
    """Convenience for the worker: the type of bytes already stored."""
    return sniff(data[:4096])
