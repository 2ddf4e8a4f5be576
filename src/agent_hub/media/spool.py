"""Copy an incoming upload to a temp file, sniffing its type first and capping its size as it streams.

Why: an attacker must not be able to make us buffer or store more than the cap, so the count is
checked on every chunk and the request fails (413) the moment it is crossed; the partial temp file
is deleted. The type is sniffed from the first bytes before anything is written, so an HTML or SVG
body is refused (415) without reading the rest.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent_hub.errors import PayloadTooLarge, UnsupportedMediaType

from .sniff import SNIFF_BYTES, Kind, MediaType, looks_like_markup, sniff

CHUNK = 64 * 1024

ACCEPTED = "PNG, JPEG, GIF, WebP images; MP3, WAV, M4A, OGG, WebM audio"


class _Readable(Protocol):  # starlette.datastructures.UploadFile and friends
    async def read(self, size: int = -1) -> bytes: ...


Source = _Readable | AsyncIterable[bytes]


@dataclass(slots=True)
class Spooled:
    """A sniffed upload on disk. The caller owns ``path`` and must ``discard()`` it."""

    path: Path
    size: int
    media_type: MediaType

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def _chunks(source: Source) -> AsyncIterable[bytes]:
    if hasattr(source, "read"):
        while chunk := await source.read(CHUNK):  # type: ignore[union-attr]
            yield chunk
    else:
        async for chunk in source:  # type: ignore[union-attr]
            if chunk:
                yield chunk


def too_large(limit: int, what: str) -> PayloadTooLarge:
    mb = limit / (1024 * 1024)
    return PayloadTooLarge(f"The {what} is too large", f"The maximum size for {what}s is {mb:.0f} MB ({limit} bytes)")


def unsupported(head: bytes, expect: Kind | None = None) -> UnsupportedMediaType:
    if looks_like_markup(head):
        return UnsupportedMediaType(
            "SVG, HTML and other markup files are not accepted",
            f"Upload a raster image or an audio file. Accepted: {ACCEPTED}",
        )
    return UnsupportedMediaType(
        "Unsupported file type (detected from the file's content, not its name)",
        f"Accepted: {ACCEPTED}",
    )


async def spool_upload(
    source: Source,
    limit_for: Callable[[MediaType], int],
    *,
    tmp_dir: Path,
    expect: Kind | None = None,
) -> Spooled:
    """Stream ``source`` into a temp file under ``tmp_dir``.

    ``limit_for(media_type)`` gives the byte cap once the type is known. Raises 415 for an
    unknown type or one of the wrong kind, 413 as soon as the cap is crossed. Writes are small
    and sequential, so they are done inline (a thread hop per 64 KB chunk costs more than it saves).
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=tmp_dir)
    path = Path(name)
    head = b""
    media_type: MediaType | None = None
    limit = 0
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in _chunks(source):
                if media_type is None:
                    head += chunk
                    if len(head) < SNIFF_BYTES:
                        continue
                    media_type, limit = _decide(head, limit_for, expect)
                    chunk, head = head, b""
                size += len(chunk)
                if size > limit:
                    raise too_large(limit, media_type.kind)
                out.write(chunk)  # noqa: ASYNC230 - see docstring
            if media_type is None:  # short file: everything is still in ``head``
                media_type, limit = _decide(head, limit_for, expect)
                size = len(head)
                if size > limit:
                    raise too_large(limit, media_type.kind)
                out.write(head)
    except BaseException:
        path.unlink(missing_ok=True)  # noqa: ASYNC240
        raise
    return Spooled(path=path, size=size, media_type=media_type)


def _decide(head: bytes, limit_for: Callable[[MediaType], int], expect: Kind | None) -> tuple[MediaType, int]:
    if not head:
        raise UnsupportedMediaType("The file is empty", f"Accepted: {ACCEPTED}")
    media_type = sniff(head)
    if media_type is None:
        raise unsupported(head, expect)
    if expect is not None and media_type.kind != expect:
        raise UnsupportedMediaType(
            f"Expected an {expect} file but the content is {media_type.kind} ({media_type.content_type})",
            f"Accepted: {ACCEPTED}",
        )
    return media_type, limit_for(media_type)


def settings_limits(settings: Any) -> Callable[[MediaType], int]:
    """The per-kind byte caps from ``Settings``."""

    def limit(media_type: MediaType) -> int:
        if media_type.kind == "image":
            return int(settings.media_image_max_bytes)
        return int(settings.media_audio_max_bytes)

    return limit
